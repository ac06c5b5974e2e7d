"""The API docs page (/api/v1/docs) is served from the site's own files: Swagger UI vendored from npm
(static/vendor/swagger-ui), no CDN, no inline script."""

import re

import pytest
from django.contrib.staticfiles import finders


@pytest.mark.django_db
def test_api_docs_reference_only_local_assets(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls, html
    assert all(url.startswith("/static/") for url in urls), urls
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in urls
    for url in urls:
        assert finders.find(url.removeprefix("/static/")), f"{url} is not a local static file"
    assert "cdn" not in html.lower() and "//" not in "".join(urls)
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)", html)


@pytest.mark.django_db
def test_api_docs_settings_point_at_the_local_schema(client):
    import json

    html = client.get("/api/v1/docs").content.decode()
    settings = json.loads(
        re.search(r'<script id="swagger-settings" type="application/json">(.*?)</script>', html, re.S)[1]
    )
    assert settings["url"] == "/api/v1/openapi.json"
