"""Workflows as data: a transition table, who may make each move, and the checks that every
guarded transition function runs on its locked row.

Each area keeps its own transition function (it writes its own history rows and notices); this
holds what they share, so that the rule "an illegal move is a 409, a wrong actor a 403" is
written once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import models

from ipcenter.lib.errors import Conflict

if TYPE_CHECKING:  # the stubs name the lazy-string type; at run time it is Promise
    from django.utils.functional import _StrPromise as Promise

    from ipcenter.accounts.roles import Perm


@dataclass(frozen=True)
class Workflow:
    states: type[models.TextChoices]
    # (from, to) -> the kinds of actor who may make the move.
    transitions: Mapping[tuple[str, str], frozenset[str]]
    # Actor kind -> the permission (checked against the object) that makes someone that actor.
    actor_perms: Mapping[str, Perm]
    system: str  # the actor kind of periodic jobs (actor None)
    # "A case that is “%(from)s” cannot become “%(to)s”." in the area's words.
    illegal_move: Promise

    def allowed_moves(self, state: str) -> dict[str, frozenset[str]]:
        """The states an object may move to from `state`, and who may move it."""
        return {to: actors for (frm, to), actors in self.transitions.items() if frm == state}

    def actor_kinds(self, user: Any, obj: Any) -> set[str]:
        """What the user is on this object; a periodic job (user None) is the system."""
        from ipcenter.accounts.access import can

        if user is None:
            return {self.system}
        return {kind for kind, perm in self.actor_perms.items() if can(user, perm, obj)}

    def moves_for(self, user: Any, obj: Any) -> list[str]:
        """The moves this user may make now, for showing buttons."""
        kinds = self.actor_kinds(user, obj)
        return [to for to, actors in self.allowed_moves(obj.state).items() if actors & kinds]

    def label(self, state: str) -> str:
        return str(self.states(state).label) if state in self.states.values else state

    def check_move(self, locked: Any, to: str, actor: Any) -> None:
        """Refuse a move the table does not have (Conflict) or this actor may not make (403)."""
        actors = self.transitions.get((locked.state, to))
        if actors is None:
            raise Conflict(
                self.illegal_move % {"from": self.label(locked.state), "to": self.label(to)}
            )
        if not actors & self.actor_kinds(actor, locked):
            raise PermissionDenied(f"{locked._meta.label_lower}:transition")


def apply_move(
    locked: models.Model, to: str, updates: Mapping[str, Any] | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Write the new state and further fields on the locked row (not saved); old and new values
    for the audit event."""
    old: dict[str, Any] = {"state": locked.state}  # type: ignore[attr-defined]
    new: dict[str, Any] = {"state": to}
    for field, value in (updates or {}).items():
        old[field] = getattr(locked, field)
        setattr(locked, field, value)
        new[field] = value
    locked.state = to  # type: ignore[attr-defined]
    return old, new
