from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, overload

from django.db.models import Q, QuerySet

from ipcenter.accounts.access import centers_with
from ipcenter.accounts.roles import Perm
from ipcenter.audit.models import AuditEvent
from ipcenter.audit.subjects import readable_content, reveal


class AuditRows:
    """Audit events as one reader browses them: counted and sliced like a queryset, and every
    row taken out comes with its content removed unless the reader may read its subject
    (see audit.subjects). Pages, the API and the home panel read rows only through this."""

    def __init__(self, user: Any, events: QuerySet[AuditEvent]) -> None:
        self.user = user
        self.events = events

    def count(self) -> int:
        return self.events.count()

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, index: int) -> AuditEvent: ...
    @overload
    def __getitem__(self, index: slice) -> list[AuditEvent]: ...
    def __getitem__(self, index: int | slice) -> AuditEvent | list[AuditEvent]:
        if isinstance(index, slice):
            return reveal(self.user, self.events[index])
        return reveal(self.user, [self.events[index]])[0]

    def __iter__(self) -> Iterator[AuditEvent]:
        return iter(reveal(self.user, self.events))


def audit_events_for(
    *,
    user: Any,
    tag: str = "",
    actor: str = "",
    subject: str = "",
    center_id: int | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> AuditRows:
    """Events the user may read: all (system admin) or those of the centers they manage."""
    centers = centers_with(user, Perm.AUDIT_VIEW)
    qs = AuditEvent.objects.select_related("center", "organization")
    if centers is not None:
        if not centers:
            return AuditRows(user, qs.none())
        qs = qs.filter(center_id__in=centers)
    if center_id is not None:
        qs = qs.filter(center_id=center_id)
    if tag:
        qs = qs.filter(tag__startswith=tag)
    if actor:
        qs = qs.filter(actor_label__icontains=actor)
    if subject:
        # The label is content: matching it on a row the reader may not read would confirm a
        # guessed title. The subject id is a reference and matches on every row.
        qs = qs.filter(
            Q(subject_id=subject) | (Q(subject_label__icontains=subject) & readable_content(user))
        )
    if since:
        qs = qs.filter(at__date__gte=since)
    if until:
        qs = qs.filter(at__date__lte=until)
    return AuditRows(user, qs.order_by("-at", "-id"))
