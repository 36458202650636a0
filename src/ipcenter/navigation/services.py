"""Writes of the patent corpus: import jobs, and the search index derived from the table.

An import streams each of its sources from its resume point in batches. Each batch is one
transaction: documents upserted by key (a record that says nothing new is counted unchanged and
not written), rejections stored, the source's resume point and the job's counters advanced.
After the transaction commits the batch's documents go to the search index. A crash loses at
most the batch in flight, and running the job again resumes where the last batch ended; a
malformed record is a rejection, never the end of an import.

Each batch and each change of a source is also the job's heartbeat, written only while the job is
still running under this worker's claim (``attempt``, see ipcenter.lib.jobs). When a worker dies
the heartbeat stops; the sweep then queues the job again (or an analyst resumes it), and the next
worker goes on from the last committed batch.

The corpus holds published documents only: these services read files, never pre-examination
cases.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ipcenter.accounts.access import require
from ipcenter.accounts.roles import Perm
from ipcenter.audit.services import audit_record
from ipcenter.lib.errors import Conflict, InvalidInput
from ipcenter.lib.jobs import (
    MAX_ATTEMPTS,
    LeaseLost,
    is_stale,
    stale_after,
    sweep_stale,
)
from ipcenter.navigation import engine
from ipcenter.navigation.models import (
    ImportJob,
    ImportOrigin,
    ImportRejection,
    ImportState,
    PatentDocument,
)
from ipcenter.navigation.records import content_hash, excerpt, merge_records
from ipcenter.navigation.workflow import import_transition
from ipcenter.patents.corpus import PatentRecord, RecordError

if TYPE_CHECKING:
    from ipcenter.patents.importers import ImportItem

logger = logging.getLogger(__name__)

S = ImportState

# What the upload form takes; the importers decide from the content whether they can read it.
UPLOAD_SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv", ".xml", ".sgml", ".zip", ".txt")
_REASON_LIMIT = 2000
_EXCERPT_LIMIT = 2000
_COUNTERS = ("read", "created", "updated", "unchanged", "rejected")
# Columns an update writes (everything the record says, and the bookkeeping).
_DOCUMENT_COLUMNS = (
    *PatentRecord.__dataclass_fields__,
    "main_ipc",
    "content_hash",
    "import_job",
    "updated_at",
    "indexed_at",
)


class ImportProgress(Protocol):
    """What the command line's progress bars are told while a job runs."""

    def source_started(self, index: int, source: dict[str, Any]) -> None: ...

    def advanced(self, index: int, count: int) -> None: ...

    def source_finished(self, index: int, source: dict[str, Any]) -> None: ...


def _new_source(label: str, **values: Any) -> dict[str, Any]:
    return {
        "label": label,
        "path": "",
        "upload": False,
        "format": None,
        "skipped": "",
        "total": None,
        "position": 0,
        "done": False,
        **dict.fromkeys(_COUNTERS, 0),
        **values,
    }


def _labels(paths: list[Path]) -> list[str]:
    """File names, or the full paths where two files share a name."""
    names = [p.name for p in paths]
    return [p.name if names.count(p.name) == 1 else str(p) for p in paths]


def _sources_from_paths(paths: Sequence[str | Path]) -> list[dict[str, Any]]:
    from ipcenter.patents.importers import expand_paths

    missing = [str(p) for p in paths if not Path(p).exists()]
    if missing:
        message = _("No such file or folder: %(paths)s") % {"paths": ", ".join(missing)}
        raise InvalidInput(message, errors={"paths": str(message)})
    expanded = list(expand_paths([Path(p) for p in paths]))
    labels = _labels([path for path, _reason in expanded])
    return [
        _new_source(label, path=str(Path(path).resolve()), skipped=reason or "")
        for label, (path, reason) in zip(labels, expanded, strict=True)
    ]


