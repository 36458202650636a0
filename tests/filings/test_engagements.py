"""Engagements (issue 9, items 3 and 4): an agency acts for an enterprise, and learns anything
about it, only under an engagement the enterprise's administrator granted and has not revoked,
for the case's center and the activity, on the day.

Enterprise A (Dave, Erin) engages Grace's agency in `ready()`; Gina's agency B is registered with
Shanghai but engaged by nobody unless a test says so.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from ipcenter.audit.models import AuditEvent
from ipcenter.filings import services as filings
from ipcenter.filings.models import Engagement, EngagementActivity
from ipcenter.filings.selectors import engagement_in_force
from ipcenter.lib.errors import Conflict, InvalidInput
from ipcenter.preexam import services
from ipcenter.preexam.models import Case
from tests.conftest import Cast, client_for
from tests.matrix_support import MISSING_ID, MISSING_UUID
from tests.preexam.factories import (
    SAMPLE,
    case_request,
    engaged,
    opinion_case,
    ready,
    registered_agency,
    sample_upload,
    submitted_case,
)

ELIGIBILITY = "/api/v1/preexam/eligibility"


def _eligibility(client: Any, cast: Cast, applicant_id: int, **changes: Any) -> Any:
    request = case_request(cast.ent_a)
    body = {
        "center": "shanghai",
        "title": request.title,
        "patent_type": "invention",
        "applicants": [cast.ent_a.name],
        "inventors": ["I"],
        "main_code": request.main_code,
        "applicant_organization_id": applicant_id,
        **changes,
    }
    return client.post(ELIGIBILITY, json.dumps(body), content_type="application/json")


def _revoke(cast: Cast) -> None:
    engagement = Engagement.objects.get(enterprise=cast.ent_a, agency=cast.agency)
    filings.engagement_revoke(actor=cast.dave, engagement=engagement)


def _expire(cast: Cast) -> None:
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Engagement.objects.filter(enterprise=cast.ent_a, agency=cast.agency).update(
        valid_until=yesterday
    )


def _submit_as(cast: Cast, user: Any, center: Any = None) -> Case:
    return services.case_submit(
        actor=user,
        center=center or cast.shanghai,
        request=case_request(cast.ent_a, agency_for=cast.ent_a),
        files=[("full", sample_upload())],
    )


def _refusal(error: InvalidInput) -> tuple[str, dict[str, Any]]:
    return str(error.message), dict(error.errors)


# --- item 3: the eligibility check is no oracle -------------------------------------------------


def test_an_unrelated_agency_learns_nothing_from_the_eligibility_check(cast: Cast) -> None:
    ready(cast)
    registered_agency(cast.agency_b, cast.shanghai)
    # Enterprise A's unpublished invention, filed today: Gina guesses its title.
    case = submitted_case(cast)
    gina = client_for(cast.gina)
    guessed = _eligibility(gina, cast, cast.ent_a.pk, patent_type="utility_model", title=case.title)
    unknown = _eligibility(gina, cast, MISSING_ID, patent_type="utility_model", title=case.title)
    assert guessed.status_code == unknown.status_code == 422
    assert guessed.content == unknown.content
    assert case.reference.encode() not in guessed.content
    assert b"quota" not in guessed.content


def test_an_agency_whose_engagement_was_revoked_learns_nothing_either(cast: Cast) -> None:
    ready(cast)
    case = submitted_case(cast)
    _revoke(cast)
    grace = client_for(cast.grace)
    guessed = _eligibility(
        grace, cast, cast.ent_a.pk, patent_type="utility_model", title=case.title
    )
    unknown = _eligibility(grace, cast, MISSING_ID, patent_type="utility_model", title=case.title)
    assert (guessed.status_code, guessed.content) == (unknown.status_code, unknown.content)


def test_the_same_day_hint_names_no_case_the_agency_did_not_file(cast: Cast) -> None:
    ready(cast)
    own = submitted_case(cast)  # Erin's, not the agency's
    response = _eligibility(
        client_for(cast.grace), cast, cast.ent_a.pk, patent_type="utility_model", title=own.title
    )
    assert response.status_code == 200, response.content
    dual = {r["rule"]: r for r in response.json()}["no_same_day_dual"]
    assert dual["passed"] is False
    assert own.reference not in dual["detail"]


def test_the_same_day_hint_names_the_agencys_own_case(cast: Cast) -> None:
    ready(cast)
    filed = submitted_case(cast, by_agent=True)
    response = _eligibility(
        client_for(cast.grace), cast, cast.ent_a.pk, patent_type="utility_model", title=filed.title
    )
    dual = {r["rule"]: r for r in response.json()}["no_same_day_dual"]
    assert filed.reference in dual["detail"]


def test_the_submission_page_offers_only_engaging_enterprises(cast: Cast) -> None:
    ready(cast)
    registered_agency(cast.agency_b, cast.shanghai)
    page = client_for(cast.gina).get("/preexam/cases/new/").content.decode()
    assert cast.ent_a.name not in page
    assert cast.ent_a.name in client_for(cast.grace).get("/preexam/cases/new/").content.decode()


# --- item 4: intake --------------------------------------------------------------------------


def test_an_agency_without_engagement_is_refused_as_for_an_unknown_enterprise(cast: Cast) -> None:
    ready(cast)
    registered_agency(cast.agency_b, cast.shanghai)
    with pytest.raises(InvalidInput) as named:
        _submit_as(cast, cast.gina)
    with pytest.raises(InvalidInput) as unknown:
        services.case_submit(
            actor=cast.gina,
            center=cast.shanghai,
            request=case_request(cast.ent_a, applicant_organization_id=MISSING_ID),
            files=[("full", sample_upload())],
        )
    assert _refusal(named.value) == _refusal(unknown.value)
    assert not Case.objects.exists()


@pytest.mark.parametrize("end", [_revoke, _expire], ids=["revoked", "expired"])
def test_an_ended_engagement_is_refused_at_intake(cast: Cast, end: Any) -> None:
    ready(cast)
    assert _submit_as(cast, cast.grace).agency == cast.agency
    end(cast)
    with pytest.raises(InvalidInput):
        _submit_as(cast, cast.grace)


def test_an_engagement_not_yet_in_force_is_refused(cast: Cast) -> None:
    ready(cast)
    Engagement.objects.update(valid_from=timezone.localdate() + dt.timedelta(days=1))
    with pytest.raises(InvalidInput):
        _submit_as(cast, cast.grace)


def test_an_engagement_for_another_center_does_not_cover_this_one(cast: Cast) -> None:
    ready(cast)
    Engagement.objects.update(center=cast.pudong)
    with pytest.raises(InvalidInput):
        _submit_as(cast, cast.grace)
    Engagement.objects.update(center=cast.shanghai)
    assert _submit_as(cast, cast.grace).agency == cast.agency


def test_an_engagement_for_responses_only_does_not_let_the_agency_file(cast: Cast) -> None:
    ready(cast)
    Engagement.objects.update(may_file=False)
    with pytest.raises(InvalidInput):
        _submit_as(cast, cast.grace)


# --- item 4: amendments, responses and reads -----------------------------------------------------


def _amend(user: Any, case: Case) -> Any:
    return client_for(user).post(
        f"/api/v1/preexam/cases/{case.pk}/amend",
        {"note": "narrowed", "claims": sample_upload(SAMPLE)},
    )


@pytest.mark.parametrize("end", [_revoke, _expire], ids=["revoked", "expired"])
def test_an_ended_engagement_closes_the_case_to_the_agency(cast: Cast, end: Any) -> None:
    case = opinion_case(cast, by_agent=True)
    grace = client_for(cast.grace)
    assert grace.get(f"/api/v1/preexam/cases/{case.pk}").status_code == 200
    end(cast)
    read = grace.get(f"/api/v1/preexam/cases/{case.pk}")
    missing = grace.get(f"/api/v1/preexam/cases/{MISSING_ID}")
    assert read.status_code == missing.status_code == 404
    assert read.content == missing.content
    assert grace.get(f"/preexam/cases/{case.pk}/").status_code == 404
    listed = grace.get("/api/v1/preexam/cases").json()
    assert case.reference not in json.dumps(listed)
    assert _amend(cast.grace, case).status_code == 404
    with pytest.raises(PermissionDenied):
        services.case_withdraw(case=case, actor=cast.grace, reason="gone")
    # The enterprise still has its case, and its own people act on it.
    assert client_for(cast.erin).get(f"/api/v1/preexam/cases/{case.pk}").status_code == 200
    assert _amend(cast.erin, case).status_code == 201


def test_a_filing_only_engagement_reads_but_does_not_amend(cast: Cast) -> None:
    case = opinion_case(cast, by_agent=True)
    Engagement.objects.update(may_respond=False)
    assert client_for(cast.grace).get(f"/api/v1/preexam/cases/{case.pk}").status_code == 200
    assert _amend(cast.grace, case).status_code == 403
    Engagement.objects.update(may_respond=True)
    assert _amend(cast.grace, case).status_code == 201


def test_another_agency_engaged_by_the_enterprise_does_not_see_the_case(cast: Cast) -> None:
    case = submitted_case(cast, by_agent=True)
    engaged(cast.ent_a, cast.agency_b)
    assert client_for(cast.gina).get(f"/api/v1/preexam/cases/{case.pk}").status_code == 404


# --- granting and revoking -----------------------------------------------------------------


def test_the_enterprise_admin_grants_and_revokes_with_audit(cast: Cast) -> None:
    engagement = filings.engagement_grant(
        actor=cast.dave, enterprise=cast.ent_a, agency=cast.agency, center=cast.shanghai
    )
    assert engagement_in_force(
        enterprise=cast.ent_a,
        agency=cast.agency,
        center=cast.shanghai,
        activity=EngagementActivity.FILING,
    )
    assert (
        engagement_in_force(enterprise=cast.ent_a, agency=cast.agency, center=cast.pudong) is None
    )
    filings.engagement_revoke(actor=cast.dave, engagement=engagement)
    engagement.refresh_from_db()
    assert engagement.revoked_by == cast.dave and engagement.revoked_at is not None
    assert (
        engagement_in_force(enterprise=cast.ent_a, agency=cast.agency, center=cast.shanghai) is None
    )
    tags = list(
        AuditEvent.objects.filter(subject_id=str(engagement.pk))
        .order_by("id")
        .values_list("tag", flat=True)
    )
    assert tags == ["filings:engagement:granted", "filings:engagement:revoked"]
    with pytest.raises(Conflict):
        filings.engagement_revoke(actor=cast.dave, engagement=engagement)


@pytest.mark.parametrize("who", ["frank", "erin", "grace"])
def test_only_the_enterprise_admin_of_that_enterprise_grants(cast: Cast, who: str) -> None:
    with pytest.raises(PermissionDenied):
        filings.engagement_grant(
            actor=getattr(cast, who), enterprise=cast.ent_a, agency=cast.agency
        )
    assert not Engagement.objects.exists()


@pytest.mark.parametrize("who", ["frank", "erin", "grace"])
def test_only_the_enterprise_admin_of_that_enterprise_revokes(cast: Cast, who: str) -> None:
    engagement = engaged(cast.ent_a, cast.agency)
    with pytest.raises(PermissionDenied):
        filings.engagement_revoke(actor=getattr(cast, who), engagement=engagement)
    response = client_for(getattr(cast, who)).post(
        f"/api/v1/filings/engagements/{engagement.pk}/revoke"
    )
    assert response.status_code in (403, 404)
    engagement.refresh_from_db()
    assert engagement.revoked_at is None


def test_the_api_grants_lists_and_revokes(cast: Cast) -> None:
    dave = client_for(cast.dave)
    until = (timezone.localdate() + dt.timedelta(days=90)).isoformat()
    created = dave.post(
        "/api/v1/filings/engagements",
        json.dumps(
            {
                "enterprise_id": cast.ent_a.pk,
                "agency_id": cast.agency.pk,
                "center": "shanghai",
                "may_respond": False,
                "valid_until": until,
            }
        ),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["in_force"] is True and body["center"] == "shanghai"
    assert body["may_file"] is True and body["may_respond"] is False
    # The agency lists what it holds; another agency and another enterprise see nothing of it.
    assert [e["id"] for e in client_for(cast.grace).get("/api/v1/filings/engagements").json()] == [
        body["id"]
    ]
    assert client_for(cast.gina).get("/api/v1/filings/engagements").json() == []
    assert client_for(cast.frank).get("/api/v1/filings/engagements").json() == []
    revoked = dave.post(f"/api/v1/filings/engagements/{body['id']}/revoke")
    assert revoked.status_code == 200
    assert revoked.json()["in_force"] is False and revoked.json()["revoked_at"]


def test_an_engagement_names_an_agency(cast: Cast) -> None:
    with pytest.raises(InvalidInput) as caught:
        filings.engagement_grant(actor=cast.dave, enterprise=cast.ent_a, agency=cast.ent_b)
    assert "agency_id" in caught.value.errors


def test_the_page_grants_and_revokes(cast: Cast) -> None:
    dave = client_for(cast.dave)
    response = dave.post(
        "/filings/engagements/",
        {"enterprise": cast.ent_a.pk, "agency": cast.agency.pk, "may_file": "on"},
    )
    assert response.status_code == 302, response.content
    engagement = Engagement.objects.get()
    assert engagement.may_file and not engagement.may_respond and engagement.center is None
    assert cast.agency.name in client_for(cast.grace).get("/filings/engagements/").content.decode()
    assert dave.post(f"/filings/engagements/{engagement.pk}/revoke/").status_code == 302
    engagement.refresh_from_db()
    assert engagement.revoked_at is not None


def test_revoking_withdraws_the_enterprises_documents_from_the_agency(cast: Cast) -> None:
    case = opinion_case(cast, by_agent=True)
    assert _amend(cast.erin, case).status_code == 201
    amended = case.versions.order_by("-number").first()
    assert amended is not None
    document = amended.documents.get(part="claims").document
    grace = client_for(cast.grace)
    assert grace.get(f"/api/v1/documents/{document.pk}").status_code == 200
    _revoke(cast)
    assert grace.get(f"/api/v1/documents/{document.pk}").status_code == 404


def test_an_expired_engagement_withdraws_the_enterprises_documents_from_the_agency(
    cast: Cast,
) -> None:
    case = opinion_case(cast, by_agent=True)
    last_day = timezone.localdate() + dt.timedelta(days=10)
    Engagement.objects.filter(enterprise=cast.ent_a, agency=cast.agency).update(
        valid_until=last_day
    )
    assert _amend(cast.erin, case).status_code == 201
    amended = case.versions.order_by("-number").first()
    assert amended is not None
    document = amended.documents.get(part="claims").document
    paths = [
        f"/api/v1/documents/{document.pk}",
        f"/documents/{document.pk}/",
        f"/documents/{document.pk}/download/",
    ]

    def answers() -> list[int]:
        grace = client_for(cast.grace)  # a fresh session: the old one would have timed out
        return [grace.get(path).status_code for path in paths]

    shanghai = timezone.get_current_timezone()
    on_the_last_day = dt.datetime.combine(last_day, dt.time(23, 30), tzinfo=shanghai)
    with time_machine.travel(on_the_last_day, tick=False):
        assert answers() == [200, 200, 200]
        assert str(document.pk) in json.dumps(
            client_for(cast.grace).get("/api/v1/documents").json()
        )
    the_day_after = on_the_last_day + dt.timedelta(hours=1)
    with time_machine.travel(the_day_after, tick=False):
        assert answers() == [404, 404, 404]
        grace = client_for(cast.grace)
        missing = grace.get(f"/api/v1/documents/{MISSING_UUID}")
        assert grace.get(paths[0]).content == missing.content
        assert str(document.pk) not in json.dumps(grace.get("/api/v1/documents").json())
        # The enterprise keeps its document.
        assert client_for(cast.erin).get(paths[0]).status_code == 200
        # Engaged again, the agency gets the enterprise's documents back.
        filings.engagement_grant(actor=cast.dave, enterprise=cast.ent_a, agency=cast.agency)
        assert answers() == [200, 200, 200]


def test_the_menu_leads_admins_and_agents_to_the_engagements(cast: Cast) -> None:
    link = b'href="/filings/engagements/" data-testid="nav-engagements"'
    for who in (cast.dave, cast.grace):  # the enterprise admin, the agent
        assert link in client_for(who).get("/").content
        assert client_for(who).get("/filings/engagements/").status_code == 200
    for who in (cast.erin, cast.alice):  # an applicant, a center manager
        assert b"nav-engagements" not in client_for(who).get("/").content


# --- review: no twin engagements ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("held_center", "new_center"),
    [("shanghai", "shanghai"), (None, "shanghai"), ("shanghai", None), (None, None)],
)
def test_an_overlapping_engagement_is_refused(
    in_english: Cast, held_center: str | None, new_center: str | None
) -> None:
    cast = in_english
    centers = {"shanghai": cast.shanghai, None: None}
    engaged(cast.ent_a, cast.agency, center=centers[held_center])
    with pytest.raises(Conflict) as caught:
        filings.engagement_grant(
            actor=cast.dave, enterprise=cast.ent_a, agency=cast.agency, center=centers[new_center]
        )
    assert "already engages this agency" in str(caught.value.message)
    assert Engagement.objects.count() == 1


def test_an_engagement_that_does_not_overlap_is_granted(cast: Cast) -> None:
    in_ten_days = timezone.localdate() + dt.timedelta(days=10)
    engaged(cast.ent_a, cast.agency, center=cast.shanghai, valid_until=in_ten_days)
    # Another center, a later period, and after a revocation: each is a new engagement.
    filings.engagement_grant(
        actor=cast.dave, enterprise=cast.ent_a, agency=cast.agency, center=cast.pudong
    )
    filings.engagement_grant(
        actor=cast.dave,
        enterprise=cast.ent_a,
        agency=cast.agency,
        center=cast.shanghai,
        valid_from=in_ten_days + dt.timedelta(days=1),
    )
    # Another agency of the same enterprise is no twin either.
    filings.engagement_grant(actor=cast.dave, enterprise=cast.ent_a, agency=cast.agency_b)
    assert Engagement.objects.count() == 4


def test_a_revoked_or_ended_engagement_does_not_block_a_new_one(cast: Cast) -> None:
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    engaged(cast.ent_a, cast.agency, valid_until=yesterday)
    held = engaged(cast.ent_a, cast.agency, center=cast.shanghai)
    filings.engagement_revoke(actor=cast.dave, engagement=held)
    filings.engagement_grant(actor=cast.dave, enterprise=cast.ent_a, agency=cast.agency)
    assert Engagement.objects.count() == 3


def test_a_future_engagement_blocks_an_overlapping_one(cast: Cast) -> None:
    later = timezone.localdate() + dt.timedelta(days=30)
    engaged(cast.ent_a, cast.agency, valid_from=later)
    with pytest.raises(Conflict):
        filings.engagement_grant(actor=cast.dave, enterprise=cast.ent_a, agency=cast.agency)
    # Ending before the future one starts, it is granted.
    filings.engagement_grant(
        actor=cast.dave,
        enterprise=cast.ent_a,
        agency=cast.agency,
        valid_until=later - dt.timedelta(days=1),
    )


def test_granting_locks_the_enterprise_so_two_grants_cannot_both_pass(cast: Cast) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        filings.engagement_grant(actor=cast.dave, enterprise=cast.ent_a, agency=cast.agency)
    locks = [
        q["sql"]
        for q in queries.captured_queries
        if "FOR UPDATE" in q["sql"] and "accounts_organization" in q["sql"]
    ]
    assert locks, "the grant must lock the enterprise's row before checking for twins"


def test_the_api_and_page_refuse_a_twin_engagement(in_english: Cast) -> None:
    cast = in_english
    engaged(cast.ent_a, cast.agency)
    response = client_for(cast.dave).post(
        "/api/v1/filings/engagements",
        json.dumps({"enterprise_id": cast.ent_a.pk, "agency_id": cast.agency.pk}),
        content_type="application/json",
    )
    assert response.status_code == 409, response.content
    assert "already engages this agency" in response.json()["detail"]
    page = client_for(cast.dave).post(
        "/filings/engagements/",
        {"enterprise": cast.ent_a.pk, "agency": cast.agency.pk, "may_file": "on"},
    )
    assert page.status_code == 200
    assert "already engages this agency" in page.content.decode()
    assert Engagement.objects.count() == 1


def test_the_revoke_button_asks_for_confirmation(in_english: Cast) -> None:
    cast = in_english
    engaged(cast.ent_a, cast.agency)
    page = client_for(cast.dave).get("/filings/engagements/").content.decode()
    assert 'data-confirm="Revoke this engagement?' in page


def test_the_agency_sees_the_enterprises_that_engaged_it(in_english: Cast) -> None:
    cast = in_english
    engaged(cast.ent_a, cast.agency)
    assert "Engaged agencies" in client_for(cast.dave).get("/filings/engagements/").content.decode()
    page = client_for(cast.grace).get("/filings/engagements/").content.decode()
    assert "Enterprises that engaged your agency" in page and "Engaged agencies" not in page


def _submission_form(cast: Cast, applicant_id: Any) -> dict[str, Any]:
    request = case_request(cast.ent_a)
    return {
        "center": cast.shanghai.pk,
        "applicant_organization": applicant_id,
        "patent_type": "invention",
        "title": request.title,
        "applicants": cast.ent_a.name,
        "inventors": "\n".join(request.inventors),
        "main_code": request.main_code,
        "action": "check",
    }


def test_a_revoked_engagement_on_the_open_form_gets_a_clear_message_and_no_oracle(
    in_english: Cast,
) -> None:
    cast = ready(in_english)
    grace = client_for(cast.grace)
    _revoke(cast)  # while Grace had the form open
    revoked = grace.post("/preexam/cases/new/", _submission_form(cast, cast.ent_a.pk))
    unknown = grace.post("/preexam/cases/new/", _submission_form(cast, MISSING_ID))
    message = "Your agency holds no engagement of this enterprise in force for filing."
    for response in (revoked, unknown):
        assert response.status_code == 200
        body = response.content.decode()
        assert message in body and "Select a valid choice" not in body
    assert not Case.objects.exists()
