"""Page forms of entity filing. They only shape input; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ipcenter.accounts.models import Organization
from ipcenter.accounts.roles import OrgKind
from ipcenter.centers.models import Center
from ipcenter.filings.models import EntityKind, FilingDocumentPurpose, FindingKind
from ipcenter.filings.services import FILING_FIELDS
from ipcenter.web.forms import DateInput

# The documents asked for on the new-filing form, one upload field each.
UPLOAD_PURPOSES: tuple[str, ...] = (
    FilingDocumentPurpose.BUSINESS_LICENCE,
    FilingDocumentPurpose.IP_RULES,
    FilingDocumentPurpose.STAFF_PROOF,
    FilingDocumentPurpose.INTEGRITY_PLEDGE,
    FilingDocumentPurpose.AUTHORISATION,
    FilingDocumentPurpose.COOPERATION_PROOF,
)


class FilingForm(forms.Form):
    entity_kind = forms.ChoiceField(label=_("Kind of entity"), choices=EntityKind.choices)
    legal_name = forms.CharField(label=_("Legal name"), max_length=200)
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=18)
    registered_area = forms.CharField(
        label=_("Registered area"),
        max_length=200,
        help_text=_(
            "As on the business licence, from the province or city down, e.g. 上海市浦东新区."
        ),
    )
    founded_on = forms.DateField(label=_("Founded on"), widget=DateInput())
    insured_staff = forms.IntegerField(label=_("Insured staff"), min_value=0)
    industry_codes = forms.CharField(
        label=_("Industry (IPC codes)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line or separated by commas, e.g. A61B or A61K 31/00."),
    )
    has_rd_team = forms.BooleanField(label=_("We have a real R&D team"), required=False)
    has_ip_system = forms.BooleanField(label=_("We have an IP management system"), required=False)
    granted_inventions = forms.IntegerField(
        label=_("Granted inventions as first applicant"), min_value=0, initial=0
    )
    granted_utility_designs = forms.IntegerField(
        label=_("Granted utility models and designs as first applicant"), min_value=0, initial=0
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=100)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)

    def filing_data(self) -> dict[str, Any]:
        return {key: self.cleaned_data[key] for key in FILING_FIELDS}


class NewFilingForm(FilingForm):
    """A new filing: the center, the organization (when the person administers several), the
    data, and the documents by kind."""

    field_order = ["center", "organization"]

    center = forms.ModelChoiceField(label=_("Center"), queryset=Center.objects.order_by("code"))
    organization = forms.ModelChoiceField(
        label=_("Organization"), queryset=Organization.objects.none()
    )

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organizations
        if organizations.count() == 1:
            field.initial = organizations.first()
        for purpose in UPLOAD_PURPOSES:
            self.fields[f"file_{purpose}"] = forms.FileField(
                label=FilingDocumentPurpose(purpose).label, required=False
            )

    def data_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("center", "organization", *FILING_FIELDS)]

    def upload_fields(self) -> list[forms.BoundField]:
        return [self[f"file_{purpose}"] for purpose in UPLOAD_PURPOSES]

    def uploads(self) -> list[tuple[str, Any]]:
        return [
            (purpose, self.cleaned_data[f"file_{purpose}"])
            for purpose in UPLOAD_PURPOSES
            if self.cleaned_data.get(f"file_{purpose}")
        ]


def initial_from(filing: Any) -> dict[str, Any]:
    values = {key: getattr(filing, key) for key in FILING_FIELDS}
    values["industry_codes"] = "\n".join(filing.industry_codes or [])
    return values


class AttachForm(forms.Form):
    purpose = forms.ChoiceField(label=_("What it proves"), choices=FilingDocumentPurpose.choices)
    file = forms.FileField(label=_("File"))


class ReviewForm(forms.Form):
    ACTIONS = (
        ("approve", _("Approve")),
        ("supplement", _("Ask for a supplement")),
        ("reject", _("Reject")),
        ("suspend", _("Suspend")),
        ("lift", _("Lift the suspension")),
        ("cancel", _("Cancel")),
    )
    action = forms.ChoiceField(choices=ACTIONS)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea)
    override_reason = forms.CharField(
        label=_("Reason for approving despite failed rules"), required=False
    )
    active_from = forms.DateField(label=_("In force from"), required=False, widget=DateInput())
    until = forms.DateField(label=_("Suspended until"), required=False, widget=DateInput())


class FindingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=FindingKind.choices)
    found_on = forms.DateField(label=_("Found on"), widget=DateInput())
    source = forms.CharField(label=_("Source"), max_length=200)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class QuotaRequestForm(forms.Form):
    requested = forms.IntegerField(label=_("Extra cases requested"), min_value=1)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class QuotaDecideForm(forms.Form):
    granted = forms.IntegerField(label=_("Extra cases granted"), min_value=0)
    reason = forms.CharField(label=_("Reason"), required=False)


class AgencyRegisterForm(forms.Form):
    center = forms.ModelChoiceField(label=_("Center"), queryset=Center.objects.order_by("code"))
    organization = forms.ModelChoiceField(label=_("Agency"), queryset=Organization.objects.none())
    licence_number = forms.CharField(label=_("Agency licence number"), max_length=50)
    contact_name = forms.CharField(label=_("Contact person"), max_length=100)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40)

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organizations
        if organizations.count() == 1:
            field.initial = organizations.first()


class AgencyActionForm(forms.Form):
    ACTIONS = (
        ("register", _("Register")),
        ("reject", _("Reject")),
        ("revoke", _("Revoke")),
        ("guarantee_on", _("On the guarantee list")),
        ("guarantee_off", _("Not on the guarantee list")),
    )
    action = forms.ChoiceField(choices=ACTIONS)
    reason = forms.CharField(label=_("Reason"), required=False)


class AssessForm(forms.Form):
    center = forms.ModelChoiceField(label=_("Center"), queryset=Center.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2000)

    def __init__(self, *args: Any, centers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["center"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = centers
        self.fields["year"].initial = timezone.localdate().year - 1


class EngagementForm(forms.Form):
    """The enterprise administrator engages an agency (see services.engagement_grant)."""

    enterprise = forms.ModelChoiceField(label=_("Enterprise"), queryset=Organization.objects.none())
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Organization.objects.none())
    center = forms.ModelChoiceField(
        label=_("Center"),
        queryset=Center.objects.order_by("code"),
        required=False,
        empty_label=_("Every center"),
    )
    may_file = forms.BooleanField(label=_("Pre-examination filing"), required=False, initial=True)
    may_respond = forms.BooleanField(
        label=_("Amendments and responses"), required=False, initial=True
    )
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=DateInput())
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DateInput())

    def __init__(self, *args: Any, enterprises: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        enterprise = self.fields["enterprise"]
        agency = self.fields["agency"]
        assert isinstance(enterprise, forms.ModelChoiceField)
        assert isinstance(agency, forms.ModelChoiceField)
        enterprise.queryset = enterprises
        if enterprises.count() == 1:
            enterprise.initial = enterprises.first()
        agency.queryset = Organization.objects.filter(kind=OrgKind.AGENCY, is_active=True).order_by(
            "name"
        )
