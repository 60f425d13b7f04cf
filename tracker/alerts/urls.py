from django.urls import path

from tracker.alerts import views

app_name = "alerts"

urlpatterns = [
    path("subscribe/", views.subscribe, name="subscribe"),
    path("sent/", views.sent, name="sent"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("manage/<uuid:key>/", views.manage, name="manage"),
    path("unsubscribe/<uuid:key>/", views.unsubscribe, name="unsubscribe"),
]
