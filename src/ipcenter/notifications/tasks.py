"""Jobs: each loads by id and calls a service."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from ipcenter.notifications.services import (
    notification_send_email,
    notifications_deliver_pending,
)


@db_task(retries=2, retry_delay=30)
def deliver_notification_email(notification_id: int) -> bool:
    return notification_send_email(notification_id=notification_id)


@db_periodic_task(crontab(minute="*/5"))
def deliver_pending_emails() -> int:
    return notifications_deliver_pending()
