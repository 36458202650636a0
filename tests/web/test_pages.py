"""The page frame: everyone's home, the working-day calculator, paging, health, the API spec."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from django.test import Client

from ipcenter.accounts.services import user_update_profile
from ipcenter.notifications.services import notify
from tests.conftest import Cast, client_for

SHANGHAI_TZ = dt.timezone(dt.timedelta(hours=8))
REPO = Path(__file__).resolve().parents[2]

# Panel titles each person sees (in English; the cast is switched to English below).
HOME_PANELS = {
    "alice": [
        "Due and unread",
        "Working-day clocks at Shanghai Center",
        "Recent activity",
        "Filings waiting for review",
        "Unassigned cases",
    ],
    "bob": [
        "Due and unread",
        "Working-day clocks at Shanghai Center",
        "My technical fields",
        "My cases",
    ],
    "carol": [
        "Due and unread",
        "Working-day clocks at Pudong Center",
        "Recent activity",
        "Filings waiting for review",
        "Unassigned cases",
    ],
    "dave": ["Due and unread", "Recent documents of A Co", "People of A Co", "Filings of A Co"],
    "erin": ["Due and unread", "Recent documents of A Co"],
    "frank": ["Due and unread", "Recent documents of B Co", "People of B Co", "Filings of B Co"],
    "grace": ["Due and unread", "Recent documents of Agency"],
    "ivan": ["Due and unread"],
    "sam": ["Due and unread", "Recent activity"],
    "walt": ["Due and unread", "Recent documents of 工作站"],  # no English name: the Chinese one
    "nina": [],  # no role, so no inbox either
}


@pytest.fixture
def frozen() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 9, 30, 9, 0, tzinfo=SHANGHAI_TZ), tick=False):
        yield


@pytest.mark.parametrize("who", sorted(HOME_PANELS))
def test_home_shows_each_persons_panels(cast: Cast, who: str) -> None:
    user = getattr(cast, who)
    user_update_profile(user=user, language="en")
    response = client_for(user).get("/")
    assert response.status_code == 200
    assert [str(panel.title) for panel in response.context["panels"]] == HOME_PANELS[who]
    for title in HOME_PANELS[who]:
        assert title.encode() in response.content
    assert f"Welcome, {user.display_name()}".encode() in response.content


@pytest.mark.django_db
def test_home_needs_sign_in() -> None:
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_manager_sees_working_day_clocks_for_today(cast: Cast, frozen: None) -> None:
    # 30 September 2026: the National Day week follows, with Saturday 10 October a make-up day.
    response = client_for(cast.alice).get("/")
    clocks = response.context["panels"][1]
    assert [(row.detail, row.due_on) for row in clocks.rows] == [
        ("7 working days", dt.date(2026, 10, 15)),
        ("5 working days", dt.date(2026, 10, 13)),
        ("10 working days", dt.date(2026, 10, 20)),
    ]
    assert b"Due 2026-10-15" in response.content
    assert b"2026-09-30" in response.content


def test_clocks_follow_the_centers_settings(cast: Cast, frozen: None) -> None:
    from ipcenter.centers.services import center_settings_change

    center_settings_change(
        center=cast.shanghai, actor=cast.alice, values={"preexam_decision_days": 3}, reason="x"
    )
    clocks = client_for(cast.alice).get("/").context["panels"][1]
    assert (clocks.rows[0].detail, clocks.rows[0].due_on) == (
        "3 working days",
        dt.date(2026, 10, 10),
    )


def test_due_notifications_come_first_soonest_first(cast: Cast) -> None:
    notify(recipient=cast.erin, tag="t", subject="no date", email=False)
    notify(recipient=cast.erin, tag="t", subject="later", due_on=dt.date(2026, 12, 1), email=False)
    notify(recipient=cast.erin, tag="t", subject="sooner", due_on=dt.date(2026, 11, 1), email=False)
    panel = client_for(cast.erin).get("/").context["panels"][0]
    assert [row.title for row in panel.rows] == ["sooner", "later", "no date"]


# --- the working-day calculator -------------------------------------------------------------


def test_calendar_api_adds_working_days(cast: Cast) -> None:
    response = client_for(cast.erin).get("/api/v1/calendar/add", {"start": "2026-09-30", "days": 3})
    assert response.status_code == 200
    body = response.json()
    assert body["due"] == "2026-10-10"  # a Saturday, but a make-up working day
    assert body["start_is_workday"] is True


def test_calendar_api_counts_working_days_between(cast: Cast) -> None:
    response = client_for(cast.erin).get(
        "/api/v1/calendar/between", {"start": "2026-09-30", "end": "2026-10-15"}
    )
    assert response.json()["working_days"] == 7


@pytest.mark.parametrize("start", ["2035-01-01", "2003-12-31"])
def test_calendar_api_outside_supported_years_is_422(cast: Cast, start: str) -> None:
    response = client_for(cast.erin).get("/api/v1/calendar/add", {"start": start, "days": 3})
    assert response.status_code == 422
    assert response.json()["detail"].startswith(
        f"{start} is outside the years with Chinese holiday data"
    )


def test_calendar_api_refuses_a_malformed_date(cast: Cast) -> None:
    response = client_for(cast.erin).get("/api/v1/calendar/add", {"start": "30/09", "days": 3})
    assert response.status_code == 422
    assert response.json()["errors"]


def test_calendar_api_needs_authentication(cast: Cast) -> None:
    assert (
        Client().get("/api/v1/calendar/add", {"start": "2026-09-30", "days": 3}).status_code == 401
    )


def test_calendar_page_shows_the_due_date(cast: Cast) -> None:
    response = client_for(cast.alice).get("/calendar/", {"start": "2026-09-30", "days": 3})
    assert response.status_code == 200
    assert response.context["result"]["due"] == dt.date(2026, 10, 10)
    assert b"2026-10-10" in response.content


def test_calendar_page_explains_an_unsupported_year(cast: Cast) -> None:
    response = client_for(cast.alice).get("/calendar/", {"start": "2035-01-01", "days": 3})
    assert response.status_code == 200
    [error] = response.context["form"].non_field_errors()
    assert error.startswith("2035-01-01 is outside the years with Chinese holiday data")
    assert b"2035-01-01 is outside the years" in response.content
    assert "due" not in response.context["result"]


# --- paging, health, the API spec ----------------------------------------------------------


def test_out_of_range_page_gives_the_last_page(cast: Cast) -> None:
    for n in range(30):
        notify(recipient=cast.erin, tag="t", subject=f"n{n}", email=False)
    client = client_for(cast.erin)
    last = client.get("/notifications/", {"page": 999})
    assert last.status_code == 200
    assert last.context["page"].number == 2
    assert len(last.context["page"]) == 5
    assert client.get("/notifications/", {"page": "abc"}).context["page"].number == 1


@pytest.mark.django_db
def test_healthz_answers_ok() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"] == "text/plain"


@pytest.mark.django_db
def test_openapi_spec_is_served() -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["info"]["title"] == "ipcenter API"
    for path in (
        "/api/v1/accounts/me",
        "/api/v1/documents",
        "/api/v1/centers/{code}/settings",
        "/api/v1/calendar/add",
        "/api/v1/audit/events",
    ):
        assert path in spec["paths"]


def test_committed_openapi_spec_is_current() -> None:
    from ipcenter.web.management.commands.export_openapi import current_spec

    committed = (REPO / "docs" / "openapi.json").read_text("utf-8")
    assert json.loads(committed) == json.loads(current_spec())
    assert committed == current_spec()
