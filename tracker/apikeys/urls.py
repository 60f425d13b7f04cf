from django.urls import path

from tracker.apikeys import views

app_name = "apikeys"

urlpatterns = [
    path("", views.key_request, name="request"),
    path("sent/", views.key_request_sent, name="sent"),
    path("confirm/<str:token>/", views.key_confirm, name="confirm"),
]
