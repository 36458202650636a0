"""The fast-track API: moves, refusals (409 illegal, 422 bad input, 404 not yours), clocks."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from ipcenter.preexam.models import CaseState, OfficeAction
from tests.conftest import Cast, client_for
from tests.preexam.tracking_factories import cn_number, pdf_upload, qualified_case

TZ = dt.timezone(dt.timedelta(hours=8))
S = CaseState
API = "/api/v1/preexam/cases"


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2025, 11, 3, 10, 0, tzinfo=TZ), tick=False):
        yield


def post(client: Any, path: str, data: dict[str, Any]) -> Any:
    return client.post(path, json.dumps(data), content_type="application/json")


def test_a_case_from_qualified_to_granted(cast: Cast) -> None:
    case = qualified_case(cast, qualified_on=dt.date(2025, 9, 25))
    grace = client_for(cast.grace)  # the agent acting for enterprise A
    # Grant before filing: an illegal move.
    early = grace.post(
        f"{API}/{case.pk}/grant", {"grant_number": "CN1B", "grant_date": "2025-10-1"}
    )
    assert early.status_code in (409, 422)
    early = grace.post(
        f"{API}/{case.pk}/grant", {"grant_number": "CN116000001B", "grant_date": "2025-10-31"}
    )
    assert early.status_code == 409
    assert (
        post(grace, f"{API}/{case.pk}/office-actions", {"received_on": "2025-10-01"}).status_code
        == 409
    )

    bad = post(
        grace,
        f"{API}/{case.pk}/cnipa-filing",
        {"application_number": "202510000001.0", "filing_date": "2025-09-26"},
    )
    assert bad.status_code == 422
    assert "application_number" in bad.json()["errors"]

    number = cn_number()
    filed = post(
        grace,
        f"{API}/{case.pk}/cnipa-filing",
        {"application_number": number, "filing_date": "2025-09-26"},
    )
    assert filed.status_code == 200, filed.content
    assert filed.json()["state"] == S.FILED
    assert filed.json()["cnipa_application_number"] == number

    created = post(
        grace, f"{API}/{case.pk}/office-actions", {"received_on": "2025-10-09", "note": "x"}
    )
    assert created.status_code == 201
    action = created.json()
    assert action["response_due_on"] == "2025-10-22"  # 10, 11 (make-up), 13-17, 20-22 Oct

    clocks = client_for(cast.bob).get(f"{API}/{case.pk}/clocks").json()
    assert [(c["kind"], c["running"]) for c in clocks] == [
        ("cnipa_filing", False),
        ("office_action", True),
    ]
    answered = post(
        grace,
        f"{API}/{case.pk}/office-actions/{action['id']}/response",
        {"responded_on": "2025-10-20"},
    )
    assert answered.status_code == 200
    assert answered.json()["responded_on"] == "2025-10-20"
    again = post(
        grace,
        f"{API}/{case.pk}/office-actions/{action['id']}/response",
        {"responded_on": "2025-10-20"},
    )
    assert again.status_code == 409

    granted = grace.post(
        f"{API}/{case.pk}/grant",
        {"grant_number": "CN116000001B", "grant_date": "2025-10-31", "certificate": pdf_upload()},
    )
    assert granted.status_code == 200, granted.content
    body = granted.json()
    assert (body["state"], body["grant_workdays"]) == (S.GRANTED, 21)
    assert body["certificate_id"]
    replaced = grace.post(f"{API}/{case.pk}/certificate", {"certificate": pdf_upload()})
    assert replaced.status_code == 200
    assert replaced.json()["certificate_id"] != body["certificate_id"]
    twice = grace.post(
        f"{API}/{case.pk}/grant", {"grant_number": "CN116000001B", "grant_date": "2025-10-31"}
    )
    assert twice.status_code == 409
    assert (
        post(
            grace,
            f"{API}/{case.pk}/leave-fast-track",
            {"kind": "voluntary_amendment", "reason": "x"},
        ).status_code
        == 409
    )


def test_leaving_the_fast_track_through_the_api(cast: Cast) -> None:
    case = qualified_case(cast, qualified_on=dt.date(2025, 10, 27))
    alice = client_for(cast.alice)
    post(
        alice,
        f"{API}/{case.pk}/cnipa-filing",
        {"application_number": cn_number(), "filing_date": "2025-10-28"},
    )
    unknown = post(alice, f"{API}/{case.pk}/leave-fast-track", {"kind": "whim", "reason": "x"})
    assert unknown.status_code == 422
    left = post(
        alice,
        f"{API}/{case.pk}/leave-fast-track",
        {"kind": "bibliographic_change", "reason": "applicant renamed"},
    )
    assert left.status_code == 200
    assert (left.json()["state"], left.json()["fast_track"]) == (S.OFF_TRACK, False)
    assert left.json()["off_track_reason"] == "applicant renamed"


def test_other_peoples_cases_are_not_found(cast: Cast) -> None:
    case = qualified_case(cast, qualified_on=dt.date(2025, 10, 27))
    data = {"application_number": cn_number(), "filing_date": "2025-10-28"}
    for person in (cast.frank, cast.carol, cast.gina, cast.bob, cast.pete):
        client = client_for(person)
        refused = post(client, f"{API}/{case.pk}/cnipa-filing", data)
        missing = post(client, f"{API}/999999/cnipa-filing", data)
        assert (refused.status_code, refused.content) == (404, missing.content), person
    assert client_for(cast.frank).get(f"{API}/{case.pk}/clocks").status_code == 404
    case.refresh_from_db()
    assert case.state == S.QUALIFIED


def test_an_office_action_of_another_case_is_not_found(cast: Cast) -> None:
    mine = qualified_case(cast, qualified_on=dt.date(2025, 10, 27))
    other = qualified_case(cast, qualified_on=dt.date(2025, 10, 27))
    erin = client_for(cast.erin)
    for case in (mine, other):
        post(
            erin,
            f"{API}/{case.pk}/cnipa-filing",
            {"application_number": cn_number(), "filing_date": "2025-10-28"},
        )
    post(erin, f"{API}/{other.pk}/office-actions", {"received_on": "2025-10-29"})
    action = OfficeAction.objects.get(case=other)
    answer = post(
        erin,
        f"{API}/{mine.pk}/office-actions/{action.pk}/response",
        {"responded_on": "2025-10-30"},
    )
    assert answer.status_code == 404
