"""Center settings: versioned, in force from a date, audited in the same transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from ipcenter.audit.context import client_address
from ipcenter.audit.models import AuditEvent
from ipcenter.centers.catalog import CATALOG
from ipcenter.centers.models import CenterSettingsVersion
from ipcenter.centers.selectors import center_settings
from ipcenter.centers.services import center_settings_change
from ipcenter.lib.errors import InvalidInput
from tests.conftest import Cast, client_for

SHANGHAI_TZ = dt.timezone(dt.timedelta(hours=8))
TODAY = dt.date(2026, 3, 2)
NEXT_WEEK = dt.date(2026, 3, 9)
PAGE = "/centers/shanghai/settings/"
API = "/api/v1/centers/shanghai/settings"


@pytest.fixture(autouse=True)
def frozen_today() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 30, tzinfo=SHANGHAI_TZ), tick=False):
        yield


def page_payload(cast: Cast, **changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = dict(center_settings(center=cast.shanghai, on=TODAY))
    payload.update(effective_from=NEXT_WEEK.isoformat(), reason="State Council notice")
    payload.update(changes)
    return payload


def patch(client: Any, body: dict[str, Any], **extra: Any) -> Any:
    return client.patch(API, body, content_type="application/json", **extra)


def settings_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(tag="centers:settings:changed"))


# --- the service ----------------------------------------------------------------------------


def test_change_takes_effect_from_its_date(cast: Cast) -> None:
    version = center_settings_change(
        center=cast.shanghai,
        actor=cast.alice,
        values={"preexam_decision_days": 9},
        effective_from=NEXT_WEEK,
        reason="longer review",
    )
    assert version.effective_from == NEXT_WEEK
    day_before = center_settings(center=cast.shanghai, on=dt.date(2026, 3, 8))
    assert day_before["preexam_decision_days"] == 7
    assert center_settings(center=cast.shanghai, on=NEXT_WEEK)["preexam_decision_days"] == 9
    assert (
        center_settings(center=cast.shanghai, on=dt.date(2027, 1, 1))["preexam_decision_days"] == 9
    )
    assert center_settings(center=cast.pudong, on=NEXT_WEEK)["preexam_decision_days"] == 7


def test_change_defaults_to_today(cast: Cast) -> None:
    version = center_settings_change(
        center=cast.shanghai, actor=cast.alice, values={"mediation_term_days": 45}, reason="x"
    )
    assert version.effective_from == TODAY
    assert center_settings(center=cast.shanghai)["mediation_term_days"] == 45


def test_second_change_builds_on_the_first(cast: Cast) -> None:
    center_settings_change(
        center=cast.shanghai, actor=cast.alice, values={"preexam_decision_days": 9}, reason="a"
    )
    center_settings_change(
        center=cast.shanghai,
        actor=cast.alice,
        values={"preexam_amendment_days": 3},
        effective_from=NEXT_WEEK,
        reason="b",
    )
    later = center_settings(center=cast.shanghai, on=NEXT_WEEK)
    assert (later["preexam_decision_days"], later["preexam_amendment_days"]) == (9, 3)
    assert CenterSettingsVersion.objects.filter(center=cast.shanghai).count() == 2


def test_change_writes_audit_with_old_and_new_values(cast: Cast) -> None:
    version = center_settings_change(
        center=cast.shanghai,
        actor=cast.alice,
        values={"preexam_decision_days": 9, "preexam_amendment_days": 5},
        effective_from=NEXT_WEEK,
        reason="longer review",
    )
    [event] = settings_events()
    assert event.actor == cast.alice
    assert event.center == cast.shanghai
    assert event.subject_id == str(version.pk)
    assert event.old == {"preexam_decision_days": 7}
    assert event.new == {
        "preexam_decision_days": 9,
        "effective_from": "2026-03-09",
        "reason": "longer review",
    }


def test_failure_after_writing_leaves_nothing(cast: Cast) -> None:
    # The audit row cannot be written (an address that is no IP address), after the version row
    # was: the whole change must roll back, version included.
    token = client_address.set("not-an-address")
    try:
        with pytest.raises(ValueError, match="not-an-address"):
            center_settings_change(
                center=cast.shanghai,
                actor=cast.alice,
                values={"preexam_decision_days": 9},
                reason="x",
            )
    finally:
        client_address.reset(token)
    assert CenterSettingsVersion.objects.count() == 0
    assert settings_events() == []
    assert center_settings(center=cast.shanghai)["preexam_decision_days"] == 7


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"preexam_decision_days": 61}, "preexam_decision_days"),
        ({"preexam_decision_days": 0}, "preexam_decision_days"),
        ({"preexam_decision_days": "seven"}, "preexam_decision_days"),
        ({"preexam_decision_days": True}, "preexam_decision_days"),
        ({"no_such_setting": 3}, "no_such_setting"),
    ],
)
def test_invalid_value_stores_nothing(cast: Cast, values: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        center_settings_change(center=cast.shanghai, actor=cast.alice, values=values, reason="x")
    assert set(refused.value.errors) == {field}
    assert CenterSettingsVersion.objects.count() == 0
    assert settings_events() == []


def test_past_date_and_missing_reason_are_refused(cast: Cast) -> None:
    with pytest.raises(InvalidInput) as past:
        center_settings_change(
            center=cast.shanghai,
            actor=cast.alice,
            values={"preexam_decision_days": 9},
            effective_from=dt.date(2026, 3, 1),
            reason="x",
        )
    assert set(past.value.errors) == {"effective_from"}
    with pytest.raises(InvalidInput) as no_reason:
        center_settings_change(
            center=cast.shanghai, actor=cast.alice, values={"preexam_decision_days": 9}, reason=" "
        )
    assert set(no_reason.value.errors) == {"reason"}
    assert CenterSettingsVersion.objects.count() == 0


def test_unchanged_values_are_refused(cast: Cast) -> None:
    with pytest.raises(InvalidInput):
        center_settings_change(
            center=cast.shanghai, actor=cast.alice, values={"preexam_decision_days": 7}, reason="x"
        )
    assert CenterSettingsVersion.objects.count() == 0


# --- the page -------------------------------------------------------------------------------


def test_page_shows_the_form_to_the_manager(cast: Cast) -> None:
    response = client_for(cast.alice).get(PAGE)
    assert response.status_code == 200
    assert b'data-testid="settings-form"' in response.content
    for spec in CATALOG:
        assert f'name="{spec.key}"'.encode() in response.content


def test_page_is_read_only_for_the_examiner(cast: Cast) -> None:
    client = client_for(cast.bob)
    response = client.get(PAGE)
    assert response.status_code == 200
    assert b'data-testid="settings-form"' not in response.content
    assert client.post(PAGE, page_payload(cast, preexam_decision_days=9)).status_code == 403
    assert CenterSettingsVersion.objects.count() == 0


@pytest.mark.parametrize("who", ["carol", "dave", "frank"])
def test_page_is_404_outside_the_center(cast: Cast, who: str) -> None:
    assert client_for(getattr(cast, who)).get(PAGE).status_code == 404


def test_page_post_saves_and_audits_the_address(cast: Cast) -> None:
    response = client_for(cast.alice).post(
        PAGE, page_payload(cast, preexam_decision_days=10), REMOTE_ADDR="203.0.113.7"
    )
    assert response.status_code == 302
    assert response["Location"] == PAGE
    assert center_settings(center=cast.shanghai, on=NEXT_WEEK)["preexam_decision_days"] == 10
    assert center_settings(center=cast.shanghai, on=TODAY)["preexam_decision_days"] == 7
    [event] = settings_events()
    assert event.client_address == "203.0.113.7"
    assert event.old == {"preexam_decision_days": 7}
    assert event.new["preexam_decision_days"] == 10


def test_page_history_lists_the_version(cast: Cast) -> None:
    client = client_for(cast.alice)
    client.post(PAGE, page_payload(cast, preexam_decision_days=10, reason="Notice 12"))
    response = client.get(PAGE)
    assert b"2026-03-09" in response.content
    assert b"Notice 12" in response.content


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"preexam_decision_days": "61"}, "preexam_decision_days"),
        ({"preexam_decision_days": "seven"}, "preexam_decision_days"),
        ({"effective_from": "2026-03-01"}, "effective_from"),
        ({"reason": ""}, "reason"),
    ],
)
def test_page_shows_errors_inline(cast: Cast, changes: dict[str, str], field: str) -> None:
    response = client_for(cast.alice).post(PAGE, page_payload(cast, **changes))
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [field]
    assert b'aria-invalid="true"' in response.content
    assert CenterSettingsVersion.objects.count() == 0
    assert settings_events() == []


def test_page_for_past_date_explains_the_rule(cast: Cast) -> None:
    response = client_for(cast.alice).post(PAGE, page_payload(cast, effective_from="2026-03-01"))
    assert response.context["form"].errors["effective_from"] == ["Choose today or a later date."]


# --- the API --------------------------------------------------------------------------------


def test_api_reads_settings_on_a_date(cast: Cast) -> None:
    center_settings_change(
        center=cast.shanghai,
        actor=cast.alice,
        values={"preexam_decision_days": 9},
        effective_from=NEXT_WEEK,
        reason="x",
    )
    client = client_for(cast.bob)
    before = client.get(API, {"on": "2026-03-08"}).json()
    after = client.get(API, {"on": "2026-03-09"}).json()
    pick = lambda body: {s["key"]: s["value"] for s in body["settings"]}  # noqa: E731
    assert pick(before)["preexam_decision_days"] == 7
    assert pick(after)["preexam_decision_days"] == 9
    assert len(after["settings"]) == len(CATALOG)


def test_api_patch_changes_and_audits(cast: Cast) -> None:
    response = patch(
        client_for(cast.alice),
        {"values": {"cnipa_filing_days": 12}, "reason": "x", "effective_from": "2026-03-09"},
        REMOTE_ADDR="198.51.100.4",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["on"] == "2026-03-09"
    values = {s["key"]: s["value"] for s in body["settings"]}
    assert values["cnipa_filing_days"] == 12
    [event] = settings_events()
    assert (event.old, event.client_address) == ({"cnipa_filing_days": 10}, "198.51.100.4")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"values": {"cnipa_filing_days": 61}, "reason": "x"}, "cnipa_filing_days"),
        ({"values": {"bogus": 1}, "reason": "x"}, "bogus"),
        ({"values": {"cnipa_filing_days": 12}, "reason": "  "}, "reason"),
        (
            {"values": {"cnipa_filing_days": 12}, "reason": "x", "effective_from": "2026-01-01"},
            "effective_from",
        ),
    ],
)
def test_api_domain_errors_are_422_with_field_errors(
    cast: Cast, body: dict[str, Any], field: str
) -> None:
    response = patch(client_for(cast.alice), body)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]
    assert CenterSettingsVersion.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"values": {"cnipa_filing_days": "twelve"}, "reason": "x"}, "values"),
        ({"values": {"cnipa_filing_days": 12}}, "reason"),
    ],
)
def test_api_schema_errors_are_422_naming_the_field(
    cast: Cast, body: dict[str, Any], loc: str
) -> None:
    response = patch(client_for(cast.alice), body)
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert loc in error["loc"]
    assert CenterSettingsVersion.objects.count() == 0


@pytest.mark.parametrize("who", ["bob", "carol", "dave", "sam"])
def test_api_patch_refused_to_everyone_but_the_manager(cast: Cast, who: str) -> None:
    response = patch(
        client_for(getattr(cast, who)), {"values": {"cnipa_filing_days": 12}, "reason": "x"}
    )
    assert response.status_code == 404
    assert CenterSettingsVersion.objects.count() == 0


def test_other_managers_are_told_in_their_own_language(cast: Any) -> None:
    from ipcenter.accounts.roles import Role
    from ipcenter.centers.services import center_settings_change
    from ipcenter.notifications.models import Notification
    from tests.conftest import make_person

    mia = make_person("mia", Role.CENTER_MANAGER, cast.shanghai.organization, "en")
    zoe = make_person("zoe", Role.CENTER_MANAGER, cast.shanghai.organization, "zh-hans")
    center_settings_change(
        center=cast.shanghai,
        actor=cast.alice,
        values={"preexam_decision_days": 8},
        effective_from=TODAY,
        reason="workload",
    )
    english = Notification.objects.get(recipient=mia).subject
    chinese = Notification.objects.get(recipient=zoe).subject
    assert "Shanghai Center" in english and "changed the rules" in english
    assert "中国（上海）知识产权保护中心" in chinese and "changed" not in chinese
    assert not Notification.objects.filter(recipient=cast.alice).exists()
    assert not Notification.objects.filter(recipient=cast.carol).exists()
