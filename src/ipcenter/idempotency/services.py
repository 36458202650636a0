"""Claiming, finishing and expiring idempotency keys.

A claim is an INSERT inside the caller's transaction, the one that also does the work. While that
transaction runs, a second request with the same key waits on the unique index; when the first
commits, the second finds the finished row and replays its answer; when the first rolls back
(an error, a killed worker), the second goes ahead as if it were the first. So a request is
never carried out twice, and no claim can be left behind half done.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ipcenter.idempotency.models import IdempotencyKey
from ipcenter.lib.errors import Conflict, InvalidInput

KEY_LIFETIME = dt.timedelta(hours=24)
# How long a retry waits for the first request with its key before it is told to try later.
CLAIM_WAIT = "30s"
_LOCK_NOT_AVAILABLE = "55P03"


class KeyReused(InvalidInput):
    code = "idempotency_key_reused"


class KeyInFlight(Conflict):
    code = "idempotency_key_in_flight"


def idempotency_claim(
    *, user: Any, key: str, method: str, path: str, request_hash: str
) -> tuple[IdempotencyKey, bool]:
    """The row for this key: (new row, True) to go ahead, (finished row, False) to replay.

    Call it inside the transaction that does the work (see the module's docstring).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("idempotency_claim needs the transaction that does the work")
    now = timezone.now()
    lookup = {"user": user, "key": key, "method": method, "path": path}
    # An expired key counts as unused even before the periodic sweep removes it.
    IdempotencyKey.objects.filter(**lookup, created_at__lt=now - KEY_LIFETIME).delete()
    try:
        with transaction.atomic():  # a savepoint: a clash undoes only the insert
            usual_wait = _set_lock_wait(CLAIM_WAIT)
            row = IdempotencyKey.objects.create(**lookup, request_hash=request_hash, created_at=now)
            _set_lock_wait(usual_wait)
    except IntegrityError:
        row = IdempotencyKey.objects.get(**lookup)
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) != _LOCK_NOT_AVAILABLE:
            raise
        raise KeyInFlight(
            _("A request with this key is still being processed. Try again in a moment.")
        ) from exc
    else:
        return row, True
    if row.request_hash != request_hash:
        raise KeyReused(
            _(
                "This idempotency key was already used for a different request. "
                "Send a new key for a new request."
            )
        )
    if row.response_status is None:  # cannot be committed so; kept as a safeguard
        raise KeyInFlight(
            _("A request with this key is still being processed. Try again in a moment.")
        )
    return row, False


def _set_lock_wait(timeout: str) -> str:
    """Bound how long this transaction waits for a lock; returns the bound it had."""
    if connection.vendor != "postgresql":
        return timeout
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('lock_timeout')")
        (previous,) = cursor.fetchone()
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [timeout])
    return str(previous)


def idempotency_finish(
    *,
    row: IdempotencyKey,
    status: int,
    content_type: str = "",
    body: bytes = b"",
    location: str = "",
) -> IdempotencyKey:
    """Store the answer of the first request, for the replays."""
    row.response_status = status
    row.response_content_type = content_type
    row.response_body = body
    row.response_location = location
    row.save(
        update_fields=[
            "response_status",
            "response_content_type",
            "response_body",
            "response_location",
        ]
    )
    return row


def idempotency_release(*, row: IdempotencyKey) -> None:
    """The request failed and created nothing: its key may be sent again."""
    row.delete()


def idempotency_expire(*, now: dt.datetime | None = None) -> int:
    """Forget the keys older than 24 hours; returns how many."""
    cutoff = (now or timezone.now()) - KEY_LIFETIME
    deleted, _by_model = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
