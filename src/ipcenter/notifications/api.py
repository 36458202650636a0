from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema

from ipcenter.accounts.access import get_for_user_or_404, require, signed_in
from ipcenter.accounts.roles import Perm
from ipcenter.api_schemas import Paging, page
from ipcenter.notifications.models import Notification
from ipcenter.notifications.services import notification_mark_read

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    tag: str
    language: str
    subject: str
    body: str
    url: str
    due_on: dt.date | None
    created_at: dt.datetime
    read_at: dt.datetime | None


class InboxFilter(Paging):
    unread: bool = False


@router.get("", response=list[NotificationOut], summary="My inbox")
def inbox(request: HttpRequest, filters: Query[InboxFilter]) -> list[Notification]:
    require(request.user, Perm.NOTIFICATION_READ)
    qs = Notification.objects.filter(recipient=signed_in(request))
    if filters.unread:
        qs = qs.filter(read_at__isnull=True)
    return page(qs, filters)


@router.post("/{notification_id}/read", response=NotificationOut, summary="Mark as read")
def mark_read(request: HttpRequest, notification_id: int) -> Notification:
    notification = get_for_user_or_404(
        request.user, Perm.NOTIFICATION_READ, Notification.objects.all(), pk=notification_id
    )
    return notification_mark_read(user=request.user, notification=notification)  # type: ignore[arg-type]