@contextlib.contextmanager
def _upload_as_file(upload: UploadedFile) -> Iterator[Path]:
    """The upload as a file on disk (the importers read paths), named as it was uploaded."""
    suffix = Path(upload.name or "").suffix.lower()
    with tempfile.TemporaryDirectory(prefix="ipcenter-upload-") as folder:
        path = Path(folder) / f"upload{suffix}"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        upload.seek(0)
        yield path


def _refuse_upload(message: Any) -> InvalidInput:
    return InvalidInput(message, errors={"file": str(message)})


@contextlib.contextmanager
def _closing(items: Iterator[Any]) -> Iterator[Iterator[Any]]:
    """Close a generator (and the file it reads) even when the reader stops early."""
    try:
        yield items
    finally:
        close = getattr(items, "close", None)
        if close is not None:
            close()


def _check_zip_upload(path: Path) -> None:
    """An uploaded ZIP is held to the corpus's bounds on its directory before anything reads it.

    The importers read members through zipfile, which never unpacks more than the sizes
    checked here; a ZIP without a directory (a truncated download) is left to their salvage.
    """
    import dataclasses
    import zipfile

    from ipcenter.documents.services import archive_limits
    from ipcenter.lib.archives import ArchiveRefused, check_directory

    if not zipfile.is_zipfile(path):
        return
    # The documents' bounds, but a corpus ZIP may unpack to more than one document.
    limits = dataclasses.replace(
        archive_limits(), max_unpacked_bytes=settings.IPCENTER_CORPUS_MAX_UNPACKED_BYTES
    )
    try:
        with zipfile.ZipFile(path) as archive:
            check_directory(archive, limits)
    except zipfile.BadZipFile:
        return
    except ArchiveRefused as exc:
        messages = {
            "unpacked_too_large": _("The ZIP file would unpack to more than %(size)d MB."),
            "too_many_entries": _("The ZIP file holds more than %(entries)d files."),
            "compression_ratio": _(
                "The ZIP file contains a file compressed more than %(ratio)d to 1; it is "
                "refused as a possible ZIP bomb."
            ),
        }
        raise _refuse_upload(
            messages[exc.reason]
            % {
                "size": limits.max_unpacked_bytes // (1024 * 1024),
                "entries": limits.max_entries,
                "ratio": limits.max_ratio,
            }
        ) from exc


