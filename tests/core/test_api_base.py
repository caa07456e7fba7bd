"""The API's common behaviour: JSON errors, pagination, throttling, schema and offline docs."""

import re

import pytest
from rest_framework.settings import api_settings

from app.accounts.models import Organization


@pytest.fixture
def organizations(db):
    return [Organization.objects.create(name=f"University {i:02d}") for i in range(12)]


def test_lists_are_paginated_with_limit_and_offset(anon_client, organizations):
    body = anon_client.get("/api/organizations/?limit=5&offset=10").json()
    assert body["count"] == 12
    assert [o["name"] for o in body["results"]] == ["University 10", "University 11"]
    assert body["next"] is None and "offset=5" in body["previous"]


def test_unknown_api_path_is_a_json_404(anon_client, db):
    response = anon_client.get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_field_errors_name_the_field(admin_client_api):
    response = admin_client_api.post("/api/organizations/", {}, format="json")
    assert response.status_code == 400
    assert "name" in response.json()["fields"]


def test_malformed_json_is_a_clear_400(admin_client_api):
    response = admin_client_api.post("/api/organizations/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_anonymous_write_is_refused_with_a_message(anon_client, db):
    response = anon_client.post("/api/organizations/", {"name": "X"}, format="json")
    assert response.status_code in (401, 403)
    assert response.json()["detail"]
    assert not Organization.objects.exists()


def test_members_cannot_write_admin_data(member_client):
    response = member_client.post("/api/organizations/", {"name": "X"}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "Only administrators may change this.", "code": "permission_denied"}
    assert not Organization.objects.exists()


def test_invalid_and_expired_tokens_are_refused(anon_client, member):
    from datetime import timedelta

    from django.utils import timezone

    from app.accounts.models import AuthToken

    anon_client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert anon_client.get("/api/organizations/").json() == {
        "detail": "Invalid token.",
        "code": "authentication_failed",
    }
    token, key = AuthToken.objects.issue(member)
    AuthToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    anon_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = anon_client.get("/api/organizations/")
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_anonymous_clients_are_throttled_with_a_clear_message(anon_client, db, monkeypatch):
    from rest_framework.throttling import AnonRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "3/min"})
    statuses = [anon_client.get("/api/organizations/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert "throttled" in anon_client.get("/api/organizations/").json()["detail"]


def test_openapi_schema_lists_the_api(anon_client, db):
    response = anon_client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/organizations/" in schema["paths"]


def test_api_docs_render_with_local_assets_only(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    asset_urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui" in url for url in asset_urls)
    assert all(not url.startswith(("http://", "https://", "//")) for url in asset_urls), asset_urls
    bundle = next(url for url in asset_urls if url.endswith("swagger-ui-bundle.js"))
    assert client.get(bundle).status_code == 200


def test_home_page_links_docs_and_admin(client, db):
    html = client.get("/").content.decode()
    assert 'href="/api/docs/"' in html and 'href="/admin/"' in html


def test_admin_login_page_renders(client, db):
    assert client.get("/admin/login/").status_code == 200


def test_static_files_are_scanned_on_the_first_static_request_only(client, db):
    from django.conf import settings

    from app.core.static import LazyWhiteNoiseMiddleware

    middleware = LazyWhiteNoiseMiddleware(lambda request: None, settings=settings)
    assert middleware.whitenoise is None  # nothing listed at start-up (cold start)
    client.get("/healthz")
    response = client.get("/static/admin/css/base.css")
    assert response.status_code == 200
    assert b"body" in b"".join(response.streaming_content)
