from django.urls import path

from tracker.measures import api, views

urlpatterns = [
    path("api/v1/measures", api.measures_list, name="measures-api-list"),
    path("api/v1/measures/export.json", api.measures_export_json, name="measures-api-export-json"),
    path("api/v1/measures/export.csv", api.measures_export_csv, name="measures-api-export-csv"),
    path("api/v1/measures/<int:pk>", api.measure_detail, name="measures-api-detail"),
    path("pending/", views.pending, name="measures-pending"),
    path("pending/feed.atom", views.pending_feed, name="measures-pending-feed"),
]
