from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from django.db import connection, models, transaction

from ipcenter.audit.context import client_address
from ipcenter.audit.models import AuditEvent


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def audit_record(
    *,
    actor: Any,
    tag: str,
    subject: models.Model,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    organization: Any = None,
    center: Any = None,
) -> AuditEvent:
    """Write one audit row. Must run inside the transaction of the change it records."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of its change")
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        actor_label=user.get_username() if user else "system",
        organization=organization,
        center=center,
        tag=tag,
        subject_type=subject._meta.label_lower,
        subject_id=str(subject.pk),
        subject_label=str(subject)[:255],
        old=_jsonable(old) if old is not None else None,
        new=_jsonable(new) if new is not None else None,
        client_address=client_address.get(),
    )


@transaction.atomic
def audit_record_view(
    *, actor: Any, tag: str, subject: models.Model, organization: Any = None, center: Any = None
) -> AuditEvent:
    """Record that someone looked at or downloaded something confidential."""
    return audit_record(
        actor=actor, tag=tag, subject=subject, organization=organization, center=center
    )
