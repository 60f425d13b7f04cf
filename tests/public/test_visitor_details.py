"""What a visitor or a curator meets around the pages: the icon, robots.txt, the report
form's help text, the admin's name."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from tests.public.public_data import publish_sample

pytestmark = pytest.mark.django_db


def test_the_favicon_answers_at_favicon_ico_and_pages_name_it(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon["Content-Type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO header (holding a PNG)
    svg = finders.find("public/favicon.svg")  # served under STATIC_URL by WhiteNoise
    assert svg and Path(svg).read_text().lstrip().startswith("<svg")
    html = client.get("/about/").content.decode()
    assert '<link rel="icon" href="/static/public/favicon.svg" type="image/svg+xml">' in html
    assert '<link rel="icon" href="/favicon.ico" sizes="32x32">' in html


def test_robots_txt_keeps_crawlers_out_of_search_lookups_api_and_admin(client):
    robots = client.get("/robots.txt")
    assert robots.status_code == 200 and robots["Content-Type"].startswith("text/plain")
    rules = robots.content.decode().splitlines()
    assert "User-agent: *" in rules
    for path in ["/admin/", "/search", "/lookup", "/api/"]:
        assert f"Disallow: {path}" in rules


def test_every_aria_describedby_of_the_report_form_names_an_element_on_the_page(client):
    publish_sample()
    html = client.get("/j/US-TX/report/").content.decode()
    described = re.findall(r'aria-describedby="([^"]+)"', html)
    assert len(described) == 3  # summary, source URL, e-mail
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    for id_list in described:
        assert set(id_list.split()) <= ids, id_list


def test_the_admin_is_branded_for_curators(client, admin_client):
    login = client.get("/admin/login/").content.decode()
    assert "Kratom status — curators" in login and "Django administration" not in login
    index = admin_client.get("/admin/").content.decode()
    assert "<title>Review and curation | Kratom status — curators</title>" in index
