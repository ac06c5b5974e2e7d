"""Security headers on every profile: the Content-Security-Policy (django-csp), Permissions-Policy, and
Cache-Control: no-store on everything but static files and responses a view marked cacheable."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from cecloud.core.security_headers import SecurityHeadersMiddleware, is_cacheable, permissions_policy_header


def directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    csp = directives(client.get("/"))
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no nonce
    assert csp["style-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["media-src"] == ["'self'", "blob:"]
    assert csp["connect-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]  # the dev cashier is on this site


@pytest.mark.django_db
def test_permissions_policy_denies_camera_microphone_and_geolocation(client):
    policy = client.get("/").headers["Permissions-Policy"]
    features = dict(part.strip().split("=", 1) for part in policy.split(","))
    assert features["camera"] == "()" and features["microphone"] == "()" and features["geolocation"] == "()"
    assert features["payment"] == "()" and features["usb"] == "()"
    assert features["fullscreen"] == "(self)"  # the player's full-screen button


def test_permissions_policy_header_format():
    assert permissions_policy_header({"camera": [], "fullscreen": ["self"]}) == "camera=(), fullscreen=(self)"
    assert permissions_policy_header({"camera": ["self", "https://x.example"]}) == 'camera=(self "https://x.example")'


@pytest.mark.django_db
def test_every_page_is_no_store_anonymous_and_authenticated(client, django_user_model):
    assert "no-store" in client.get("/").headers["Cache-Control"]
    assert "no-store" in client.get("/certificates/verify/").headers.get("Cache-Control", "")
    from cecloud.accounts.factories import LearnerFactory

    client.force_login(LearnerFactory())
    response = client.get("/accounts/center/", follow=True)
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]


@pytest.mark.django_db
def test_the_back_office_is_no_store(client):
    from cecloud.accounts.factories import OperatorFactory

    client.force_login(OperatorFactory())
    response = client.get("/admin/")
    assert "no-store" in response.headers["Cache-Control"]


@pytest.mark.django_db
def test_static_files_stay_cacheable(client):
    response = client.get("/static/css/cecloud.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


@pytest.mark.parametrize(
    ("set_by_view", "expected"),
    [
        (None, "no-store"),
        ("private, no-transform", "no-store"),  # the certificate PDF: private but without a lifetime
        ("private, max-age=3600", "private, max-age=3600"),  # a view that chose a lifetime keeps it
        ("public, max-age=60", "public, max-age=60"),
    ],
)
def test_no_store_unless_the_view_gave_a_lifetime(set_by_view, expected):
    def view(request):
        response = HttpResponse("x")
        if set_by_view:
            response["Cache-Control"] = set_by_view
        return response

    response = SecurityHeadersMiddleware(view)(RequestFactory().get("/"))
    if expected == "no-store":
        assert "no-store" in response["Cache-Control"]
        if set_by_view:
            assert set_by_view.split(",")[0] in response["Cache-Control"]
    else:
        assert response["Cache-Control"] == expected


def test_is_cacheable():
    assert not is_cacheable("")
    assert not is_cacheable("private")
    assert not is_cacheable("max-age=60, no-store")
    assert is_cacheable("max-age=60")
    assert is_cacheable("public")
