from django.urls import path

from jurisdictions import views

app_name = "jurisdictions"

urlpatterns = [
    path("", views.home, name="home"),
]
