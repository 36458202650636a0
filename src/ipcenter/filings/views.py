"""Pages of entity filing: the entity's filings, the center's review, agencies, quota, sanctions.

Every page fetches with the access layer (same 404 for missing and not yours) and writes through
the services; a refused move is shown as a message, never an error page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ipcenter.accounts.access import (
    can,
    centers_with,
    get_for_user_or_404,
    organizations_with,
    require,
)
from ipcenter.accounts.models import Organization
from ipcenter.accounts.roles import OrgKind, Perm
from ipcenter.centers.models import Center, today
from ipcenter.filings import services
from ipcenter.filings.eligibility import stored_results
from ipcenter.filings.forms import (
    AgencyActionForm,
    AgencyRegisterForm,
    AssessForm,
    AttachForm,
    EngagementForm,
    FilingForm,
    FindingForm,
    NewFilingForm,
    QuotaDecideForm,
    QuotaRequestForm,
    ReviewForm,
    initial_from,
)
from ipcenter.filings.models import (
    AgencyRegistration,
    AgencyState,
    Engagement,
    EntityFiling,
    FilingState,
    QuotaRequest,
    QuotaRequestState,
)
from ipcenter.filings.selectors import (
    engagements_visible_to,
    findings_of,
    in_centers_with,
    quota_summary,
    review_queue,
    sanctions_visible_to,
    with_in_force,
)
from ipcenter.filings.workflow import moves_for
from ipcenter.idempotency.decorators import form_token_once
from ipcenter.lib.errors import DomainError, InvalidInput
from ipcenter.web.forms import apply_domain_error, message_domain_error
from ipcenter.web.pagination import paginate, query_without_page

_VIEW = (Perm.FILING_VIEW_OWN, Perm.FILING_REVIEW)
_FILINGS = EntityFiling.objects.select_related("center", "organization")


def _filing(request: HttpRequest, filing_id: int, perm: Perm | tuple[Perm, ...]) -> EntityFiling:
    return get_for_user_or_404(request.user, perm, _FILINGS, pk=filing_id)


def _attempt(
    request: HttpRequest, done: str, service: Callable[..., Any], /, **kwargs: Any
) -> None:
    """Run a button's service as the user: say it worked, or why it was refused."""
    try:
        service(actor=request.user, **kwargs)
    except DomainError as exc:
        message_domain_error(request, exc)
    else:
        messages.success(request, done)


# --- the entity's side ----------------------------------------------------------------------


@login_required
def filing_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.FILING_VIEW_OWN)
    own = organizations_with(request.user, Perm.FILING_VIEW_OWN)
    filings = _FILINGS.filter(organization_id__in=own).order_by("-created_at")
    return render(
        request,
        "filings/list.html",
        {
            "page": paginate(request, filings),
            "querystring": query_without_page(request),
            "may_apply": can(request.user, Perm.FILING_APPLY),
        },
    )


def _apply_organizations(request: HttpRequest) -> Any:
    ids = organizations_with(request.user, Perm.FILING_APPLY)
    return Organization.objects.filter(pk__in=ids, kind=OrgKind.ENTERPRISE).order_by("name")


@login_required
@form_token_once
def filing_new(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.FILING_APPLY)
    organizations = _apply_organizations(request)
    form = NewFilingForm(request.POST or None, request.FILES or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                filing = services.filing_create(
                    actor=request.user,
                    organization=form.cleaned_data["organization"],
                    center=form.cleaned_data["center"],
                    data=form.filing_data(),
                )
                for purpose, upload in form.uploads():
                    services.filing_attach_document(
                        actor=request.user, filing=filing, purpose=purpose, upload=upload
                    )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("The filing was saved as a draft."))
            return redirect("filings:detail", filing_id=filing.pk)
    return render(request, "filings/form.html", {"form": form, "filing": None})


