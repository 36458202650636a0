"""Sign-in events go to the audit log; the user's language follows them to every device."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest

from ipcenter.audit.services import audit_record


@receiver(user_logged_in)
def on_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    with transaction.atomic():
        audit_record(actor=user, tag="accounts:session:login", subject=user)


@receiver(user_logged_out)
def on_logout(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None and user.is_authenticated:
        with transaction.atomic():
            audit_record(actor=user, tag="accounts:session:logout", subject=user)


@receiver(user_locked_out)
def on_locked_out(sender: Any, request: HttpRequest, username: str, **kwargs: Any) -> None:
    from ipcenter.accounts.models import User

    user = User.objects.filter(username=username).first()
    if user is not None:
        with transaction.atomic():
            audit_record(actor=None, tag="accounts:session:locked-out", subject=user)
