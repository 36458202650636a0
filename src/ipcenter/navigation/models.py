"""The patent corpus: published documents, and the import jobs that bring them in.

The corpus holds only published documents (office publications and grants). Nothing from
pre-examination is ever written here: a case's application is confidential until the office
publishes it, and everything in this table is searchable by every role.

A row is the stored form of a :class:`~ipcenter.patents.corpus.PatentRecord`
(:meth:`PatentDocument.to_record` / :meth:`PatentDocument.values_from`); the search index is
derived from the table and can be rebuilt from it at any time (``ipcenter corpus reindex``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ipcenter.accounts.access import AccessScope
from ipcenter.patents.corpus import PatentRecord, RecordError

# Fields of a PatentRecord stored as they are (strings, dates, lists, dicts).
RECORD_FIELDS: tuple[str, ...] = tuple(PatentRecord.__dataclass_fields__)
_MAX_LENGTHS = {
    "office": 4,
    "publication_number": 64,
    "kind": 8,
    "application_number": 64,
    "family_id": 64,
    "language": 8,
    "source": 255,
    "source_id": 255,
}


def _clean(value: Any) -> Any:
    """PostgreSQL text and jsonb refuse NUL characters; real exports sometimes carry them."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    return value


class PatentDocument(models.Model):
    """One published patent document, identified by its key (see ipcenter.patents.corpus)."""

    key = models.CharField(_("key"), max_length=80, unique=True)
    office = models.CharField(_("office"), max_length=4, db_index=True)
    publication_number = models.CharField(_("publication number"), max_length=64, blank=True)
    kind = models.CharField(_("kind code"), max_length=8, blank=True)
    application_number = models.CharField(_("application number"), max_length=64, blank=True)
    family_id = models.CharField(_("family"), max_length=64, blank=True)
    priority_date = models.DateField(_("priority date"), null=True, blank=True)
    filing_date = models.DateField(_("filing date"), null=True, blank=True)
    publication_date = models.DateField(_("publication date"), null=True, blank=True, db_index=True)
    grant_date = models.DateField(_("grant date"), null=True, blank=True)
    title = models.TextField(_("title"), blank=True)
    abstract = models.TextField(_("abstract"), blank=True)
    claims = models.JSONField(_("claims"), default=list, blank=True)
    description = models.TextField(_("description"), blank=True)
    applicants = models.JSONField(_("applicants"), default=list, blank=True)
    inventors = models.JSONField(_("inventors"), default=list, blank=True)
    ipc = models.JSONField(_("IPC"), default=list, blank=True)
    cpc = models.JSONField(_("CPC"), default=list, blank=True)
    citations = models.JSONField(_("citations"), default=list, blank=True)
    # The first IPC symbol, as a column: the IPC browser counts documents by its prefix.
    main_ipc = models.CharField(_("main IPC"), max_length=32, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True, db_index=True)
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    source = models.CharField(_("source"), max_length=255, blank=True)
    source_id = models.CharField(_("record id in the source"), max_length=255, blank=True)
    content_hash = models.CharField(max_length=64)
    # The import that last wrote the row.
    import_job = models.ForeignKey(
        "navigation.ImportJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # None: written but not (yet) in the search index; the pending sweep picks it up.
    indexed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["key"]
        indexes = [
            # LIKE 'A01B%' on PostgreSQL needs the pattern operator class.
            models.Index(
                fields=["main_ipc"], name="patentdoc_main_ipc", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(
                fields=["id"], condition=Q(indexed_at__isnull=True), name="patentdoc_unindexed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.title[:80]}"

    def access_scope(self) -> AccessScope:
        return AccessScope()  # published: shared by every center

    @property
    def number(self) -> str:
        """The publication number with its kind code, as people write it."""
        number = self.publication_number or self.application_number or self.key
        return f"{number} {self.kind}".strip()

    def to_record(self) -> PatentRecord:
        return PatentRecord(**{name: getattr(self, name) for name in RECORD_FIELDS})

    @staticmethod
    def values_from(record: PatentRecord) -> dict[str, Any]:
        """Column values for a record; raises RecordError for one the table cannot hold."""
        values = {name: _clean(getattr(record, name)) for name in RECORD_FIELDS}
        for name, limit in _MAX_LENGTHS.items():
            if len(values[name]) > limit:
                raise RecordError(f"the {name.replace('_', ' ')} is longer than {limit} characters")
        main = values["ipc"][0] if values["ipc"] else ""
        if len(main) > 32:
            raise RecordError(f"the main IPC symbol {main[:40]!r} is too long")
        values["main_ipc"] = main
        return values


class ImportState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class ImportOrigin(models.TextChoices):
    UPLOAD = "upload", _("Uploaded file")
    CLI = "cli", _("Command line")
    DEMO = "demo", _("Demo data")


FINISHED_STATES = (ImportState.SUCCEEDED, ImportState.FAILED, ImportState.CANCELLED)


class ImportJob(models.Model):
    """One import of files into the corpus: its progress, counters and resume points.

    ``sources`` holds one entry per file, in order: its label, path (or the upload), format,
    estimated total, the position to resume from, its own counters, and a reason when it was
    skipped (a reference file, an unknown format). The row is written once per batch, in the
    batch's transaction, so its counters always match what the table holds.
    """

    state = models.CharField(
        _("state"), max_length=12, choices=ImportState.choices, default=ImportState.QUEUED
    )
    origin = models.CharField(_("origin"), max_length=10, choices=ImportOrigin.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    paths = models.JSONField(default=list, blank=True)
    upload = models.FileField(upload_to="corpus/imports/%Y/%m/", blank=True)
    upload_name = models.CharField(_("file"), max_length=255, blank=True)
    sources = models.JSONField(default=list, blank=True)
    total = models.PositiveBigIntegerField(_("estimated records"), null=True, blank=True)
    read = models.PositiveBigIntegerField(_("read"), default=0)
    created = models.PositiveBigIntegerField(_("created"), default=0)
    updated = models.PositiveBigIntegerField(_("updated"), default=0)
    unchanged = models.PositiveBigIntegerField(_("unchanged"), default=0)
    rejected = models.PositiveBigIntegerField(_("rejected"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Written with every batch: a running job whose heartbeat stopped was interrupted.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # Claims by a worker so far; the running worker's lease (see ipcenter.lib.jobs).
    attempt = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["heartbeat_at"], condition=Q(state="running"), name="importjob_running"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.label}"

    def access_scope(self) -> AccessScope:
        return AccessScope()  # the corpus is shared by every center

    @property
    def label(self) -> str:
        if self.upload_name:
            return self.upload_name
        names = [str(s.get("label", "")) for s in self.sources] or [str(p) for p in self.paths]
        shown = ", ".join(names[:3])
        return shown + (f" (+{len(names) - 3})" if len(names) > 3 else "")

    @property
    def is_finished(self) -> bool:
        return self.state in FINISHED_STATES

    @property
    def percent(self) -> int | None:
        """How far it has come, where the sources could estimate their size."""
        if self.state == ImportState.SUCCEEDED:
            return 100
        if not self.total:
            return None
        return min(99, int(100 * self.read / self.total))


class ImportRejection(models.Model):
    """A record an import could not take, and why (in English, from the importer)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rejections")
    source = models.CharField(_("source"), max_length=255)
    position = models.PositiveBigIntegerField(_("position"))
    reason = models.TextField(_("reason"))
    excerpt = models.TextField(_("excerpt"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.source}@{self.position}: {self.reason[:60]}"
