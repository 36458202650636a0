from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ipcenter.accounts.access import require, signed_in
from ipcenter.accounts.models import Language
from ipcenter.accounts.roles import Perm
from ipcenter.accounts.services import user_update_profile
from ipcenter.calendar import (
    CalendarRangeError,
    add_workdays,
    is_provisional,
    is_workday,
    workdays_between,
)
from ipcenter.web.forms import DateInput
from ipcenter.web.home import home_panels


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", {"panels": home_panels(signed_in(request))})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the language; remembered in a cookie, and in the profile of a signed-in person."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language not in Language.values:
        return response
    if request.user.is_authenticated:
        user_update_profile(user=signed_in(request), language=language)
    translation.activate(language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=False,
    )
    return response


class WorkdayForm(forms.Form):
    start = forms.DateField(label=_("Start date"), widget=DateInput())
    days = forms.IntegerField(
        label=_("Working days"), min_value=-400, max_value=400, required=False
    )
    end = forms.DateField(label=_("End date"), required=False, widget=DateInput())


@login_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.CALENDAR_USE)
    form = WorkdayForm(request.GET or None, initial={"start": timezone.localdate(), "days": 7})
    result: dict[str, object] = {}
    if form.is_bound and form.is_valid():
        start: dt.date = form.cleaned_data["start"]
        try:
            if form.cleaned_data.get("days") is not None:
                result["due"] = add_workdays(start, form.cleaned_data["days"])
                result["provisional"] = is_provisional(result["due"])  # type: ignore[arg-type]
            if form.cleaned_data.get("end"):
                result["between"] = workdays_between(start, form.cleaned_data["end"])
            result["start_is_workday"] = is_workday(start)
        except CalendarRangeError as exc:
            form.add_error(None, str(exc))
    return render(request, "web/calendar.html", {"form": form, "result": result})


def healthz(request: HttpRequest) -> HttpResponse:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


def root_redirect(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(reverse("home"))
