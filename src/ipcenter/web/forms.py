from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext

from ipcenter.lib.errors import DomainError


def apply_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service's refusal inline: per field where it names one, else above the form."""
    placed = False
    unplaced: list[str] = []
    for field, message in exc.errors.items():
        if field in form.fields:
            form.add_error(field, message)
            placed = True
        else:
            # Keys that are not fields name the entry at fault (e.g. one IPC code of a list).
            unplaced.append(message if field in message else f"{field}: {message}")
    if not placed or not exc.errors:
        form.add_error(None, str(exc.message))
    for message in unplaced:
        form.add_error(None, message)


class DateInput(forms.DateInput):
    """The browser's date picker; it needs ISO dates whatever the language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def domain_error_text(exc: DomainError, form: forms.Form | None = None) -> str:
    """A service's refusal as one message, for pages that answer with a redirect: the reason and
    each complaint it does not already say, named by the form's label where there is one."""
    reason = str(exc.message)
    details = []
    for key, message in exc.errors.items():
        field = form.fields.get(key) if form is not None else None
        if field is not None and field.label:
            details.append(
                gettext("%(field)s: %(message)s") % {"field": field.label, "message": message}
            )
            if str(message) == reason:
                reason = ""  # said with its field's name instead
        elif str(message) not in reason:
            details.append(str(message))
    return " ".join(part for part in (reason, *details) if part)


def message_domain_error(
    request: HttpRequest, exc: DomainError, form: forms.Form | None = None
) -> None:
    messages.error(request, domain_error_text(exc, form))
