from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from ipcenter.accounts.access import centers_with, require
from ipcenter.accounts.roles import Perm
from ipcenter.audit.selectors import audit_events_for
from ipcenter.centers.models import Center
from ipcenter.web.forms import DateInput
from ipcenter.web.pagination import paginate, query_without_page


class AuditFilterForm(forms.Form):
    tag = forms.CharField(label=_("Event"), required=False)
    actor = forms.CharField(label=_("Actor"), required=False)
    subject = forms.CharField(label=_("Subject"), required=False)
    center = forms.ModelChoiceField(
        label=_("Center"),
        queryset=Center.objects.none(),
        required=False,
        to_field_name="code",
    )
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("To"), required=False, widget=DateInput())


@login_required
def audit_index(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.AUDIT_VIEW)
    form = AuditFilterForm(request.GET or None)
    allowed = centers_with(request.user, Perm.AUDIT_VIEW)
    centers = Center.objects.all() if allowed is None else Center.objects.filter(pk__in=allowed)
    form.fields["center"].queryset = centers  # type: ignore[attr-defined]
    filters: dict[str, object] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "tag": data["tag"] or "",
            "actor": data["actor"] or "",
            "subject": data["subject"] or "",
            "center_id": data["center"].pk if data["center"] else None,
            "since": data["since"],
            "until": data["until"],
        }
    events = audit_events_for(user=request.user, **filters)  # type: ignore[arg-type]
    return render(
        request,
        "audit/list.html",
        {
            "form": form,
            "page": paginate(request, events, per_page=50),
            "querystring": query_without_page(request),
        },
    )
