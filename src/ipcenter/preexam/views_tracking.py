"""Pages of the fast track (forms on the case detail page) and the statistics page.

The fast-track forms are rendered by `_tracking.html` inside the case detail page; they post here
and come back to the case with a message: what was recorded, or why it was refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from ipcenter.accounts.access import get_for_user_or_404
from ipcenter.idempotency.decorators import form_token_once
from ipcenter.lib.errors import DomainError
from ipcenter.preexam.models import Case, OfficeAction
from ipcenter.preexam.stats import (
    FIGURE_NAMES,
    default_period,
    figure_headers,
    preexam_statistics,
    stats_selection,
)
from ipcenter.preexam.tracking import (
    CASE_RECORD_PERMS,
    LEAVE_KINDS,
    case_attach_certificate,
    case_leave_fast_track,
    case_record_cnipa_filing,
    case_record_grant,
    case_url,
    office_action_record,
    office_action_respond,
)
from ipcenter.web.forms import DateInput, message_domain_error

# --- forms --------------------------------------------------------------------------------------


class CnipaFilingForm(forms.Form):
    application_number = forms.CharField(
        label=gettext_lazy("CNIPA application number"),
        max_length=32,
        help_text=gettext_lazy("12 digits and the check digit, e.g. 202310123456.6"),
    )
    filing_date = forms.DateField(label=gettext_lazy("Filing date"), widget=DateInput())


class OfficeActionForm(forms.Form):
    received_on = forms.DateField(label=gettext_lazy("Received on"), widget=DateInput())
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ResponseForm(forms.Form):
    responded_on = forms.DateField(label=gettext_lazy("Responded on"), widget=DateInput())


class LeaveFastTrackForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What happened"), choices=LEAVE_KINDS.items())
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class GrantForm(forms.Form):
    grant_number = forms.CharField(label=gettext_lazy("Grant number"), max_length=32)
    grant_date = forms.DateField(label=gettext_lazy("Grant date"), widget=DateInput())
    certificate = forms.FileField(label=gettext_lazy("Certificate (optional)"), required=False)


class CertificateForm(forms.Form):
    certificate = forms.FileField(label=gettext_lazy("Certificate"))


def tracking_forms() -> dict[str, forms.Form]:
    """Blank forms for the case detail page, dates filled with today."""
    today = timezone.localdate()
    return {
        "filing": CnipaFilingForm(initial={"filing_date": today}),
        "office_action": OfficeActionForm(initial={"received_on": today}),
        "response": ResponseForm(initial={"responded_on": today}),
        "leave": LeaveFastTrackForm(),
        "grant": GrantForm(initial={"grant_date": today}),
        "certificate": CertificateForm(),
    }


# --- the fast-track actions ---------------------------------------------------------------------


def _form_errors(form: forms.Form) -> str:
    parts = []
    for key, errors in form.errors.items():
        label = form.fields[key].label if key in form.fields else ""
        text = " ".join(str(e) for e in errors)
        parts.append(f"{label}: {text}" if label else text)
    return " ".join(parts)


def _act(
    request: HttpRequest,
    case_id: int,
    form_class: type[forms.Form],
    run: Callable[[Case, dict[str, Any]], Any],
    done: str,
) -> HttpResponse:
    case = get_for_user_or_404(
        request.user,
        CASE_RECORD_PERMS,
        Case.objects.select_related("center", "organization", "agency"),
        pk=case_id,
    )
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
    else:
        try:
            run(case, form.cleaned_data)
        except DomainError as exc:
            message_domain_error(request, exc, form)
        else:
            messages.success(request, done)
    return redirect(case_url(case) + "#tracking")


@login_required
@require_POST
@form_token_once
def cnipa_filing(request: HttpRequest, case_id: int) -> HttpResponse:
    return _act(
        request,
        case_id,
        CnipaFilingForm,
        lambda case, data: case_record_cnipa_filing(
            case=case,
            actor=request.user,
            application_number=data["application_number"],
            filing_date=data["filing_date"],
        ),
        _("The filing with CNIPA was recorded."),
    )


@login_required
@require_POST
@form_token_once
def office_action_new(request: HttpRequest, case_id: int) -> HttpResponse:
    return _act(
        request,
        case_id,
        OfficeActionForm,
        lambda case, data: office_action_record(
            case=case, actor=request.user, received_on=data["received_on"], note=data["note"]
        ),
        _("The office action was recorded; its response clock is running."),
    )


@login_required
@require_POST
@form_token_once
def office_action_response(
    request: HttpRequest, case_id: int, office_action_id: int
) -> HttpResponse:
    # An office action of another case answers 404, like a missing one, before anything else.
    get_for_user_or_404(request.user, CASE_RECORD_PERMS, Case.objects.all(), pk=case_id)
    action = get_object_or_404(OfficeAction, pk=office_action_id, case_id=case_id)
    return _act(
        request,
        case_id,
        ResponseForm,
        lambda case, data: office_action_respond(
            office_action=action, actor=request.user, responded_on=data["responded_on"]
        ),
        _("The response to the office action was recorded."),
    )


@login_required
@require_POST
def leave_fast_track(request: HttpRequest, case_id: int) -> HttpResponse:
    return _act(
        request,
        case_id,
        LeaveFastTrackForm,
        lambda case, data: case_leave_fast_track(
            case=case, actor=request.user, reason=data["reason"], kind=data["kind"]
        ),
        _("The case left the fast track."),
    )


@login_required
@require_POST
@form_token_once
def grant(request: HttpRequest, case_id: int) -> HttpResponse:
    return _act(
        request,
        case_id,
        GrantForm,
        lambda case, data: case_record_grant(
            case=case,
            actor=request.user,
            grant_number=data["grant_number"],
            grant_date=data["grant_date"],
            certificate=data["certificate"],
        ),
        _("The grant was recorded."),
    )


@login_required
@require_POST
@form_token_once
def certificate(request: HttpRequest, case_id: int) -> HttpResponse:
    return _act(
        request,
        case_id,
        CertificateForm,
        lambda case, data: case_attach_certificate(
            case=case, actor=request.user, certificate=data["certificate"]
        ),
        _("The certificate was attached."),
    )


# --- statistics ---------------------------------------------------------------------------------


class StatsFilterForm(forms.Form):
    center = forms.ChoiceField(label=gettext_lazy("Center"), required=False)
    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput())
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=DateInput())

    def __init__(self, *args: Any, centers: list[Any], language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("All my centers"))]
        choices += [(c.code, c.localized_name(language)) for c in centers]
        self.fields["center"].choices = choices  # type: ignore[attr-defined]


@login_required
@require_GET
def stats_page(request: HttpRequest) -> HttpResponse:
    language = request.LANGUAGE_CODE
    start, end = default_period()
    form = StatsFilterForm(
        request.GET or None,
        initial={"start": start, "end": end},
        centers=stats_selection(user=request.user).choices,
        language=language,
    )
    center = request.GET.get("center", "")
    stats = None
    if form.is_bound and not form.is_valid() and "center" not in form.errors:
        pass  # dates that do not parse: shown inline, nothing counted
    else:
        data = form.cleaned_data if form.is_bound else {}
        try:
            selection = stats_selection(
                user=request.user,
                center=center,
                start=data.get("start"),
                end=data.get("end"),
            )
        except DomainError as exc:
            form.add_error("start", str(exc.message))
        else:
            start, end = selection.start, selection.end
            stats = preexam_statistics(
                centers=selection.centers, start=start, end=end, language=language
            )
    query = urlencode({"center": center, "start": start.isoformat(), "end": end.isoformat()})
    return render(
        request,
        "preexam/stats.html",
        {
            "form": form,
            "stats": stats,
            "headers": figure_headers(),
            "figure_names": FIGURE_NAMES,
            "start": start,
            "end": end,
            "export_url": reverse("api:stats_xlsx") + "?" + query,
        },
    )
