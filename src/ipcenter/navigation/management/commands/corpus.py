"""`ipcenter corpus import PATH... | reindex | status`: the patent corpus from the command line.

An import from here is an import job like one started on the analysts' page (it is listed
there, with its rejections), run in this process with a progress bar per file on stderr.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from ipcenter.lib.errors import DomainError
from ipcenter.navigation import engine, services
from ipcenter.navigation.models import ImportJob, ImportOrigin, ImportState, PatentDocument
from ipcenter.navigation.selectors import corpus_size, import_rejections


class _Bars:
    """One tqdm bar per source, on stderr."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: tqdm[Any] | None = None

    def source_started(self, index: int, source: dict[str, Any]) -> None:
        self._close()
        self.bar = tqdm(
            total=source.get("total"),
            initial=int(source.get("position", 0)),
            desc=str(source["label"])[:40],
            unit=" rec",
            file=sys.stderr,
            disable=not self.enabled,
            dynamic_ncols=True,
        )

    def advanced(self, index: int, count: int) -> None:
        if self.bar is not None:
            self.bar.update(count)

    def source_finished(self, index: int, source: dict[str, Any]) -> None:
        self._close()

    def _close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class Command(BaseCommand):
    help = "Import patent data into the corpus, rebuild its search index, or show its state."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        imports = commands.add_parser(
            "import",
            help="Import files or folders (JSONL, CSV, USPTO XML/SGML, weekly ZIPs).",
        )
        imports.add_argument("paths", nargs="*", type=Path, help="files or folders")
        imports.add_argument(
            "--resume", type=int, metavar="JOB_ID", help="go on with a failed or cancelled job"
        )
        imports.add_argument("--no-progress", action="store_true", help="no progress bars")
        reindex = commands.add_parser("reindex", help="Write the corpus to the search index.")
        reindex.add_argument(
            "--pending", action="store_true", help="only documents not indexed yet"
        )
        commands.add_parser("status", help="The corpus's size, its index and the last imports.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "import":
            self._import(options)
        elif action == "reindex":
            self._reindex(pending_only=options["pending"])
        else:
            self._status()

    # --- import -----------------------------------------------------------------------------

    def _import(self, options: dict[str, Any]) -> None:
        paths: list[Path] = options["paths"]
        resume: int | None = options["resume"]
        if bool(paths) == bool(resume):
            raise CommandError("give PATH... to import, or --resume JOB_ID (not both)")
        try:
            if resume:
                job = ImportJob.objects.filter(pk=resume).first()
                if job is None:
                    raise CommandError(f"there is no import job #{resume}")
                services.corpus_import_resume(actor=None, job=job, enqueue=False)
            else:
                job = services.corpus_import_create(
                    actor=None, paths=paths, origin=ImportOrigin.CLI, enqueue=False
                )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"Import job #{job.pk}")
        bars = _Bars(enabled=not options["no_progress"])
        job = services.corpus_import_run(job_id=job.pk, progress=bars)
        self._report(job)
        if job.state != ImportState.SUCCEEDED:
            raise CommandError(
                f"import #{job.pk} {job.state}: {job.error or 'see above'}; "
                f"resume with: ipcenter corpus import --resume {job.pk}"
            )

    def _report(self, job: ImportJob) -> None:
        write = self.stdout.write
        write("")
        header = (
            f"{'source':<40} {'read':>8} {'created':>8} {'updated':>8} "
            f"{'unchanged':>9} {'rejected':>8}"
        )
        write(header)
        write("-" * len(header))
        skipped = []
        for s in job.sources:
            if s.get("skipped"):
                skipped.append((s["label"], s["skipped"]))
                continue
            write(
                f"{str(s['label'])[:40]:<40} {s['read']:>8} {s['created']:>8} {s['updated']:>8} "
                f"{s['unchanged']:>9} {s['rejected']:>8}"
            )
        write("-" * len(header))
        write(
            f"{'total':<40} {job.read:>8} {job.created:>8} {job.updated:>8} "
            f"{job.unchanged:>9} {job.rejected:>8}"
        )
        if job.rejected:
            write("")
            write("Rejected records, by reason:")
            reasons = import_rejections(job).values_list("reason", flat=True).iterator()
            for reason, count in services.rejection_summary(_without_place(r) for r in reasons):
                write(f"  {count:>7}  {reason}")
        if skipped:
            write("")
            write("Skipped files:")
            for label, reason in skipped:
                write(f"  {label}: {reason}")
        write("")
        write(
            f"Import #{job.pk}: {job.state}. Documents in the corpus: {corpus_size()['documents']}"
        )

    # --- reindex and status -----------------------------------------------------------------

    def _reindex(self, *, pending_only: bool) -> None:
        documents = PatentDocument.objects.all()
        if pending_only:
            documents = documents.filter(indexed_at__isnull=True)
        with tqdm(total=documents.count(), unit=" doc", file=sys.stderr, desc="index") as bar:
            done = services.corpus_reindex(pending_only=pending_only, progress=bar.update)
        self.stdout.write(f"Indexed {done} documents ({engine.backend_location()}).")

    def _status(self) -> None:
        size = corpus_size()
        write = self.stdout.write
        write(f"Documents:          {size['documents']}")
        write(f"Waiting for index:  {size['pending']}")
        try:
            indexed: Any = engine.get_backend().count()
        except Exception as exc:  # the status must show a broken index, not crash on it
            indexed = f"unavailable ({type(exc).__name__}: {exc})"
        write(f"In the index:       {indexed}  ({engine.backend_location()})")
        offices = Counter(dict(_office_counts()))
        if offices:
            write("By office:          " + ", ".join(f"{o} {n}" for o, n in offices.most_common()))
        jobs = list(ImportJob.objects.order_by("-created_at", "-id")[:5])
        if jobs:
            write("Last imports:")
            for job in jobs:
                write(
                    f"  #{job.pk:<5} {job.state:<10} {job.created_at:%Y-%m-%d %H:%M}  "
                    f"read {job.read}, created {job.created}, updated {job.updated}, "
                    f"rejected {job.rejected}  {job.label}"
                )


def _without_place(reason: str) -> str:
    """ "line 12: not a publication number: 'X'" -> "not a publication number: 'X'"."""
    head, sep, rest = reason.partition(": ")
    if sep and head.split(" ")[0] in ("line", "row", "document", "record", "member", "unit"):
        return rest
    return reason


def _office_counts() -> list[tuple[str, int]]:
    from django.db.models import Count

    return [
        (row["office"], row["n"])
        for row in PatentDocument.objects.values("office").annotate(n=Count("id"))
    ]
