"""Sending notifications: an inbox row now, the e-mail after commit by the job worker."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation

from ipcenter.accounts.models import User
from ipcenter.notifications.models import EmailState, Notification

log = logging.getLogger(__name__)

MAX_EMAIL_ATTEMPTS = 5
# A row claimed by a worker that died is claimable again after this long.
CLAIM_TIMEOUT = dt.timedelta(minutes=10)


def notify(
    *,
    recipient: User,
    tag: str,
    subject: Callable[[], str] | str,
    body: Callable[[], str] | str = "",
    url: str = "",
    due_on: dt.date | None = None,
    email: bool = True,
) -> Notification:
    """Put a message in the recipient's inbox, rendered in the recipient's language.

    `subject` and `body` may be callables so that their gettext calls run under the recipient's
    language rather than the sender's.
    """
    with translation.override(recipient.language):
        subject_text = subject() if callable(subject) else str(subject)
        body_text = body() if callable(body) else str(body)
    wants_email = email and bool(recipient.email)
    notification = Notification.objects.create(
        recipient=recipient,
        tag=tag,
        language=recipient.language,
        subject=subject_text[:200],
        body=body_text,
        url=url,
        due_on=due_on,
        email_state=EmailState.PENDING if wants_email else EmailState.NONE,
    )
    if wants_email:
        from ipcenter.notifications.tasks import deliver_notification_email

        transaction.on_commit(lambda: deliver_notification_email(notification.pk))
    return notification


def notification_mark_read(*, user: User, notification: Notification) -> Notification:
    if notification.recipient_id != user.pk:
        raise PermissionError("not the recipient")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def _claim(notification_id: int) -> bool:
    """Claim one row for sending with a conditional update, so two workers never both send it."""
    now = timezone.now()
    claimable = Q(email_state=EmailState.PENDING) | Q(
        email_state=EmailState.SENDING, email_claimed_at__lt=now - CLAIM_TIMEOUT
    )
    return (
        Notification.objects.filter(claimable, pk=notification_id).update(
            email_state=EmailState.SENDING,
            email_claimed_at=now,
            email_attempts=F("email_attempts") + 1,
        )
        == 1
    )


def notification_send_email(*, notification_id: int) -> bool:
    """Send the e-mail of one notification if nobody else is; return whether this call sent it."""
    if not _claim(notification_id):
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    try:
        lines = [notification.body]
        if notification.url:
            lines.append(settings.IPCENTER_PUBLIC_URL.rstrip("/") + notification.url)
        send_mail(
            subject=notification.subject,
            message="\n\n".join(line for line in lines if line),
            from_email=None,
            recipient_list=[notification.recipient.email],
        )
    except Exception:
        log.exception("e-mail for notification %s failed", notification_id)
        state = (
            EmailState.FAILED
            if notification.email_attempts >= MAX_EMAIL_ATTEMPTS
            else EmailState.PENDING
        )
        Notification.objects.filter(pk=notification_id).update(email_state=state)
        return False
    Notification.objects.filter(pk=notification_id).update(
        email_state=EmailState.SENT, email_sent_at=timezone.now()
    )
    return True


def notifications_deliver_pending(*, limit: int = 200) -> int:
    """Retry e-mails that are waiting (worker was down, mail server failed). Returns sent count."""
    now = timezone.now()
    ids = list(
        Notification.objects.filter(
            Q(email_state=EmailState.PENDING)
            | Q(email_state=EmailState.SENDING, email_claimed_at__lt=now - CLAIM_TIMEOUT)
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(notification_send_email(notification_id=pk) for pk in ids)


def unread_count(user: Any) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
