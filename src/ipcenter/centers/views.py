from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from ipcenter.accounts.access import can, get_for_user_or_404, require
from ipcenter.accounts.roles import Perm
from ipcenter.centers.catalog import CATALOG
from ipcenter.centers.forms import CenterSettingsForm, FieldListForm
from ipcenter.centers.models import Center, FieldScheme
from ipcenter.centers.selectors import (
    center_list,
    center_settings,
    field_list_in_force,
    field_list_versions,
    settings_versions,
    workstation_list,
)
from ipcenter.centers.services import center_settings_change, field_list_publish
from ipcenter.idempotency.decorators import form_token_once
from ipcenter.lib.errors import DomainError
from ipcenter.patents.fields import field_titles
from ipcenter.web.forms import apply_domain_error
from ipcenter.web.pagination import paginate, query_without_page


def _center(request: HttpRequest, code: str, perm: Perm = Perm.CENTER_VIEW) -> Center:
    return get_for_user_or_404(request.user, perm, center_list(), code=code)


@login_required
def center_index(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.CENTER_VIEW)
    return render(request, "centers/list.html", {"centers": center_list()})


@login_required
def center_detail(request: HttpRequest, code: str) -> HttpResponse:
    center = _center(request, code)
    on = parse_date(request.GET.get("on", "") or "") or timezone.localdate()
    version = field_list_in_force(center=center, on=on)
    language = request.LANGUAGE_CODE
    ipc = version.symbols(FieldScheme.IPC) if version else []
    locarno = version.symbols(FieldScheme.LOCARNO) if version else []
    return render(
        request,
        "centers/detail.html",
        {
            "center": center,
            "on": on,
            "version": version,
            "ipc_rows": field_titles(ipc, FieldScheme.IPC, language),
            "locarno_rows": field_titles(locarno, FieldScheme.LOCARNO, language),
            "versions": field_list_versions(center=center),
            "workstation_count": center.workstations.filter(is_active=True).count(),
            "can_view_settings": can(request.user, Perm.CENTER_SETTINGS_VIEW, center),
            "can_change_fields": can(request.user, Perm.CENTER_FIELDS_CHANGE, center),
        },
    )


@login_required
def center_settings_page(request: HttpRequest, code: str) -> HttpResponse:
    center = _center(request, code, Perm.CENTER_SETTINGS_VIEW)
    may_change = can(request.user, Perm.CENTER_SETTINGS_CHANGE, center)
    on = parse_date(request.GET.get("on", "") or "") or timezone.localdate()
    current = center_settings(center=center, on=on)
    form = CenterSettingsForm(current=current)
    if request.method == "POST":
        if not may_change:
            require(request.user, Perm.CENTER_SETTINGS_CHANGE, center)
        form = CenterSettingsForm(request.POST, current=current)
        if form.is_valid():
            try:
                center_settings_change(
                    center=center,
                    actor=request.user,
                    values=form.setting_values(),
                    effective_from=form.cleaned_data["effective_from"],
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("The settings were saved."))
                return redirect("centers:settings", code=center.code)
    rows = [(spec, current[spec.key]) for spec in CATALOG]
    return render(
        request,
        "centers/settings.html",
        {
            "center": center,
            "on": on,
            "rows": rows,
            "form": form,
            "may_change": may_change,
            "history": settings_versions(center=center)[:20],
        },
    )


@login_required
@form_token_once
def field_list_new(request: HttpRequest, code: str) -> HttpResponse:
    center = _center(request, code, Perm.CENTER_FIELDS_CHANGE)
    current = field_list_in_force(center=center)
    initial = {
        "effective_from": timezone.localdate() + dt.timedelta(days=1),
        "ipc": "\n".join(current.symbols(FieldScheme.IPC)) if current else "",
        "locarno": "\n".join(current.symbols(FieldScheme.LOCARNO)) if current else "",
    }
    form = FieldListForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            version = field_list_publish(
                center=center,
                actor=request.user,
                effective_from=form.cleaned_data["effective_from"],
                ipc=form.ipc_codes(),
                locarno=form.locarno_codes(),
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("The field list was published; it takes effect on %(date)s.")
                % {"date": version.effective_from.isoformat()},
            )
            return redirect("centers:detail", code=center.code)
    return render(request, "centers/field_list_form.html", {"center": center, "form": form})


@login_required
def workstation_index(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.WORKSTATION_VIEW)
    code = request.GET.get("center", "")
    center = Center.objects.filter(code=code).first() if code else None
    query = request.GET.get("q", "").strip()
    page = paginate(request, workstation_list(center=center, query=query))
    return render(
        request,
        "centers/workstations.html",
        {
            "page": page,
            "centers": center_list(),
            "selected": code,
            "q": query,
            "querystring": query_without_page(request),
        },
    )
