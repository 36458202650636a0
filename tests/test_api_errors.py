"""Bad input on the API gets a 4xx JSON answer in the documented error shape, never a 500 or HTML.

The documented shape (ipcenter.api.ErrorOut): {"detail": str, "code"?: str, "errors"?: ...}.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import path
from django.utils import translation

from ipcenter.accounts.models import User
from tests.conftest import Cast, token_client

BIGGER_THAN_BIGINT = str(2**63 + 1)


def assert_error(response: Any, status: int | tuple[int, ...]) -> dict[str, Any]:
    """A JSON error in the documented shape, with one of the given statuses."""
    statuses = status if isinstance(status, tuple) else (status,)
    assert response.status_code in statuses, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = json.loads(response.content)
    assert isinstance(body, dict)
    assert isinstance(body.get("detail"), str) and body["detail"], body
    assert set(body) <= {"detail", "code", "errors"}, body
    if "code" in body:
        assert body["code"] is None or isinstance(body["code"], str)
    return body


def quiet_client(user: User | None) -> Client:
    """A client that turns an unexpected exception into the 500 a real client would see."""
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


# --- NUL characters ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_nul_in_filings_center_query_is_refused(cast: Cast) -> None:
    response = quiet_client(cast.alice).get("/api/v1/filings?center=%00")
    body = assert_error(response, 400)
    assert body["code"] == "nul_character"


@pytest.mark.django_db
def test_nul_in_case_search_query_is_refused(cast: Cast) -> None:
    response = quiet_client(cast.bob).get("/api/v1/preexam/cases?q=a%00b")
    assert_error(response, 400)


@pytest.mark.django_db
def test_nul_in_token_name_is_refused(cast: Cast) -> None:
    response = quiet_client(cast.erin).post(
        "/api/v1/accounts/tokens", {"name": "a\x00b"}, content_type="application/json"
    )
    assert_error(response, 400)


@pytest.mark.django_db
def test_nul_in_a_path_parameter_is_refused(cast: Cast) -> None:
    assert_error(quiet_client(cast.alice).get("/api/v1/centers/%00/fields"), 400)


@pytest.mark.django_db
def test_nul_in_form_field_is_refused(cast: Cast) -> None:
    response = quiet_client(cast.erin).post("/api/v1/documents", {"title": "a\x00"})
    assert_error(response, 400)


@pytest.mark.django_db
def test_error_messages_are_in_the_users_language(cast: Cast) -> None:
    client = quiet_client(cast.bob)  # Bob reads Chinese
    with translation.override("zh-hans"):
        not_found = translation.gettext("Not found.")
        nul = translation.gettext("The request contains a NUL character, which no field accepts.")
    assert not_found != "Not found."
    assert assert_error(client.get("/api/v1/no-such-thing"), 404)["detail"] == not_found
    assert assert_error(client.get("/api/v1/preexam/cases?q=%00"), 400)["detail"] == nul


# --- offsets beyond bigint --------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "who"),
    [
        ("/api/v1/navigation/imports", "nora"),
        ("/api/v1/filings/sanctions", "alice"),
        ("/api/v1/notifications", "erin"),
        ("/api/v1/documents", "erin"),
        ("/api/v1/workstations", "alice"),
        ("/api/v1/filings/quota-requests", "alice"),
        ("/api/v1/filings/agencies", "alice"),
        ("/api/v1/filings", "alice"),
        ("/api/v1/preexam/cases", "bob"),
        ("/api/v1/audit/events", "sam"),
    ],
)
def test_offset_beyond_bigint_is_refused(cast: Cast, path: str, who: str) -> None:
    client = quiet_client(getattr(cast, who))
    body = assert_error(client.get(f"{path}?offset={BIGGER_THAN_BIGINT}"), 422)
    assert "offset" in json.dumps(body["errors"])
    assert_error(client.get(f"{path}?offset=-1"), 422)
    assert client.get(f"{path}?offset=0&limit=5").status_code == 200


# --- years --------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("year", [0, -1, 10000, 2**40])
def test_sanction_assessment_year_out_of_range_is_refused(cast: Cast, year: int) -> None:
    response = quiet_client(cast.alice).post(
        "/api/v1/filings/sanctions/assess",
        {"center": "shanghai", "year": year},
        content_type="application/json",
    )
    body = assert_error(response, 422)
    assert "year" in json.dumps(body["errors"])


@pytest.mark.django_db
@pytest.mark.parametrize("year", [0, 10000])
def test_filing_quota_year_out_of_range_is_refused(cast: Cast, year: int) -> None:
    from tests.filings.factories import draft

    filing = draft(cast)
    response = quiet_client(cast.dave).get(f"/api/v1/filings/{filing.pk}/quota?year={year}")
    assert_error(response, 422)


# --- lengths and sizes --------------------------------------------------------------------------


@pytest.mark.django_db
def test_full_name_over_150_characters_is_refused(cast: Cast) -> None:
    response = quiet_client(cast.erin).patch(
        "/api/v1/accounts/me", {"full_name": "x" * 151}, content_type="application/json"
    )
    body = assert_error(response, 422)
    assert "full_name" in json.dumps(body["errors"])
    cast.erin.refresh_from_db()
    assert cast.erin.full_name == "Erin"


@pytest.mark.django_db
def test_token_name_over_its_column_is_refused(cast: Cast) -> None:
    response = quiet_client(cast.erin).post(
        "/api/v1/accounts/tokens", {"name": "x" * 101}, content_type="application/json"
    )
    assert_error(response, 422)


@pytest.mark.django_db
def test_a_3_mb_json_body_is_refused_as_too_large(cast: Cast) -> None:
    client, auth = token_client(cast.erin)
    response = client.patch(
        "/api/v1/accounts/me",
        json.dumps({"full_name": "x" * (3 * 1024 * 1024)}),
        content_type="application/json",
        **auth,
    )
    body = assert_error(response, 413)
    assert body["code"] == "too_large"


@pytest.mark.django_db
def test_a_3_mb_form_body_is_refused_as_too_large(cast: Cast) -> None:
    response = quiet_client(cast.erin).post(
        "/api/v1/accounts/tokens",
        "name=" + "x" * (3 * 1024 * 1024),
        content_type="application/x-www-form-urlencoded",
    )
    assert_error(response, 413)


# --- every error is JSON ------------------------------------------------------------------------


@pytest.mark.django_db
def test_unknown_api_path_is_a_json_404(cast: Cast) -> None:
    body = assert_error(quiet_client(cast.alice).get("/api/v1/no-such-thing"), 404)
    assert body["detail"]
    assert_error(quiet_client(None).get("/api/v2/"), 404)


@pytest.mark.django_db
def test_wrong_method_is_a_json_405(cast: Cast) -> None:
    response = quiet_client(cast.alice).delete("/api/v1/filings/sanctions")
    assert_error(response, 405)
    assert "GET" in response["Allow"]


@pytest.mark.django_db
def test_malformed_json_is_a_400(cast: Cast) -> None:
    response = quiet_client(cast.erin).post(
        "/api/v1/accounts/tokens", "{not json", content_type="application/json"
    )
    assert_error(response, 400)


@pytest.mark.django_db
def test_multipart_without_boundary_is_a_400(cast: Cast) -> None:
    response = quiet_client(cast.nora).post(
        "/api/v1/navigation/imports", b"x", content_type="multipart/form-data"
    )
    assert_error(response, 400)


@pytest.mark.django_db
def test_pages_keep_their_html_404(cast: Cast) -> None:
    response = quiet_client(cast.alice).get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def _explode(request: Any) -> Any:
    raise RuntimeError("boom")


urlpatterns = [path("api/v1/explode", _explode)]


@pytest.mark.django_db
def test_unexpected_exception_is_a_logged_json_500(cast: Cast, settings: Any, caplog: Any) -> None:
    settings.ROOT_URLCONF = __name__
    response = quiet_client(cast.alice).get("/api/v1/explode")
    body = assert_error(response, 500)
    assert "boom" not in body["detail"]
    assert "boom" in caplog.text


@pytest.mark.django_db
def test_unexpected_exception_inside_an_operation_is_a_json_500(
    cast: Cast, monkeypatch: Any, caplog: Any
) -> None:
    from ipcenter.notifications import api as notifications_api

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("kaput")

    monkeypatch.setattr(notifications_api, "require", broken)
    response = quiet_client(cast.erin).get("/api/v1/notifications")
    body = assert_error(response, 500)
    assert "kaput" not in body["detail"]
    assert "kaput" in caplog.text


@pytest.mark.django_db
def test_a_value_the_database_refuses_is_a_422(cast: Cast, monkeypatch: Any) -> None:
    from django.db import DataError

    from ipcenter.notifications import api as notifications_api

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise DataError("integer out of range")

    monkeypatch.setattr(notifications_api, "require", refused)
    body = assert_error(quiet_client(cast.erin).get("/api/v1/notifications"), 422)
    assert body["code"] == "out_of_range"
