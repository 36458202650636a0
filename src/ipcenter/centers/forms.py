from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ipcenter.centers.catalog import CATALOG
from ipcenter.web.forms import DateInput


class CenterSettingsForm(forms.Form):
    effective_from = forms.DateField(label=_("Effective from"), widget=DateInput())
    reason = forms.CharField(label=_("Reason for the change"), max_length=300)

    def __init__(self, *args: Any, current: dict[str, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["effective_from"].initial = timezone.localdate()
        for spec in CATALOG:
            self.fields[spec.key] = forms.IntegerField(
                label=spec.label,
                min_value=spec.minimum,
                max_value=spec.maximum,
                initial=current[spec.key],
                help_text=spec.unit,
            )

    def grouped(self) -> list[tuple[str, list[forms.BoundField]]]:
        groups: dict[str, list[forms.BoundField]] = {}
        for spec in CATALOG:
            groups.setdefault(str(spec.group), []).append(self[spec.key])
        return list(groups.items())

    def setting_values(self) -> dict[str, int]:
        return {spec.key: self.cleaned_data[spec.key] for spec in CATALOG}


def _codes(text: str) -> list[str]:
    return [c for c in re.split(r"[\s,;，；]+(?![0-9]+/)", text.strip()) if c]


class FieldListForm(forms.Form):
    effective_from = forms.DateField(label=_("Effective from"), widget=DateInput())
    ipc = forms.CharField(
        label=_("IPC codes"),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        help_text=_("One per line: a subclass (A61K) or a group (A61K 31/00)."),
    )
    locarno = forms.CharField(
        label=_("Locarno classes"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("One per line: a class (14) or a subclass (14-02)."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def ipc_codes(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["ipc"].splitlines() if line.strip()]

    def locarno_codes(self) -> list[str]:
        return _codes(self.cleaned_data["locarno"])
