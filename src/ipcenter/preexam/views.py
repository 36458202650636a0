"""Pre-examination pages: my cases, submit, the case (with review moves), diff, the examiner's
queue, and examiners' conflicts. Fast-track pages are in views_tracking.py.

A refused move (the case's state does not allow it) comes back to the case with a message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ipcenter.accounts.access import (
    can,
    centers_with,
    get_for_user_or_404,
    organizations_with,
    require,
)
from ipcenter.accounts.models import Organization, User
from ipcenter.accounts.roles import OrgKind, Perm, Role
from ipcenter.filings.models import EngagementActivity, EntityFiling, FilingState
from ipcenter.filings.selectors import engaged_enterprise_ids
from ipcenter.idempotency.decorators import form_token_once
from ipcenter.lib.errors import DomainError
from ipcenter.patents.application import SECTION_LABELS, Claim, ParsedApplication
from ipcenter.preexam import eligibility, selectors
from ipcenter.preexam.analysis import is_center_side
from ipcenter.preexam.assignment import (
    case_reassign,
    center_examiners,
    conflict_declare,
    conflict_withdraw,
)
from ipcenter.preexam.diff import version_diff
from ipcenter.preexam.forms import (
    SUBMIT_ERROR_FIELDS,
    AmendForm,
    CaseFilterForm,
    CaseSubmitForm,
    ConflictForm,
    OpinionForm,
    ReasonForm,
    ReassignForm,
)
from ipcenter.preexam.models import Case, CaseEvent, CaseState, ExaminerConflict
from ipcenter.preexam.services import (
    NotEligible,
    case_accept,
    case_amend,
    case_check_eligibility,
    case_document_opened,
    case_not_accept,
    case_opinion_issue,
    case_qualify,
    case_submit,
    case_unqualify,
    case_viewed,
    case_withdraw,
)
from ipcenter.preexam.workflow import OPEN_REVIEW_STATES, moves_for
from ipcenter.web.forms import apply_domain_error, message_domain_error
from ipcenter.web.pagination import paginate, query_without_page


def _case(request: HttpRequest, case_id: int) -> Case:
    return selectors.case_for_user_or_404(request.user, case_id)


def _back(case: Case) -> HttpResponse:
    return redirect("preexam:case_detail", case_id=case.pk)


def _refused(request: HttpRequest, case: Case, exc: DomainError) -> HttpResponse:
    """A move the state or the input does not allow: back to the case, saying why."""
    message_domain_error(request, exc)
    return _back(case)


# --- lists ---------------------------------------------------------------------------------


def _can_view_cases(user: Any) -> bool:
    return any(can(user, p) for p in selectors.VIEW_PERMS)


def _managed_examiners(user: Any) -> QuerySet[User] | None:
    centers = centers_with(user, Perm.CASE_MANAGE)
    if centers == set():
        return None
    qs = User.objects.filter(memberships__role=Role.PRE_EXAMINER, memberships__is_active=True)
    if centers is not None:
        qs = qs.filter(memberships__center_id__in=centers)
    return qs.distinct().order_by("username")


@login_required
def case_index(request: HttpRequest) -> HttpResponse:
    if not _can_view_cases(request.user):
        raise PermissionDenied
    examiners = _managed_examiners(request.user)
    form = CaseFilterForm(request.GET or None, examiners=examiners)
    filters = selectors.CaseFilters()
    if form.is_valid():
        d = form.cleaned_data
        examiner = d.get("examiner")
        filters = selectors.CaseFilters(
            state=d.get("state") or "",
            patent_type=d.get("patent_type") or "",
            examiner_id=examiner.pk if examiner else None,
            q=(d.get("q") or "").strip(),
            unassigned=request.GET.get("unassigned") == "1",
        )
    cases = selectors.case_list(user=request.user, filters=filters)
    return render(
        request,
        "preexam/case_list.html",
        {
            "form": form,
            "page": paginate(request, cases),
            "querystring": query_without_page(request),
            "can_submit": can(request.user, Perm.CASE_SUBMIT),
            "is_manager": examiners is not None,
        },
    )


@login_required
def examiner_queue(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.CASE_EXAMINE)
    return render(
        request,
        "preexam/queue.html",
        {"page": paginate(request, selectors.examiner_queue(user=request.user))},
    )


# --- intake --------------------------------------------------------------------------------


def _applicant_choices(user: Any) -> QuerySet[Organization]:
    """The enterprises the person may submit for: their own, or (agents) the filed ones that
    engaged the agency for filing."""
    own = organizations_with(user, Perm.CASE_SUBMIT)
    enterprises = Organization.objects.filter(pk__in=own, kind=OrgKind.ENTERPRISE)
    agencies = set(
        Organization.objects.filter(pk__in=own, kind=OrgKind.AGENCY).values_list("pk", flat=True)
    )
    if agencies:
        filed = EntityFiling.objects.filter(state=FilingState.ACTIVE).values("organization_id")
        engaged = engaged_enterprise_ids(agency_ids=agencies, activity=EngagementActivity.FILING)
        enterprises = enterprises | Organization.objects.filter(
            pk__in=filed, kind=OrgKind.ENTERPRISE, is_active=True
        ).filter(pk__in=engaged)
    return enterprises.distinct().order_by("name")


@login_required
@form_token_once
def case_new(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.CASE_SUBMIT)
    form = CaseSubmitForm(
        request.POST or None, request.FILES or None, applicants=_applicant_choices(request.user)
    )
    results = None
    if request.method == "POST" and form.is_valid():
        checking = request.POST.get("action") == "check"
        try:
            if checking:
                results = case_check_eligibility(
                    actor=request.user,
                    center=form.cleaned_data["center"],
                    request=form.case_request(),
                    files=form.uploads(),
                )
            else:
                case = case_submit(
                    actor=request.user,
                    center=form.cleaned_data["center"],
                    request=form.case_request(),
                    files=form.uploads(),
                )
        except NotEligible as exc:
            results = exc.results
        except DomainError as exc:
            exc.errors = {SUBMIT_ERROR_FIELDS.get(k, k): v for k, v in exc.errors.items()}
            apply_domain_error(form, exc)
        else:
            if not checking:
                messages.success(
                    request,
                    _("Case %(ref)s was submitted for pre-examination.") % {"ref": case.reference},
                )
                return redirect("preexam:case_detail", case_id=case.pk)
    failed = eligibility.failed(results or [])
    return render(
        request,
        "preexam/case_form.html",
        {"form": form, "results": results, "failed": failed},
    )


# --- the case ------------------------------------------------------------------------------


@dataclass
class ClaimNode:
    claim: Claim
    children: list[ClaimNode] = field(default_factory=list)


def claim_tree(claims: list[Claim]) -> list[ClaimNode]:
    """Independent claims at the top, each dependent claim under the first claim it refers to."""
    nodes = {c.number: ClaimNode(c) for c in claims}
    roots: list[ClaimNode] = []
    for c in claims:
        parent = next((n for n in c.depends_on if n in nodes and n < c.number), None)
        if parent is None:
            roots.append(nodes[c.number])
        else:
            nodes[parent].children.append(nodes[c.number])
    return roots


# The case page shows this much of the description (characters); the rest is in the document.
# Intake bounds new documents (IPCENTER_DOCUMENT_MAX_CHARS), but a page must stay small anyway.
PAGE_DESCRIPTION_CHARS = 300_000


def shown_description(app: ParsedApplication) -> tuple[list[Any], int]:
    """The description's paragraphs that fit the page, and how many are left out."""
    shown: list[Any] = []
    budget = PAGE_DESCRIPTION_CHARS
    for paragraph in app.description:
        budget -= len(paragraph.text)
        if budget < 0:
            break
        shown.append(paragraph)
    return shown, len(app.description) - len(shown)


