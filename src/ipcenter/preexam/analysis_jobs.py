"""The job that analyses a new version, done once even when its worker dies.

`analysis_schedule()` writes an AnalysisJob (queued) in the transaction of the version and
queues the task after commit. A worker claims the job (queued -> running, a new ``attempt``: its
lease), beats between the stages of the computation, and stores the analysis in the same
transaction that moves the job to done, both only while its lease holds. A worker that was
killed stops beating: the sweep (every minute, and ``ipcenter sweep_jobs``) moves its job back to
queued and queues the task again, so the case page shows the analysis without anybody's refresh.
A worker that was only slow finds its lease gone at its next heartbeat and stops without storing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ipcenter.audit.services import audit_record
from ipcenter.lib.errors import Conflict
from ipcenter.lib.jobs import MAX_ATTEMPTS, LeaseLost, sweep_stale
from ipcenter.lib.workflow import Workflow, apply_move
from ipcenter.preexam.analysis import Computed, analysis_compute, analysis_store
from ipcenter.preexam.models import (
    AnalysisJob,
    AnalysisJobState,
    AnalysisStatus,
    Case,
    CaseAnalysis,
    CaseVersion,
)

logger = logging.getLogger(__name__)

J = AnalysisJobState
SYSTEM = "system"  # only workers and the sweep move these jobs

TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (J.QUEUED, J.RUNNING): frozenset({SYSTEM}),  # a worker claims it
    (J.RUNNING, J.DONE): frozenset({SYSTEM}),  # its analysis is stored
    (J.RUNNING, J.QUEUED): frozenset({SYSTEM}),  # the sweep: its worker stopped beating
}

ANALYSIS_JOB_WORKFLOW = Workflow(
    states=AnalysisJobState,
    transitions=TRANSITIONS,
    actor_perms={},
    system=SYSTEM,
    illegal_move=_("An analysis job that is “%(from)s” cannot become “%(to)s”."),
)


def _move(locked: AnalysisJob, to: str, updates: dict[str, Any]) -> None:
    """Move a job locked by the caller (Conflict for a move the table does not have)."""
    ANALYSIS_JOB_WORKFLOW.check_move(locked, to, None)
    apply_move(locked, to, updates)
    locked.save()


@dataclass(frozen=True)
class Lease:
    """A worker's claim on a job: valid while the job runs under this attempt."""

    job_id: int
    attempt: int

    def beat(self) -> None:
        """Write the heartbeat, proving the claim holds; LeaseLost when it does not."""
        beaten = AnalysisJob.objects.filter(
            pk=self.job_id, state=J.RUNNING, attempt=self.attempt
        ).update(heartbeat_at=timezone.now())
        if not beaten:
            raise LeaseLost(self.job_id)

    def finish(self) -> None:
        """running -> done inside the caller's transaction, if the claim still holds."""
        locked = AnalysisJob.objects.select_for_update().get(pk=self.job_id)
        if locked.state != J.RUNNING or locked.attempt != self.attempt:
            raise LeaseLost(self.job_id)
        now = timezone.now()
        _move(locked, J.DONE, {"finished_at": now, "heartbeat_at": now})


def analysis_job_claim(*, version: CaseVersion) -> Lease | None:
    """queued -> running under a new attempt; None when another worker has it or it is done."""
    # A version queued by an older release has no job row yet.
    AnalysisJob.objects.get_or_create(version=version)
    with transaction.atomic():
        locked = AnalysisJob.objects.select_for_update().get(version=version)
        try:
            _move(
                locked, J.RUNNING, {"attempt": locked.attempt + 1, "heartbeat_at": timezone.now()}
            )
        except Conflict:
            return None
    return Lease(job_id=locked.pk, attempt=locked.attempt)


def analysis_job_run(*, version_id: int) -> str:
    """The task's work: claim the version's job, compute, store once. Returns what happened."""
    version = CaseVersion.objects.filter(pk=version_id).first()
    if version is None:
        return "gone"
    lease = analysis_job_claim(version=version)
    if lease is None:
        return "claimed or done already"
    try:
        if CaseAnalysis.objects.filter(version=version).exists():
            with transaction.atomic():  # a person's refresh came first
                lease.finish()
            return "analysed already"
        case = Case.objects.select_related("center", "organization").get(pk=version.case_id)
        try:
            computed = analysis_compute(case, version, beat=lease.beat)
        except LeaseLost:
            raise
        except Exception as exc:  # stored as failed: a job that raises would run for ever
            logger.exception("case %s: the analysis of version %s failed", case.pk, version.pk)
            computed = Computed(status=AnalysisStatus.FAILED, errors=[f"analysis: {exc}"])
        with transaction.atomic():
            lease.finish()
            analysis = analysis_store(case=case, version=version, computed=computed)
    except LeaseLost:
        logger.warning("analysis of version %s: taken over by another worker", version_id)
        return "taken over"
    return str(analysis.status)


def _enqueue(version_id: int) -> None:
    from ipcenter.preexam.tasks import preexam_analyse_version

    transaction.on_commit(lambda: preexam_analyse_version(version_id))


def analysis_jobs_sweep() -> int:
    """Queue again the analyses whose worker stopped beating (it died); one that killed its
    worker MAX_ATTEMPTS times is stored as failed instead. Returns how many jobs were handled."""
    jobs = AnalysisJob.objects.select_related(
        "version__case__center", "version__case__organization"
    )
    return sweep_stale(jobs, running=J.RUNNING, handle=_requeue_or_give_up)


def _requeue_or_give_up(job: AnalysisJob) -> None:
    version = job.version
    case = version.case
    old = {"attempt": job.attempt, "heartbeat_at": job.heartbeat_at}
    if job.attempt >= MAX_ATTEMPTS:
        logger.error("analysis of version %s: its worker died %s times", version.pk, job.attempt)
        computed = Computed(
            status=AnalysisStatus.FAILED,
            errors=[f"the analysis stopped its worker {job.attempt} times"],
        )
        now = timezone.now()
        _move(job, J.DONE, {"finished_at": now})
        analysis_store(case=case, version=version, computed=computed)
        return
    logger.warning("analysis of version %s: no heartbeat since %s", version.pk, job.heartbeat_at)
    _move(job, J.QUEUED, {"heartbeat_at": None})
    audit_record(
        actor=None,
        tag="preexam:analysis:requeued",
        subject=case,
        old=old,
        new={"version": version.number},
        organization=case.organization,
        center=case.center,
    )
    _enqueue(version.pk)
