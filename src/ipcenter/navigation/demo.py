"""Demo corpus for `make run`: small real samples (demo/NOTICE.md), imported through the real
import service so that the analysts' page lists the job, and indexed for search.

It runs before the pre-examination demo (see the load_demo command), outside its transaction:
each batch commits and is indexed at once, so the cases' prior-art searches find the corpus.
Running it again changes nothing.
"""

from __future__ import annotations

from importlib import resources
from io import TextIOBase
from pathlib import Path

from ipcenter.navigation import services
from ipcenter.navigation.models import ImportJob, ImportOrigin, ImportState

DEMO_FILES = (
    "us_patents_ipc.jsonl",
    "cn_patents_a01.jsonl",
    "energy_abstracts_cpc.jsonl",
    "lens_drones_5884.csv",
    "patentsview_neural_network.csv",
)


def demo_paths() -> list[Path]:
    folder = resources.files("ipcenter.navigation") / "demo"
    return [Path(str(folder / name)) for name in DEMO_FILES]


def load_corpus_demo(*, stdout: TextIOBase | None = None) -> ImportJob:
    """Import the demo corpus once; an earlier demo import that did not finish is resumed."""
    done = ImportJob.objects.filter(origin=ImportOrigin.DEMO, state=ImportState.SUCCEEDED).first()
    if done is not None:
        return done
    job = (
        ImportJob.objects.filter(origin=ImportOrigin.DEMO)
        .exclude(state=ImportState.SUCCEEDED)
        .first()
    )
    if job is None:
        job = services.corpus_import_create(
            actor=None, paths=demo_paths(), origin=ImportOrigin.DEMO, enqueue=False
        )
    elif job.state in (ImportState.FAILED, ImportState.CANCELLED):
        job = services.corpus_import_resume(actor=None, job=job, enqueue=False)
    elif job.state == ImportState.RUNNING:  # an earlier run died half-way
        services.corpus_import_cancel(actor=None, job=job)
        job = services.corpus_import_resume(actor=None, job=job, enqueue=False)
    if stdout is not None:
        stdout.write("Importing the demo patent corpus (about 1,300 documents)...\n")
    job = services.corpus_import_run(job_id=job.pk)
    if stdout is not None:
        stdout.write(
            f"Demo corpus: {job.state}, {job.created} created, {job.updated} updated, "
            f"{job.unchanged} unchanged, {job.rejected} rejected.\n"
        )
    return job
