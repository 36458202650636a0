from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from ipcenter.accounts.access import centers_with
from ipcenter.accounts.roles import Perm
from ipcenter.audit.models import AuditEvent


def audit_events_for(
    *,
    user: Any,
    tag: str = "",
    actor: str = "",
    subject: str = "",
    center_id: int | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """Events the user may read: all (system admin) or those of the centers they manage."""
    centers = centers_with(user, Perm.AUDIT_VIEW)
    qs = AuditEvent.objects.select_related("center", "organization")
    if centers is not None:
        if not centers:
            return qs.none()
        qs = qs.filter(center_id__in=centers)
    if center_id is not None:
        qs = qs.filter(center_id=center_id)
    if tag:
        qs = qs.filter(tag__startswith=tag)
    if actor:
        qs = qs.filter(actor_label__icontains=actor)
    if subject:
        qs = qs.filter(Q(subject_label__icontains=subject) | Q(subject_id=subject))
    if since:
        qs = qs.filter(at__date__gte=since)
    if until:
        qs = qs.filter(at__date__lte=until)
    return qs.order_by("-at", "-id")