def _check_upload(upload: UploadedFile) -> str:
    """Refuse a file the corpus cannot take, saying why; the format the importers found."""
    from ipcenter.patents.importers import NotPatentData, detect_format, open_source

    name = upload.name or ""
    limit = settings.IPCENTER_CORPUS_MAX_UPLOAD_BYTES
    if (upload.size or 0) > limit:
        raise _refuse_upload(
            _("The file is larger than %(limit)d MB.") % {"limit": limit // (1024 * 1024)}
        )
    if not name.lower().endswith(UPLOAD_SUFFIXES):
        raise _refuse_upload(_("Upload patent data as JSON Lines, CSV, XML or a ZIP of them."))
    reference = _("This file is reference data, not patent documents (%(reason)s).")
    with _upload_as_file(upload) as path:
        _check_zip_upload(path)
        try:
            found = detect_format(path)
        except NotPatentData as exc:
            raise _refuse_upload(reference % {"reason": str(exc)}) from exc
        except (ValueError, OSError) as exc:
            logger.info("upload %s: format not recognised: %s", name, exc)
            raise _refuse_upload(
                _("This file is not in a patent data format that can be imported.")
            ) from exc
        try:
            source = open_source(path, format=found)
            with _closing(source.iter_items()) as items:
                next(items, None)  # reading the first record proves the file is readable
        except NotPatentData as exc:
            raise _refuse_upload(reference % {"reason": str(exc)}) from exc
        except (ValueError, OSError, LookupError) as exc:
            raise _refuse_upload(
                _("The file cannot be read as %(format)s: %(reason)s")
                % {"format": found, "reason": str(exc)[:200]}
            ) from exc
    return str(found)


def corpus_import_create(
    *,
    actor: Any,
    paths: Sequence[str | Path] = (),
    upload: UploadedFile | None = None,
    origin: str | None = None,
    enqueue: bool = True,
) -> ImportJob:
    """A queued import of server files (`paths`: the command line and the demo only, actor
    None) or of one uploaded file; with `enqueue` the worker runs it after commit."""
    if actor is not None:
        require(actor, Perm.CORPUS_IMPORT)
    if (upload is None) == (not paths):
        message = _("Give the files to import, or upload one.")
        raise InvalidInput(message, errors={"file": str(message)})
    if paths and actor is not None:
        # Reading the server's files is for the command line, never for a web request.
        raise PermissionDenied("navigation:corpus:import:paths")
    if upload is not None:
        found = _check_upload(upload)
        name = Path(upload.name or "upload").name[:255]
        sources = [_new_source(name, upload=True, format=found)]
        origin = origin or ImportOrigin.UPLOAD
    else:
        sources = _sources_from_paths(paths)
        origin = origin or ImportOrigin.CLI
        name = ""
    with transaction.atomic():
        job = ImportJob.objects.create(
            origin=origin,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            paths=[str(p) for p in paths],
            upload_name=name,
            sources=sources,
        )
        if upload is not None:
            job.upload.save(name, upload, save=True)
        audit_record(
            actor=actor,
            tag="navigation:import:queued",
            subject=job,
            new={"origin": origin, "sources": [s["label"] for s in sources]},
        )
        if enqueue:
            _enqueue(job)
    return job


def _enqueue(job: ImportJob) -> None:
    from ipcenter.navigation.tasks import corpus_import_task

    job_id = job.pk
    transaction.on_commit(lambda: corpus_import_task(job_id))


def corpus_import_resume(*, actor: Any, job: ImportJob, enqueue: bool = True) -> ImportJob:
    """Queue a failed or cancelled job again; it goes on from its sources' resume points. A
    running job whose worker stopped beating is first recorded as interrupted; one whose
    heartbeat is fresh is refused (Conflict)."""
    if actor is not None:
        require(actor, Perm.CORPUS_IMPORT, job)
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.state == S.RUNNING:
            if not is_stale(locked.heartbeat_at):
                raise Conflict(
                    _(
                        "The import is still running: its worker reported at %(time)s. It can "
                        "be resumed once the worker has been silent for %(seconds)d seconds."
                    )
                    % {
                        "time": timezone.localtime(locked.heartbeat_at).strftime("%H:%M:%S"),
                        "seconds": stale_after().total_seconds(),
                    }
                )
            _interrupt(locked)
            job.state = locked.state
        resumed = import_transition(
            job=job, to=S.QUEUED, actor=actor, updates={"error": "", "finished_at": None}
        )
        if enqueue:
            _enqueue(resumed)
    return resumed


def corpus_import_cancel(*, actor: Any, job: ImportJob) -> ImportJob:
    """Stop a queued or running job; a running one stops before its next batch."""
    if actor is not None:
        require(actor, Perm.CORPUS_IMPORT, job)
    return import_transition(
        job=job, to=S.CANCELLED, actor=actor, updates={"finished_at": timezone.now()}
    )


# --- running a job --------------------------------------------------------------------------


@dataclass
class _Batch:
    """What one batch wrote, for the job's counters."""

    counts: Counter[str] = field(default_factory=Counter)
    rejections: list[ImportRejection] = field(default_factory=list)
    written: list[str] = field(default_factory=list)  # keys to index after commit


def corpus_import_run(*, job_id: int, progress: ImportProgress | None = None) -> ImportJob:
    """Run a queued job to its end (the worker's task and the command line call this).

    Returns the job as it ended: succeeded, failed (with the error; resumable), cancelled, or
    unchanged when another worker had claimed it.
    """
    job = ImportJob.objects.get(pk=job_id)
    try:
        job = _claim(job)
    except Conflict:
        return job  # claimed by another worker, or cancelled before it started
    try:
        for index in range(len(job.sources)):
            if not _run_source(job, index, progress):
                return job  # cancelled, or queued again by the sweep
    except LeaseLost:
        logger.warning("corpus import #%s: taken over by another worker; stopping", job.pk)
        return job
    except Exception as exc:
        logger.exception("corpus import #%s failed", job.pk)
        return _end(job, S.FAILED, error=f"{type(exc).__name__}: {exc}"[:_REASON_LIMIT])
    return _end(job, S.SUCCEEDED)


def _claim(job: ImportJob) -> ImportJob:
    """queued -> running under a new attempt number: this worker's lease (`job.attempt`)."""
    now = timezone.now()
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        return import_transition(
            job=locked,
            to=S.RUNNING,
            actor=None,
            updates={
                "started_at": locked.started_at or now,
                "heartbeat_at": now,
                "attempt": locked.attempt + 1,
                "error": "",
            },
        )


def _end(job: ImportJob, state: str, error: str = "") -> ImportJob:
    from ipcenter.navigation.selectors import forget_corpus_facets

    forget_corpus_facets()
    lease = job.attempt
    job.refresh_from_db()
    updates: dict[str, Any] = {"finished_at": timezone.now()}
    updates |= {name: getattr(job, name) for name in _COUNTERS}
    if error:
        updates["error"] = error
    try:
        return import_transition(job=job, to=state, actor=None, updates=updates, lease=lease)
    except Conflict:
        return job  # cancelled or taken over meanwhile: that stands


@contextlib.contextmanager
def _source_path(job: ImportJob, source: dict[str, Any]) -> Iterator[Path]:
    """Where the importers read the source: the file itself, or a local copy of the upload."""
    if not source.get("upload"):
        yield Path(source["path"])
        return
    try:
        local: str | None = job.upload.path
    except NotImplementedError:  # a storage without local paths (S3)
        local = None
    if local is not None:
        yield Path(local)
    else:  # copy it out
        suffix = Path(job.upload.name).suffix
        with (
            tempfile.NamedTemporaryFile(suffix=suffix) as copy,
            job.upload.open("rb") as stored,
        ):
            shutil.copyfileobj(stored, copy)
            copy.flush()
            yield Path(copy.name)


def _save_source(job: ImportJob, index: int, **values: Any) -> None:
    """Record a change of one source (and a heartbeat), if the job is still this worker's."""
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.state != S.RUNNING or locked.attempt != job.attempt:
            raise LeaseLost(job.pk)
        locked.sources[index].update(values)
        locked.heartbeat_at = timezone.now()
        locked.save(update_fields=["sources", "heartbeat_at"])
    job.sources = locked.sources
    job.heartbeat_at = locked.heartbeat_at


def _run_source(job: ImportJob, index: int, progress: ImportProgress | None) -> bool:
    """Import one source from its resume point; False when the job was cancelled."""
    from ipcenter.patents.importers import NotPatentData, open_source

    source = job.sources[index]
    if source["done"] or source["skipped"]:
        if progress is not None:
            progress.source_finished(index, source)
        return True
    with _source_path(job, source) as path:
        try:
            opened = open_source(path, format=source.get("format"))
        except NotPatentData as exc:
            _save_source(job, index, skipped=str(exc)[:_REASON_LIMIT] or "reference data")
            if progress is not None:
                progress.source_finished(index, job.sources[index])
            return True
        except (FileNotFoundError, PermissionError):
            raise  # the file may come back: the job fails and can be resumed
        except (ValueError, OSError, LookupError) as exc:
            _save_source(job, index, skipped=f"cannot be read: {exc}"[:_REASON_LIMIT])
            if progress is not None:
                progress.source_finished(index, job.sources[index])
            return True
        if source.get("total") is None or source.get("format") is None:
            _save_source(job, index, total=opened.estimate_total(), format=opened.format)
            _refresh_total(job)
        if progress is not None:
            progress.source_started(index, job.sources[index])
        items = opened.iter_items(start=int(job.sources[index]["position"]))
        with _closing(items):
            size = settings.IPCENTER_CORPUS_BATCH_SIZE
            while batch := list(islice(items, size)):
                if not _apply_batch(job, index, batch):
                    return False
                if progress is not None:
                    progress.advanced(index, len(batch))
    _save_source(job, index, done=True)
    if progress is not None:
        progress.source_finished(index, job.sources[index])
    return True


def _refresh_total(job: ImportJob) -> None:
    totals = [s.get("total") for s in job.sources if not s.get("skipped")]
    total = sum(t for t in totals if t) or None
    ImportJob.objects.filter(pk=job.pk).update(total=total)
    job.total = total


def _apply_batch(job: ImportJob, index: int, items: list[ImportItem]) -> bool:
    """One transaction: documents, rejections, counters and the resume point."""
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.state != S.RUNNING or locked.attempt != job.attempt:
            # Cancelled, or given up on as dead and queued again: another worker goes on.
            job.state = locked.state
            return False
        label = locked.sources[index]["label"]
        batch = _Batch()
        records: dict[str, PatentRecord] = {}
        for item in items:
            batch.counts["read"] += 1
            if item.rejection is not None or item.record is None:
                rejection = item.rejection
                _reject(
                    batch,
                    job,
                    label,
                    item.position,
                    rejection.reason if rejection else "no record",
                    rejection.excerpt if rejection else "",
                )
                continue
            record = item.record
            try:
                record.validate()
                key = record.key
                PatentDocument.values_from(record)
            except RecordError as exc:
                _reject(batch, job, label, item.position, str(exc), excerpt(record))
                continue
            if key in records:  # the same publication twice in one batch
                earlier = records[key]
                records[key] = merge_records(earlier, record)
                changed = content_hash(records[key]) != content_hash(earlier)
                batch.counts["updated" if changed else "unchanged"] += 1
            else:
                records[key] = record
        _write_documents(job, records, batch, label, items)
        ImportRejection.objects.bulk_create(batch.rejections)
        source = locked.sources[index]
        source["position"] = int(items[-1].position) + 1
        for name in _COUNTERS:
            source[name] = int(source.get(name, 0)) + batch.counts[name]
            setattr(locked, name, getattr(locked, name) + batch.counts[name])
        locked.heartbeat_at = timezone.now()
        locked.save(update_fields=["sources", "heartbeat_at", *_COUNTERS])
        if batch.written:
            _index_after_commit(batch.written)
    job.sources = locked.sources
    for name in ("heartbeat_at", *_COUNTERS):
        setattr(job, name, getattr(locked, name))
    return True


def _index_after_commit(keys: list[str]) -> None:
    """Index the batch once it is committed; a failure leaves the rows pending (the sweep)."""

    def index_batch() -> None:
        engine.index_records(keys)

    transaction.on_commit(index_batch, robust=True)


def _reject(
    batch: _Batch, job: ImportJob, label: str, position: int, reason: str, text: str
) -> None:
    batch.counts["rejected"] += 1
    batch.rejections.append(
        ImportRejection(
            job=job,
            source=label[:255],
            position=max(0, int(position)),
            reason=str(reason)[:_REASON_LIMIT],
            excerpt=str(text or "")[:_EXCERPT_LIMIT],
        )
    )


def _write_documents(
    job: ImportJob,
    records: dict[str, PatentRecord],
    batch: _Batch,
    label: str,
    items: list[ImportItem],
) -> None:
    """Upsert the batch's documents: new ones created, changed ones merged and updated."""
    if not records:
        return
    now = timezone.now()
    stored = {d.key: d for d in PatentDocument.objects.filter(key__in=list(records))}
    creates: list[PatentDocument] = []
    updates: list[PatentDocument] = []
    for key, record in records.items():
        document = stored.get(key)
        if document is None:
            document = PatentDocument(key=key, created_at=now)
            merged = record
            creates.append(document)
        else:
            merged = merge_records(document.to_record(), record)
            digest = content_hash(merged)
            if digest == document.content_hash:
                batch.counts["unchanged"] += 1
                continue
            updates.append(document)
        for name, value in PatentDocument.values_from(merged).items():
            setattr(document, name, value)
        document.content_hash = content_hash(merged)
        document.import_job = job
        document.updated_at = now
        document.indexed_at = None
    try:
        with transaction.atomic():  # a savepoint: on a database refusal, go one by one
            PatentDocument.objects.bulk_create(
                creates,
                update_conflicts=True,
                unique_fields=["key"],
                update_fields=[c for c in _DOCUMENT_COLUMNS if c != "key"],
            )
            PatentDocument.objects.bulk_update(updates, list(_DOCUMENT_COLUMNS), batch_size=200)
    except DatabaseError:
        logger.warning("import #%s: a batch was refused; writing its documents one by one", job.pk)
        creates, updates = _write_one_by_one(job, creates, updates, batch, label, items)
    batch.counts["created"] += len(creates)
    batch.counts["updated"] += len(updates)
    batch.written.extend(d.key for d in [*creates, *updates])


def _write_one_by_one(
    job: ImportJob,
    creates: list[PatentDocument],
    updates: list[PatentDocument],
    batch: _Batch,
    label: str,
    items: list[ImportItem],
) -> tuple[list[PatentDocument], list[PatentDocument]]:
    positions = {
        item.record.key: item.position
        for item in items
        if item.record is not None and _has_key(item.record)
    }
    written: tuple[list[PatentDocument], list[PatentDocument]] = ([], [])
    for kept, documents, is_new in ((written[0], creates, True), (written[1], updates, False)):
        for document in documents:
            try:
                with transaction.atomic():
                    if is_new:
                        document.pk = None
                        document.save(force_insert=True)
                    else:
                        document.save()
            except DatabaseError as exc:
                reason = f"the database refused the record: {exc}".splitlines()[0]
                _reject(batch, job, label, positions.get(document.key, 0), reason, document.key)
            else:
                kept.append(document)
    return written


def _has_key(record: PatentRecord) -> bool:
    try:
        record.key  # noqa: B018
    except RecordError:
        return False
    return True


# --- interrupted jobs and the index ------------------------------------------------------------


def corpus_imports_sweep() -> int:
    """Queue again the running jobs whose worker stopped beating (it died); each goes on from
    its last committed batch (one whose worker died MAX_ATTEMPTS times is failed instead).
    Returns how many jobs were handled."""
    return sweep_stale(ImportJob.objects.all(), running=S.RUNNING, handle=_requeue_or_interrupt)


def _requeue_or_interrupt(job: ImportJob) -> None:
    if job.attempt >= MAX_ATTEMPTS:  # it kills its worker: an analyst decides
        _interrupt(job)
        return
    logger.warning("corpus import #%s: no heartbeat since %s", job.pk, job.heartbeat_at)
    import_transition(job=job, to=S.QUEUED, actor=None, updates={"heartbeat_at": None})
    _enqueue(job)


def _interrupt(locked: ImportJob) -> None:
    """Record a running job whose worker stopped beating as failed (before an analyst resumes
    it); `locked` is locked by the caller."""
    since = locked.heartbeat_at.isoformat() if locked.heartbeat_at else "its start"
    import_transition(
        job=locked,
        to=S.FAILED,
        actor=None,
        updates={
            "finished_at": timezone.now(),
            "error": f"interrupted: no heartbeat since {since}",
        },
    )


def corpus_reindex(*, pending_only: bool = False, progress: Any = None) -> int:
    """Write the table to the search index again: every row, or only those not indexed yet."""
    if pending_only:
        return engine.index_pending(progress=progress)
    return engine.reindex_all(progress=progress)


def rejection_summary(reasons: Iterable[str], *, top: int = 10) -> list[tuple[str, int]]:
    """Rejection reasons grouped by their general part ("not a publication number: 'X'" ->
    "not a publication number"), most frequent first."""
    counts = Counter(reason.split(":", 1)[0].strip() for reason in reasons)
    return counts.most_common(top)
