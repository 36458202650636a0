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

from ipcenter.accounts.roles import Perm
from ipcenter.audit.services import audit_record
from ipcenter.lib.workflow import Workflow, apply_move
from ipcenter.preexam.models import Case, CaseEvent, CaseState

S = CaseState


class Actor(StrEnum):
    APPLICANT = "applicant"  # the applicant's organization or its agency
    EXAMINER = "examiner"  # the assigned pre-examiner
    MANAGER = "manager"  # a manager of the case's center
    SYSTEM = "system"  # a periodic job


ACTOR_PERMS: dict[str, Perm] = {
    Actor.APPLICANT: Perm.CASE_SUBMIT,
    Actor.EXAMINER: Perm.CASE_EXAMINE,
    Actor.MANAGER: Perm.CASE_MANAGE,
}

A, E, M = Actor.APPLICANT, Actor.EXAMINER, Actor.MANAGER

# (from, to) -> who may make the move.
TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
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


CASE_WORKFLOW = Workflow(
    states=CaseState,
    transitions=TRANSITIONS,
    actor_perms=ACTOR_PERMS,
    system=Actor.SYSTEM,
    illegal_move=_("A case that is “%(from)s” cannot become “%(to)s”."),
)
allowed_moves = CASE_WORKFLOW.allowed_moves
actor_kinds = CASE_WORKFLOW.actor_kinds
moves_for = CASE_WORKFLOW.moves_for


def require_agency_mandate(case: Case, actor: Any) -> None:
    """An agent acts on an existing case (amends, withdraws, records the national office's events
    and responses) only under an engagement in force for amendments and responses. The
    enterprise's own people and the center's staff are not concerned."""
    from ipcenter.accounts.access import AccessScope, can
    from ipcenter.filings.models import EngagementActivity
    from ipcenter.filings.selectors import engagements_covering

    if not case.agency_id or not getattr(actor, "is_authenticated", False):
        return
    if actor_kinds(actor, case) & {Actor.EXAMINER, Actor.MANAGER}:
        return
    if can(actor, Perm.CASE_SUBMIT, AccessScope(organization_id=case.organization_id)):
        return
    if not engagements_covering(
        enterprise=case.organization_id,
        agency=case.agency_id,
        center=case.center_id,
        activity=EngagementActivity.RESPONSES,
    ).exists():
        raise PermissionDenied(Perm.CASE_SUBMIT.value)


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
        CASE_WORKFLOW.check_move(locked, to, actor)
        require_agency_mandate(locked, actor)
        if guard is not None:
            guard(locked)
        old, new = apply_move(locked, to, updates)
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
