from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from ipcenter.accounts.access import (
    get_for_user_or_404,
    memberships,
    passed_second_factor,
    require,
    signed_in,
)
from ipcenter.accounts.models import (
    ApiToken,
    Membership,
    Organization,
    RoleGrantRequest,
    RoleRequestState,
    User,
)
from ipcenter.accounts.roles import Perm
from ipcenter.accounts.selectors import may_see_role_requests, role_requests_for
from ipcenter.accounts.services import (
    api_token_create,
    api_token_revoke,
    role_grant,
    role_request_transition,
    user_update_profile,
)
from ipcenter.api_schemas import Paging, page
from ipcenter.idempotency.decorators import idempotent

router = Router(tags=["accounts"])


class MembershipOut(Schema):
    organization_id: int
    organization: str
    organization_kind: str
    role: str
    center: str | None


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    email: str
    language: str
    memberships: list[MembershipOut]


def _max_length(model: type[Any], field: str) -> int:
    """The column's length, so that a longer value is a 422 rather than a database error."""
    return int(model._meta.get_field(field).max_length)


class ProfileIn(Schema):
    full_name: str | None = Field(None, max_length=_max_length(User, "full_name"))
    email: str | None = Field(None, max_length=_max_length(User, "email"))
    phone: str | None = Field(None, max_length=_max_length(User, "phone"))
    language: str | None = Field(None, max_length=_max_length(User, "language"))


class TokenIn(Schema):
    name: str = Field(..., min_length=1, max_length=_max_length(ApiToken, "name"))
    expires_on: dt.date | None = None


class TokenOut(Schema):
    id: int
    name: str
    hint: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreatedOut(TokenOut):
    token: str


def _me(request: HttpRequest) -> MeOut:
    user = signed_in(request)
    return MeOut(
        id=user.pk,
        username=user.username,
        full_name=user.full_name,
        email=user.email,
        language=user.language,
        memberships=[
            MembershipOut(
                organization_id=m.organization_id,
                organization=m.organization.name,
                organization_kind=m.organization.kind,
                role=m.role,
                center=m.center.code if m.center else None,
            )
            for m in memberships(user)
        ],
    )


@router.get("/me", response=MeOut, summary="The signed-in person and their roles")
def me(request: HttpRequest) -> MeOut:
    return _me(request)


@router.patch("/me", response=MeOut, summary="Change my profile (name, e-mail, language)")
def me_update(request: HttpRequest, payload: ProfileIn) -> MeOut:
    require(request.user, Perm.PROFILE_EDIT)
    user_update_profile(user=signed_in(request), **payload.dict())
    return _me(request)


@router.get("/tokens", response=list[TokenOut], summary="My API tokens")
def token_list(request: HttpRequest) -> list[ApiToken]:
    require(request.user, Perm.TOKEN_MANAGE)
    return list(ApiToken.objects.filter(user=signed_in(request)))


@router.post("/tokens", response={201: TokenCreatedOut}, summary="Create an API token")
@idempotent(
    replay_body=False, recheck=lambda request, **_: require(request.user, Perm.TOKEN_MANAGE)
)
def token_create(request: HttpRequest, payload: TokenIn) -> Status:
    token, raw = api_token_create(
        user=signed_in(request),
        name=payload.name,
        expires_on=payload.expires_on,
        second_factor=passed_second_factor(request),
        via_token=getattr(request, "api_token", None),
    )
    return Status(201, {**TokenOut.from_orm(token).dict(), "token": raw})


@router.delete("/tokens/{token_id}", response=TokenOut, summary="Revoke an API token")
def token_revoke(request: HttpRequest, token_id: int) -> ApiToken:
    token = get_for_user_or_404(
        request.user,
        Perm.TOKEN_MANAGE,
        ApiToken.objects.filter(user=signed_in(request)),
        pk=token_id,
    )
    return api_token_revoke(user=signed_in(request), token=token)


class RoleGrantIn(Schema):
    organization_id: int
    role: str = Field(..., max_length=_max_length(RoleGrantRequest, "role"))
    note: str = Field("", max_length=_max_length(RoleGrantRequest, "note"))


class MembershipGrantedOut(Schema):
    id: int
    user_id: int
    organization_id: int
    role: str
    center_id: int | None


class RoleRequestOut(Schema):
    id: int
    user_id: int
    username: str
    organization_id: int
    role: str
    center_id: int | None
    state: str
    note: str
    requested_by_id: int
    requested_at: dt.datetime
    decided_by_id: int | None
    decided_at: dt.datetime | None
    reason: str

    @staticmethod
    def resolve_username(obj: RoleGrantRequest) -> str:
        return obj.user.username


class RoleRequestMoveIn(Schema):
    to: RoleRequestState
    reason: str = Field("", max_length=_max_length(RoleGrantRequest, "reason"))


@router.post(
    "/users/{user_id}/roles",
    response={201: MembershipGrantedOut, 202: RoleRequestOut},
    summary="Grant a person a role (a role that opens confidential content becomes a request)",
)
@idempotent(recheck=lambda request, **_: require(request.user, Perm.USER_MANAGE))
def user_role_grant(request: HttpRequest, user_id: int, payload: RoleGrantIn) -> Status:
    require(request.user, Perm.USER_MANAGE)
    person = get_object_or_404(User, pk=user_id)
    organization = get_object_or_404(Organization, pk=payload.organization_id, is_active=True)
    result = role_grant(
        actor=request.user,
        user=person,
        organization=organization,
        role=payload.role,
        note=payload.note,
    )
    if isinstance(result, Membership):
        return Status(201, result)
    return Status(202, result)


@router.get(
    "/role-requests",
    response=list[RoleRequestOut],
    summary="Role requests awaiting approval that I may see",
)
def role_request_list(request: HttpRequest, paging: Query[Paging]) -> list[RoleGrantRequest]:
    if not may_see_role_requests(request.user):
        raise PermissionDenied(Perm.ROLE_APPROVE.value)
    return page(role_requests_for(request.user).filter(state=RoleRequestState.REQUESTED), paging)


@router.post(
    "/role-requests/{request_id}/transition",
    response=RoleRequestOut,
    summary="Approve, reject or cancel a role request (approval by a second person)",
)
def role_request_move(
    request: HttpRequest, request_id: int, payload: RoleRequestMoveIn
) -> RoleGrantRequest:
    grant_request = get_for_user_or_404(
        request.user,
        (Perm.USER_MANAGE, Perm.ROLE_APPROVE),
        RoleGrantRequest.objects.select_related("user"),
        pk=request_id,
    )
    return role_request_transition(
        grant_request=grant_request, to=payload.to, actor=request.user, reason=payload.reason
    )
