"""Pages' actions on a case's IPC suggestion, prior art and citations (the panels themselves are
drawn on the case page by `{% priorart_context %}`). Each answers by going back to the case with
a message; a refused one says why."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ipcenter.accounts.roles import Perm
from ipcenter.lib.errors import DomainError
from ipcenter.preexam import selectors
from ipcenter.preexam.analysis import (
    case_analysis_refresh,
    case_citation_mark,
    case_citation_remove,
)
from ipcenter.preexam.models import Case, Citation, CitationCategory
from ipcenter.web.forms import message_domain_error

EXAMINER_OR_MANAGER = (Perm.CASE_EXAMINE, Perm.CASE_MANAGE)


class CitationForm(forms.Form):
    document_key = forms.CharField(
        label=gettext_lazy("Document"),
        max_length=40,
        help_text=gettext_lazy("Its number as the corpus keys it, e.g. US10917092"),
    )
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=CitationCategory.choices)
    claims = forms.CharField(label=gettext_lazy("Claims concerned"), required=False, max_length=100)
    note = forms.CharField(
        label=gettext_lazy("Passage or note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def claim_numbers(self) -> list[str]:
        return re.findall(r"\d+", self.cleaned_data.get("claims") or "")


def _back(case: Case) -> HttpResponse:
    return redirect("preexam:case_detail", case_id=case.pk)


def _anchor(case: Case, anchor: str) -> HttpResponse:
    response = _back(case)
    response["Location"] += f"#{anchor}"
    return response


@login_required
@require_POST
def analysis_refresh(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_for_user_or_404(request.user, case_id, EXAMINER_OR_MANAGER)
    try:
        analysis = case_analysis_refresh(case=case, actor=request.user)
    except DomainError as exc:
        message_domain_error(request, exc)
        return _back(case)
    if analysis.error:
        messages.warning(request, _("The analysis ran, but not every part of it could."))
    else:
        messages.success(request, _("The IPC suggestion and the prior art were refreshed."))
    return _anchor(case, "prior-art")


@login_required
@require_POST
def citation_mark(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_for_user_or_404(request.user, case_id, Perm.CASE_EXAMINE)
    form = CitationForm(request.POST)
    if not form.is_valid():
        for field_errors in form.errors.values():
            for error in field_errors:
                messages.error(request, str(error))
        return _anchor(case, "citations")
    key = form.cleaned_data["document_key"].strip().upper()
    claims: list[Any] = form.claim_numbers()
    # A document marked again from another claim's list keeps the claims it was cited for.
    earlier = case.citations.filter(document_key=key).first()
    if earlier is not None:
        claims = sorted({*earlier.claims, *(int(n) for n in claims)})
    try:
        case_citation_mark(
            case=case,
            actor=request.user,
            document_key=key,
            category=form.cleaned_data["category"],
            claims=claims,
            note=form.cleaned_data["note"] or (earlier.note if earlier else ""),
        )
    except DomainError as exc:
        message_domain_error(request, exc)
        return _anchor(case, "citations")
    messages.success(
        request,
        _("%(key)s is cited as %(category)s.")
        % {"key": key, "category": form.cleaned_data["category"]},
    )
    return _anchor(case, "citations")


@login_required
@require_POST
def citation_remove(request: HttpRequest, case_id: int, citation_id: int) -> HttpResponse:
    case = selectors.case_for_user_or_404(request.user, case_id, Perm.CASE_EXAMINE)
    citation = get_object_or_404(Citation.objects.select_related("case"), case=case, pk=citation_id)
    try:
        case_citation_remove(citation=citation, actor=request.user)
    except DomainError as exc:
        message_domain_error(request, exc)
        return _back(case)
    messages.success(request, _("The citation was removed."))
    return _anchor(case, "citations")
