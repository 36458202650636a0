"""Review: every move from submitted to a decision, by the right person only, from the right state
only (409 otherwise), with its clocks, opinion, amendment and diff."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ipcenter.audit.models import AuditEvent
from ipcenter.lib.errors import Conflict, InvalidInput
from ipcenter.notifications.models import Notification
from ipcenter.patents.samples import seeded_defect
from ipcenter.preexam import services
from ipcenter.preexam.diff import text_diff, version_diff
from ipcenter.preexam.models import Case, CaseState, Clock, ClockKind, Finding, PatentType
from ipcenter.preexam.services import OpinionItemIn
from ipcenter.preexam.workflow import TRANSITIONS, moves_for
from tests.conftest import Cast, client_for
from tests.preexam.factories import (
    SAMPLE,
    accepted_case,
    amended_case,
    docx_bytes,
    opinion_case,
    opinion_items,
    sample_upload,
    submitted_case,
    upload,
)

# These tests read the English messages.
pytestmark = pytest.mark.usefixtures("in_english")

S = CaseState

# The moves this part of the workflow makes (the fast track after qualification is tested apart).
REVIEW_STATES = {
    S.SUBMITTED,
    S.ACCEPTED,
    S.NOT_ACCEPTED,
    S.OPINION_ISSUED,
    S.AMENDED,
    S.QUALIFIED,
    S.UNQUALIFIED,
    S.WITHDRAWN,
}

OPINION = {
    "summary": "Claim 1 lacks novelty.",
    "items": [
        {"aspect": "novelty", "satisfied": False, "claims": "1", "text": "D1 shows claim 1."},
        {"aspect": "inventive_step", "satisfied": True},
        {"aspect": "clarity_support", "satisfied": True},
        {"aspect": "unity", "satisfied": True},
    ],
}

# API path -> (payload, the state it leads to)
MOVES: dict[str, tuple[dict[str, Any] | None, str]] = {
    "accept": (None, S.ACCEPTED),
    "not-accept": ({"reason": "Out of scope."}, S.NOT_ACCEPTED),
    "opinion": (OPINION, S.OPINION_ISSUED),
    "qualify": (None, S.QUALIFIED),
    "unqualify": ({"reason": "Not novel."}, S.UNQUALIFIED),
    "withdraw": ({"reason": "We file abroad first."}, S.WITHDRAWN),
}


def _post(client: Client, case: Case, move: str, payload: dict[str, Any] | None = None) -> Any:
    return client.post(
        f"/api/v1/preexam/cases/{case.pk}/{move}",
        json.dumps(payload or {}),
        content_type="application/json",
    )


def _amend(client: Client, case: Case, data: bytes | None = None) -> Any:
    return client.post(
        f"/api/v1/preexam/cases/{case.pk}/amend",
        {"note": "narrowed", "claims": sample_upload(SAMPLE, data)},
    )


def _build(cast: Cast, state: str) -> Case:
    if state == S.SUBMITTED:
        return submitted_case(cast)
    if state == S.ACCEPTED:
        return accepted_case(cast)
    if state == S.OPINION_ISSUED:
        return opinion_case(cast)
    if state == S.AMENDED:
        return amended_case(cast)
    raise AssertionError(state)


def test_the_review_moves_are_the_table() -> None:
    review = {(f, t) for (f, t) in TRANSITIONS if f in REVIEW_STATES and t in REVIEW_STATES}
    assert review == {
        (S.SUBMITTED, S.ACCEPTED),
        (S.SUBMITTED, S.NOT_ACCEPTED),
        (S.ACCEPTED, S.OPINION_ISSUED),
        (S.ACCEPTED, S.QUALIFIED),
        (S.ACCEPTED, S.UNQUALIFIED),
        (S.OPINION_ISSUED, S.AMENDED),
        (S.OPINION_ISSUED, S.UNQUALIFIED),
        (S.AMENDED, S.QUALIFIED),
        (S.AMENDED, S.UNQUALIFIED),
        (S.SUBMITTED, S.WITHDRAWN),
        (S.ACCEPTED, S.WITHDRAWN),
        (S.OPINION_ISSUED, S.WITHDRAWN),
        (S.AMENDED, S.WITHDRAWN),
    }


# Who makes each allowed move (the first is served, the others are refused with 403).
ACTORS = {"examiner": "bob", "manager": "alice", "applicant": "erin"}
MOVE_ACTORS: dict[tuple[str, str], tuple[str, ...]] = {
    (S.SUBMITTED, "accept"): ("bob", "alice"),
    (S.SUBMITTED, "not-accept"): ("bob", "alice"),
    (S.ACCEPTED, "opinion"): ("bob",),
    (S.ACCEPTED, "qualify"): ("bob",),
    (S.ACCEPTED, "unqualify"): ("bob",),
    (S.OPINION_ISSUED, "unqualify"): ("bob",),
    (S.AMENDED, "qualify"): ("bob",),
    (S.AMENDED, "unqualify"): ("bob",),
    (S.SUBMITTED, "withdraw"): ("erin", "dave"),
    (S.ACCEPTED, "withdraw"): ("erin",),
    (S.OPINION_ISSUED, "withdraw"): ("grace",),
    (S.AMENDED, "withdraw"): ("erin",),
}


@pytest.mark.parametrize(
    ("state", "move", "who"),
    [(s, m, w) for (s, m), people in MOVE_ACTORS.items() for w in people],
)
def test_each_allowed_move_is_served(cast: Cast, state: str, move: str, who: str) -> None:
    case = _build(cast, state)
    if who == "grace":
        case.agency = cast.agency
        Case.objects.filter(pk=case.pk).update(agency=cast.agency)
    payload, target = MOVES[move]
    response = _post(client_for(getattr(cast, who)), case, move, payload)
    assert response.status_code in (200, 201), response.content
    case.refresh_from_db()
    assert case.state == target
    assert case.events.filter(to_state=target).exists()
    assert AuditEvent.objects.filter(tag=f"preexam:case:{target}", subject_id=str(case.pk)).exists()


@pytest.mark.parametrize(("state", "move"), list(MOVE_ACTORS))
def test_the_wrong_side_is_refused(cast: Cast, state: str, move: str) -> None:
    case = _build(cast, state)
    allowed = set(MOVE_ACTORS[(state, move)])
    payload, _target = MOVES[move]
    for who in ("bob", "alice", "erin"):
        if who in allowed or (who == "erin" and "grace" in allowed):
            continue
        response = _post(client_for(getattr(cast, who)), case, move, payload)
        assert response.status_code == 403, (who, response.content)
    case.refresh_from_db()
    assert case.state == state


@pytest.mark.parametrize("state", [S.SUBMITTED, S.ACCEPTED, S.OPINION_ISSUED, S.AMENDED])
def test_moves_not_in_the_table_answer_409(cast: Cast, state: str) -> None:
    case = _build(cast, state)
    for move, (payload, target) in MOVES.items():
        if (state, target) in TRANSITIONS:
            continue
        who = "erin" if move == "withdraw" else "bob"
        response = _post(client_for(getattr(cast, who)), case, move, payload)
        assert response.status_code == 409, (move, response.content)
        assert "cannot become" in response.json()["detail"]
    case.refresh_from_db()
    assert case.state == state


@pytest.mark.parametrize("final", ["not-accept", "unqualify", "withdraw", "qualify"])
def test_decided_cases_take_no_more_review_moves(cast: Cast, final: str) -> None:
    case = submitted_case(cast) if final in ("not-accept", "withdraw") else accepted_case(cast)
    payload, _ = MOVES[final]
    who = "erin" if final == "withdraw" else "bob"
    assert _post(client_for(getattr(cast, who)), case, final, payload).status_code == 200
    for move, (payload, _target) in MOVES.items():
        who = "erin" if move == "withdraw" else "bob"
        assert _post(client_for(getattr(cast, who)), case, move, payload).status_code == 409
    assert _amend(client_for(cast.erin), case).status_code == 409


def test_another_examiner_gets_404(cast: Cast) -> None:
    case = submitted_case(cast)
    response = _post(client_for(cast.olga), case, "accept")
    missing = client_for(cast.olga).post(
        "/api/v1/preexam/cases/999999999/accept", "{}", content_type="application/json"
    )
    assert response.status_code == missing.status_code == 404
    assert response.content == missing.content


def test_accept_sets_accepted_at_and_keeps_the_decision_clock(cast: Cast) -> None:
    case = accepted_case(cast)
    assert case.accepted_at is not None
    assert Clock.objects.get(case=case, stopped_at__isnull=True).kind == ClockKind.DECISION


def test_reasons_are_required(cast: Cast) -> None:
    case = submitted_case(cast)
    for move in ("not-accept", "withdraw"):
        who = "erin" if move == "withdraw" else "bob"
        response = _post(client_for(getattr(cast, who)), case, move, {"reason": "  "})
        assert response.status_code == 422
        assert "reason" in response.json()["errors"]


def test_not_accepted_stops_every_clock(cast: Cast) -> None:
    case = submitted_case(cast)
    services.case_not_accept(case=case, actor=cast.alice, reason="Not our field.")
    assert not Clock.objects.filter(case=case, stopped_at__isnull=True).exists()


def test_an_opinion_swaps_the_decision_clock_for_the_amendment_clock(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    case = accepted_case(cast)
    with django_capture_on_commit_callbacks(execute=True):
        opinion = services.case_opinion_issue(
            case=case, actor=cast.bob, summary="Amend.", items=opinion_items()
        )
    assert opinion.items.count() == 4 and opinion.version.number == 1
    running = Clock.objects.get(case=case, stopped_at__isnull=True)
    assert running.kind == ClockKind.AMENDMENT
    assert Clock.objects.get(case=case, kind=ClockKind.DECISION).stopped_at is not None
    note = Notification.objects.get(recipient=cast.erin, tag="preexam:case:moved")
    assert note.due_on == running.due_on


@pytest.mark.parametrize(
    ("items", "key"),
    [
        ([OpinionItemIn("novelty", False, text="x")], "items"),
        (opinion_items(PatentType.UTILITY_MODEL), "items"),
        ([OpinionItemIn(i.aspect, True) for i in opinion_items()], "items"),
        ([OpinionItemIn(i.aspect, i.satisfied) for i in opinion_items()], "items.novelty"),
    ],
)
def test_an_opinion_must_address_the_right_aspects(
    cast: Cast, items: list[OpinionItemIn], key: str
) -> None:
    case = accepted_case(cast)
    with pytest.raises(InvalidInput) as caught:
        services.case_opinion_issue(case=case, actor=cast.bob, summary="Amend.", items=items)
    assert key in caught.value.errors
    case.refresh_from_db()
    assert case.state == S.ACCEPTED


def test_utility_models_take_obvious_defects_and_novelty(cast: Cast) -> None:
    case = accepted_case(cast, patent_type=PatentType.UTILITY_MODEL)
    services.case_opinion_issue(
        case=case,
        actor=cast.bob,
        summary="Amend.",
        items=opinion_items(PatentType.UTILITY_MODEL, unsatisfied="obvious_defects"),
    )
    case.refresh_from_db()
    assert case.state == S.OPINION_ISSUED


def test_the_applicant_amends_once_and_findings_are_rerun(cast: Cast) -> None:
    case = opinion_case(cast, data=seeded_defect(SAMPLE, "claim_forward_reference"))
    assert Finding.objects.filter(version__number=1, code="claim_reference_forward").exists()
    response = _amend(client_for(cast.erin), case)
    assert response.status_code == 201, response.content
    assert response.json()["number"] == 2
    case.refresh_from_db()
    assert case.state == S.AMENDED
    version = case.versions.get(number=2)
    assert not version.findings.filter(code="claim_reference_forward").exists()
    # The claims were replaced; the parts not amended carry over.
    assert version.documents.count() == 2
    assert {d.part for d in version.documents.all()} == {"full", "claims"}
    running = Clock.objects.get(case=case, stopped_at__isnull=True)
    assert running.kind == ClockKind.DECISION
    assert Clock.objects.get(case=case, kind=ClockKind.AMENDMENT).stopped_at is not None
    # A second amendment is not part of the procedure.
    second = _amend(client_for(cast.erin), case)
    assert second.status_code == 409
    assert case.versions.count() == 2


def test_a_second_amendment_is_refused_by_the_service_too(cast: Cast) -> None:
    case = amended_case(cast)
    with pytest.raises(Conflict):
        services.case_amend(case=case, actor=cast.erin, files=[("claims", sample_upload())])


def test_the_examiner_cannot_amend(cast: Cast) -> None:
    case = opinion_case(cast)
    with pytest.raises(PermissionDenied):
        services.case_amend(case=case, actor=cast.bob, files=[("claims", sample_upload())])
    assert _amend(client_for(cast.bob), case).status_code == 403


def test_qualify_starts_the_cnipa_filing_clock(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    case = amended_case(cast)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_qualify(case=case, actor=cast.bob)
    case.refresh_from_db()
    assert case.state == S.QUALIFIED and case.qualified_on and case.decided_at
    running = Clock.objects.get(case=case, stopped_at__isnull=True)
    assert running.kind == ClockKind.CNIPA_FILING and running.started_on == case.qualified_on
    assert Notification.objects.filter(recipient=cast.erin, due_on=running.due_on).exists()
    assert Notification.objects.filter(recipient=cast.dave, due_on=running.due_on).exists()


def test_unqualify_sets_decided_at_and_stops_the_clocks(cast: Cast) -> None:
    case = opinion_case(cast)
    services.case_unqualify(case=case, actor=cast.bob, reason="No answer in time.")
    case.refresh_from_db()
    assert case.state == S.UNQUALIFIED and case.decided_at and not case.qualified_on
    assert not Clock.objects.filter(case=case, stopped_at__isnull=True).exists()


def test_moves_for_shows_the_buttons(cast: Cast) -> None:
    case = submitted_case(cast)
    assert set(moves_for(cast.bob, case)) == {S.ACCEPTED, S.NOT_ACCEPTED}
    assert set(moves_for(cast.erin, case)) == {S.WITHDRAWN}
    assert moves_for(cast.olga, case) == []


# --- diff ---------------------------------------------------------------------------------


def test_text_diff_highlights_words() -> None:
    diff = text_diff("A gripper with two jaws.", "A gripper with three jaws.")
    assert [(s.op, s.text) for s in diff.segments if s.op != "equal"] == [
        ("delete", "two"),
        ("insert", "three"),
    ]
    chinese = text_diff("一种机械手", "一种新型机械手")
    assert [(s.op, s.text) for s in chinese.segments if s.op != "equal"] == [("insert", "新型")]


def test_version_diff_matches_claims_by_number() -> None:
    old = {"claims": [{"number": 1, "text": "A"}, {"number": 2, "text": "B"}], "abstract": "x"}
    new = {"claims": [{"number": 1, "text": "A"}, {"number": 3, "text": "C"}], "abstract": "x y"}
    diff = version_diff(old, new)
    assert [(c.number, c.status) for c in diff.claims] == [
        (1, "unchanged"),
        (2, "removed"),
        (3, "added"),
    ]
    assert diff.abstract.changed


def test_the_diff_of_an_amendment(cast: Cast) -> None:
    first = docx_bytes(
        claims=[
            "A gripper comprising two jaws (1, 2).",
            "The gripper of claim 1, with a motor (3).",
        ]
    )
    case = opinion_case(cast, data=first)
    second = docx_bytes(
        claims=[
            "A gripper comprising three jaws (1, 2).",
            "The gripper of claim 1, with a motor (3).",
        ],
        abstract="A gripper with three jaws driven by a motor (3).",
    )
    response = client_for(cast.erin).post(
        f"/api/v1/preexam/cases/{case.pk}/amend", {"full": upload("amended.docx", second)}
    )
    assert response.status_code == 201, response.content
    diff = client_for(cast.bob).get(f"/api/v1/preexam/cases/{case.pk}/diff?from=1&to=2").json()
    assert [(c["number"], c["status"]) for c in diff["claims"]] == [
        (1, "changed"),
        (2, "unchanged"),
    ]
    ops = {(s["op"], s["text"]) for s in diff["claims"][0]["segments"]}
    assert ("delete", "two") in ops and ("insert", "three") in ops
    assert diff["abstract_changed"] is True
    assert (
        client_for(cast.bob).get(f"/api/v1/preexam/cases/{case.pk}/diff?from=1&to=7").status_code
        == 422
    )
    page = client_for(cast.erin).get(f"/preexam/cases/{case.pk}/diff/?from=1&to=2")
    assert page.status_code == 200
    assert b'<del class="diff-del">two</del>' in page.content
    assert b'<ins class="diff-ins">three</ins>' in page.content


def test_case_lists_cost_the_same_queries_however_many_cases(cast: Cast) -> None:
    """The due date comes from the list's annotation, closed cases without a clock included."""
    client = client_for(cast.erin)
    urls = ("/api/v1/preexam/cases", "/preexam/cases/")

    def queries() -> dict[str, int]:
        counts = {}
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            counts[url] = len(ctx)
        return counts

    running = submitted_case(cast)
    closed = submitted_case(cast)
    services.case_withdraw(case=closed, actor=cast.erin, reason="We file abroad first.")
    few = queries()
    for _ in range(2):
        more = submitted_case(cast)
        services.case_withdraw(case=more, actor=cast.erin, reason="We file abroad first.")
    assert queries() == few
    due = {row["id"]: row["due_on"] for row in client.get(urls[0]).json()}
    assert due[closed.pk] is None
    clock = Clock.objects.get(case=running, stopped_at__isnull=True)
    assert due[running.pk] == clock.due_on.isoformat()
