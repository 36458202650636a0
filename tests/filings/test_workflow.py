"""The filing workflow: every allowed move, every illegal one, who may move, history and audit."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from ipcenter.audit.models import AuditEvent
from ipcenter.filings.models import EntityFiling, FilingEvent, FilingState
from ipcenter.filings.workflow import TRANSITIONS, Actor, filing_transition, moves_for
from ipcenter.lib.errors import Conflict
from ipcenter.notifications.models import Notification
from tests.conftest import Cast
from tests.filings.factories import draft, in_state

S = FilingState
ILLEGAL = [
    (frm, to)
    for frm, to in itertools.product(S.values, S.values)
    if (frm, to) not in TRANSITIONS and frm != to
]


def _at(cast: Cast, state: str) -> EntityFiling:
    """A filing put in `state` directly: only to test what may leave that state."""
    filing = draft(cast, documents=True)
    EntityFiling.objects.filter(pk=filing.pk).update(state=state)
    filing.refresh_from_db()
    return filing


def _actor(cast: Cast, kinds: frozenset[Actor]) -> object:
    if Actor.ENTITY in kinds:
        return cast.dave
    if Actor.MANAGER in kinds:
        return cast.alice
    return None


@pytest.mark.parametrize(("frm", "to"), list(TRANSITIONS))
def test_every_allowed_move(cast: Cast, frm: str, to: str) -> None:
    filing = _at(cast, frm)
    actor = _actor(cast, TRANSITIONS[(frm, to)])
    events = AuditEvent.objects.filter(tag=f"filings:filing:{to}").count()
    moved = filing_transition(filing=filing, to=to, actor=actor, reason="because")
    assert moved.state == to
    assert EntityFiling.objects.get(pk=filing.pk).state == to
    event = FilingEvent.objects.filter(filing=filing).last()
    assert event is not None
    assert (event.from_state, event.to_state, event.reason) == (frm, to, "because")
    assert AuditEvent.objects.filter(tag=f"filings:filing:{to}").count() == events + 1


@pytest.mark.parametrize(("frm", "to"), ILLEGAL)
def test_every_illegal_move_is_a_conflict(cast: Cast, frm: str, to: str) -> None:
    filing = _at(cast, frm)
    before = AuditEvent.objects.count()
    for actor in (cast.dave, cast.alice, None):
        with pytest.raises(Conflict):
            filing_transition(filing=filing, to=to, actor=actor)
    assert EntityFiling.objects.get(pk=filing.pk).state == frm
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(("frm", "to"), list(TRANSITIONS))
def test_only_the_named_actors_may_move(cast: Cast, frm: str, to: str) -> None:
    allowed = TRANSITIONS[(frm, to)]
    filing = _at(cast, frm)
    people = {Actor.ENTITY: cast.dave, Actor.MANAGER: cast.alice}
    for kind, person in people.items():
        if kind not in allowed:
            with pytest.raises(PermissionDenied):
                filing_transition(filing=filing, to=to, actor=person)
    # Neither the applicant (no apply right) nor another center's manager may move it.
    for outsider in (cast.erin, cast.carol, cast.frank):
        with pytest.raises(PermissionDenied):
            filing_transition(filing=filing, to=to, actor=outsider)
    if Actor.SYSTEM not in allowed:
        with pytest.raises(PermissionDenied):
            filing_transition(filing=filing, to=to, actor=None)


def test_the_buttons_follow_the_table(cast: Cast) -> None:
    filing = in_state(cast, S.SUBMITTED)
    assert set(moves_for(cast.alice, filing)) == {S.NEEDS_SUPPLEMENT, S.APPROVED, S.REJECTED}
    assert moves_for(cast.dave, filing) == [S.WITHDRAWN]
    assert moves_for(cast.carol, filing) == []
    assert moves_for(cast.erin, filing) == []


def test_moves_are_told_to_the_other_side(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        filing = in_state(cast, S.SUBMITTED)
    assert Notification.objects.filter(
        recipient=cast.alice, tag="filings:filing:submitted"
    ).exists()
    assert not Notification.objects.filter(recipient=cast.dave, tag="filings:filing:submitted")
    with django_capture_on_commit_callbacks(execute=True):
        filing_transition(filing=filing, to=S.NEEDS_SUPPLEMENT, actor=cast.alice, reason="b")
    note = Notification.objects.get(recipient=cast.dave, tag="filings:filing:needs_supplement")
    assert "b" in note.body and "甲医疗器械有限公司" in note.subject


def test_a_full_life_leaves_history_and_audit(cast: Cast) -> None:
    filing = in_state(cast, S.WITHDRAWN)
    moves = list(FilingEvent.objects.filter(filing=filing).values_list("from_state", "to_state"))
    assert moves == [
        ("", S.DRAFT),
        (S.DRAFT, S.SUBMITTED),
        (S.SUBMITTED, S.APPROVED),
        (S.APPROVED, S.ACTIVE),
        (S.ACTIVE, S.WITHDRAWN),
    ]
    tags = set(
        AuditEvent.objects.filter(
            subject_id=str(filing.pk), tag__startswith="filings:filing:"
        ).values_list("tag", flat=True)
    )
    assert {
        "filings:filing:created",
        "filings:filing:document_attached",
        "filings:filing:submitted",
        "filings:filing:approved",
        "filings:filing:active",
        "filings:filing:withdrawn",
    } <= tags
