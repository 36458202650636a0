"""The filing workflow as data, and the one function that moves a filing.

Every state change of an entity filing goes through `filing_transition()`: it locks the row,
checks the move against TRANSITIONS and the actor's standing on the filing, writes the new state,
a FilingEvent (the history the entity and the center read) and the audit event in one
transaction, and tells the people concerned after commit.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ipcenter.accounts.roles import Perm
from ipcenter.audit.services import audit_record
from ipcenter.filings.models import EntityFiling, FilingEvent, FilingState
from ipcenter.lib.workflow import Workflow, apply_move

S = FilingState


class Actor(StrEnum):
    ENTITY = "entity"  # the filing organization's administrator
    MANAGER = "manager"  # a manager of the filing's center
    SYSTEM = "system"  # a periodic job


ACTOR_PERMS: dict[str, Perm] = {
    Actor.ENTITY: Perm.FILING_APPLY,
    Actor.MANAGER: Perm.FILING_REVIEW,
}

E, M, SYS = Actor.ENTITY, Actor.MANAGER, Actor.SYSTEM

# (from, to) -> who may make the move.
TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (S.DRAFT, S.SUBMITTED): frozenset({E}),
    (S.SUBMITTED, S.NEEDS_SUPPLEMENT): frozenset({M}),
    (S.SUBMITTED, S.APPROVED): frozenset({M}),
    (S.SUBMITTED, S.REJECTED): frozenset({M}),
    (S.NEEDS_SUPPLEMENT, S.SUBMITTED): frozenset({E}),
    # At approval when the filing is in force from today, else by the daily job on active_from.
    (S.APPROVED, S.ACTIVE): frozenset({M, SYS}),
    # A manager suspends by hand; the sanctions assessment suspends (run by a manager or the job).
    (S.ACTIVE, S.SUSPENDED): frozenset({M, SYS}),
    # The suspension ends (the daily job, on suspended_until) or a manager lifts it.
    (S.SUSPENDED, S.ACTIVE): frozenset({M, SYS}),
    (S.ACTIVE, S.CANCELLED): frozenset({M, SYS}),
    (S.SUSPENDED, S.CANCELLED): frozenset({M, SYS}),
    # Voluntary withdrawal by the entity, at any point while the filing is open.
    (S.DRAFT, S.WITHDRAWN): frozenset({E}),
    (S.SUBMITTED, S.WITHDRAWN): frozenset({E}),
    (S.NEEDS_SUPPLEMENT, S.WITHDRAWN): frozenset({E}),
    (S.APPROVED, S.WITHDRAWN): frozenset({E}),
    (S.ACTIVE, S.WITHDRAWN): frozenset({E}),
    (S.SUSPENDED, S.WITHDRAWN): frozenset({E}),
}

FILING_WORKFLOW = Workflow(
    states=FilingState,
    transitions=TRANSITIONS,
    actor_perms=ACTOR_PERMS,
    system=Actor.SYSTEM,
    illegal_move=_("A filing that is “%(from)s” cannot become “%(to)s”."),
)
moves_for = FILING_WORKFLOW.moves_for


def filing_transition(
    *,
    filing: EntityFiling,
    to: str,
    actor: Any,
    reason: str = "",
    updates: dict[str, Any] | None = None,
    guard: Callable[[EntityFiling], None] | None = None,
) -> EntityFiling:
    """Move `filing` to state `to`, or raise Conflict (illegal move) / PermissionDenied (wrong
    actor). `actor` None is the system (a periodic job).

    `updates` are further fields written with the move; `guard` runs on the locked row and may
    raise a DomainError to refuse.
    """
    with transaction.atomic():
        locked = (
            EntityFiling.objects.select_for_update()
            .select_related("center", "organization")
            .get(pk=filing.pk)
        )
        frm = locked.state
        FILING_WORKFLOW.check_move(locked, to, actor)
        if guard is not None:
            guard(locked)
        old, new = apply_move(locked, to, updates)
        locked.save()
        FilingEvent.objects.create(
            filing=locked, from_state=frm, to_state=to, actor=actor, reason=reason
        )
        audit_record(
            actor=actor,
            tag=f"filings:filing:{to}",
            subject=locked,
            old=old,
            new=new | ({"reason": reason} if reason else {}),
            organization=locked.organization,
            center=locked.center,
        )
        transaction.on_commit(lambda: notify_move(filing=locked, actor=actor, reason=reason))
    for field in ["state", *(updates or {})]:
        setattr(filing, field, getattr(locked, field))
    return locked


# --- who hears of a move --------------------------------------------------------------------

# Moves the entity makes are for the center's managers; every other move is for the entity.
_TO_MANAGERS = frozenset({S.SUBMITTED, S.WITHDRAWN})


def notify_move(*, filing: EntityFiling, actor: Any, reason: str) -> None:
    from ipcenter.filings.selectors import center_managers, entity_admins
    from ipcenter.notifications.services import notify

    state = filing.state
    recipients = center_managers(filing.center) if state in _TO_MANAGERS else []
    if state not in (S.SUBMITTED,):
        recipients = [*recipients, *entity_admins(filing.organization)]
    url = reverse("filings:detail", args=[filing.pk])
    for person in {r.pk: r for r in recipients}.values():
        if actor is not None and person.pk == getattr(actor, "pk", None):
            continue

        def subject() -> str:
            return gettext("Filing of %(entity)s with %(center)s: %(state)s") % {
                "entity": filing.legal_name,
                "center": filing.center.localized_name(translation.get_language() or ""),
                "state": S(state).label,
            }

        def body() -> str:
            return gettext("Reason: %(reason)s") % {"reason": reason} if reason else ""

        notify(recipient=person, tag=f"filings:filing:{state}", subject=subject, body=body, url=url)
