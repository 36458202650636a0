"""A worker killed in the middle of an import: the job's heartbeat stops, resume is refused while
it is fresh and allowed once it is stale, the sweep queues the job again, and the import ends
once, from its checkpoint, without a record written or counted twice.

The worker is a real process (tests/killed_worker.py) running the import task against this
test's database; it is SIGKILLed after its first batch of 5 has committed.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from ipcenter.lib.jobs import LeaseLost
from ipcenter.navigation import services
from ipcenter.navigation.models import ImportJob, ImportState, PatentDocument
from ipcenter.navigation.workflow import moves_for
from tests.conftest import Cast, token_client
from tests.killed_worker import worker_killed_mid_job
from tests.navigation.conftest import Corpus

S = ImportState
pytestmark = pytest.mark.django_db(transaction=True)


def _killed_after_first_batch(corpus: Corpus, tmp_path: Path) -> ImportJob:
    job = services.corpus_import_create(actor=None, paths=[corpus.us], enqueue=False)

    def first_batch_committed() -> bool:
        return ImportJob.objects.filter(pk=job.pk, state=S.RUNNING, read=5).exists()

    worker_killed_mid_job("import", job.pk, tmp_path, first_batch_committed)
    job.refresh_from_db()
    assert job.state == S.RUNNING and job.attempt == 1 and job.heartbeat_at is not None
    return job


def _completed_once(job: ImportJob) -> None:
    job.refresh_from_db()
    assert job.state == S.SUCCEEDED, job.error
    # The first batch is not read or counted again: the second worker began at position 5.
    assert (job.read, job.created, job.updated, job.unchanged, job.rejected) == (20, 20, 0, 0, 0)
    assert job.sources[0]["position"] == 20 and job.sources[0]["read"] == 20
    assert job.attempt == 2
    assert PatentDocument.objects.count() == 20
    assert PatentDocument.objects.filter(import_job=job).count() == 20


@pytest.mark.parametrize("recovery", ["sweep", "resume"])
def test_an_import_whose_worker_was_killed_completes_once(
    recovery: str, cast: Cast, corpus: Corpus, tmp_path: Path
) -> None:
    job = _killed_after_first_batch(corpus, tmp_path)
    client, auth = token_client(cast.nora)
    url = f"/api/v1/navigation/imports/{job.pk}/resume"

    # The heartbeat is fresh: the worker may only be busy. Resume is refused, the sweep waits.
    refused = client.post(url, **auth)
    assert refused.status_code == 409, refused.json()
    assert refused.json()["detail"]
    assert services.corpus_imports_sweep() == 0
    assert S.QUEUED not in moves_for(cast.nora, job)

    # Minutes later the heartbeat is stale (well under the 30 minutes it took before).
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=3)):
        job.refresh_from_db()
        assert S.QUEUED in moves_for(cast.nora, job)
        if recovery == "sweep":
            out = io.StringIO()
            call_command("sweep_jobs", stdout=out)
            assert "1 corpus imports" in out.getvalue()
        else:
            resumed = client.post(url, **auth)
            assert resumed.status_code == 200, resumed.content
        _completed_once(job)
        assert services.corpus_imports_sweep() == 0


def test_a_worker_that_lost_its_claim_writes_nothing(
    corpus: Corpus, settings: Any, tmp_path: Path
) -> None:
    """A worker taken for dead (it was only slow) stops at its next batch: the job is another
    worker's now."""
    settings.IPCENTER_CORPUS_BATCH_SIZE = 5
    job = services.corpus_import_create(actor=None, paths=[corpus.us], enqueue=False)
    slow = services._claim(job)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=3)):
        assert services.corpus_imports_sweep() == 1  # queued again, and run to the end inline
        job.refresh_from_db()
        assert job.state == S.SUCCEEDED and job.attempt == 2
    with pytest.raises(LeaseLost):
        services._run_source(slow, 0, None)
    job.refresh_from_db()
    assert (job.read, job.created) == (20, 20)
    assert services._end(slow, S.FAILED, error="late").state == S.SUCCEEDED
