from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from ipcenter.accounts.access import require
from ipcenter.accounts.roles import Perm
from ipcenter.api_schemas import Paging, clamped
from ipcenter.audit.selectors import audit_events_for
from ipcenter.centers.models import Center

router = Router(tags=["audit"])


class AuditEventOut(Schema):
    id: int
    at: dt.datetime
    actor: str
    organization_id: int | None
    center: str | None
    tag: str
    subject_type: str
    subject_id: str
    subject_label: str
    old: Any
    new: Any
    # True when the reader may not read the subject: label, old and new values are left out.
    content_hidden: bool
    client_address: str | None


class AuditPage(Schema):
    count: int
    offset: int
    limit: int
    items: list[AuditEventOut]


class AuditFilter(Paging):
    tag: str = ""
    actor: str = ""
    subject: str = ""
    center: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    limit: Annotated[int, clamped(500)] = Field(
        50, description="Page size, 1 to 500; a larger one is read as 500"
    )


@router.get("/events", response=AuditPage, summary="Browse the audit log (read-only)")
def events(request: HttpRequest, filters: Query[AuditFilter]) -> AuditPage:
    require(request.user, Perm.AUDIT_VIEW)
    center = Center.objects.filter(code=filters.center).first() if filters.center else None
    qs = audit_events_for(
        user=request.user,
        tag=filters.tag,
        actor=filters.actor,
        subject=filters.subject,
        center_id=center.pk if center else (-1 if filters.center else None),
        since=filters.since,
        until=filters.until,
    )
    limit, offset = filters.limit, filters.offset
    items = [
        AuditEventOut(
            id=e.pk,
            at=e.at,
            actor=e.actor_label,
            organization_id=e.organization_id,
            center=e.center.code if e.center else None,
            tag=e.tag,
            subject_type=e.subject_type,
            subject_id=e.subject_id,
            subject_label=e.subject_label,
            old=e.old,
            new=e.new,
            content_hidden=e.content_hidden,
            client_address=e.client_address,
        )
        for e in qs[offset : offset + limit]
    ]
    return AuditPage(count=qs.count(), offset=offset, limit=limit, items=items)
