from django.urls import include, path, re_path

from tracker.public import api, feeds, measures_api, measures_pages, views
from tracker.public.responses import public_read

app_name = "public"

# The API first and under one prefix: URL resolution tries patterns in order, on every request.
api_v1 = [
    # A code may be an OCD division id, which contains slashes.
    re_path(
        r"^jurisdictions/(?P<code>[\s\S]+?)/history\Z", api.jurisdiction_history, name="api-history"
    ),
    re_path(r"^jurisdictions/(?P<code>[\s\S]+)\Z", api.jurisdiction_detail, name="api-detail"),
    path("jurisdictions", api.jurisdictions_list, name="api-list"),
    path("lookup", api.lookup, name="api-lookup"),
    path("search", api.search, name="api-search"),
    path("changes", api.changes, name="api-changes"),
    path("export.json", api.export_json, name="api-export-json"),
    path("export.csv", api.export_csv, name="api-export-csv"),
    path("check", api.check, name="api-check"),
    path("restricted-zips.json", api.restricted_zips_json, name="api-restricted-json"),
    path("restricted-zips.csv", api.restricted_zips_csv, name="api-restricted-csv"),
    path("openapi.json", api.openapi, name="api-openapi"),
    path("measures", measures_api.measures_list, name="measures-api-list"),
    path(
        "measures/export.json", measures_api.measures_export_json, name="measures-api-export-json"
    ),
    path("measures/export.csv", measures_api.measures_export_csv, name="measures-api-export-csv"),
    path("measures/<int:pk>", measures_api.measure_detail, name="measures-api-detail"),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    re_path(r"^api/(?P<rest>[\s\S]*)\Z", api.not_found),
    path("j/<str:code>/", views.detail, name="detail"),
    path("", views.home, name="home"),
    path("search", views.search, name="search"),
    path("countries/<str:code>/", views.country_unlisted, name="country-unlisted"),
    path("lookup", views.lookup, name="lookup"),
    path("about/", views.about, name="about"),
    path("sellers/", views.sellers, name="sellers"),
    path("favicon.ico", views.root_file, {"name": "favicon.ico"}, name="favicon"),
    path("robots.txt", views.root_file, {"name": "robots.txt"}, name="robots"),
    path("j/<str:code>/badge.svg", views.badge, name="badge"),
    path("j/<str:code>/feed.atom", public_read()(feeds.JurisdictionFeed()), name="feed"),
    path("j/<str:code>/report/", views.report, name="report"),
    path("j/<str:code>/report/thanks/", views.report_thanks, name="report-thanks"),
    path("pending/", measures_pages.pending, name="measures-pending"),
    path("pending/feed.atom", measures_pages.pending_feed, name="measures-pending-feed"),
    path("feeds/changes.atom", public_read()(feeds.ChangesFeed()), name="changes-feed"),
]
