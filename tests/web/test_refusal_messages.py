"""A refusal shown after a redirect says the reason once, and names the fields at fault."""

from __future__ import annotations

from django import forms
from django.utils import translation

from ipcenter.lib.errors import Conflict, InvalidInput
from ipcenter.web.forms import domain_error_text


class NumberForm(forms.Form):
    number = forms.CharField(label="Application number")


def test_the_reason_alone() -> None:
    assert domain_error_text(Conflict("Not now.")) == "Not now."


def test_complaints_the_reason_does_not_say_follow_it() -> None:
    exc = InvalidInput("Fix the request.", errors={"a": "A is missing.", "b": "Fix the request."})
    assert domain_error_text(exc) == "Fix the request. A is missing."


def test_a_form_names_the_field_instead_of_repeating_the_reason() -> None:
    exc = InvalidInput("The check digit is wrong.", errors={"number": "The check digit is wrong."})
    with translation.override("en"):
        assert domain_error_text(exc, NumberForm()) == (
            "Application number: The check digit is wrong."
        )
    with translation.override("zh-hans"):
        assert "：" in domain_error_text(exc, NumberForm())
