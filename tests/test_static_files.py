from django.core.management import call_command
from django.test import Client


def test_collected_static_files_are_served_without_debug(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    call_command("collectstatic", "--no-input", verbosity=0)
    response = Client().get("/static/admin/css/base.css")  # a new client loads WhiteNoise anew
    assert response.status_code == 200
    assert "max-age" in response["Cache-Control"]
    site_css = Client().get("/static/public/site.css")  # the public pages' stylesheet
    assert site_css.status_code == 200 and site_css["Content-Type"].startswith("text/css")
