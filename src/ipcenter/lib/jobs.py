"""Heartbeats of background jobs: when a running job counts as abandoned by its worker.

A job row (an import, a case's analysis) records ``heartbeat_at`` when a worker claims it and at
each stage or batch after that, together with ``attempt``, the number of the claim: the worker's
lease. A worker that was killed stops beating; once its heartbeat is older than
``IPCENTER_JOB_STALE_SECONDS`` the sweep queues the job again, and the next claim takes a new
attempt number, so that a worker that was only slow finds its lease gone at its next heartbeat
and stops without writing anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

# A job whose worker died this many times is not queued again by the sweep: it is the job
# that kills its worker (memory), and it would go on doing so.
MAX_ATTEMPTS = 5
# Jobs one sweep handles; the next sweep (a minute later) takes the rest.
SWEEP_BATCH = 100

J = TypeVar("J", bound=models.Model)


class LeaseLost(Exception):
    """This worker's claim on the job is gone (the sweep queued it again, or it was cancelled)."""


def stale_after() -> dt.timedelta:
    return dt.timedelta(seconds=settings.IPCENTER_JOB_STALE_SECONDS)


def stale_cutoff() -> dt.datetime:
    """Heartbeats before this moment are stale: their worker has died."""
    return timezone.now() - stale_after()


def is_stale(heartbeat_at: dt.datetime | None) -> bool:
    return heartbeat_at is None or heartbeat_at < stale_cutoff()


def sweep_stale(jobs: models.QuerySet[J], *, running: Any, handle: Callable[[J], None]) -> int:
    """Lock the `running` jobs of `jobs` whose heartbeat is stale, oldest first, and `handle`
    each in one transaction. Rows another sweep holds are skipped, so none is handled twice.
    Returns how many were handled."""
    with transaction.atomic():
        stale = list(
            jobs.select_for_update(skip_locked=True, of=("self",))
            .filter(state=running, heartbeat_at__lt=stale_cutoff())
            .order_by("heartbeat_at")[:SWEEP_BATCH]
        )
        for job in stale:
            handle(job)
    return len(stale)
