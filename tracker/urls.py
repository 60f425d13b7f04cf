from django.contrib import admin
from django.urls import include, path

from tracker.admin_login import ThrottledAdminLoginForm
from tracker.monitoring.admin_worklist import worklist_item_view, worklist_view
from tracker.views import healthz

# The curators' admin says whose it is (and not "Django administration").
admin.site.site_header = "Kratom status — curators"
admin.site.site_title = "Kratom status — curators"
admin.site.index_title = "Review and curation"
# Failed logins are counted per account and per client (tracker/admin_login.py).
admin.site.login_form = ThrottledAdminLoginForm

urlpatterns = [
    # The curators' worklist: admin pages that belong to no single model.
    path(
        "admin/monitoring/worklist/",
        admin.site.admin_view(worklist_view),
        name="monitoring-worklist",
    ),
    path(
        "admin/monitoring/worklist/<int:pk>/",
        admin.site.admin_view(worklist_item_view),
        name="monitoring-worklist-item",
    ),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("sellers/key/", include("tracker.apikeys.urls")),
    path("alerts/", include("tracker.alerts.urls")),
    # django-anymail's tracking webhooks (a provider's bounces and complaints), basic auth
    # by ANYMAIL_WEBHOOK_SECRET: /anymail/postmark/tracking/, /anymail/mailgun/tracking/, ...
    path("anymail/", include("anymail.urls")),
    path("", include("tracker.public.urls")),
]