def description_sections(app: ParsedApplication) -> list[tuple[str, list[Any]]]:
    groups: list[tuple[str, list[Any]]] = []
    for paragraph in shown_description(app)[0]:
        label = _(SECTION_LABELS[paragraph.section]) if paragraph.section in SECTION_LABELS else ""
        if not groups or groups[-1][0] != label:
            groups.append((label, []))
        groups[-1][1].append(paragraph)
    return groups


EVENT_ACTIONS: dict[str, Any] = {
    "submitted": gettext_lazy("Submitted"),
    "assigned": gettext_lazy("Assigned to a pre-examiner"),
    "unassigned": gettext_lazy("No pre-examiner found; the managers were told"),
    "reassigned": gettext_lazy("Reassigned"),
    "office_action:recorded": gettext_lazy("Office action recorded"),
    "office_action:answered": gettext_lazy("Office action answered"),
    "certificate:attached": gettext_lazy("Certificate attached"),
}


def event_label(event: CaseEvent) -> str:
    if event.to_state and event.to_state in CaseState.values and event.action != "submitted":
        return str(CaseState(event.to_state).label)
    return str(EVENT_ACTIONS.get(event.action, event.action))


def _detail_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    user = request.user
    versions = list(selectors.case_versions(case))
    latest = versions[-1] if versions else None
    app = ParsedApplication.from_dict(latest.parsed) if latest else ParsedApplication()
    center_side = is_center_side(user, case)
    findings = [
        (f, selectors.finding_message(f.code, f.params))
        for f in (selectors.version_findings(latest, center_side=center_side) if latest else [])
    ]
    is_manager = can(user, Perm.CASE_MANAGE, case)
    reassign_form = None
    if is_manager and case.state in OPEN_REVIEW_STATES:
        reassign_form = ReassignForm(examiners=center_examiners(case.center_id))
    return {
        "case": case,
        "versions": versions,
        "version_rows": [
            (v, len(selectors.version_findings(v, center_side=center_side))) for v in versions
        ],
        "latest": latest,
        "app": app,
        "claim_tree": claim_tree(app.claims),
        "sections": description_sections(app),
        "description_left_out": shown_description(app)[1],
        "findings": findings,
        "opinions": case.opinions.prefetch_related("items", "citations").select_related(
            "examiner", "version"
        ),
        "events": [(e, event_label(e)) for e in case.events.select_related("actor")],
        "clocks": case.clocks.all(),
        "moves": moves_for(user, case),
        "reason_form": ReasonForm(),
        "reassign_form": reassign_form,
        "is_manager": is_manager,
        "S": CaseState,
    }


