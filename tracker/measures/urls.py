from django.urls import path

from tracker.measures import api, views

urlpatterns = [
    path("api/v1/measures", api.measures_list, name="measures-api-list"),
    path("api/v1/measures/<int:pk>", api.measure_detail, name="measures-api-detail"),
    path("pending/", views.pending, name="measures-pending"),
    path("pending/feed.atom", views.pending_feed, name="measures-pending-feed"),
]
