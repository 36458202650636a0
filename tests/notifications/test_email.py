"""The e-mail copy: sent after commit, claimed so that it goes out once, retried, given up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.core import mail

from ipcenter.notifications.models import EmailState, Notification
from ipcenter.notifications.services import (
    CLAIM_TIMEOUT,
    MAX_EMAIL_ATTEMPTS,
    _claim,
    notification_send_email,
    notifications_deliver_pending,
    notify,
)
from tests.conftest import Cast

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def mail_server_down(settings: Any) -> None:
    # A real SMTP backend aimed at a port nobody listens on: the connection is refused.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 9
    settings.EMAIL_TIMEOUT = 2


@pytest.fixture
def frozen() -> Iterator[Any]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def pending(cast: Cast, settings: Any) -> Notification:
    settings.IPCENTER_PUBLIC_URL = "https://ipc.example.test/"
    return notify(
        recipient=cast.erin, tag="t", subject="请补正", body="材料不全", url="/documents/"
    )


def test_email_is_sent_after_commit(
    cast: Cast, settings: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = pending(cast, settings)
        assert mail.outbox == []  # nothing before the commit
    assert len(callbacks) == 1
    [message] = mail.outbox
    assert message.to == ["erin@example.test"]
    assert message.subject == "请补正"
    assert message.body == "材料不全\n\nhttps://ipc.example.test/documents/"
    notification.refresh_from_db()
    assert notification.email_state == EmailState.SENT
    assert notification.email_attempts == 1
    assert notification.email_sent_at is not None


def test_nothing_is_sent_if_the_transaction_does_not_commit(
    cast: Cast, settings: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        notification = pending(cast, settings)
    assert mail.outbox == []
    notification.refresh_from_db()
    assert notification.email_state == EmailState.PENDING


def test_no_email_without_address(
    cast: Cast, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify(recipient=cast.nina, tag="t", subject="x")
    assert callbacks == []
    assert mail.outbox == []


def test_two_claims_of_the_same_row_send_once(cast: Cast, settings: Any) -> None:
    notification = pending(cast, settings)
    assert notification_send_email(notification_id=notification.pk) is True
    assert notification_send_email(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert (notification.email_state, notification.email_attempts) == (EmailState.SENT, 1)


def test_a_row_being_sent_is_not_claimed_again(cast: Cast, settings: Any, frozen: Any) -> None:
    notification = pending(cast, settings)
    assert _claim(notification.pk) is True  # a worker took it and is sending
    assert notification_send_email(notification_id=notification.pk) is False
    assert notifications_deliver_pending() == 0
    assert mail.outbox == []


def test_row_of_a_dead_worker_is_retried_after_the_timeout(
    cast: Cast, settings: Any, frozen: Any
) -> None:
    notification = pending(cast, settings)
    assert _claim(notification.pk) is True  # the worker dies before sending
    frozen.shift(CLAIM_TIMEOUT - dt.timedelta(seconds=1))
    assert notifications_deliver_pending() == 0
    assert mail.outbox == []
    frozen.shift(dt.timedelta(seconds=2))
    assert notifications_deliver_pending() == 1
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert (notification.email_state, notification.email_attempts) == (EmailState.SENT, 2)


def test_failing_mail_server_leaves_it_pending(
    cast: Cast, settings: Any, mail_server_down: None
) -> None:
    notification = pending(cast, settings)
    assert notification_send_email(notification_id=notification.pk) is False
    notification.refresh_from_db()
    assert (notification.email_state, notification.email_attempts) == (EmailState.PENDING, 1)
    assert notification.email_sent_at is None


def test_after_max_attempts_it_is_marked_failed(
    cast: Cast, settings: Any, mail_server_down: None
) -> None:
    notification = pending(cast, settings)
    for _attempt in range(MAX_EMAIL_ATTEMPTS):
        assert notifications_deliver_pending() == 0
    notification.refresh_from_db()
    assert (notification.email_state, notification.email_attempts) == (
        EmailState.FAILED,
        MAX_EMAIL_ATTEMPTS,
    )
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notifications_deliver_pending() == 0  # a failed row is left alone
    assert mail.outbox == []


def test_pending_rows_are_delivered_once_the_server_is_back(
    cast: Cast, settings: Any, mail_server_down: None
) -> None:
    notification = pending(cast, settings)
    notifications_deliver_pending()
    notifications_deliver_pending()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notifications_deliver_pending() == 1
    notification.refresh_from_db()
    assert (notification.email_state, notification.email_attempts) == (EmailState.SENT, 3)
    assert len(mail.outbox) == 1
