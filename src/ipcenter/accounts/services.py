"""Writes for people: profiles, roles, tokens, second factors. Each is atomic and audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from ipcenter.accounts.access import forget_memberships, require, second_factor_required
from ipcenter.accounts.models import (
    ApiToken,
    Language,
    Membership,
    Organization,
    RoleGrantRequest,
    RoleRequestState,
    User,
    hash_token,
    new_raw_token,
)
from ipcenter.accounts.roles import (
    CENTER_BOUND_ROLES,
    ROLE_ORG_KINDS,
    TWO_PERSON_ROLES,
    Perm,
    Role,
)
from ipcenter.accounts.workflow import ROLE_REQUEST_WORKFLOW
from ipcenter.audit.services import audit_record
from ipcenter.lib.errors import Conflict, DomainError, InvalidInput
from ipcenter.lib.workflow import apply_move


class Refused(DomainError):
    """A refusal that says why (403): the person may act, but not this way."""

    status = 403
    code = "forbidden"


@transaction.atomic
def user_update_profile(
    *,
    user: User,
    full_name: str | None = None,
    email: str | None = None,
    language: str | None = None,
    phone: str | None = None,
) -> User:
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    for field, value in (
        ("full_name", full_name),
        ("email", email),
        ("language", language),
        ("phone", phone),
    ):
        if value is None or getattr(user, field) == value:
            continue
        if field == "language" and value not in Language.values:
            raise InvalidInput(
                _("Unknown language."), errors={"language": str(_("Unknown language."))}
            )
        old[field] = getattr(user, field)
        new[field] = value
        setattr(user, field, value)
    if new:
        user.save(update_fields=list(new))
        audit_record(actor=user, tag="accounts:profile:changed", subject=user, old=old, new=new)
    return user


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    password: str,
    email: str = "",
    full_name: str = "",
    language: str = Language.ZH_HANS,
    is_demo: bool = False,
) -> User:
    require(actor, Perm.USER_MANAGE)
    return _user_create(
        actor=actor,
        username=username,
        password=password,
        email=email,
        full_name=full_name,
        language=language,
        is_demo=is_demo,
    )


def _user_create(
    *,
    actor: Any,
    username: str,
    password: str,
    email: str,
    full_name: str,
    language: str,
    is_demo: bool,
) -> User:
    username = username.strip()
    if not username:
        raise InvalidInput(_("A user name is required."), errors={"username": str(_("Required."))})
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(_("That user name is taken."), errors={"username": str(_("Taken."))})
    user = User(
        username=username, email=email, full_name=full_name, language=language, is_demo=is_demo
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        message = " ".join(exc.messages)
        raise InvalidInput(message, errors={"password": message}) from exc
    user.set_password(password)
    user.save()
    audit_record(
        actor=actor,
        tag="accounts:user:created",
        subject=user,
        new={"username": username, "email": email, "language": language},
    )
    return user


def bootstrap_user(
    *,
    username: str,
    password: str,
    email: str = "",
    full_name: str = "",
    language: str = Language.ZH_HANS,
    is_demo: bool = False,
) -> User:
    """Create a user as the system (installation and demo data), skipping the role check."""
    with transaction.atomic():
        return _user_create(
            actor=None,
            username=username,
            password=password,
            email=email,
            full_name=full_name,
            language=language,
            is_demo=is_demo,
        )


def _check_membership(organization: Organization, role: str) -> None:
    if role not in Role.values:
        raise InvalidInput(_("Unknown role."), errors={"role": str(_("Unknown role."))})
    if organization.kind not in ROLE_ORG_KINDS[role]:
        raise InvalidInput(
            _("The role %(role)s cannot be held in a %(kind)s.")
            % {"role": Role(role).label, "kind": organization.get_kind_display()},
            errors={"role": str(_("Not allowed for this organization."))},
        )
    if role in CENTER_BOUND_ROLES and organization.center_id is None:
        raise InvalidInput(_("This role must be held in an organization of a center."))


def _refuse_self(actor: Any, user: User) -> None:
    if actor is not None and getattr(actor, "pk", None) == user.pk:
        raise Refused(_("Nobody may grant a role to themselves. Ask another administrator."))


def _membership_activate(
    *,
    actor: Any,
    user: User,
    organization: Organization,
    role: str,
    grant_request: RoleGrantRequest | None = None,
) -> Membership:
    """Create the membership, or restore a revoked one, and audit it (in the caller's
    transaction)."""
    membership = (
        Membership.objects.select_for_update()
        .filter(user=user, organization=organization, role=role)
        .first()
    )
    if membership is not None and membership.is_active:
        raise Conflict(_("The person already holds this role there."))
    center_id = organization.center_id if role in CENTER_BOUND_ROLES else None
    if membership is None:
        try:
            with transaction.atomic():
                membership = Membership.objects.create(
                    user=user, organization=organization, role=role, center_id=center_id
                )
        except IntegrityError as exc:
            raise Conflict(_("The person already holds this role there.")) from exc
    else:
        membership.is_active = True
        membership.center_id = center_id
        membership.save(update_fields=["is_active", "center"])
    audit_record(
        actor=actor,
        tag="accounts:role:granted",
        subject=user,
        new={
            "organization": organization.pk,
            "role": role,
            **({"request": grant_request.pk} if grant_request is not None else {}),
        },
        organization=organization,
        center=organization.center,
    )
    return membership


def membership_grant(
    *, actor: Any, user: User, organization: Organization, role: str, system: bool = False
) -> Membership:
    """Give a person a role in an organization at once. Staff roles take the organization's
    center. A role under the two-person rule (roles.TWO_PERSON_ROLES) is granted at once only by
    the system (installation, demo data); people ask for it with role_grant()."""
    if not system:
        require(actor, Perm.USER_MANAGE)
        _refuse_self(actor, user)
    _check_membership(organization, role)
    if not system and role in TWO_PERSON_ROLES:
        raise Conflict(_("This role is granted only when a second person approves the request."))
    with transaction.atomic():
        membership = _membership_activate(
            actor=actor, user=user, organization=organization, role=role
        )
    forget_memberships(user)
    return membership


def role_grant(
    *, actor: Any, user: User, organization: Organization, role: str, note: str = ""
) -> Membership | RoleGrantRequest:
    """What an administrator's "grant" does: a role under the two-person rule becomes a request
    that a second person must approve; any other role is granted at once."""
    if role in TWO_PERSON_ROLES:
        return role_request_create(
            actor=actor, user=user, organization=organization, role=role, note=note
        )
    return membership_grant(actor=actor, user=user, organization=organization, role=role)


@transaction.atomic
def role_request_create(
    *, actor: Any, user: User, organization: Organization, role: str, note: str = ""
) -> RoleGrantRequest:
    """Ask for a role that needs a second person's approval."""
    require(actor, Perm.USER_MANAGE)
    _refuse_self(actor, user)
    _check_membership(organization, role)
    if Membership.objects.filter(
        user=user, organization=organization, role=role, is_active=True
    ).exists():
        raise Conflict(_("The person already holds this role there."))
    try:
        with transaction.atomic():
            grant_request = RoleGrantRequest.objects.create(
                user=user,
                organization=organization,
                role=role,
                center_id=organization.center_id if role in CENTER_BOUND_ROLES else None,
                note=note.strip()[:500],
                requested_by=actor,
            )
    except IntegrityError as exc:
        raise Conflict(_("This role is already awaiting approval for this person.")) from exc
    audit_record(
        actor=actor,
        tag="accounts:role_request:requested",
        subject=grant_request,
        new={
            "user": user.pk,
            "organization": organization.pk,
            "role": role,
            "note": grant_request.note,
        },
        organization=organization,
        center=grant_request.center,
    )
    _tell_approvers(grant_request)
    return grant_request