@login_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    case_viewed(case=case, user=request.user, what="page")
    return render(request, "preexam/case_detail.html", _detail_context(request, case))


@login_required
def case_diff(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    by_number = {v.number: v for v in case.versions.all()}
    numbers = sorted(by_number)
    try:
        frm = int(request.GET.get("from") or (numbers[-2] if len(numbers) > 1 else 1))
        to = int(request.GET.get("to") or numbers[-1])
    except (ValueError, IndexError):
        frm, to = 0, 0
    result = None
    if frm in by_number and to in by_number:
        case_viewed(case=case, user=request.user, what="diff")
        result = version_diff(by_number[frm].parsed, by_number[to].parsed)
    return render(
        request,
        "preexam/case_diff.html",
        {"case": case, "diff": result, "from": frm, "to": to, "numbers": numbers},
    )


@login_required
def case_document(request: HttpRequest, case_id: int, document_id: str) -> FileResponse:
    return case_document_download(request, _case(request, case_id), document_id)


def case_document_download(request: HttpRequest, case: Case, document_id: str) -> FileResponse:
    """One of the case's documents as an attachment, the opening audited (page and API)."""
    link = selectors.case_document_link(case, document_id)
    case_document_opened(case=case, document=link.document, user=request.user)
    response = FileResponse(
        link.document.file.open("rb"),
        as_attachment=True,
        filename=link.document.original_name,
        content_type=link.document.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- review moves --------------------------------------------------------------------------


@login_required
@require_POST
def case_accept_view(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    try:
        case_accept(case=case, actor=request.user)
    except DomainError as exc:
        return _refused(request, case, exc)
    messages.success(request, _("The case was accepted for review."))
    return _back(case)


def _reason_move(request: HttpRequest, case_id: int, move: Any, done: str) -> HttpResponse:
    case = _case(request, case_id)
    form = ReasonForm(request.POST)
    reason = form.data.get("reason", "")
    try:
        move(case=case, actor=request.user, reason=str(reason))
    except DomainError as exc:
        return _refused(request, case, exc)
    messages.success(request, done)
    return _back(case)


@login_required
@require_POST
def case_not_accept_view(request: HttpRequest, case_id: int) -> HttpResponse:
    return _reason_move(request, case_id, case_not_accept, _("The case was not accepted."))


@login_required
@require_POST
def case_qualify_view(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    try:
        case_qualify(case=case, actor=request.user)
    except DomainError as exc:
        return _refused(request, case, exc)
    messages.success(request, _("The case qualified for the fast track."))
    return _back(case)


@login_required
@require_POST
def case_unqualify_view(request: HttpRequest, case_id: int) -> HttpResponse:
    return _reason_move(request, case_id, case_unqualify, _("The case was decided unqualified."))


@login_required
@require_POST
def case_withdraw_view(request: HttpRequest, case_id: int) -> HttpResponse:
    return _reason_move(request, case_id, case_withdraw, _("The case was withdrawn."))


@login_required
@form_token_once
def case_opinion_view(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    if not can(request.user, Perm.CASE_EXAMINE, case):
        raise PermissionDenied
    form = OpinionForm(request.POST or None, patent_type=case.patent_type)
    if request.method == "POST" and form.is_valid():
        try:
            case_opinion_issue(
                case=case,
                actor=request.user,
                summary=form.cleaned_data["summary"],
                items=form.items(),
            )
        except DomainError as exc:
            if exc.status == 409:
                return _refused(request, case, exc)
            exc.errors = OpinionForm.error_fields(exc.errors)
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("The opinion was issued; the applicant may amend once."))
            return _back(case)
    return render(
        request,
        "preexam/opinion_form.html",
        {"case": case, "form": form, "citations": selectors.case_citations(case)},
    )


@login_required
@form_token_once
def case_amend_view(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    if not can(request.user, Perm.CASE_SUBMIT, case):
        raise PermissionDenied
    form = AmendForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = case_amend(
                case=case,
                actor=request.user,
                files=form.uploads(),
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            if exc.status == 409:
                return _refused(request, case, exc)
            exc.errors = {SUBMIT_ERROR_FIELDS.get(k, k): v for k, v in exc.errors.items()}
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Version %(n)d was submitted.") % {"n": version.number})
            return _back(case)
    return render(request, "preexam/amend_form.html", {"case": case, "form": form})


@login_required
@require_POST
def case_assign_view(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_for_user_or_404(request.user, case_id, Perm.CASE_MANAGE)
    form = ReassignForm(request.POST, examiners=center_examiners(case.center_id))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return _back(case)
    try:
        case_reassign(
            case=case,
            examiner=form.cleaned_data["examiner"],
            actor=request.user,
            reason=form.cleaned_data["reason"],
            confirmed=form.cleaned_data["confirmed"],
        )
    except DomainError as exc:
        return _refused(request, case, exc)
    messages.success(request, _("The case was reassigned."))
    return _back(case)


# --- conflicts -----------------------------------------------------------------------------


@login_required
@form_token_once
def conflict_index(request: HttpRequest) -> HttpResponse:
    may_declare = can(request.user, Perm.EXAMINER_CONFLICT_DECLARE)
    if not (may_declare or can(request.user, Perm.CASE_MANAGE)):
        raise PermissionDenied
    form = ConflictForm(request.POST or None)
    if request.method == "POST":
        require(request.user, Perm.EXAMINER_CONFLICT_DECLARE)
        if form.is_valid():
            try:
                conflict_declare(
                    examiner=request.user,  # type: ignore[arg-type]
                    organization=form.cleaned_data["organization"],
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("Your conflict of interest was recorded."))
                return redirect("preexam:conflicts")
    return render(
        request,
        "preexam/conflicts.html",
        {
            "form": form if may_declare else None,
            "page": paginate(request, selectors.conflicts_visible_to(request.user)),
            "me": request.user,
        },
    )


@login_required
@require_POST
def conflict_withdraw_view(request: HttpRequest, conflict_id: int) -> HttpResponse:
    conflict = get_for_user_or_404(
        request.user, Perm.EXAMINER_CONFLICT_DECLARE, ExaminerConflict.objects.all(), pk=conflict_id
    )
    try:
        conflict_withdraw(conflict=conflict, actor=request.user)  # type: ignore[arg-type]
    except DomainError as exc:
        message_domain_error(request, exc)
    else:
        messages.success(request, _("The conflict was withdrawn."))
    return redirect(reverse("preexam:conflicts"))
