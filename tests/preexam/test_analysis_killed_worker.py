"""A worker killed in the middle of a case's analysis: the sweep queues the job again once its
heartbeat is stale, the analysis is stored exactly once, and the case page shows it without
anybody clicking "Refresh".

The worker is a real process (tests/killed_worker.py) running the analysis task against this
test's database; it is SIGKILLed while it loads the classifier.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from ipcenter.audit.models import AuditEvent
from ipcenter.lib.jobs import LeaseLost
from ipcenter.preexam import analysis_jobs, tasks
from ipcenter.preexam.models import (
    AnalysisJob,
    AnalysisJobState,
    AnalysisStatus,
    Case,
    CaseAnalysis,
)
from tests.conftest import Cast, client_for
from tests.killed_worker import worker_killed_mid_job
from tests.preexam.factories import submitted_case

J = AnalysisJobState
pytestmark = pytest.mark.django_db(transaction=True)


def _submitted_for_the_worker(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> Case:
    """A case whose analysis job is queued; the message goes to the test's worker process."""
    handed: list[int] = []
    with monkeypatch.context() as patch:
        patch.setattr(tasks, "preexam_analyse_version", handed.append)
        case = submitted_case(cast)
    version = case.versions.get()
    assert handed == [version.pk]
    assert AnalysisJob.objects.get(version=version).state == J.QUEUED
    return case


def _events(case: Case, tag: str) -> int:
    return AuditEvent.objects.filter(tag=tag, subject_id=str(case.pk)).count()


def test_an_analysis_whose_worker_was_killed_is_done_once_after_the_sweep(
    cast: Cast, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    case = _submitted_for_the_worker(cast, monkeypatch)
    version = case.versions.get()
    job = AnalysisJob.objects.get(version=version)

    def claimed() -> bool:
        return AnalysisJob.objects.filter(pk=job.pk, state=J.RUNNING, attempt=1).exists()

    worker_killed_mid_job("analysis", version.pk, tmp_path, claimed)
    job.refresh_from_db()
    assert job.state == J.RUNNING and job.heartbeat_at is not None
    assert not CaseAnalysis.objects.filter(version=version).exists()
    assert analysis_jobs.analysis_jobs_sweep() == 0  # fresh: the worker may only be busy

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=3)):
        out = io.StringIO()
        call_command("sweep_jobs", stdout=out)  # queued again, and run inline
        assert "1 case analyses" in out.getvalue()
        assert analysis_jobs.analysis_jobs_sweep() == 0  # nothing twice

    job.refresh_from_db()
    assert job.state == J.DONE and job.attempt == 2
    analysis = CaseAnalysis.objects.get(version=version)
    assert analysis.status == AnalysisStatus.DONE, analysis.error
    assert _events(case, "preexam:analysis:computed") == 1
    assert _events(case, "preexam:analysis:requeued") == 1
    # The examiner sees the analysis: nobody had to refresh it.
    page = client_for(cast.bob).get(f"/preexam/cases/{case.pk}/").content.decode()
    assert 'data-testid="classification"' in page
    assert 'data-testid="analysis-pending"' not in page


def test_a_worker_taken_for_dead_stores_nothing(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker that was only slow finds its claim gone at its next heartbeat, or when it
    comes to store: the analysis is the second worker's, stored once."""
    case = _submitted_for_the_worker(cast, monkeypatch)
    version = case.versions.get()
    slow = analysis_jobs.analysis_job_claim(version=version)
    assert slow is not None
    assert analysis_jobs.analysis_job_claim(version=version) is None  # one worker at a time
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=3)):
        assert analysis_jobs.analysis_jobs_sweep() == 1
    with pytest.raises(LeaseLost):
        slow.beat()
    with pytest.raises(LeaseLost), transaction.atomic():
        slow.finish()
    assert CaseAnalysis.objects.filter(version=version).count() == 1
    assert _events(case, "preexam:analysis:computed") == 1
