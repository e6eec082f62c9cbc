"""The favicon: linked from every page, and /favicon.ico answers without a log-in."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.templatetags.static import static

pytestmark = pytest.mark.django_db


def test_favicon_ico_sends_anyone_to_the_svg(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == static("favicon.svg")
    assert "max-age=86400" in response["Cache-Control"]


def test_every_page_links_the_icon(client, client_as, ministry):
    for html in (client.get("/accounts/login/").content.decode(), client_as(ministry).get("/").content.decode()):
        assert f'<link rel="icon" href="{static("favicon.svg")}" type="image/svg+xml">' in html


def test_the_static_error_pages_link_it_too():
    for name in ("400", "500", "503"):
        page = (Path(settings.BASE_DIR) / "templates" / f"{name}.html").read_text()
        assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page


def test_the_icon_is_a_small_svg_of_our_own():
    svg = (Path(settings.BASE_DIR) / "static" / "favicon.svg").read_text()
    assert svg.startswith("<svg") and "#1B4332" in svg and len(svg) < 2000
    assert not re.search(r"(href|src)=", svg)  # nothing fetched from elsewhere
