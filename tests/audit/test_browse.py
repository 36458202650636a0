"""Browsing the audit log: filters, pages, and who may read which center's events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from ipcenter.accounts.services import api_token_create
from ipcenter.audit.models import AuditEvent
from ipcenter.centers.services import center_settings_change, field_list_publish
from tests.conftest import Cast, client_for

TZ = dt.timezone(dt.timedelta(hours=8))
PAGE = "/audit/"
API = "/api/v1/audit/events"


def at(day: int) -> Any:
    return time_machine.travel(dt.datetime(2026, 3, day, 10, 0, tzinfo=TZ), tick=False)


@pytest.fixture(autouse=True)
def cast_made_on_march_2() -> Iterator[None]:
    # The cast's role grants are events too: they are dated 2 March.
    with at(2):
        yield


@pytest.fixture
def history(cast: Cast) -> Cast:
    with at(3):
        center_settings_change(
            center=cast.shanghai, actor=cast.alice, values={"preexam_decision_days": 9}, reason="a"
        )
    with at(4):
        center_settings_change(
            center=cast.pudong, actor=cast.carol, values={"preexam_decision_days": 8}, reason="b"
        )
    with at(5):
        field_list_publish(
            center=cast.shanghai,
            actor=cast.alice,
            effective_from=dt.date(2026, 4, 1),
            ipc=["A61K"],
        )
        api_token_create(user=cast.erin, name="ci")
    return cast


def api_tags(client: Any, **params: Any) -> list[str]:
    response = client.get(API, params)
    assert response.status_code == 200
    return [item["tag"] for item in response.json()["items"]]


def page_tags(client: Any, **params: Any) -> list[str]:
    response = client.get(PAGE, params)
    assert response.status_code == 200
    return [event.tag for event in response.context["page"]]


SHANGHAI_GRANTS = ["accounts:role:granted"] * 6  # alice, bob, sam, walt, olga, nora


def test_manager_sees_only_her_centers_events(history: Cast) -> None:
    expected = ["centers:fields:published", "centers:settings:changed", *SHANGHAI_GRANTS]
    client = client_for(history.alice)
    assert api_tags(client) == expected
    assert page_tags(client) == expected
    centers = {item["center"] for item in client.get(API).json()["items"]}
    assert centers == {"shanghai"}


def test_other_manager_sees_only_his(history: Cast) -> None:
    body = client_for(history.carol).get(API).json()
    assert [(i["tag"], i["center"]) for i in body["items"]] == [
        ("centers:settings:changed", "pudong"),
        ("accounts:role:granted", "pudong"),  # carol
        ("accounts:role:granted", "pudong"),  # pete
    ]


def test_system_admin_sees_everything(history: Cast) -> None:
    client = client_for(history.sam)
    body = client.get(API, {"limit": 500}).json()
    assert body["count"] == AuditEvent.objects.count()
    tags = {item["tag"] for item in body["items"]}
    assert {"accounts:token:created", "centers:settings:changed", "accounts:session:login"} <= tags
    assert {item["center"] for item in body["items"]} == {"shanghai", "pudong", None}


@pytest.mark.parametrize("who", ["dave", "bob", "erin", "ivan", "nina"])
def test_people_without_audit_role_are_refused(history: Cast, who: str) -> None:
    client = client_for(getattr(history, who))
    assert client.get(PAGE).status_code == 403
    response = client.get(API)
    assert response.status_code == 403
    assert "items" not in response.json()


def test_anonymous_is_sent_to_sign_in(history: Cast) -> None:
    from django.test import Client

    assert Client().get(PAGE).status_code == 302
    assert Client().get(API).status_code == 401


def test_filter_by_tag_prefix(history: Cast) -> None:
    client = client_for(history.alice)
    assert api_tags(client, tag="centers:") == [
        "centers:fields:published",
        "centers:settings:changed",
    ]
    assert page_tags(client, tag="centers:settings") == ["centers:settings:changed"]
    assert api_tags(client, tag="settings") == []  # a prefix, not a substring


def test_filter_by_actor(history: Cast) -> None:
    client = client_for(history.sam)
    assert api_tags(client, actor="carol") == ["centers:settings:changed"]
    assert page_tags(client, actor="erin") == ["accounts:token:created"]


def test_filter_by_date_range(history: Cast) -> None:
    client = client_for(history.alice)
    assert api_tags(client, since="2026-03-04") == ["centers:fields:published"]
    assert api_tags(client, until="2026-03-03") == ["centers:settings:changed", *SHANGHAI_GRANTS]
    assert page_tags(client, since="2026-03-03", until="2026-03-04") == ["centers:settings:changed"]
    assert page_tags(client, since="2026-03-06") == []


def test_filter_by_center(history: Cast) -> None:
    client = client_for(history.sam)
    pudong = client.get(API, {"center": "pudong"}).json()
    assert [i["tag"] for i in pudong["items"]] == [
        "centers:settings:changed",
        "accounts:role:granted",
        "accounts:role:granted",
    ]
    assert page_tags(client, center="pudong") == [i["tag"] for i in pudong["items"]]
    assert client.get(API, {"center": "nowhere"}).json()["count"] == 0


def test_manager_cannot_filter_her_way_into_another_center(history: Cast) -> None:
    client = client_for(history.alice)
    assert client.get(API, {"center": "pudong"}).json() == {
        "count": 0,
        "offset": 0,
        "limit": 50,
        "items": [],
    }
    response = client.get(PAGE, {"center": "pudong"})
    assert "center" in response.context["form"].errors
    assert {e.center_id for e in response.context["page"]} == {history.shanghai.pk}


def test_event_carries_old_new_and_address(cast: Cast) -> None:
    client_for(cast.alice).patch(
        "/api/v1/centers/shanghai/settings",
        {"values": {"cnipa_filing_days": 12}, "reason": "x"},
        content_type="application/json",
        REMOTE_ADDR="192.0.2.10",
    )
    [item] = client_for(cast.sam).get(API, {"tag": "centers:settings"}).json()["items"]
    assert item["actor"] == "alice"
    assert item["old"] == {"cnipa_filing_days": 10}
    assert item["new"]["cnipa_filing_days"] == 12
    assert item["client_address"] == "192.0.2.10"


@pytest.fixture
def many_events(cast: Cast) -> Cast:
    for n in range(60):
        api_token_create(user=cast.erin, name=f"t{n}")
    return cast


def test_api_pages_with_offset_and_limit(many_events: Cast) -> None:
    client = client_for(many_events.sam)
    first = client.get(API, {"tag": "accounts:token", "limit": 25}).json()
    assert (first["count"], len(first["items"])) == (60, 25)
    rest = client.get(API, {"tag": "accounts:token", "offset": 50}).json()
    assert len(rest["items"]) == 10
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in rest["items"]}
    assert client.get(API, {"limit": 10_000}).json()["limit"] == 500


def test_page_has_50_per_page_and_out_of_range_gives_last(many_events: Cast) -> None:
    client = client_for(many_events.sam)
    first = client.get(PAGE, {"tag": "accounts:token"})
    assert len(first.context["page"]) == 50
    assert b"page=2" in first.content
    last = client.get(PAGE, {"tag": "accounts:token", "page": 999})
    assert last.status_code == 200
    assert last.context["page"].number == 2
    assert len(last.context["page"]) == 10
    assert b"tag=accounts%3Atoken&amp;page=1" in last.content