def _tell_approvers(grant_request: RoleGrantRequest) -> None:
    """After commit, an inbox item for each person who may approve the request. It names the
    role and nothing else: not the person, the organization nor the note."""
    from ipcenter.accounts.selectors import role_request_approvers
    from ipcenter.notifications.services import notify

    role = grant_request.role
    url = reverse("accounts:role_requests")

    def subject() -> str:
        return str(
            _("A request for the role “%(role)s” awaits a second person's approval")
            % {"role": Role(role).label}
        )

    def send() -> None:
        for person in role_request_approvers(grant_request):
            notify(
                recipient=person, tag="accounts:role_request:requested", subject=subject, url=url
            )

    transaction.on_commit(send)


def role_request_transition(
    *, grant_request: RoleGrantRequest, to: str, actor: Any, reason: str = ""
) -> RoleGrantRequest:
    """Approve, reject or cancel a role request. Approval is by a second person (another
    system administrator, or a manager of the role's center), never by the one who asked nor by
    the one who would get the role; it grants the role in the same transaction."""
    with transaction.atomic():
        locked = (
            RoleGrantRequest.objects.select_for_update(of=("self",))
            .select_related("user", "organization", "center")
            .get(pk=grant_request.pk)
        )
        ROLE_REQUEST_WORKFLOW.check_move(locked, to, actor)
        updates: dict[str, Any] = {
            "decided_by": actor,
            "decided_at": timezone.now(),
            "reason": reason.strip()[:500],
        }
        if to == RoleRequestState.APPROVED:
            _check_membership(locked.organization, locked.role)
            if not locked.user.is_active:
                raise Conflict(_("The account is deactivated."))
            updates["membership"] = _membership_activate(
                actor=actor,
                user=locked.user,
                organization=locked.organization,
                role=locked.role,
                grant_request=locked,
            )
        old, new = apply_move(locked, to, updates)
        locked.save()
        audit_record(
            actor=actor,
            tag=f"accounts:role_request:{to}",
            subject=locked,
            old=old,
            new=new,
            organization=locked.organization,
            center=locked.center,
        )
    forget_memberships(locked.user)
    grant_request.state = locked.state
    return locked


