from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ipcenter.accounts.models import Language, Organization, RoleRequestState
from ipcenter.accounts.roles import OrgKind, Role
from ipcenter.centers.models import Center
from ipcenter.web.forms import DateInput


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100)
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=DateInput())


class TotpForm(forms.Form):
    token = forms.CharField(
        label=_("Six-digit code"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class UserCreateForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    password = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput)
    organization = forms.ModelChoiceField(
        label=_("Organization"), queryset=Organization.objects.filter(is_active=True)
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class MembershipForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Organization"), queryset=Organization.objects.filter(is_active=True)
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    note = forms.CharField(
        label=_("Why"),
        max_length=500,
        required=False,
        help_text=_(
            "Roles that open confidential content take effect only when a second person "
            "approves: another administrator or a manager of the center."
        ),
    )


class RoleRequestMoveForm(forms.Form):
    to = forms.ChoiceField(choices=RoleRequestState.choices)
    reason = forms.CharField(max_length=500, required=False)


class OrganizationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=OrgKind.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    name_en = forms.CharField(label=_("English name"), max_length=200, required=False)
    credit_code = forms.CharField(
        label=_("Unified social credit code"), max_length=18, required=False
    )
    region = forms.CharField(label=_("Registered area"), max_length=100, required=False)
    center = forms.ModelChoiceField(
        label=_("Center"),
        queryset=Center.objects.all(),
        required=False,
        help_text=_("For center staff organizations and workstations."),
    )
