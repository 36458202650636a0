"""Stored files. Content is reached only through documents.services, which checks access."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ipcenter.accounts.access import AccessScope


def _storage_path(instance: Document, filename: str) -> str:
    # The stored name reveals nothing: no client file name, no organization.
    return f"documents/{instance.created_at:%Y/%m}/{instance.id.hex}"


class DocumentKind(models.TextChoices):
    GENERAL = "general", _("General")
    BUSINESS_LICENCE = "business_licence", _("Business licence")
    IP_RULES = "ip_rules", _("IP management rules")
    STAFF_PROOF = "staff_proof", _("Staff and insurance proof")
    INTEGRITY_PLEDGE = "integrity_pledge", _("Integrity pledge")
    AUTHORISATION = "authorisation", _("Contact-person authorisation")
    APPLICATION = "application", _("Patent application document")


class Document(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="documents"
    )
    center = models.ForeignKey(
        "centers.Center", null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(
        _("kind"), max_length=32, choices=DocumentKind.choices, default=DocumentKind.GENERAL
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    file = models.FileField(upload_to=_storage_path, max_length=200)
    confidential = models.BooleanField(_("confidential"), default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title or self.original_name

    def access_scope(self) -> AccessScope:
        return AccessScope(center_id=self.center_id, organization_id=self.organization_id)


class DocumentGrant(models.Model):
    """Access to one document for one more organization (e.g. the agency acting on a case),
    until `expires_at` when it is set."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="grants")
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # None: for good. A document shared with an agency under an engagement is the agency's only
    # until the engagement ends (see preexam.services.share_until).
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "organization"], name="grant_unique")
        ]

    def __str__(self) -> str:
        return f"{self.document} -> {self.organization}"
