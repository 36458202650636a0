"""The intake and review pages: forms with inline errors, moves with clear messages, lists,
the queue, conflicts and the home panels."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages

from ipcenter.patents.samples import seeded_defect
from ipcenter.preexam.models import Case, CaseState, ExaminerConflict
from tests.conftest import Cast, client_for
from tests.preexam.factories import (
    SAMPLE,
    accepted_case,
    case_request,
    competent,
    opinion_case,
    ready,
    sample_upload,
    submitted_case,
)

# These tests read the English messages.
pytestmark = pytest.mark.usefixtures("in_english")


def _messages(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _form(cast: Cast, **changes: Any) -> dict[str, Any]:
    request = case_request(cast.ent_a)
    data: dict[str, Any] = {
        "center": cast.shanghai.pk,
        "patent_type": "invention",
        "title": request.title,
        "applicants": cast.ent_a.name,
        "inventors": "\n".join(request.inventors),
        "main_code": request.main_code,
        "priority_claims": "US 60/384,200 2002-05-30",
        "full": sample_upload(),
        "action": "submit",
    }
    data.update(changes)
    return data


def test_the_submit_page_takes_a_case(cast: Cast) -> None:
    ready(cast)
    client = client_for(cast.erin)
    assert client.get("/preexam/cases/new/").status_code == 200
    response = client.post("/preexam/cases/new/", _form(cast))
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/preexam/cases/{case.pk}/"
    assert case.priority_claims == [{"country": "US", "number": "60/384,200", "date": "2002-05-30"}]


def test_the_submit_page_shows_errors_inline(cast: Cast) -> None:
    ready(cast)
    response = client_for(cast.erin).post(
        "/preexam/cases/new/", _form(cast, main_code="A61B 9999/00", priority_claims="US x")
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'data-testid="field-error"' in body
    assert "A61B 9999/00" in body and "YYYY-MM-DD" in body
    response = client_for(cast.erin).post("/preexam/cases/new/", _form(cast, full=""))
    assert "missing" in response.content.decode()
    assert not Case.objects.exists()


def test_an_agent_chooses_the_enterprise(cast: Cast) -> None:
    ready(cast)
    client = client_for(cast.grace)
    page = client.get("/preexam/cases/new/").content.decode()
    assert cast.ent_a.name in page and cast.ent_b.name not in page  # B has no filing
    response = client.post("/preexam/cases/new/", _form(cast, applicant_organization=cast.ent_a.pk))
    assert response.status_code == 302
    assert Case.objects.get().agency == cast.agency


def test_the_case_page_shows_the_parsed_application_and_findings(cast: Cast) -> None:
    case = submitted_case(cast, data=seeded_defect(SAMPLE, "claim_forward_reference"))
    body = client_for(cast.bob).get(f"/preexam/cases/{case.pk}/").content.decode()
    assert 'data-testid="claims"' in body and body.count('data-testid="claim"') == 10
    assert 'data-code="claim_reference_forward"' in body
    assert "refers to claim 5, which comes after it" in body
    assert 'data-testid="move-accepted"' in body and 'data-testid="move-withdrawn"' not in body
    erin = client_for(cast.erin).get(f"/preexam/cases/{case.pk}/").content.decode()
    assert 'data-testid="move-withdrawn"' in erin and 'data-testid="move-accepted"' not in erin


def test_moves_on_the_page(cast: Cast) -> None:
    case = submitted_case(cast)
    client = client_for(cast.bob)
    response = client.post(f"/preexam/cases/{case.pk}/accept/")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED
    # A move the state does not allow: back to the case with a clear message, never a 500.
    response = client.post(f"/preexam/cases/{case.pk}/accept/")
    assert response.status_code == 302
    assert any("cannot become" in m for m in _messages(response))
    response = client.post(f"/preexam/cases/{case.pk}/unqualify/", {"reason": ""})
    assert any("reason" in m.lower() for m in _messages(response))
    # The applicant cannot qualify a case.
    assert client_for(cast.erin).post(f"/preexam/cases/{case.pk}/qualify/").status_code == 403
    response = client.post(f"/preexam/cases/{case.pk}/qualify/")
    case.refresh_from_db()
    assert case.state == CaseState.QUALIFIED
    # The fast-track part of the page takes over from here.
    detail = client_for(cast.erin).get(f"/preexam/cases/{case.pk}/").content.decode()
    assert 'data-testid="tracking"' in detail and 'data-testid="move-' not in detail


def test_not_accept_and_withdraw_pages(cast: Cast) -> None:
    case = submitted_case(cast)
    response = client_for(cast.erin).post(
        f"/preexam/cases/{case.pk}/withdraw/", {"reason": "Filing abroad first."}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.WITHDRAWN
    other = submitted_case(cast, title="Other")
    client_for(cast.alice).post(f"/preexam/cases/{other.pk}/not-accept/", {"reason": "No."})
    other.refresh_from_db()
    assert other.state == CaseState.NOT_ACCEPTED


def test_the_opinion_page(cast: Cast) -> None:
    case = accepted_case(cast)
    client = client_for(cast.bob)
    page = client.get(f"/preexam/cases/{case.pk}/opinion/").content.decode()
    assert page.count('data-testid="aspect"') == 4
    data = {
        "summary": "Amend claim 1.",
        "inventive_step_satisfied": "on",
        "clarity_support_satisfied": "on",
        "unity_satisfied": "on",
    }
    response = client.post(f"/preexam/cases/{case.pk}/opinion/", data)
    assert response.status_code == 200
    assert 'data-testid="field-error"' in response.content.decode()  # novelty needs reasoning
    data["novelty_text"] = "D1 anticipates claim 1."
    response = client.post(f"/preexam/cases/{case.pk}/opinion/", data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.OPINION_ISSUED
    detail = client_for(cast.erin).get(f"/preexam/cases/{case.pk}/").content.decode()
    assert "D1 anticipates claim 1." in detail and 'data-testid="move-amended"' in detail
    # Olga is not the examiner of this case.
    assert client_for(cast.olga).get(f"/preexam/cases/{case.pk}/opinion/").status_code == 404


def test_the_amend_page_and_a_second_amendment(cast: Cast) -> None:
    case = opinion_case(cast)
    client = client_for(cast.erin)
    assert client.get(f"/preexam/cases/{case.pk}/amend/").status_code == 200
    response = client.post(f"/preexam/cases/{case.pk}/amend/", {"note": "nothing"})
    assert response.status_code == 200 and 'data-testid="field-error"' in response.content.decode()
    response = client.post(
        f"/preexam/cases/{case.pk}/amend/", {"note": "claim 1", "claims": sample_upload()}
    )
    assert response.status_code == 302
    response = client.post(
        f"/preexam/cases/{case.pk}/amend/", {"note": "again", "claims": sample_upload()}
    )
    assert response.status_code == 302
    assert any("cannot become" in m for m in _messages(response))
    assert case.versions.count() == 2
    detail = client.get(f"/preexam/cases/{case.pk}/").content.decode()
    assert 'data-testid="diff-link"' in detail


def test_the_managers_list_filters_and_reassigns(cast: Cast) -> None:
    first = submitted_case(cast)
    competent(cast.olga, "A61B")
    second = submitted_case(cast, title="Second case")
    assert second.examiner == cast.olga
    client = client_for(cast.alice)
    body = client.get("/preexam/cases/", {"examiner": cast.olga.pk}).content.decode()
    assert second.reference in body and first.reference not in body
    body = client.get("/preexam/cases/", {"q": "Second"}).content.decode()
    assert second.reference in body and first.reference not in body
    body = client.get("/preexam/cases/", {"state": "accepted"}).content.decode()
    assert first.reference not in body
    detail = client.get(f"/preexam/cases/{first.pk}/").content.decode()
    assert 'data-testid="reassign-form"' in detail
    response = client.post(
        f"/preexam/cases/{first.pk}/assign/", {"examiner": cast.olga.pk, "reason": ""}
    )
    assert response.status_code == 302 and _messages(response)
    response = client.post(
        f"/preexam/cases/{first.pk}/assign/", {"examiner": cast.olga.pk, "reason": "Bob is away."}
    )
    first.refresh_from_db()
    assert first.examiner == cast.olga


def test_the_queue_is_sorted_by_due_date(cast: Cast) -> None:
    first = submitted_case(cast)
    second = submitted_case(cast, title="Second")
    first.clocks.update(due_on="2099-01-01")
    body = client_for(cast.bob).get("/preexam/queue/").content.decode()
    assert body.index(second.reference) < body.index(first.reference)
    assert client_for(cast.erin).get("/preexam/queue/").status_code == 403


def test_conflict_pages(cast: Cast) -> None:
    client = client_for(cast.bob)
    assert client.get("/preexam/conflicts/").status_code == 200
    response = client.post(
        "/preexam/conflicts/", {"organization": cast.ent_a.pk, "reason": "Shares."}
    )
    assert response.status_code == 302
    conflict = ExaminerConflict.objects.get()
    manager_view = client_for(cast.alice).get("/preexam/conflicts/").content.decode()
    assert "Shares." in manager_view and 'data-testid="conflict-form"' not in manager_view
    assert "Shares." not in client_for(cast.carol).get("/preexam/conflicts/").content.decode()
    assert (
        client_for(cast.olga).post(f"/preexam/conflicts/{conflict.pk}/withdraw/").status_code == 404
    )
    client.post(f"/preexam/conflicts/{conflict.pk}/withdraw/")
    conflict.refresh_from_db()
    assert conflict.withdrawn_at is not None
    assert client_for(cast.erin).get("/preexam/conflicts/").status_code == 403


def test_home_panels_and_navigation(cast: Cast) -> None:
    case = submitted_case(cast)
    bob_home = client_for(cast.bob).get("/").content.decode()
    assert case.reference in bob_home and 'data-testid="nav-queue"' in bob_home
    competent(cast.bob)
    lonely = submitted_case(cast, title="Nobody covers this")
    alice_home = client_for(cast.alice).get("/").content.decode()
    assert lonely.reference in alice_home and 'data-testid="nav-preexam"' in alice_home
    carol_home = client_for(cast.carol).get("/").content.decode()
    assert lonely.reference not in carol_home
    erin_home = client_for(cast.erin).get("/").content.decode()
    assert 'data-testid="nav-preexam"' in erin_home and 'data-testid="nav-queue"' not in erin_home
