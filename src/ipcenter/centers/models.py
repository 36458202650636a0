"""Centers, their workstations, their versioned technical-field lists and settings."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ipcenter.accounts.access import AccessScope


class Center(models.Model):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    # The administrative area whose enterprises the center serves, e.g. 上海市 / 浦东新区.
    area = models.CharField(_("area"), max_length=200)
    area_en = models.CharField(_("area (English)"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    organization = models.OneToOneField(
        "accounts.Organization", on_delete=models.PROTECT, related_name="center_of"
    )
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def localized_name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name

    def access_scope(self) -> AccessScope:
        return AccessScope(center_id=self.pk, organization_id=self.organization_id)


class Workstation(models.Model):
    """A rights-protection assistance workstation, run by an association, university or park."""

    center = models.ForeignKey(Center, on_delete=models.PROTECT, related_name="workstations")
    organization = models.OneToOneField(
        "accounts.Organization", on_delete=models.PROTECT, related_name="workstation_of"
    )
    host = models.CharField(_("host organization"), max_length=200)
    district = models.CharField(_("district"), max_length=100, blank=True)
    focus = models.CharField(_("industry focus"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["center", "organization__name"]

    def __str__(self) -> str:
        return self.organization.name

    def access_scope(self) -> AccessScope:
        return AccessScope(center_id=self.center_id, organization_id=self.organization_id)


class FieldScheme(models.TextChoices):
    IPC = "ipc", "IPC"
    LOCARNO = "locarno", _("Locarno")


class FieldListVersion(models.Model):
    """One version of a center's technical fields; in force from `effective_from` until the next.

    Versions are never edited: a change is a new version, so past cases keep the list they were
    judged by.
    """

    center = models.ForeignKey(Center, on_delete=models.PROTECT, related_name="field_lists")
    effective_from = models.DateField(_("effective from"))
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["center", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["center", "effective_from"], name="fieldlist_one_version_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.center.name} · {self.effective_from:%Y-%m-%d}"

    def access_scope(self) -> AccessScope:
        return AccessScope(center_id=self.center_id)

    def symbols(self, scheme: str) -> list[str]:
        return [e.symbol for e in self.entries.all() if e.scheme == scheme]


class FieldEntry(models.Model):
    field_list = models.ForeignKey(
        FieldListVersion, on_delete=models.CASCADE, related_name="entries"
    )
    scheme = models.CharField(max_length=10, choices=FieldScheme.choices)
    # Normalised display form: "A61K", "A61K 31/00", or a Locarno class "14" / subclass "14-02".
    symbol = models.CharField(max_length=20)

    class Meta:
        ordering = ["scheme", "symbol"]
        constraints = [
            models.UniqueConstraint(
                fields=["field_list", "scheme", "symbol"], name="fieldentry_unique"
            )
        ]

    def __str__(self) -> str:
        return self.symbol


class CenterSettingsVersion(models.Model):
    """The center's rule numbers in force from `effective_from` (see catalog.py)."""

    center = models.ForeignKey(Center, on_delete=models.PROTECT, related_name="settings_versions")
    effective_from = models.DateField(_("effective from"))
    values = models.JSONField(default=dict)
    reason = models.CharField(_("reason for the change"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["center", "-effective_from", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["center", "effective_from"], name="settings_one_version_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.center.name} · {self.effective_from:%Y-%m-%d}"

    def access_scope(self) -> AccessScope:
        return AccessScope(center_id=self.center_id)


def today() -> dt.date:
    return timezone.localdate()
