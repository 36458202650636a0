from __future__ import annotations

from django import forms

from ipcenter.lib.errors import DomainError


def apply_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service's refusal inline: per field where it names one, else above the form."""
    placed = False
    for field, message in exc.errors.items():
        if field in form.fields:
            form.add_error(field, message)
            placed = True
    if not placed or not exc.errors:
        form.add_error(None, str(exc.message))


class DateInput(forms.DateInput):
    """The browser's date picker; it needs ISO dates whatever the language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")
