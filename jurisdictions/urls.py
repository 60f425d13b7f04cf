from django.urls import path, re_path

from jurisdictions import api, feeds, views
from jurisdictions.responses import public_read

app_name = "jurisdictions"

urlpatterns = [
    path("", views.home, name="home"),
    path("search", views.search, name="search"),
    path("lookup", views.lookup, name="lookup"),
    path("about/", views.about, name="about"),
    path("assets/<str:name>", views.asset, name="asset"),
    path("j/<str:code>/", views.detail, name="detail"),
    path("j/<str:code>/badge.svg", views.badge, name="badge"),
    path("j/<str:code>/feed.atom", public_read()(feeds.JurisdictionFeed()), name="feed"),
    path("j/<str:code>/report/", views.report, name="report"),
    path("j/<str:code>/report/thanks/", views.report_thanks, name="report-thanks"),
    path("feeds/changes.atom", public_read()(feeds.ChangesFeed()), name="changes-feed"),
    path("api/v1/openapi.json", api.openapi, name="api-openapi"),
    path("api/v1/jurisdictions", api.jurisdictions_list, name="api-list"),
    # A code may be an OCD division id, which contains slashes.
    re_path(
        r"^api/v1/jurisdictions/(?P<code>[\s\S]+?)/history\Z",
        api.jurisdiction_history,
        name="api-history",
    ),
    re_path(
        r"^api/v1/jurisdictions/(?P<code>[\s\S]+)\Z", api.jurisdiction_detail, name="api-detail"
    ),
    path("api/v1/lookup", api.lookup, name="api-lookup"),
    path("api/v1/changes", api.changes, name="api-changes"),
    path("api/v1/export.json", api.export_json, name="api-export-json"),
    path("api/v1/export.csv", api.export_csv, name="api-export-csv"),
    re_path(r"^api/(?P<rest>[\s\S]*)\Z", api.not_found),
]
