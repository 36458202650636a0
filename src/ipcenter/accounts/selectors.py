"""Reads for people and roles."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ipcenter.accounts.access import AnyUser, can, centers_with
from ipcenter.accounts.models import RoleGrantRequest, User
from ipcenter.accounts.roles import ROLE_PERMISSIONS, Perm


def role_requests_for(user: AnyUser) -> QuerySet[RoleGrantRequest]:
    """The role requests a person may see: every one for a system administrator, those of their
    centers for a center manager, none for anyone else."""
    rows = RoleGrantRequest.objects.select_related(
        "user", "organization", "center", "requested_by", "decided_by"
    ).order_by("-requested_at")
    if can(user, Perm.USER_MANAGE):
        return rows
    center_ids = centers_with(user, Perm.ROLE_APPROVE)
    if center_ids is None:
        return rows.filter(center__isnull=False)
    return rows.filter(center_id__in=center_ids)


def may_see_role_requests(user: AnyUser) -> bool:
    return can(user, Perm.USER_MANAGE) or can(user, Perm.ROLE_APPROVE)


def _roles_with(perm: Perm) -> list[str]:
    return [role for role, perms in ROLE_PERMISSIONS.items() if perm in perms]


def role_request_approvers(grant_request: RoleGrantRequest) -> list[User]:
    """Who may approve the request (see workflow.RoleRequestWorkflow): the system administrators
    and, for a role bound to a center, that center's managers; never the one who asked nor the
    one who would get the role."""
    holds = Q(memberships__role__in=_roles_with(Perm.USER_MANAGE))
    if grant_request.center_id is not None:
        # A membership without a center spans every center (see access.can).
        holds |= Q(memberships__role__in=_roles_with(Perm.ROLE_APPROVE)) & (
            Q(memberships__center_id=grant_request.center_id) | Q(memberships__center__isnull=True)
        )
    # One filter, so that the role, the center and is_active are those of the same membership.
    people = User.objects.filter(Q(memberships__is_active=True) & holds, is_active=True)
    return list(
        people.exclude(pk__in=[grant_request.requested_by_id, grant_request.user_id])
        .distinct()
        .order_by("pk")
    )
