from __future__ import annotations

from django import forms

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
