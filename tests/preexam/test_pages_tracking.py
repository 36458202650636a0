"""The fast-track forms on the case page, the timeline, and the home-page panels."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.template.loader import render_to_string
from django.test import RequestFactory

from ipcenter.accounts.services import user_update_profile
from ipcenter.preexam.models import CaseState, OfficeAction
from ipcenter.preexam.tasks import clocks_tick
from ipcenter.preexam.tracking import case_record_cnipa_filing, case_url
from ipcenter.web.home import home_panels
from tests.conftest import Cast, client_for
from tests.preexam.tracking_factories import cn_number, pdf_upload, qualified_case

# These tests read the English messages.
pytestmark = pytest.mark.usefixtures("in_english")

TZ = dt.timezone(dt.timedelta(hours=8))
S = CaseState


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2025, 11, 3, 10, 0, tzinfo=TZ), tick=False):
        yield


def _messages(response: Any) -> list[str]:
    """The messages this request added (earlier ones wait in the cookie until shown)."""
    return [str(m) for m in get_messages(response.wsgi_request)][-1:]


def _tracking_html(case: Any, user: Any) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return render_to_string("preexam/_tracking.html", {"case": case, "user": user}, request=request)


def test_the_whole_fast_track_through_the_forms(cast: Cast) -> None:
    user_update_profile(user=cast.dave, language="en")
    case = qualified_case(cast, qualified_on=dt.date(2025, 9, 25))
    client = client_for(cast.dave)
    base = f"/preexam/cases/{case.pk}"

    html = _tracking_html(case, cast.dave)
    assert 'data-testid="filing-form"' in html
    assert "2025-10-15" in html  # the filing deadline across National Day
    assert 'data-testid="grant-form"' not in html

    refused = client.post(
        f"{base}/cnipa-filing/",
        {"application_number": "202510000001.0", "filing_date": "2025-10-16"},
    )
    assert refused.status_code == 302
    assert refused["Location"] == case_url(case) + "#tracking"
    [message] = _messages(refused)
    assert "CNIPA application number:" in message and "check digit" in message

    filed = client.post(
        f"{base}/cnipa-filing/", {"application_number": cn_number(), "filing_date": "2025-10-16"}
    )
    assert _messages(filed) == ["The filing with CNIPA was recorded."]
    case.refresh_from_db()
    assert case.state == S.FILED
    html = _tracking_html(case, cast.dave)
    assert 'data-testid="filed-late"' in html

    client.post(f"{base}/office-actions/", {"received_on": "2025-10-20", "note": "First OA"})
    action = OfficeAction.objects.get(case=case)
    html = _tracking_html(case, cast.dave)
    assert "First OA" in html and "2025-11-03" in html  # due ten working days after 20 Oct
    answered = client.post(
        f"{base}/office-actions/{action.pk}/response/", {"responded_on": "2025-10-30"}
    )
    assert _messages(answered) == ["The response to the office action was recorded."]

    empty = client.post(f"{base}/grant/", {"grant_number": "", "grant_date": ""})
    assert empty.status_code == 302 and "Grant number" in _messages(empty)[0]
    client.post(
        f"{base}/grant/",
        {"grant_number": "CN116000001B", "grant_date": "2025-10-31", "certificate": pdf_upload()},
    )
    case.refresh_from_db()
    assert (case.state, case.grant_workdays) == (S.GRANTED, 11)  # 17, 20-24, 27-31 Oct
    html = _tracking_html(case, cast.dave)
    assert 'data-testid="grant-workdays"' in html and "11 working days" in html
    assert 'data-testid="certificate-link"' in html
    assert 'data-testid="certificate-form"' in html

    # The examiner sees the timeline, but no form and no link to a document he may not open.
    html = _tracking_html(case, cast.bob)
    assert 'data-testid="timeline"' in html
    assert "<form" not in html and 'data-testid="certificate-link"' not in html

    late = client.post(f"{base}/office-actions/", {"received_on": "2025-10-31"})
    assert "only while" in _messages(late)[0]


def test_leaving_the_fast_track_through_the_form(cast: Cast) -> None:
    user_update_profile(user=cast.alice, language="en")
    case = qualified_case(cast, qualified_on=dt.date(2025, 10, 27))
    case_record_cnipa_filing(
        case=case,
        actor=cast.erin,
        application_number=cn_number(),
        filing_date=dt.date(2025, 10, 28),
    )
    client = client_for(cast.alice)
    missing = client.post(f"/preexam/cases/{case.pk}/leave-fast-track/", {"kind": "whim"})
    assert missing.status_code == 302
    case.refresh_from_db()
    assert case.state == S.FILED
    client.post(
        f"/preexam/cases/{case.pk}/leave-fast-track/",
        {"kind": "voluntary_amendment", "reason": "Claims narrowed"},
    )
    case.refresh_from_db()
    assert (case.state, case.fast_track) == (S.OFF_TRACK, False)
    html = _tracking_html(case, cast.alice)
    assert 'data-testid="off-track"' in html and "Claims narrowed" in html
    assert "Voluntary amendment" in html


def test_forms_refuse_others_with_404_and_get_with_405(cast: Cast) -> None:
    case = qualified_case(cast, qualified_on=dt.date(2025, 10, 27))
    data = {"application_number": cn_number(), "filing_date": "2025-10-28"}
    for person in (cast.frank, cast.carol, cast.bob):
        client = client_for(person)
        refused = client.post(f"/preexam/cases/{case.pk}/cnipa-filing/", data)
        missing = client.post("/preexam/cases/999999/cnipa-filing/", data)
        assert (refused.status_code, refused.content) == (404, missing.content)
    assert client_for(cast.dave).get(f"/preexam/cases/{case.pk}/cnipa-filing/").status_code == 405


def test_the_case_page_includes_the_tracking_part(cast: Cast) -> None:
    case = qualified_case(cast, qualified_on=dt.date(2025, 10, 27))
    response = client_for(cast.dave).get(case_url(case))
    assert response.status_code == 200
    assert b'data-testid="tracking"' in response.content


def test_home_panels_deadlines_and_overdue(cast: Cast, django_assert_max_num_queries: Any) -> None:
    for person in (cast.dave, cast.grace, cast.alice, cast.carol, cast.frank):
        user_update_profile(user=person, language="en")
    soon = qualified_case(cast, qualified_on=dt.date(2025, 10, 30))
    overdue = qualified_case(cast, qualified_on=dt.date(2025, 10, 9))
    clocks_tick()  # escalates the overdue one to Shanghai's managers

    def titles(user: Any) -> dict[str, list[Any]]:
        return {str(p.title): p.rows for p in home_panels(user)}

    for person in (cast.dave, cast.grace):
        rows = titles(person)["Deadlines"]
        assert [r.title for r in rows] == [overdue.reference, soon.reference]
        assert rows[0].overdue and rows[0].detail.startswith("Overdue")
        assert not rows[1].overdue
    assert "Deadlines" not in titles(cast.frank)
    [row] = titles(cast.alice)["Overdue in my center"]
    assert row.title == overdue.reference
    assert "Overdue in my center" not in titles(cast.carol)
    # More cases do not mean more queries.
    for _ in range(5):
        qualified_case(cast, qualified_on=dt.date(2025, 10, 9))
    clocks_tick()
    from ipcenter.preexam.home_tracking import applicant_deadlines, center_overdue

    dave_membership = cast.dave.memberships.get()
    alice_membership = cast.alice.memberships.get()
    with django_assert_max_num_queries(1):
        assert len(applicant_deadlines(cast.dave, dave_membership).rows) == 7  # type: ignore[union-attr]
    with django_assert_max_num_queries(1):
        assert len(center_overdue(cast.alice, alice_membership).rows) == 6  # type: ignore[union-attr]