@login_required
def filing_edit(request: HttpRequest, filing_id: int) -> HttpResponse:
    filing = _filing(request, filing_id, Perm.FILING_APPLY)
    form = FilingForm(request.POST or None, initial=initial_from(filing))
    if not filing.is_editable:
        messages.error(
            request,
            _("A filing that is “%(state)s” cannot be changed.")
            % {"state": filing.get_state_display()},
        )
        return redirect("filings:detail", filing_id=filing.pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.filing_update(actor=request.user, filing=filing, data=form.filing_data())
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("The filing was saved."))
            return redirect("filings:detail", filing_id=filing.pk)
    return render(request, "filings/form.html", {"form": form, "filing": filing})


@login_required
def filing_detail(request: HttpRequest, filing_id: int) -> HttpResponse:
    filing = _filing(request, filing_id, _VIEW)
    user = request.user
    year = today().year
    in_force = filing.state in (FilingState.ACTIVE, FilingState.SUSPENDED)
    quota = (
        quota_summary(organization=filing.organization, center=filing.center, year=year)
        if in_force
        else None
    )
    is_manager = can(user, Perm.FILING_REVIEW, filing)
    moves = moves_for(user, filing)
    return render(
        request,
        "filings/detail.html",
        {
            "filing": filing,
            "results": stored_results(filing),
            "attachments": filing.attachments.select_related("document"),
            "events": filing.events.select_related("actor"),
            "sanctions": filing.sanctions.all(),
            "findings": findings_of(organization=filing.organization),
            "quota": quota,
            "moves": moves,
            "is_manager": is_manager,
            "may_apply": can(user, Perm.FILING_APPLY, filing),
            "may_request_quota": quota is not None
            and quota.left == 0
            and filing.state == FilingState.ACTIVE
            and can(user, Perm.QUOTA_REQUEST, filing),
            "attach_form": AttachForm(),
            "review_form": ReviewForm(initial={"active_from": today()}),
            "finding_form": FindingForm(initial={"found_on": today()}),
        },
    )


@login_required
@require_POST
@form_token_once
def filing_attach(request: HttpRequest, filing_id: int) -> HttpResponse:
    filing = _filing(request, filing_id, Perm.FILING_APPLY)
    form = AttachForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose what the document proves and a file."))
    else:
        _attempt(
            request,
            _("The document was attached."),
            services.filing_attach_document,
            filing=filing,
            purpose=form.cleaned_data["purpose"],
            upload=form.cleaned_data["file"],
        )
    return redirect("filings:detail", filing_id=filing.pk)


@login_required
@require_POST
def filing_submit(request: HttpRequest, filing_id: int) -> HttpResponse:
    filing = _filing(request, filing_id, Perm.FILING_APPLY)
    _attempt(
        request, _("The filing was submitted to the center."), services.filing_submit, filing=filing
    )
    return redirect("filings:detail", filing_id=filing.pk)


@login_required
@require_POST
def filing_withdraw(request: HttpRequest, filing_id: int) -> HttpResponse:
    filing = _filing(request, filing_id, Perm.FILING_APPLY)
    _attempt(
        request,
        _("The filing was withdrawn."),
        services.filing_withdraw,
        filing=filing,
        reason=request.POST.get("reason", ""),
    )
    return redirect("filings:detail", filing_id=filing.pk)


