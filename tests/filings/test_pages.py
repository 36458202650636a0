"""The filing pages: the entity files, the manager reviews; refusals are messages, not errors;
nobody else learns that a filing exists."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from ipcenter.filings import services
from ipcenter.filings.models import EntityFiling, FilingState, QuotaRequestState
from ipcenter.web.home import home_panels
from tests.conftest import Cast, client_for
from tests.filings.factories import (
    LAST_YEAR,
    draft,
    filing_data,
    in_state,
    make_cases,
    png,
    set_areas,
    use_quota,
)

# These tests read the English messages.
pytestmark = pytest.mark.usefixtures("in_english")

S = FilingState


def _form(**changes: Any) -> dict[str, Any]:
    data = filing_data(**changes)
    data["industry_codes"] = "A61K 31/00\nB25J"
    data["founded_on"] = data["founded_on"].isoformat()
    return data


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_an_enterprise_files_with_its_documents(cast: Cast) -> None:
    set_areas(cast)
    client = client_for(cast.dave)
    assert client.get("/filings/new/").status_code == 200
    uploads = {
        f"file_{p}": png(f"{p}.png")
        for p in (
            "business_licence",
            "ip_rules",
            "staff_proof",
            "integrity_pledge",
            "authorisation",
        )
    }
    response = client.post(
        "/filings/new/",
        {
            **_form(),
            "center": cast.shanghai.pk,
            "organization": cast.ent_a.pk,
            **uploads,
        },
    )
    filing = EntityFiling.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/filings/{filing.pk}/"
    assert filing.attachments.count() == 5
    assert filing.industry_codes == ["A61K 31/00", "B25J"]
    page = client.get(f"/filings/{filing.pk}/")
    assert b'data-testid="filing-submit"' in page.content
    response = client.post(f"/filings/{filing.pk}/submit/", follow=True)
    assert "The filing was submitted to the center." in _messages(response)
    assert b'data-rule="area" data-passed="yes"' in response.content


def test_the_new_form_shows_errors_inline(cast: Cast) -> None:
    response = client_for(cast.dave).post(
        "/filings/new/",
        {**_form(credit_code="nope"), "center": cast.shanghai.pk, "organization": cast.ent_a.pk},
    )
    assert response.status_code == 200
    assert b'data-testid="field-error"' in response.content
    assert not EntityFiling.objects.exists()


def test_an_illegal_move_is_a_message(cast: Cast) -> None:
    filing = in_state(cast, S.SUBMITTED)
    response = client_for(cast.dave).post(f"/filings/{filing.pk}/submit/", follow=True)
    assert response.status_code == 200
    assert any("cannot become" in m for m in _messages(response))
    response = client_for(cast.alice).post(
        f"/filings/{filing.pk}/review/", {"action": "lift"}, follow=True
    )
    assert any("cannot become" in m for m in _messages(response))


def test_submitting_without_documents_says_what_is_missing(cast: Cast) -> None:
    filing = draft(cast, documents=False)
    response = client_for(cast.dave).post(f"/filings/{filing.pk}/submit/", follow=True)
    assert any("Attach the missing documents" in m for m in _messages(response))


def test_the_manager_reviews(cast: Cast) -> None:
    filing = in_state(cast, S.SUBMITTED, insured_staff=2)
    client = client_for(cast.alice)
    page = client.get(f"/filings/{filing.pk}/")
    assert b'data-rule="insured_staff" data-passed="no"' in page.content
    assert b"2 insured staff: at least 5 are needed." in page.content
    response = client.post(f"/filings/{filing.pk}/review/", {"action": "approve"}, follow=True)
    assert any("Give a reason to approve it anyway" in m for m in _messages(response))
    response = client.post(
        f"/filings/{filing.pk}/review/",
        {"action": "approve", "override_reason": "new hires"},
        follow=True,
    )
    filing.refresh_from_db()
    assert filing.state == S.ACTIVE
    assert b'data-testid="quota-left">20<' in response.content
    response = client.post(
        f"/filings/{filing.pk}/review/",
        {"action": "suspend", "reason": "audit", "until": "2026-04-01"},
        follow=True,
    )
    filing.refresh_from_db()
    assert filing.state == S.SUSPENDED
    client.post(f"/filings/{filing.pk}/review/", {"action": "lift"})
    client.post(f"/filings/{filing.pk}/review/", {"action": "cancel", "reason": "fraud"})
    filing.refresh_from_db()
    assert filing.state == S.CANCELLED


def test_supplement_and_reject_need_a_reason_on_the_page(cast: Cast) -> None:
    filing = in_state(cast, S.SUBMITTED)
    client = client_for(cast.alice)
    response = client.post(f"/filings/{filing.pk}/review/", {"action": "reject"}, follow=True)
    assert any("Give a reason." in m for m in _messages(response))
    client.post(f"/filings/{filing.pk}/review/", {"action": "supplement", "reason": "blurred"})
    filing.refresh_from_db()
    assert filing.state == S.NEEDS_SUPPLEMENT
    edit = client_for(cast.dave).post(f"/filings/{filing.pk}/edit/", _form(insured_staff=60))
    assert edit.status_code == 302
    filing.refresh_from_db()
    assert filing.insured_staff == 60


def test_nobody_else_learns_the_filing_exists(cast: Cast) -> None:
    filing = in_state(cast, S.SUBMITTED)
    for person in (cast.frank, cast.carol):
        client = client_for(person)
        for path in ("/filings/{}/", "/filings/{}/edit/"):
            refused = client.get(path.format(filing.pk))
            missing = client.get(path.format(999_999))
            assert refused.status_code == missing.status_code
            assert refused.status_code in (403, 404)
    queue = client_for(cast.carol).get("/filings/review/")
    assert filing.credit_code.encode() not in queue.content
    assert client_for(cast.frank).get("/filings/").content.count(filing.credit_code.encode()) == 0
    assert client_for(cast.erin).get(f"/filings/{filing.pk}/").status_code == 200  # own org


def test_the_queue_filters_and_searches(cast: Cast) -> None:
    in_state(cast, S.SUBMITTED)
    in_state(cast, S.DRAFT, organization=cast.ent_b)
    client = client_for(cast.alice)
    assert client.get("/filings/review/").context["page"].paginator.count == 2
    assert client.get("/filings/review/?state=submitted").context["page"].paginator.count == 1
    assert client.get("/filings/review/?q=000002").context["page"].paginator.count == 1
    assert client.get("/filings/review/?q=乙公司").context["page"].paginator.count == 1


def test_findings_from_the_page(cast: Cast) -> None:
    filing = in_state(cast, S.ACTIVE)
    client_for(cast.alice).post(
        f"/filings/{filing.pk}/findings/",
        {"kind": "abnormal_filing", "found_on": "2026-01-05", "source": "CNIPA"},
    )
    page = client_for(cast.dave).get(f"/filings/{filing.pk}/")
    assert b"CNIPA" in page.content


def test_agencies_and_the_guarantee_flag(cast: Cast) -> None:
    grace = client_for(cast.grace)
    grace.post(
        "/filings/agencies/register/",
        {
            "center": cast.shanghai.pk,
            "organization": cast.agency.pk,
            "licence_number": "31201",
            "contact_name": "Grace",
            "contact_phone": "021",
        },
    )
    registration = cast.agency.agency_registrations.get()
    alice = client_for(cast.alice)
    alice.post(f"/filings/agencies/{registration.pk}/", {"action": "register"})
    alice.post(f"/filings/agencies/{registration.pk}/", {"action": "guarantee_on"})
    registration.refresh_from_db()
    assert registration.state == "registered" and registration.on_guarantee_list
    page = alice.get("/filings/agencies/")
    assert b'data-testid="guarantee-off"' in page.content
    response = alice.post(
        f"/filings/agencies/{registration.pk}/", {"action": "register"}, follow=True
    )
    assert any("cannot become" in m for m in _messages(response))


def test_extra_quota_from_the_pages(cast: Cast) -> None:
    filing = in_state(cast, S.ACTIVE)
    dave = client_for(cast.dave)
    response = dave.post(f"/filings/{filing.pk}/quota-request/", {"requested": 3, "reason": "x"})
    assert response.status_code == 200 and b"are left" in response.content
    use_quota(organization=cast.ent_a, center=cast.shanghai, submitter=cast.erin, count=20)
    assert b'data-testid="quota-request"' in dave.get(f"/filings/{filing.pk}/").content
    dave.post(f"/filings/{filing.pk}/quota-request/", {"requested": 3, "reason": "x"})
    request = filing.organization.quota_requests.get()
    alice = client_for(cast.alice)
    assert b"Decide" in alice.get("/filings/quota-requests/").content
    alice.post(f"/filings/quota-requests/{request.pk}/", {"granted": 2})
    request.refresh_from_db()
    assert (request.state, request.granted) == (QuotaRequestState.GRANTED, 2)


def test_sanctions_from_the_page(cast: Cast) -> None:
    filing = in_state(cast, S.ACTIVE)
    make_cases(
        organization=cast.ent_a,
        center=cast.shanghai,
        submitter=cast.erin,
        year=LAST_YEAR,
        qualified=4,
        unqualified=6,
    )
    alice = client_for(cast.alice)
    response = alice.post(
        "/filings/sanctions/", {"center": cast.shanghai.pk, "year": LAST_YEAR}, follow=True
    )
    assert any("1 new sanction" in m for m in _messages(response))
    filing.refresh_from_db()
    assert filing.state == S.SUSPENDED
    response = alice.post("/filings/sanctions/", {"center": cast.shanghai.pk, "year": 2026})
    assert b"Only a year that has ended" in response.content


def test_navigation_and_home_panels(cast: Cast) -> None:
    filing = in_state(cast, S.SUBMITTED)
    assert b'data-testid="nav-filings"' in client_for(cast.dave).get("/").content
    assert b'data-testid="nav-filing-review"' in client_for(cast.alice).get("/").content
    assert b'data-testid="nav-filings"' not in Client().get("/", follow=True).content
    with translation.override("en"):  # the requests above left their own language active
        titles = {str(p.title): p for p in home_panels(cast.alice)}
    assert [r.title for r in titles["Filings waiting for review"].rows] == [filing.legal_name]
    services.filing_approve(actor=cast.alice, filing=filing)
    dave_panels = home_panels(cast.dave)
    rows = [r for p in dave_panels for r in p.rows if r.title == filing.legal_name]
    assert rows and "20" in rows[0].detail


@pytest.mark.parametrize("state", S.values)
def test_every_state_renders_for_both_sides(cast: Cast, state: str) -> None:
    filing = in_state(cast, state)
    for person in (cast.dave, cast.alice, cast.erin):
        page = client_for(person).get(f"/filings/{filing.pk}/")
        assert page.status_code == 200
        assert f'data-state="{state}"'.encode() in page.content
    for path in ("/filings/", "/filings/review/", "/filings/sanctions/", "/filings/agencies/"):
        person = cast.dave if path == "/filings/" else cast.alice
        assert client_for(person).get(path).status_code == 200
