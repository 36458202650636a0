"""The append-only audit log.

Rows are written by `audit.services.audit_record` inside the transaction of the change they
describe. Nothing updates or deletes them: the model refuses it, and a database trigger
(migration 0002) refuses it for raw SQL too.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditLogIsAppendOnly(Exception):
    """Raised on any attempt to change or delete an audit row."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AuditLogIsAppendOnly("audit events cannot be updated")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly("audit events cannot be deleted")


class AuditEvent(models.Model):
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Kept as text too, so the row still says who acted if the account is ever renamed.
    actor_label = models.CharField(_("actor"), max_length=150, blank=True)
    organization = models.ForeignKey(
        "accounts.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    center = models.ForeignKey(
        "centers.Center", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    tag = models.CharField(_("event"), max_length=80, db_index=True)
    subject_type = models.CharField(_("subject type"), max_length=80)
    subject_id = models.CharField(_("subject id"), max_length=64)
    subject_label = models.CharField(_("subject"), max_length=255, blank=True)
    old = models.JSONField(_("old values"), null=True, blank=True)
    new = models.JSONField(_("new values"), null=True, blank=True)
    client_address = models.GenericIPAddressField(_("client address"), null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    # Set on rows read through audit.subjects.reveal(): True when the reader may not read the
    # subject, and the label, old and new values were emptied (in memory only).
    content_hidden = False

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"]),
            models.Index(fields=["center", "-at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.tag} {self.subject_type}:{self.subject_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AuditLogIsAppendOnly("audit events cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly("audit events cannot be deleted")
