"""Forms of the intake and review pages. They only shape input; the services decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ipcenter.accounts.models import Organization, User
from ipcenter.accounts.roles import OrgKind
from ipcenter.centers.models import Center
from ipcenter.preexam.models import Aspect, CaseState, DocumentPart, PatentType
from ipcenter.preexam.services import REQUIRED_ASPECTS, CaseRequest, OpinionItemIn

TEXT_ACCEPT = ".docx,.pdf,.xml"
DRAWINGS_ACCEPT = ".pdf,.png,.jpg,.jpeg,.tif,.tiff"


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.replace(";", "\n").splitlines() if line.strip()]


def _file(label: Any, accept: str, help_text: Any = "") -> forms.FileField:
    return forms.FileField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.ClearableFileInput(attrs={"accept": accept}),
    )


class PartsMixin(forms.Form):
    """One file input per part of the application."""

    full = _file(
        gettext_lazy("Complete application"),
        TEXT_ACCEPT,
        gettext_lazy("One DOCX, PDF with text, or CNIPA/USPTO XML with all parts"),
    )
    claims = _file(gettext_lazy("Claims"), TEXT_ACCEPT)
    description = _file(gettext_lazy("Description"), TEXT_ACCEPT)
    abstract = _file(gettext_lazy("Abstract"), TEXT_ACCEPT)
    drawings = _file(gettext_lazy("Drawings"), DRAWINGS_ACCEPT, gettext_lazy("PDF or images"))

    FILE_FIELDS = ("full", "claims", "description", "abstract", "drawings")

    def file_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.FILE_FIELDS]

    def request_fields(self) -> list[forms.BoundField]:
        return [f for f in self.visible_fields() if f.name not in self.FILE_FIELDS]

    def uploads(self) -> list[tuple[str, Any]]:
        return [
            (part, self.cleaned_data[part])
            for part in (
                DocumentPart.FULL,
                DocumentPart.CLAIMS,
                DocumentPart.DESCRIPTION,
                DocumentPart.ABSTRACT,
                DocumentPart.DRAWINGS,
            )
            if self.cleaned_data.get(part)
        ]


class CaseSubmitForm(PartsMixin):
    center = forms.ModelChoiceField(label=gettext_lazy("Center"), queryset=Center.objects.all())
    applicant_organization = forms.ModelChoiceField(
        label=gettext_lazy("Applicant organization"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=gettext_lazy("Agents: the enterprise you act for"),
        # One message for an unknown enterprise and one that revoked the engagement: no oracle.
        error_messages={
            "invalid_choice": gettext_lazy(
                "Your agency holds no engagement of this enterprise in force for filing. "
                "Choose an enterprise from the list."
            )
        },
    )
    patent_type = forms.ChoiceField(label=gettext_lazy("Patent type"), choices=PatentType.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=300)
    applicants = forms.CharField(
        label=gettext_lazy("Applicants, in order"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("One per line; the first is the filed entity"),
    )
    inventors = forms.CharField(
        label=gettext_lazy("Inventors or designers"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("One per line"),
    )
    main_code = forms.CharField(
        label=gettext_lazy("Main classification"),
        max_length=40,
        help_text=gettext_lazy(
            "IPC symbol (e.g. A61K 31/00); Locarno class for designs (e.g. 24-02)"
        ),
    )
    further_codes = forms.CharField(
        label=gettext_lazy("Further classifications"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("One per line"),
    )
    priority_claims = forms.CharField(
        label=gettext_lazy("Priority claims"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "One per line: country, number, date, e.g. US 17/123,456 2025-03-01"
        ),
    )
    is_pct = forms.BooleanField(label=gettext_lazy("PCT application"), required=False)
    is_divisional = forms.BooleanField(label=gettext_lazy("Divisional application"), required=False)
    same_day_dual_filing = forms.BooleanField(
        label=gettext_lazy("Same-day invention and utility model filing for this invention"),
        required=False,
    )

    def __init__(self, *args: Any, applicants: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["applicant_organization"]
        field.queryset = applicants  # type: ignore[attr-defined]
        if applicants.count() == 1:
            field.initial = applicants.first()
        centers = Center.objects.order_by("code")
        if centers.count() == 1:
            self.fields["center"].initial = centers.first()

    def clean_priority_claims(self) -> list[dict[str, Any]]:
        claims = []
        for n, line in enumerate(_lines(self.cleaned_data.get("priority_claims") or ""), start=1):
            parts = line.replace(",", " ").split()
            try:
                when = dt.date.fromisoformat(parts[-1])
            except (ValueError, IndexError) as exc:
                raise forms.ValidationError(
                    _("Line %(n)d: write the country, the number and the date (YYYY-MM-DD).")
                    % {"n": n}
                ) from exc
            if len(parts) < 3:
                raise forms.ValidationError(
                    _("Line %(n)d: write the country, the number and the date (YYYY-MM-DD).")
                    % {"n": n}
                )
            # The number may hold spaces or commas ("17/123,456"): everything between.
            number = line.split(None, 1)[1].rsplit(None, 1)[0].strip()
            claims.append({"country": parts[0], "number": number, "date": when})
        return claims

    def case_request(self) -> CaseRequest:
        d = self.cleaned_data
        org = d.get("applicant_organization")
        return CaseRequest(
            title=d["title"],
            patent_type=d["patent_type"],
            applicants=_lines(d["applicants"]),
            inventors=_lines(d["inventors"]),
            main_code=d["main_code"],
            further_codes=_lines(d.get("further_codes") or ""),
            priority_claims=d.get("priority_claims") or [],
            is_pct=d.get("is_pct", False),
            is_divisional=d.get("is_divisional", False),
            same_day_dual_filing=d.get("same_day_dual_filing", False),
            applicant_organization_id=org.pk if org else None,
        )


# Service error keys that are not form fields but name one.
SUBMIT_ERROR_FIELDS = {"applicant_organization_id": "applicant_organization", "files": "full"}


class AmendForm(PartsMixin):
    note = forms.CharField(
        label=gettext_lazy("What was amended"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class OpinionForm(forms.Form):
    summary = forms.CharField(
        label=gettext_lazy("Summary"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, patent_type: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.aspects = REQUIRED_ASPECTS[patent_type]
        for aspect in self.aspects:
            label = Aspect(aspect).label
            self.fields[f"{aspect}_satisfied"] = forms.BooleanField(
                label=_("%(aspect)s: satisfied") % {"aspect": label}, required=False
            )
            self.fields[f"{aspect}_claims"] = forms.CharField(
                label=_("Claims concerned"), required=False, max_length=100
            )
            self.fields[f"{aspect}_text"] = forms.CharField(
                label=_("Reasoning"), required=False, widget=forms.Textarea(attrs={"rows": 2})
            )

    def aspect_rows(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [
            (
                Aspect(a).label,
                [self[f"{a}_satisfied"], self[f"{a}_claims"], self[f"{a}_text"]],
            )
            for a in self.aspects
        ]

    def items(self) -> list[OpinionItemIn]:
        d = self.cleaned_data
        return [
            OpinionItemIn(
                aspect=a,
                satisfied=bool(d.get(f"{a}_satisfied")),
                claims=d.get(f"{a}_claims") or "",
                text=d.get(f"{a}_text") or "",
            )
            for a in self.aspects
        ]

    @staticmethod
    def error_fields(errors: dict[str, str]) -> dict[str, str]:
        """Service keys "items.novelty" name the reasoning field of that aspect."""
        return {
            (f"{k.split('.', 1)[1]}_text" if k.startswith("items.") else k): v
            for k, v in errors.items()
        }


class ReassignForm(forms.Form):
    examiner = forms.ModelChoiceField(
        label=gettext_lazy("Pre-examiner"), queryset=User.objects.none()
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    confirmed = forms.BooleanField(
        label=gettext_lazy("I confirm this examiner's competence for the case's field"),
        required=False,
    )

    def __init__(self, *args: Any, examiners: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["examiner"]
        field.queryset = User.objects.filter(pk__in=[u.pk for u in examiners])  # type: ignore[attr-defined]
        field.label_from_instance = lambda u: u.display_name()  # type: ignore[attr-defined]


class ConflictForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=gettext_lazy("Organization"),
        queryset=Organization.objects.filter(
            kind__in=[OrgKind.ENTERPRISE, OrgKind.AGENCY], is_active=True
        ).order_by("name"),
    )
    reason = forms.CharField(
        label=gettext_lazy("What is the conflict"), widget=forms.Textarea(attrs={"rows": 2})
    )


class CaseFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=gettext_lazy("State"),
        required=False,
        choices=[("", gettext_lazy("All states")), *CaseState.choices],
    )
    patent_type = forms.ChoiceField(
        label=gettext_lazy("Type"),
        required=False,
        choices=[("", gettext_lazy("All types")), *PatentType.choices],
    )
    examiner = forms.ModelChoiceField(
        label=gettext_lazy("Pre-examiner"),
        required=False,
        queryset=User.objects.none(),
        empty_label=gettext_lazy("All examiners"),
    )
    q = forms.CharField(label=gettext_lazy("Search"), required=False)

    def __init__(self, *args: Any, examiners: QuerySet[User] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["examiner"]
        if examiners is None:
            del self.fields["examiner"]
        else:
            field.queryset = examiners  # type: ignore[attr-defined]
            field.label_from_instance = lambda u: u.display_name()  # type: ignore[attr-defined]
