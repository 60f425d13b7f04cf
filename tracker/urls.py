from django.contrib import admin
from django.urls import include, path

from tracker.admin_login import ThrottledAdminLoginForm
from tracker.views import healthz

# The curators' admin says whose it is (and not "Django administration").
admin.site.site_header = "Kratom status — curators"
admin.site.site_title = "Kratom status — curators"
admin.site.index_title = "Review and curation"
# Failed logins are counted per account and per client (tracker/admin_login.py).
admin.site.login_form = ThrottledAdminLoginForm

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("", include("jurisdictions.urls")),
]
