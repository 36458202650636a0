from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from ipcenter.accounts.access import (
    get_for_user_or_404,
    organizations_with,
    passed_second_factor,
    require,
    signed_in,
)
from ipcenter.accounts.forms import (
    MembershipForm,
    OrganizationForm,
    ProfileForm,
    RoleRequestMoveForm,
    TokenForm,
    TotpForm,
    UserCreateForm,
)
from ipcenter.accounts.models import (
    ApiToken,
    Membership,
    Organization,
    RoleGrantRequest,
    RoleRequestState,
    User,
)
from ipcenter.accounts.roles import OrgKind, Perm
from ipcenter.accounts.selectors import may_see_role_requests, role_requests_for
from ipcenter.accounts.services import (
    api_token_create,
    api_token_revoke,
    membership_revoke,
    organization_create,
    role_grant,
    role_request_transition,
    totp_device_confirm,
    totp_device_start,
    user_create,
    user_set_active,
    user_update_profile,
)
from ipcenter.accounts.workflow import moves_for as role_request_moves
from ipcenter.idempotency.decorators import form_token_done, form_token_once
from ipcenter.lib.errors import DomainError
from ipcenter.web.forms import apply_domain_error, message_domain_error
from ipcenter.web.pagination import paginate, query_without_page


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if request.method == "POST":
        require(user, Perm.PROFILE_EDIT)
    form = ProfileForm(
        request.POST or None,
        initial={
            "full_name": user.full_name,
            "email": user.email,
            "phone": user.phone,
            "language": user.language,
        },
    )
    if request.method == "POST" and form.is_valid():
        user_update_profile(user=user, **form.cleaned_data)
        messages.success(request, _("Your profile was saved."))
        return redirect("accounts:profile")
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "has_totp": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
            "memberships": Membership.objects.filter(user=user, is_active=True).select_related(
                "organization", "center"
            ),
        },
    )


@login_required
@form_token_once
def tokens(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    require(user, Perm.TOKEN_MANAGE)
    form = TokenForm(request.POST or None)
    raw_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, raw_token = api_token_create(
                user=user,
                name=form.cleaned_data["name"],
                expires_on=form.cleaned_data["expires_on"],
                second_factor=passed_second_factor(request),
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            form = TokenForm()
            # The raw token is shown once: a second send of the form leads back to the list.
            form_token_done(request, request.path)
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "raw_token": raw_token, "tokens": ApiToken.objects.filter(user=user)},
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_for_user_or_404(
        request.user,
        Perm.TOKEN_MANAGE,
        ApiToken.objects.filter(user=signed_in(request)),
        pk=token_id,
    )
    try:
        api_token_revoke(user=request.user, token=token)  # type: ignore[arg-type]
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The token was revoked."))
    return redirect("accounts:tokens")


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return "/"
    return target


@login_required
def totp_setup(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if request.method == "GET" or device is None:
        device = totp_device_start(user=user)
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            totp_device_confirm(user=user, device=device, token=form.cleaned_data["token"])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            otp_login(request, device)
            messages.success(request, _("Your authenticator app is set up."))
            return redirect(_safe_next(request))
    qr_svg = segno.make(device.config_url, error="m").svg_data_uri(scale=4)
    return render(
        request,
        "accounts/totp_setup.html",
        {"form": form, "qr": qr_svg, "secret": _base32(device), "next": _safe_next(request)},
    )


def _base32(device: TOTPDevice) -> str:
    from base64 import b32encode

    return b32encode(device.bin_key).decode()


@login_required
def totp_verify(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    devices = list(TOTPDevice.objects.filter(user=user, confirmed=True))
    if not devices:
        return redirect(f"{reverse('totp_setup')}?next={_safe_next(request)}")
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in devices:
            if device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                return redirect(_safe_next(request))
        form.add_error("token", _("The code is not correct."))
    return render(request, "accounts/totp_verify.html", {"form": form, "next": _safe_next(request)})


@login_required
@form_token_once
def users(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.USER_MANAGE)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                created = user_create(
                    actor=request.user,
                    username=data["username"],
                    password=data["password"],
                    email=data["email"],
                    full_name=data["full_name"],
                    language=data["language"],
                )
                granted = role_grant(
                    actor=request.user,
                    user=created,
                    organization=data["organization"],
                    role=data["role"],
                )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("%(name)s was created.") % {"name": created.username})
            if isinstance(granted, RoleGrantRequest):
                messages.info(request, _ROLE_REQUESTED)
            return redirect("accounts:users")
    query = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    people: Any = User.objects.prefetch_related("memberships__organization").order_by("username")
    if query:
        people = people.filter(
            Q(username__icontains=query)
            | Q(full_name__icontains=query)
            | Q(email__icontains=query)
            | Q(memberships__organization__name__icontains=query)
        ).distinct()
    if role:
        people = people.filter(memberships__role=role, memberships__is_active=True).distinct()
    return render(
        request,
        "accounts/users.html",
        {
            "form": form,
            "page": paginate(request, people),
            "q": query,
            "role": role,
            "querystring": query_without_page(request),
        },
    )


@login_required
def members(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.ORG_MEMBERS_VIEW)
    org_ids = organizations_with(request.user, Perm.ORG_MEMBERS_VIEW)
    rows = (
        Membership.objects.filter(organization_id__in=org_ids, is_active=True)
        .select_related("user", "organization", "center")
        .order_by("organization__name", "user__username")
    )
    return render(request, "accounts/members.html", {"page": paginate(request, rows)})


@login_required
@form_token_once
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    require(request.user, Perm.USER_MANAGE)
    person = get_object_or_404(User, pk=user_id)
    form = MembershipForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "grant" and form.is_valid():
                granted = role_grant(
                    actor=request.user,
                    user=person,
                    organization=form.cleaned_data["organization"],
                    role=form.cleaned_data["role"],
                    note=form.cleaned_data["note"],
                )
                if isinstance(granted, RoleGrantRequest):
                    messages.info(request, _ROLE_REQUESTED)
                else:
                    messages.success(request, _("The role was granted."))
                return redirect("accounts:user_detail", user_id=person.pk)
            if action == "revoke":
                chosen = request.POST.get("membership", "")
                if not (chosen.isascii() and chosen.isdigit()) or len(chosen) > 18:
                    raise Http404
                membership = get_object_or_404(Membership, pk=int(chosen), user=person)
                membership_revoke(actor=request.user, membership=membership)
                messages.success(request, _("The role was revoked."))
                return redirect("accounts:user_detail", user_id=person.pk)
            if action in ("activate", "deactivate"):
                user_set_active(actor=request.user, user=person, active=action == "activate")
                messages.success(request, _("The account was updated."))
                return redirect("accounts:user_detail", user_id=person.pk)
        except DomainError as exc:
            apply_domain_error(form, exc)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "person": person,
            "form": form,
            "memberships": person.memberships.select_related("organization", "center"),
            "role_requests": _with_moves(
                request.user,
                role_requests_for(request.user).filter(
                    user=person, state=RoleRequestState.REQUESTED
                ),
            ),
        },
    )