@transaction.atomic
def membership_revoke(*, actor: Any, membership: Membership) -> None:
    require(actor, Perm.USER_MANAGE)
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    if not locked.is_active:
        raise Conflict(_("The role was already revoked."))
    locked.is_active = False
    locked.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        tag="accounts:role:revoked",
        subject=locked.user,
        old={"organization": locked.organization_id, "role": locked.role},
        organization=locked.organization,
        center=locked.center,
    )


@transaction.atomic
def api_token_create(
    *,
    user: User,
    name: str,
    expires_on: dt.date | None = None,
    second_factor: bool = False,
    via_token: ApiToken | None = None,
) -> tuple[ApiToken, str]:
    """Create a token and return it with its raw value, which is never stored or shown again.

    Tokens are made in a browser session, never with a token (`via_token`, the one the request
    came with): a token that makes tokens would live on after its own revocation. Where staff need
    TOTP, a staff member's session must have passed the check (`second_factor`)."""
    require(user, Perm.TOKEN_MANAGE)
    if via_token is not None:
        raise Refused(_("API tokens are made in the browser, signed in, not with another token."))
    if second_factor_required(user) and not second_factor:
        raise Refused(
            _("Pass the second-factor (TOTP) check before you make an API token."),
        )
    name = name.strip()
    if not name:
        raise InvalidInput(_("Give the token a name."), errors={"name": str(_("Required."))})
    if expires_on is not None and expires_on <= timezone.localdate():
        raise InvalidInput(
            _("The expiry date must be in the future."),
            errors={"expires_on": str(_("Choose a later date."))},
        )
    raw = new_raw_token()
    expires_at = (
        timezone.make_aware(dt.datetime.combine(expires_on, dt.time.max)) if expires_on else None
    )
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        token_hash=hash_token(raw),
        hint=raw[:8],
        expires_at=expires_at,
        second_factor=second_factor,
    )
    audit_record(
        actor=user,
        tag="accounts:token:created",
        subject=token,
        new={
            "name": token.name,
            "hint": token.hint,
            "expires_at": expires_at,
            "second_factor": second_factor,
        },
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, user: User, token: ApiToken) -> ApiToken:
    """Revoke a token, and every token it made (and they made), which a thief may hold too."""
    locked = ApiToken.objects.select_for_update().get(pk=token.pk, user=user)
    if locked.revoked_at is not None:
        raise Conflict(_("The token was already revoked."))
    now = timezone.now()
    locked.revoked_at = now
    locked.save(update_fields=["revoked_at"])
    audit_record(actor=user, tag="accounts:token:revoked", subject=locked)
    parents, seen = [locked.pk], {locked.pk}
    while parents:
        children = list(
            ApiToken.objects.select_for_update()
            .filter(created_by_token_id__in=parents)
            .exclude(pk__in=seen)
        )
        seen.update(child.pk for child in children)
        parents = [child.pk for child in children]
        for child in children:
            if child.revoked_at is None:
                child.revoked_at = now
                child.save(update_fields=["revoked_at"])
                audit_record(
                    actor=user,
                    tag="accounts:token:revoked",
                    subject=child,
                    new={"with": child.created_by_token_id},
                )
    return locked


