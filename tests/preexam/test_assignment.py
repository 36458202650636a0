"""Assignment by competence, declared conflicts and workload; a manager's reassignment."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ipcenter.accounts.roles import Role
from ipcenter.audit.models import AuditEvent
from ipcenter.lib.errors import Conflict, InvalidInput
from ipcenter.notifications.models import Notification
from ipcenter.preexam import services
from ipcenter.preexam.assignment import (
    case_assign_auto,
    case_reassign,
    competence_match,
    conflict_declare,
    conflict_withdraw,
)
from ipcenter.preexam.models import Case, ClockKind, ExaminerConflict, PatentType
from tests.conftest import Cast, client_for, make_person
from tests.preexam.factories import (
    SAMPLE_G06F,
    case_request,
    competent,
    png_upload,
    ready,
    submitted_case,
)


def test_competence_match_prefers_the_most_specific_entry() -> None:
    assert competence_match(competences=["A61B"], patent_type="invention", main_code="A61B 5/00")
    assert competence_match(
        competences=["A61B 5/00"], patent_type="invention", main_code="A61B 5/02"
    ) > competence_match(competences=["A61B"], patent_type="invention", main_code="A61B 5/02")
    assert not competence_match(
        competences=["A61K"], patent_type="invention", main_code="A61B 5/00"
    )
    assert not competence_match(
        competences=["A61B 6/00"], patent_type="invention", main_code="A61B 5/00"
    )
    assert competence_match(competences=["24"], patent_type="design", main_code="24-02")
    assert not competence_match(competences=["A61B", "x"], patent_type="design", main_code="24-02")


def test_only_competent_examiners_are_chosen(cast: Cast) -> None:
    ready(cast)
    competent(cast.bob, "A61B")
    competent(cast.olga, "G06F")
    case = submitted_case(cast, name=SAMPLE_G06F)
    assert case.examiner == cast.olga


def test_the_longest_match_wins(cast: Cast) -> None:
    ready(cast)
    competent(cast.bob, "A61B")
    competent(cast.olga, "A61B 5/00")
    assert submitted_case(cast).examiner == cast.olga


def test_the_least_loaded_examiner_wins_then_the_lowest_id(cast: Cast) -> None:
    ready(cast)
    competent(cast.olga, "A61B")
    first = submitted_case(cast)
    assert first.examiner == cast.bob  # same match and workload: Bob has the lower id
    second = submitted_case(cast, title="Second")
    assert second.examiner == cast.olga  # Bob has one open case now
    third = submitted_case(cast, title="Third")
    assert third.examiner == cast.bob


def test_closed_cases_do_not_count_as_workload(cast: Cast) -> None:
    ready(cast)
    competent(cast.olga, "A61B")
    first = submitted_case(cast)
    services.case_withdraw(case=first, actor=cast.erin, reason="changed our mind")
    assert submitted_case(cast, title="Second").examiner == cast.bob


def test_a_declared_conflict_keeps_the_examiner_away(cast: Cast) -> None:
    ready(cast)
    competent(cast.olga, "A61B")
    conflict_declare(examiner=cast.bob, organization=cast.ent_a, reason="My brother works there.")
    assert submitted_case(cast).examiner == cast.olga


def test_a_conflict_with_the_agency_counts_too(cast: Cast) -> None:
    ready(cast)
    competent(cast.olga, "A61B")
    conflict_declare(examiner=cast.bob, organization=cast.agency, reason="Former employer.")
    assert submitted_case(cast, by_agent=True).examiner == cast.olga
    assert submitted_case(cast, title="Direct").examiner == cast.bob


def test_a_withdrawn_conflict_no_longer_counts(cast: Cast) -> None:
    ready(cast)
    conflict = conflict_declare(examiner=cast.bob, organization=cast.ent_a, reason="Shares.")
    conflict_withdraw(conflict=conflict, actor=cast.bob)
    assert submitted_case(cast).examiner == cast.bob
    with pytest.raises(Conflict):
        conflict_withdraw(conflict=conflict, actor=cast.bob)


def test_examiners_of_another_center_or_inactive_are_not_chosen(cast: Cast) -> None:
    ready(cast)
    competent(cast.bob)
    competent(cast.pete, "A61B")  # Pudong
    cast.olga.memberships.update(is_active=False)
    competent(cast.olga, "A61B")
    case = submitted_case(cast)
    assert case.examiner is None


def test_nobody_competent_leaves_the_case_unassigned_and_tells_the_managers(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    ready(cast)
    competent(cast.bob)
    with django_capture_on_commit_callbacks(execute=True):
        case = submitted_case(cast)
    assert case.examiner is None
    assert case.events.filter(action="unassigned").exists()
    assert Notification.objects.filter(recipient=cast.alice, tag="preexam:case:unassigned").exists()
    assert not Notification.objects.filter(recipient=cast.carol).exists()
    # Once someone is competent, running the rule again assigns the case.
    competent(cast.olga, "A61B")
    assert case_assign_auto(case).examiner == cast.olga


def test_designs_are_assigned_by_locarno_class(cast: Cast) -> None:
    ready(cast)
    competent(cast.olga, "24")
    case = services.case_submit(
        actor=cast.erin,
        center=cast.shanghai,
        request=case_request(cast.ent_a, patent_type=PatentType.DESIGN, main_code="24-02"),
        files=[("drawings", png_upload())],
    )
    assert case.examiner == cast.olga


# --- reassignment ---------------------------------------------------------------------------


def test_a_manager_reassigns_with_a_reason_and_the_clocks_run_on(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    case = submitted_case(cast)
    competent(cast.olga, "A61B")
    clock = case.clocks.get()
    with django_capture_on_commit_callbacks(execute=True):
        case_reassign(case=case, examiner=cast.olga, actor=cast.alice, reason="Bob is on leave.")
    case.refresh_from_db()
    assert case.examiner == cast.olga
    event = case.events.get(action="reassigned")
    assert event.reason == "Bob is on leave." and event.actor == cast.alice
    assert AuditEvent.objects.filter(tag="preexam:case:reassigned").exists()
    assert case.clocks.get() == clock and clock.kind == ClockKind.DECISION
    assert case.clocks.get().stopped_at is None
    assert Notification.objects.filter(recipient=cast.olga, tag="preexam:case:assigned").exists()


def test_reassignment_refusals(cast: Cast) -> None:
    case = submitted_case(cast)
    with pytest.raises(InvalidInput) as caught:
        case_reassign(case=case, examiner=cast.olga, actor=cast.alice, reason=" ")
    assert "reason" in caught.value.errors
    # Olga has no competence: refused unless the manager confirms it.
    with pytest.raises(InvalidInput) as caught:
        case_reassign(case=case, examiner=cast.olga, actor=cast.alice, reason="leave")
    assert "examiner" in caught.value.errors
    case_reassign(case=case, examiner=cast.olga, actor=cast.alice, reason="leave", confirmed=True)
    # Pete examines at Pudong.
    with pytest.raises(InvalidInput):
        case_reassign(case=case, examiner=cast.pete, actor=cast.alice, reason="x", confirmed=True)
    # Bob declared a conflict in the meantime.
    conflict_declare(examiner=cast.bob, organization=cast.ent_a, reason="Shares.")
    with pytest.raises(InvalidInput):
        case_reassign(case=case, examiner=cast.bob, actor=cast.alice, reason="x", confirmed=True)
    # Not a manager of the case's center.
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        case_reassign(case=case, examiner=cast.olga, actor=cast.carol, reason="x")


def test_a_decided_case_is_not_reassigned(cast: Cast) -> None:
    case = submitted_case(cast)
    services.case_not_accept(case=case, actor=cast.bob, reason="No.")
    with pytest.raises(Conflict):
        case_reassign(case=case, examiner=cast.olga, actor=cast.alice, reason="x", confirmed=True)


def test_the_api_reassigns(cast: Cast) -> None:
    case = submitted_case(cast)
    competent(cast.olga, "A61B")
    url = f"/api/v1/preexam/cases/{case.pk}/assign"
    body = {"examiner_id": cast.olga.pk, "reason": "leave"}
    assert (
        client_for(cast.carol)
        .post(url, json.dumps(body), content_type="application/json")
        .status_code
        == 404
    )
    assert (
        client_for(cast.bob)
        .post(url, json.dumps(body), content_type="application/json")
        .status_code
        == 404
    )
    response = client_for(cast.alice).post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["examiner_id"] == cast.olga.pk


def test_a_new_examiner_becomes_assignable(cast: Cast) -> None:
    ready(cast)
    competent(cast.bob)
    newcomer = make_person("nadia", Role.PRE_EXAMINER, cast.shanghai.organization)
    competent(newcomer, "A61B")
    assert submitted_case(cast).examiner == newcomer


# --- conflicts through the API --------------------------------------------------------------


def test_examiners_declare_and_withdraw_conflicts_through_the_api(cast: Cast) -> None:
    client = client_for(cast.bob)
    response = client.post(
        "/api/v1/preexam/conflicts",
        json.dumps({"organization_id": cast.ent_a.pk, "reason": "My brother works there."}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    conflict_id = response.json()["id"]
    assert AuditEvent.objects.filter(tag="preexam:conflict:declared").exists()
    again = client.post(
        "/api/v1/preexam/conflicts",
        json.dumps({"organization_id": cast.ent_a.pk, "reason": "again"}),
        content_type="application/json",
    )
    assert again.status_code == 422
    listed = client_for(cast.alice).get("/api/v1/preexam/conflicts").json()
    assert [c["id"] for c in listed] == [conflict_id]
    assert client_for(cast.carol).get("/api/v1/preexam/conflicts").json() == []
    assert (
        client_for(cast.olga).post(f"/api/v1/preexam/conflicts/{conflict_id}/withdraw").status_code
        == 404
    )
    response = client.post(f"/api/v1/preexam/conflicts/{conflict_id}/withdraw")
    assert response.status_code == 200 and response.json()["withdrawn_at"]
    assert client.post(f"/api/v1/preexam/conflicts/{conflict_id}/withdraw").status_code == 409
    assert ExaminerConflict.objects.get().withdrawn_at is not None
    assert Case.objects.count() == 0