_ROLE_REQUESTED = gettext_lazy(
    "The role takes effect once a second person approves the request: another administrator "
    "or a manager of the center."
)


def _with_moves(user: Any, rows: Any) -> list[tuple[RoleGrantRequest, list[str]]]:
    return [(row, role_request_moves(user, row)) for row in rows]


@login_required
def role_requests(request: HttpRequest) -> HttpResponse:
    """Role requests awaiting a second person, for administrators and center managers."""
    if not may_see_role_requests(request.user):
        raise PermissionDenied(Perm.ROLE_APPROVE.value)
    visible = role_requests_for(request.user)
    pending = visible.filter(state=RoleRequestState.REQUESTED)
    decided = visible.exclude(state=RoleRequestState.REQUESTED)[:20]
    return render(
        request,
        "accounts/role_requests.html",
        {"rows": _with_moves(request.user, pending), "decided": decided},
    )


@login_required
@require_POST
@form_token_once
def role_request_move(request: HttpRequest, request_id: int) -> HttpResponse:
    grant_request = get_for_user_or_404(
        request.user,
        (Perm.USER_MANAGE, Perm.ROLE_APPROVE),
        RoleGrantRequest.objects.all(),
        pk=request_id,
    )
    form = RoleRequestMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve, reject or cancel."))
    else:
        try:
            role_request_transition(
                grant_request=grant_request,
                to=form.cleaned_data["to"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            message_domain_error(request, exc)
        else:
            messages.success(
                request,
                _("The role request is now “%(state)s”.")
                % {"state": RoleRequestState(grant_request.state).label},
            )
    return redirect(_safe_next(request) if request.POST.get("next") else "accounts:role_requests")


@login_required
@form_token_once
def organizations(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.USER_MANAGE)
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organization = organization_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("%(name)s was created.") % {"name": organization.name})
            return redirect("accounts:organizations")
    query = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    rows = Organization.objects.select_related("center").order_by("kind", "name")
    if query:
        rows = rows.filter(
            Q(name__icontains=query) | Q(name_en__icontains=query) | Q(credit_code=query)
        )
    if kind:
        rows = rows.filter(kind=kind)
    return render(
        request,
        "accounts/organizations.html",
        {
            "form": form,
            "page": paginate(request, rows),
            "q": query,
            "kind": kind,
            "kinds": OrgKind.choices,
            "querystring": query_without_page(request),
        },
    )
