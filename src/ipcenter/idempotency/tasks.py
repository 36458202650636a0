"""Jobs of the idempotency keys."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from ipcenter.idempotency.services import idempotency_expire


@db_periodic_task(crontab(minute="35"))
def idempotency_keys_expire() -> int:
    """Every hour: forget the idempotency keys and form tokens older than 24 hours."""
    return idempotency_expire()
