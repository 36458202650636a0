"""The life of an import job as data, and the one function that moves a job.

A job is queued by an analyst (or the command line), claimed by one worker (running), and ends
succeeded, failed or cancelled. A failed or cancelled job can be queued again: it resumes from
the resume points of its sources, so nothing is read twice. A running job whose worker stopped
beating (see ipcenter.lib.jobs) is queued again by the sweep, or resumed by an analyst.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ipcenter.accounts.roles import Perm
from ipcenter.audit.services import audit_record
from ipcenter.lib.errors import Conflict
from ipcenter.lib.jobs import is_stale
from ipcenter.lib.workflow import Workflow, apply_move
from ipcenter.navigation.models import ImportJob, ImportState

S = ImportState


class Actor(StrEnum):
    ANALYST = "analyst"  # someone who may import into the corpus
    SYSTEM = "system"  # the worker, the command line, the periodic sweep


ANALYST, SYSTEM = Actor.ANALYST, Actor.SYSTEM

TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    # The worker (or the command line) claims a queued job.
    (S.QUEUED, S.RUNNING): frozenset({SYSTEM}),
    (S.RUNNING, S.SUCCEEDED): frozenset({SYSTEM}),
    # An error, or an analyst's resume of a job whose worker died (then failed -> queued).
    (S.RUNNING, S.FAILED): frozenset({SYSTEM}),
    # The sweep re-queues a job whose worker stopped beating.
    (S.RUNNING, S.QUEUED): frozenset({SYSTEM}),
    (S.QUEUED, S.CANCELLED): frozenset({ANALYST, SYSTEM}),
    # The worker stops at its next batch.
    (S.RUNNING, S.CANCELLED): frozenset({ANALYST, SYSTEM}),
    # Resume from the sources' resume points.
    (S.FAILED, S.QUEUED): frozenset({ANALYST, SYSTEM}),
    (S.CANCELLED, S.QUEUED): frozenset({ANALYST, SYSTEM}),
}

IMPORT_WORKFLOW = Workflow(
    states=ImportState,
    transitions=TRANSITIONS,
    actor_perms={ANALYST: Perm.CORPUS_IMPORT},
    system=SYSTEM,
    illegal_move=_("An import that is “%(from)s” cannot become “%(to)s”."),
)


def moves_for(user: Any, job: ImportJob) -> list[str]:
    """The moves this user may make now; an analyst may resume a running job whose worker
    stopped beating (the service first records it as interrupted)."""
    moves = IMPORT_WORKFLOW.moves_for(user, job)
    if (
        job.state == S.RUNNING
        and is_stale(job.heartbeat_at)
        and ANALYST in IMPORT_WORKFLOW.actor_kinds(user, job)
    ):
        moves.append(S.QUEUED)
    return moves


def import_transition(
    *,
    job: ImportJob,
    to: str,
    actor: Any,
    updates: dict[str, Any] | None = None,
    lease: int | None = None,
) -> ImportJob:
    """Move `job` to state `to` or raise Conflict (illegal move, or `lease` given and no longer
    the job's attempt) / PermissionDenied (wrong actor); `actor` None is the system. Audited as
    ``navigation:import:<to>``."""
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if lease is not None and locked.attempt != lease:
            raise Conflict("the job was taken over by another worker")
        IMPORT_WORKFLOW.check_move(locked, to, actor)
        old, new = apply_move(locked, to, updates)
        locked.save()
        audit_record(actor=actor, tag=f"navigation:import:{to}", subject=locked, old=old, new=new)
    for field in ["state", *(updates or {})]:
        setattr(job, field, getattr(locked, field))
    return locked