@login_required
@form_token_once
def quota_request_new(request: HttpRequest, filing_id: int) -> HttpResponse:
    filing = _filing(request, filing_id, Perm.QUOTA_REQUEST)
    year = today().year
    form = QuotaRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.quota_request_create(
                actor=request.user,
                organization=filing.organization,
                center=filing.center,
                year=year,
                requested=form.cleaned_data["requested"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Your request for extra quota was sent to the center."))
            return redirect("filings:detail", filing_id=filing.pk)
    return render(
        request,
        "filings/quota_request_form.html",
        {
            "filing": filing,
            "form": form,
            "quota": quota_summary(
                organization=filing.organization, center=filing.center, year=year
            ),
            "requests": QuotaRequest.objects.filter(
                organization=filing.organization, center=filing.center
            )[:20],
        },
    )


# --- the center's side ----------------------------------------------------------------------


@login_required
def review_queue_page(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.FILING_REVIEW)
    state = request.GET.get("state", "")
    query = request.GET.get("q", "").strip()
    filings = review_queue(user=request.user, state=state, query=query)
    return render(
        request,
        "filings/queue.html",
        {
            "page": paginate(request, filings),
            "querystring": query_without_page(request),
            "states": FilingState.choices,
            "state": state,
            "q": query,
        },
    )


def _review(request: HttpRequest, filing: EntityFiling, form: ReviewForm) -> EntityFiling:
    data = form.cleaned_data
    action, reason, actor = data["action"], data["reason"], request.user
    if action == "approve":
        return services.filing_approve(
            actor=actor,
            filing=filing,
            active_from=data["active_from"],
            override_reason=data["override_reason"],
        )
    if action == "supplement":
        return services.filing_request_supplement(actor=actor, filing=filing, reason=reason)
    if action == "reject":
        return services.filing_reject(actor=actor, filing=filing, reason=reason)
    if action == "suspend":
        if data["until"] is None:
            raise InvalidInput(_("Give the date the suspension ends."))
        return services.filing_suspend(
            actor=actor, filing=filing, until=data["until"], reason=reason
        )
    if action == "lift":
        return services.filing_lift(actor=actor, filing=filing, reason=reason)
    return services.filing_cancel(actor=actor, filing=filing, reason=reason)


@login_required
@require_POST
def filing_review(request: HttpRequest, filing_id: int) -> HttpResponse:
    filing = _filing(request, filing_id, Perm.FILING_REVIEW)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision."))
        return redirect("filings:detail", filing_id=filing.pk)
    try:
        moved = _review(request, filing, form)
    except DomainError as exc:
        message_domain_error(request, exc)
    except PermissionDenied:
        messages.error(request, _("You are not allowed to do this."))
    else:
        messages.success(
            request, _("The filing is now “%(state)s”.") % {"state": moved.get_state_display()}
        )
    return redirect("filings:detail", filing_id=filing.pk)


@login_required
@require_POST
@form_token_once
def finding_new(request: HttpRequest, filing_id: int) -> HttpResponse:
    filing = _filing(request, filing_id, Perm.FILING_REVIEW)
    form = FindingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the finding: kind, date and source are needed."))
        return redirect("filings:detail", filing_id=filing.pk)
    _attempt(
        request,
        _("The finding was recorded."),
        services.finding_record,
        organization=filing.organization,
        center=filing.center,
        **form.cleaned_data,
    )
    return redirect("filings:detail", filing_id=filing.pk)


@login_required
def agency_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.AGENCY_REVIEW)
    registrations = AgencyRegistration.objects.filter(
        in_centers_with(request.user, Perm.AGENCY_REVIEW)
    ).select_related("center", "organization")
    state = request.GET.get("state", "")
    if state:
        registrations = registrations.filter(state=state)
    return render(
        request,
        "filings/agencies.html",
        {
            "page": paginate(request, registrations.order_by("state", "-created_at")),
            "querystring": query_without_page(request),
            "state": state,
        },
    )


_AGENCY_DECISIONS = {"register": AgencyState.REGISTERED, "reject": AgencyState.REJECTED}


@login_required
@require_POST
def agency_action(request: HttpRequest, registration_id: int) -> HttpResponse:
    registration = get_for_user_or_404(
        request.user,
        Perm.AGENCY_REVIEW,
        AgencyRegistration.objects.select_related("center", "organization"),
        pk=registration_id,
    )
    form = AgencyActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an action."))
        return redirect("filings:agencies")
    action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
    done = _("The agency registration was updated.")
    if action in _AGENCY_DECISIONS:
        _attempt(
            request,
            done,
            services.agency_decide,
            registration=registration,
            decision=_AGENCY_DECISIONS[action],
            reason=reason,
        )
    elif action == "revoke":
        _attempt(request, done, services.agency_revoke, registration=registration, reason=reason)
    else:
        _attempt(
            request,
            done,
            services.agency_set_guarantee,
            registration=registration,
            on_list=action == "guarantee_on",
        )
    return redirect("filings:agencies")


@login_required
@form_token_once
def agency_register_page(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.AGENCY_REGISTER)
    ids = organizations_with(request.user, Perm.AGENCY_REGISTER)
    organizations = Organization.objects.filter(pk__in=ids, kind=OrgKind.AGENCY).order_by("name")
    form = AgencyRegisterForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        try:
            services.agency_register(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("The registration was sent to the center."))
            return redirect("filings:agency_register")
    registrations = AgencyRegistration.objects.filter(organization_id__in=ids).select_related(
        "center", "organization"
    )
    return render(
        request,
        "filings/agency_register.html",
        {"form": form, "registrations": registrations},
    )


@login_required
@form_token_once
def engagement_page(request: HttpRequest) -> HttpResponse:
    """An enterprise administrator's engagements of agencies (and the form to grant one); an
    agent's view of the engagements the agency holds."""
    if not (can(request.user, Perm.FILING_APPLY) or can(request.user, Perm.AGENCY_REGISTER)):
        raise PermissionDenied
    granting = can(request.user, Perm.FILING_APPLY)
    enterprises = Organization.objects.filter(
        pk__in=organizations_with(request.user, Perm.FILING_APPLY), kind=OrgKind.ENTERPRISE
    ).order_by("name")
    form = EngagementForm(request.POST or None, enterprises=enterprises) if granting else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.engagement_grant(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("The agency was engaged."))
                return redirect("filings:engagements")
    engagements = with_in_force(engagements_visible_to(request.user)).order_by("-granted_at", "-id")
    return render(
        request,
        "filings/engagements.html",
        {
            "form": form,
            "page": paginate(request, engagements),
            "querystring": query_without_page(request),
        },
    )


@login_required
@require_POST
def engagement_revoke(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = get_for_user_or_404(
        request.user,
        Perm.FILING_APPLY,
        Engagement.objects.select_related("enterprise", "agency"),
        pk=engagement_id,
    )
    try:
        services.engagement_revoke(actor=request.user, engagement=engagement)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The engagement was revoked."))
    return redirect("filings:engagements")


@login_required
def quota_request_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.QUOTA_DECIDE)
    requests = QuotaRequest.objects.filter(
        in_centers_with(request.user, Perm.QUOTA_DECIDE)
    ).select_related("center", "organization")
    state = request.GET.get("state", QuotaRequestState.PENDING)
    if state:
        requests = requests.filter(state=state)
    return render(
        request,
        "filings/quota_requests.html",
        {
            "page": paginate(request, requests.order_by("created_at")),
            "querystring": query_without_page(request),
            "states": QuotaRequestState.choices,
            "state": state,
        },
    )


@login_required
@require_POST
def quota_request_decide(request: HttpRequest, request_id: int) -> HttpResponse:
    quota_request = get_for_user_or_404(
        request.user,
        Perm.QUOTA_DECIDE,
        QuotaRequest.objects.select_related("center", "organization"),
        pk=request_id,
    )
    form = QuotaDecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter how many extra cases to grant (0 to refuse)."))
        return redirect("filings:quota_requests")
    _attempt(
        request,
        _("The request was decided."),
        services.quota_request_decide,
        request=quota_request,
        granted=form.cleaned_data["granted"],
        reason=form.cleaned_data["reason"],
    )
    return redirect("filings:quota_requests")


@login_required
def sanctions_page(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.FILING_REVIEW)
    ids = centers_with(request.user, Perm.FILING_REVIEW)
    centers = Center.objects.order_by("code")
    if ids is not None:
        centers = centers.filter(pk__in=ids)
    form = AssessForm(request.POST or None, centers=centers)
    if request.method == "POST" and form.is_valid():
        center, year = form.cleaned_data["center"], form.cleaned_data["year"]
        try:
            imposed = services.sanctions_assess(center=center, year=year, actor=request.user)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Sanctions assessed for %(year)d: %(count)d new sanction(s).")
                % {"year": year, "count": len(imposed)},
            )
            return redirect("filings:sanctions")
    sanctions = sanctions_visible_to(request.user).filter(filing__center__in=centers)
    return render(
        request,
        "filings/sanctions.html",
        {
            "form": form,
            "page": paginate(request, sanctions.order_by("-year", "-created_at")),
            "querystring": query_without_page(request),
        },
    )
