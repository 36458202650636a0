"""The role request workflow as data (the two-person rule, see roles.TWO_PERSON_ROLES).

Moves go through services.role_request_transition(). Who someone is on a request depends on who
they are, not only on their roles: the administrator who asked may only cancel, the person who
would get the role may do nothing, and a second person approves or rejects.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _

from ipcenter.accounts.models import RoleRequestState
from ipcenter.accounts.roles import Perm
from ipcenter.lib.workflow import Workflow

S = RoleRequestState


class Actor(StrEnum):
    REQUESTER = "requester"  # the administrator who asked
    APPROVER = "approver"  # another administrator, or a manager of the role's center


# (from, to) -> who may make the move.
TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (S.REQUESTED, S.APPROVED): frozenset({Actor.APPROVER}),
    (S.REQUESTED, S.REJECTED): frozenset({Actor.APPROVER}),
    (S.REQUESTED, S.CANCELLED): frozenset({Actor.REQUESTER}),
}


class RoleRequestWorkflow(Workflow):
    def actor_kinds(self, user: Any, obj: Any) -> set[str]:
        from ipcenter.accounts.access import can

        if user is None or not getattr(user, "is_authenticated", False):
            return set()
        if user.pk == obj.user_id:
            return set()  # nobody decides on a role for themselves
        if user.pk == obj.requested_by_id:
            return {Actor.REQUESTER} if can(user, Perm.USER_MANAGE) else set()
        if can(user, Perm.USER_MANAGE) or can(user, Perm.ROLE_APPROVE, obj):
            return {Actor.APPROVER}
        return set()


ROLE_REQUEST_WORKFLOW = RoleRequestWorkflow(
    states=RoleRequestState,
    transitions=TRANSITIONS,
    actor_perms={},
    system="system",
    illegal_move=_("A role request that is “%(from)s” cannot become “%(to)s”."),
)
moves_for = ROLE_REQUEST_WORKFLOW.moves_for
