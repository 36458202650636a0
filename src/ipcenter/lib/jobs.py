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

from django.conf import settings
from django.utils import timezone

# A job whose worker died this many times is not queued again by the sweep: it is the job
# that kills its worker (memory), and it would go on doing so.
MAX_ATTEMPTS = 5


class LeaseLost(Exception):
    """This worker's claim on the job is gone (the sweep queued it again, or it was cancelled)."""


def stale_after() -> dt.timedelta:
    return dt.timedelta(seconds=settings.IPCENTER_JOB_STALE_SECONDS)


def stale_cutoff() -> dt.datetime:
    """Heartbeats before this moment are stale: their worker has died."""
    return timezone.now() - stale_after()


def is_stale(heartbeat_at: dt.datetime | None) -> bool:
    return heartbeat_at is None or heartbeat_at < stale_cutoff()
