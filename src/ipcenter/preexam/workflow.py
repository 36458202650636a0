"""The pre-examination workflow as data, and the one function that moves a case.

Every state change of a case goes through `case_transition()`: it locks the row, checks the move
against TRANSITIONS and the actor's standing on the case, writes the new state, a history row and
the audit event in one transaction, and leaves side effects (notifications) to run after commit.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ipcenter.accounts.access import can
from ipcenter.accounts.roles import Perm
from ipcenter.audit.services import audit_record
from ipcenter.lib.errors import Conflict
from ipcenter.preexam.models import Case, CaseEvent, CaseState

S = CaseState


class Actor(StrEnum):
    APPLICANT = "applicant"  # the applicant's organization or its agency
    EXAMINER = "examiner"  # the assigned pre-examiner
    MANAGER = "manager"  # a manager of the case's center
    SYSTEM = "system"  # a periodic job


ACTOR_PERMS: dict[Actor, Perm] = {
    Actor.APPLICANT: Perm.CASE_SUBMIT,
    Actor.EXAMINER: Perm.CASE_EXAMINE,
    Actor.MANAGER: Perm.CASE_MANAGE,
}

A, E, M = Actor.APPLICANT, Actor.EXAMINER, Actor.MANAGER

# (from, to) -> who may make the move.
TRANSITIONS: dict[tuple[str, str], frozenset[Actor]] = {
    (S.SUBMITTED, S.ACCEPTED): frozenset({E, M}),
    (S.SUBMITTED, S.NOT_ACCEPTED): frozenset({E, M}),
    (S.ACCEPTED, S.OPINION_ISSUED): frozenset({E}),
    (S.ACCEPTED, S.QUALIFIED): frozenset({E}),
    (S.ACCEPTED, S.UNQUALIFIED): frozenset({E}),
    # The applicant amends once; a second opinion round is not part of the fast procedure.
    (S.OPINION_ISSUED, S.AMENDED): frozenset({A}),
    # No amendment within the deadline (or the applicant gives up): the examiner concludes.
    (S.OPINION_ISSUED, S.UNQUALIFIED): frozenset({E}),
    (S.AMENDED, S.QUALIFIED): frozenset({E}),
    (S.AMENDED, S.UNQUALIFIED): frozenset({E}),
    (S.SUBMITTED, S.WITHDRAWN): frozenset({A}),
    (S.ACCEPTED, S.WITHDRAWN): frozenset({A}),
    (S.OPINION_ISSUED, S.WITHDRAWN): frozenset({A}),
    (S.AMENDED, S.WITHDRAWN): frozenset({A}),
    (S.QUALIFIED, S.FILED): frozenset({A, M}),
    # A voluntary amendment or bibliographic change before grant leaves the fast track.
    (S.FILED, S.OFF_TRACK): frozenset({A, M}),
    (S.FILED, S.GRANTED): frozenset({A, M}),
    (S.OFF_TRACK, S.GRANTED): frozenset({A, M}),
}

TERMINAL_STATES = frozenset({S.NOT_ACCEPTED, S.UNQUALIFIED, S.WITHDRAWN, S.GRANTED})
# Before a decision: the states in which the case is with the center.
OPEN_REVIEW_STATES = frozenset({S.SUBMITTED, S.ACCEPTED, S.OPINION_ISSUED, S.AMENDED})


def allowed_moves(state: str) -> dict[str, frozenset[Actor]]:
    """The states a case may move to from `state`, and who may move it."""
    return {to: actors for (frm, to), actors in TRANSITIONS.items() if frm == state}


def actor_kinds(user: Any, case: Case) -> set[Actor]:
    """What the user is on this case: applicant side, its examiner, a manager of its center."""
    if user is None:
        return {Actor.SYSTEM}
    return {kind for kind, perm in ACTOR_PERMS.items() if can(user, perm, case)}


def moves_for(user: Any, case: Case) -> list[str]:
    """The moves this user may make now, for showing buttons."""
    kinds = actor_kinds(user, case)
    return [to for to, actors in allowed_moves(case.state).items() if actors & kinds]


def case_transition(
    *,
    case: Case,
    to: str,
    actor: Any,
    reason: str = "",
    updates: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
    guard: Callable[[Case], None] | None = None,
    after_commit: Callable[[Case], None] | None = None,
) -> Case:
    """Move `case` to state `to`, or raise Conflict (illegal move) / PermissionDenied (wrong actor).

    `updates` are further fields written with the move; `guard` runs on the locked row and may
    raise a DomainError to refuse; `after_commit` runs once the transaction has committed.
    """
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        frm = locked.state
        actors = TRANSITIONS.get((frm, to))
        if actors is None:
            raise Conflict(
                _("A case that is “%(from)s” cannot become “%(to)s”.")
                % {"from": S(frm).label, "to": S(to).label if to in S.values else to}
            )
        if not actors & actor_kinds(actor, locked):
            raise PermissionDenied("preexam:case:transition")
        if guard is not None:
            guard(locked)
        old = {"state": frm}
        new: dict[str, Any] = {"state": to}
        for field, value in (updates or {}).items():
            old[field] = getattr(locked, field)
            setattr(locked, field, value)
            new[field] = value
        locked.state = to
        locked.save()
        CaseEvent.objects.create(
            case=locked,
            action=f"state:{to}",
            from_state=frm,
            to_state=to,
            actor=actor,
            reason=reason,
            data=data or {},
        )
        audit_record(
            actor=actor,
            tag=f"preexam:case:{to}",
            subject=locked,
            old=old,
            new=new | ({"reason": reason} if reason else {}),
            organization=locked.organization,
            center=locked.center,
        )
        if after_commit is not None:
            transaction.on_commit(lambda: after_commit(locked))
    case.refresh_from_db()
    return locked
