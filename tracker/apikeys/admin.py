"""Admin for API keys: create (the key is shown once), revoke, set a daily quota, requests per
day. Thin: services do the work."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Sum

from tracker.apikeys import services
from tracker.apikeys.models import ApiKey, ApiKeyUsage

USAGE_DAYS_SHOWN = 30


class ApiKeyUsageInline(admin.TabularInline):
    model = ApiKeyUsage
    fields = ["day", "requests"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = f"Requests per day (latest {USAGE_DAYS_SHOWN} days, UTC)"

    def get_queryset(self, request):
        latest = super().get_queryset(request).order_by("-day")
        ids = latest.values_list("pk", flat=True)[:USAGE_DAYS_SHOWN]
        return latest.filter(pk__in=list(ids))

    def has_add_permission(self, request, obj=None):
        return False


class ApiKeyForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ["name", "contact", "daily_quota"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    form = ApiKeyForm
    list_display = [
        "name",
        "contact",
        "prefix",
        "made",
        "daily_quota",
        "created_at",
        "revoked_at",
        "requests_total",
    ]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["created_by"]
    search_fields = ["name", "contact", "prefix"]
    readonly_fields = ["prefix", "created_by", "created_at", "revoked_at", "revoked_by"]
    inlines = [ApiKeyUsageInline]
    actions = ["revoke"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(requests_sum=Sum("usage__requests"))

    @admin.display(description="Made by")
    def made(self, obj):
        if obj.self_serve:
            return "self-serve (address confirmed)"
        return obj.created_by or "command line"

    @admin.display(description="Requests (all time)", ordering="requests_sum")
    def requests_total(self, obj):
        return obj.requests_sum or 0

    def get_readonly_fields(self, request, obj=None):
        # Once made, a key's holder is changed by revoking it and making a new one.
        return [*self.readonly_fields, "name", "contact"] if obj else []

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the usage history stays

    def save_model(self, request, obj, form, change):
        if change:  # only the daily quota may change
            super().save_model(request, obj, form, change)
            return
        created = services.apikey_create(
            actor=request.user,
            name=form.cleaned_data["name"],
            contact=form.cleaned_data["contact"],
            daily_quota=form.cleaned_data["daily_quota"],
        )
        obj.pk = created.key.pk
        obj.refresh_from_db()
        messages.warning(
            request, f"API key (shown once, store it now; only its hash is kept): {created.plain}"
        )

    @admin.action(description="Revoke the selected keys", permissions=["change"])
    def revoke(self, request, queryset):
        revoked = sum(
            services.apikey_revoke(actor=request.user, key_id=pk)
            for pk in queryset.values_list("pk", flat=True)
        )
        self.message_user(request, f"Revoked {revoked} key(s).", messages.SUCCESS)
