"""The access layer: every read and write asks here.

A permission (see roles.py) is granted by a role, then checked against the object's scope: its
center, its organization, or its owner. Objects declare their scope with `access_scope()`.
Fetching helpers answer "does not exist" and "not yours" with the same 404, so that nobody can
learn that an object exists by probing ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import rules
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest

from ipcenter.accounts.models import Membership, User
from ipcenter.accounts.roles import PERM_SCOPES, ROLE_PERMISSIONS, STAFF_ROLES, Perm, Scope


@dataclass(frozen=True)
class AccessScope:
    center_id: int | None = None
    organization_id: int | None = None
    user_id: int | None = None
    # More organizations that hold the object too, e.g. the agency acting on a case.
    also_organization_ids: frozenset[int] = frozenset()
    # The person the object is assigned to, e.g. a case's pre-examiner.
    assignee_id: int | None = None

    def organization_ids(self) -> frozenset[int]:
        if self.organization_id is None:
            return self.also_organization_ids
        return self.also_organization_ids | {self.organization_id}


class Scoped(Protocol):
    def access_scope(self) -> AccessScope: ...


AnyUser = User | AnonymousUser
M = TypeVar("M", bound=Model)


def memberships(user: AnyUser) -> list[Membership]:
    """The user's active memberships, loaded once per user object (so once per request)."""
    if not user.is_authenticated or not user.is_active:
        return []
    cached: list[Membership] | None = getattr(user, "_ipcenter_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user, is_active=True, organization__is_active=True)
            .select_related("organization", "center")
            .order_by("id")
        )
        user._ipcenter_memberships = cached  # type: ignore[attr-defined]
    return cached


def forget_memberships(user: AnyUser) -> None:
    if hasattr(user, "_ipcenter_memberships"):
        del user._ipcenter_memberships


def roles_of(user: AnyUser) -> set[str]:
    return {m.role for m in memberships(user)}


def is_staff_member(user: AnyUser) -> bool:
    return bool(roles_of(user) & STAFF_ROLES)


def second_factor_required(user: AnyUser) -> bool:
    """Must this person have passed the TOTP check (IPCENTER_STAFF_TOTP=required, staff)?"""
    return settings.IPCENTER_STAFF_TOTP == "required" and is_staff_member(user)


def passed_second_factor(request: HttpRequest) -> bool:
    """Did this browser session pass the TOTP check? (django_otp marks the session's user.)"""
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified is not None and is_verified())


def _membership_grants(m: Membership, user: AnyUser, perm: Perm, scope: AccessScope | None) -> bool:
    if perm not in ROLE_PERMISSIONS.get(m.role, frozenset()):
        return False
    if scope is None:
        return True
    kind = PERM_SCOPES[perm]
    if kind is Scope.ANY:
        return True
    if kind is Scope.CENTER:
        # A membership without a center (IP office, system admin) spans every center.
        return scope.center_id is not None and m.center_id in (None, scope.center_id)
    if kind is Scope.ORGANIZATION:
        return m.organization_id in scope.organization_ids()
    if kind is Scope.ASSIGNED:
        # The assignee acts in the center the assignment was made in.
        return (
            scope.assignee_id is not None
            and scope.assignee_id == user.pk
            and m.center_id in (None, scope.center_id)
        )
    return scope.user_id is not None and scope.user_id == user.pk


def scope_of(obj: object) -> AccessScope | None:
    if obj is None:
        return None
    if isinstance(obj, AccessScope):
        return obj
    access_scope = getattr(obj, "access_scope", None)
    if access_scope is None:
        raise TypeError(f"{type(obj).__name__} does not declare access_scope()")
    result: AccessScope = access_scope()
    return result


def can(user: AnyUser, perm: Perm, obj: object = None) -> bool:
    """Does any of the user's roles grant `perm` on `obj` (or at all, when obj is None)?"""
    scope = scope_of(obj)
    return any(_membership_grants(m, user, perm, scope) for m in memberships(user))


def centers_with(user: AnyUser, perm: Perm) -> set[int] | None:
    """Ids of the centers where the user holds `perm`; None means every center."""
    ids: set[int] = set()
    for m in memberships(user):
        if perm in ROLE_PERMISSIONS.get(m.role, frozenset()):
            if m.center_id is None:
                return None
            ids.add(m.center_id)
    return ids


def organizations_with(user: AnyUser, perm: Perm) -> set[int]:
    return {
        m.organization_id
        for m in memberships(user)
        if perm in ROLE_PERMISSIONS.get(m.role, frozenset())
    }


def get_for_user_or_404(
    user: AnyUser, perm: Perm | Iterable[Perm], queryset: QuerySet[M], **lookup: Any
) -> M:
    """Fetch and check in one call: missing and forbidden both give the same 404."""
    try:
        obj = queryset.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    perms = [perm] if isinstance(perm, Perm) else list(perm)
    # can(), not user.has_perm(): Django answers yes to every has_perm of a superuser, and
    # no flag may step around the role matrix.
    if not any(can(user, p, obj) for p in perms):
        raise Http404
    return obj


def signed_in(request: HttpRequest) -> User:
    """The request's user, for views that already require sign-in."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied("sign-in required")
    return user


def require(user: AnyUser, perm: Perm, obj: object = None) -> None:
    """For actions without an object to hide: raise PermissionDenied when the role lacks `perm`."""
    if not can(user, perm, obj):
        raise PermissionDenied(perm.value)


def _rule_for(perm: Perm) -> rules.Predicate:
    def check(user: AnyUser, obj: object = None) -> bool:
        return can(user, perm, obj)

    return rules.predicate(check, name=perm.value)


def _register_default_rules() -> None:
    """Expose every permission to Django (`user.has_perm`, `{% has_perm %}`) through `rules`."""
    for perm in Perm:
        if not rules.perm_exists(perm.value):
            rules.add_perm(perm.value, _rule_for(perm))


_register_default_rules()
