from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema, Status

from ipcenter.accounts.access import get_for_user_or_404, memberships, require, signed_in
from ipcenter.accounts.models import ApiToken
from ipcenter.accounts.roles import Perm
from ipcenter.accounts.services import api_token_create, api_token_revoke, user_update_profile

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


class ProfileIn(Schema):
    full_name: str | None = None
    email: str | None = None
    phone: str | None = None
    language: str | None = None


class TokenIn(Schema):
    name: str
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
def token_create(request: HttpRequest, payload: TokenIn) -> Status:
    token, raw = api_token_create(
        user=signed_in(request),
        name=payload.name,
        expires_on=payload.expires_on,
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
