"""Reads for people and roles."""

from __future__ import annotations

from django.db.models import QuerySet

from ipcenter.accounts.access import AnyUser, can, centers_with
from ipcenter.accounts.models import RoleGrantRequest
from ipcenter.accounts.roles import Perm


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
