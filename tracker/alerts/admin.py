"""Admin for webhooks: thin; every change goes through tracker.alerts.services."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from tracker.alerts import selectors, services
from tracker.alerts.models import (
    DEFAULT_EVENTS,
    SUBSCRIBABLE,
    Attempt,
    Delivery,
    EmailSubscription,
    Event,
    Subscription,
)

LOG_ROWS = 50
TEMPLATES = "admin/alerts/subscription"


class SubscriptionForm(forms.ModelForm):
    url = forms.URLField(label="Endpoint URL", max_length=1000, assume_scheme="https")
    event_types = forms.MultipleChoiceField(
        choices=[(value, value) for value in SUBSCRIBABLE],
        widget=forms.CheckboxSelectMultiple,
        initial=list(DEFAULT_EVENTS),
    )

    class Meta:
        model = Subscription
        fields = ["url", "description", "follows", "event_types"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            services.subscription_url_check(url=url)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None
        return url


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    form = SubscriptionForm
    list_display = [
        "__str__",
        "description",
        "followed",
        "enabled",
        "disabled_reason",
        "pending",
        "failed",
    ]
    list_filter = ["enabled"]
    search_fields = ["url", "description"]
    autocomplete_fields = ["follows"]
    readonly_fields = ["enabled", "disabled_reason", "disabled_at", "delivery_log"]
    actions = ["send_ping", "enable", "rotate_secret"]

    def get_queryset(self, request):
        return selectors.subscriptions_list()

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    @admin.display(description="Follows")
    def followed(self, obj):
        return ", ".join(j.code for j in obj.follows.all())

    @admin.display(description="Pending", ordering="pending_count")
    def pending(self, obj):
        return obj.pending_count

    @admin.display(description="Failed", ordering="failed_count")
    def failed(self, obj):
        return obj.failed_count

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # A new subscription gets its secret from the service; shown here once.
        created = services.subscription_create(
            url=form.cleaned_data["url"],
            follow_codes=[j.code for j in form.cleaned_data["follows"]],
            event_types=form.cleaned_data["event_types"],
            description=form.cleaned_data["description"],
        )
        obj.pk = created.pk
        obj.refresh_from_db()
        messages.warning(request, f"Signing secret (shown once, store it now): {created.secret}")

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)

    @admin.display(description=f"Delivery log (latest {LOG_ROWS})")
    def delivery_log(self, obj):
        rows = Attempt.objects.filter(subscription=obj).select_related("delivery__event")[:LOG_ROWS]
        resend = "admin:alerts_subscription_resend"
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} ms</td><td>{}</td><td><code>{}</code></td>"
            '<td><a href="{}">resend</a></td></tr>',
            (
                (
                    timezone.localtime(row.attempted_at).strftime("%Y-%m-%d %H:%M:%S"),
                    row.delivery.event.type,
                    row.status_code or "—",
                    row.latency_ms,
                    row.error or "ok",
                    row.response_excerpt[:200],
                    reverse(resend, args=[obj.pk, row.delivery_id]),
                )
                for row in rows
            ),
        )
        head = mark_safe(  # a constant: nothing from the request or the database
            "<table><tr><th>time</th><th>event</th><th>status</th><th>latency</th>"
            "<th>error</th><th>response (first 200 of 2048 bytes kept)</th><th></th></tr>"
        )
        return format_html("{}{}</table>", head, body)

    def get_urls(self):
        resend = path(
            "<int:subscription_id>/resend/<int:delivery_id>/",
            self.admin_site.admin_view(self.resend_view),
            name="alerts_subscription_resend",
        )
        return [resend, *super().get_urls()]

    def resend_view(self, request, subscription_id, delivery_id):
        if not self.has_change_permission(request):
            raise PermissionDenied
        delivery = get_object_or_404(
            Delivery.objects.select_related("event", "subscription"),
            pk=delivery_id,
            subscription_id=subscription_id,
        )
        if request.method != "POST":
            context = {**self.admin_site.each_context(request), "delivery": delivery}
            return TemplateResponse(request, f"{TEMPLATES}/resend_confirm.html", context)
        services.delivery_resend(delivery_id=delivery.pk)
        messages.success(request, f"Delivery {delivery.pk} queued again.")
        return redirect("admin:alerts_subscription_change", subscription_id)

    @admin.action(description="Send a test ping", permissions=["change"])
    def send_ping(self, request, queryset):
        for subscription in queryset:
            services.subscription_ping(subscription=subscription)
        messages.success(request, f"Ping queued for {queryset.count()} subscription(s).")

    @admin.action(description="Enable (offers to replay what they missed)", permissions=["change"])
    def enable(self, request, queryset):
        disabled = list(queryset.filter(enabled=False))
        choice = request.POST.get("replay")
        if choice is None:  # first the offer: what each one missed
            rows = [(s, *selectors.subscription_missed(subscription=s)) for s in disabled]
            context = {**self.admin_site.each_context(request), "rows": rows}
            return TemplateResponse(request, f"{TEMPLATES}/enable_confirm.html", context)
        for subscription in disabled:
            since = services.subscription_enable(subscription=subscription)
            if choice == "yes" and since:
                count = services.subscription_replay(subscription=subscription, since=since)
                messages.success(request, f"{subscription} enabled; {count} missed replayed.")
            else:
                messages.success(request, f"{subscription} enabled.")
        return None

    @admin.action(
        description="Rotate the signing secret (old one valid 24 h)", permissions=["change"]
    )
    def rotate_secret(self, request, queryset):
        for subscription in queryset:
            secret = services.subscription_rotate_secret(subscription=subscription)
            messages.warning(request, f"{subscription}: new secret (shown once): {secret}")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "event",
        "subscription",
        "email_subscription",
        "state",
        "attempts",
        "next_attempt_at",
        "last_status_code",
    ]
    list_filter = ["state"]
    list_select_related = ["event", "subscription", "email_subscription"]
    readonly_fields = [field.name for field in Delivery._meta.fields]
    actions = ["resend"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Resend (same webhook-id)", permissions=["change"])
    def resend(self, request, queryset):
        for delivery_id in queryset.values_list("pk", flat=True):
            services.delivery_resend(delivery_id=delivery_id)
        messages.success(request, "Queued again.")


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["id", "type", "jurisdiction", "created_at"]
    list_filter = ["type"]
    list_select_related = ["jurisdiction"]
    readonly_fields = ["id", "type", "jurisdiction", "version", "data", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


ADDRESS_PERMISSION = "alerts.view_email_address"


@admin.register(EmailSubscription)
class EmailSubscriptionAdmin(admin.ModelAdmin):
    """Counts for every curator; addresses only with their own permission."""

    list_display = [
        "__str__",
        "frequency",
        "categories",
        "measure_stages",
        "confirmed_at",
        "suppressed_at",
    ]
    list_filter = [
        "frequency",
        "measure_stages",
        ("suppressed_at", admin.EmptyFieldListFilter),
    ]
    change_list_template = "admin/alerts/emailsubscription/change_list.html"
    fields = [
        "frequency",
        "categories",
        "measure_stages",
        "follows",
        "confirmed_at",
        "suppressed_reason",
    ]
    readonly_fields = fields

    def get_list_display(self, request):
        if request.user.has_perm(ADDRESS_PERMISSION):
            return ["email", *self.list_display]
        return self.list_display

    def get_fields(self, request, obj=None):
        if request.user.has_perm(ADDRESS_PERMISSION):
            return ["email", *self.fields]
        return self.fields

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def get_search_fields(self, request):
        return ["email"] if request.user.has_perm(ADDRESS_PERMISSION) else []

    def has_add_permission(self, request):
        return False  # a subscription exists only once its owner confirmed it

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "figures": selectors.email_alert_figures()}
        return super().changelist_view(request, extra_context)