def api_token_authenticate(raw: str) -> ApiToken | None:
    """The usable token of an active user behind a raw bearer value, or None. The caller then
    asks `api_token_check_second_factor` (after switching to the owner's language)."""
    if not raw.startswith("ipc_"):
        return None
    token = ApiToken.objects.select_related("user").filter(token_hash=hash_token(raw)).first()
    if token is None or not token.is_usable or not token.user.is_active:
        return None
    return token


def api_token_check_second_factor(token: ApiToken) -> None:
    """A staff member's token made without the TOTP check is refused where staff need TOTP;
    a usable token's use is recorded."""
    if not token.second_factor and second_factor_required(token.user):
        raise Refused(
            _(
                "This token was made without the second-factor (TOTP) check that staff accounts "
                "need. Sign in, pass the check and make a new token."
            )
        )
    now = timezone.now()
    # Record use at most once a minute: a busy client must not write on every request.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)


def totp_device_start(*, user: User) -> TOTPDevice:
    """An unconfirmed TOTP device for enrolment (replacing any earlier unconfirmed one)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="default", confirmed=False)


@transaction.atomic
def totp_device_confirm(*, user: User, device: TOTPDevice, token: str) -> TOTPDevice:
    if device.user_id != user.pk or device.confirmed:
        raise Conflict(_("This device cannot be confirmed."))
    if not device.verify_token(token.strip()):
        raise InvalidInput(
            _("The code is not correct. Check the time on your phone and try again."),
            errors={"token": str(_("Wrong code."))},
        )
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(actor=user, tag="accounts:totp:enrolled", subject=user)
    return device


@transaction.atomic
def user_set_active(*, actor: Any, user: User, active: bool) -> User:
    """Suspend or restore a person's access. Their history and audit trail stay."""
    require(actor, Perm.USER_MANAGE)
    if user.pk == getattr(actor, "pk", None) and not active:
        raise Conflict(_("You cannot deactivate your own account."))
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.is_active == active:
        return locked
    locked.is_active = active
    locked.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        tag="accounts:user:activated" if active else "accounts:user:deactivated",
        subject=locked,
        old={"is_active": not active},
        new={"is_active": active},
    )
    if not active:
        # Signed-out everywhere: their machine tokens stop working too.
        ApiToken.objects.filter(user=locked, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    return locked


@transaction.atomic
def organization_create(
    *,
    actor: Any,
    kind: str,
    name: str,
    name_en: str = "",
    credit_code: str = "",
    region: str = "",
    center: Any = None,
) -> Organization:
    require(actor, Perm.USER_MANAGE)
    name = name.strip()
    if not name:
        raise InvalidInput(_("A name is required."), errors={"name": str(_("Required."))})
    credit_code = credit_code.strip().upper()
    if credit_code and len(credit_code) != 18:
        raise InvalidInput(
            _("A unified social credit code has 18 characters."),
            errors={"credit_code": str(_("A unified social credit code has 18 characters."))},
        )
    if credit_code and Organization.objects.filter(credit_code=credit_code).exists():
        raise Conflict(
            _("An organization with this credit code exists already."),
            errors={"credit_code": str(_("Already registered."))},
        )
    organization = Organization.objects.create(
        kind=kind,
        name=name,
        name_en=name_en.strip(),
        credit_code=credit_code,
        region=region.strip(),
        center=center,
    )
    audit_record(
        actor=actor,
        tag="accounts:organization:created",
        subject=organization,
        new={"kind": kind, "name": name, "credit_code": credit_code, "center": center},
        organization=organization,
        center=center,
    )
    return organization
