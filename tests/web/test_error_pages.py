"""Error pages speak the person's language inside the site frame, with a way back; API paths
keep answering JSON."""

from __future__ import annotations

from django.conf import settings as django_settings
from django.template import loader
from django.test import Client

from tests.conftest import Cast, client_for

MISSING = "/no/such/page/"


def test_a_missing_page_has_the_site_frame_in_the_persons_language(cast: Cast) -> None:
    response = client_for(cast.dave).get(MISSING)  # Dave reads Chinese, the default
    assert response.status_code == 404
    body = response.content.decode()
    assert '<html lang="zh-CN">' in body
    assert 'data-testid="error-page"' in body and 'data-testid="error-home"' in body
    assert 'aria-label="主导航"' in body or 'class="col-md-3 col-lg-2 sidebar' in body
    assert "The requested resource was not found" not in body


def test_a_missing_page_in_english(in_english: Cast) -> None:
    body = client_for(in_english.dave).get(MISSING).content.decode()
    assert '<html lang="en">' in body and "Page not found" in body


def test_a_refused_page_has_the_site_frame(in_english: Cast) -> None:
    response = client_for(in_english.erin).get("/filings/sanctions/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "Not allowed" in body and 'data-testid="error-home"' in body
    assert "403 Forbidden" not in body


def test_a_missing_api_path_keeps_json(cast: Cast) -> None:
    response = client_for(cast.dave).get("/api/v1/no/such/path")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_found"


def test_a_csrf_failure_says_what_to_do(in_english: Cast) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(in_english.dave)
    response = client.post("/accounts/profile/", {})
    assert response.status_code == 403
    body = response.content.decode()
    assert "The form has expired" in body and 'data-testid="error-home"' in body
    assert "CSRF verification failed" not in body
    assert django_settings.CSRF_FAILURE_VIEW == "django.views.csrf.csrf_failure"


def test_the_server_error_page_needs_no_context() -> None:
    body = loader.get_template("500.html").render()
    assert "服务器出错了" in body and "Something went wrong" in body and 'href="/"' in body
