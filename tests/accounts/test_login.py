"""Signing in: the real login view, the lockout of django-axes, and the password reset by e-mail."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from ipcenter.audit.models import AuditEvent
from tests.conftest import PASSWORD, Cast

LOGIN = "/accounts/login/"


def post_login(client: Client, username: str, password: str, **extra: str) -> Any:
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def test_login_page_renders(cast: Cast) -> None:
    response = Client().get(LOGIN)
    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert b'name="password"' in response.content


def test_right_password_signs_in_and_is_audited(cast: Cast) -> None:
    client = Client()
    response = post_login(client, "alice", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(cast.alice.pk)
    assert AuditEvent.objects.filter(
        tag="accounts:session:login", subject_id=str(cast.alice.pk)
    ).exists()
    assert client.get("/").status_code == 200


def test_wrong_password_is_refused(cast: Cast) -> None:
    client = Client()
    response = post_login(client, "alice", "not-the-password")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302


def test_five_failures_lock_the_name_and_address(cast: Cast) -> None:
    client = Client()
    for _attempt in range(5):
        post_login(client, "alice", "wrong-password")
    response = post_login(client, "alice", PASSWORD)
    assert response.status_code == 429
    assert b'data-testid="locked-out"' in response.content
    assert "_auth_user_id" not in client.session


def test_four_failures_do_not_lock(cast: Cast) -> None:
    client = Client()
    for _attempt in range(4):
        post_login(client, "alice", "wrong-password")
    assert post_login(client, "alice", PASSWORD).status_code == 302


def test_lockout_writes_audit_event(cast: Cast) -> None:
    client = Client()
    for _attempt in range(5):
        post_login(client, "alice", "wrong-password")
    event = AuditEvent.objects.get(tag="accounts:session:locked-out")
    assert event.subject_id == str(cast.alice.pk)
    assert event.actor is None


def test_lockout_is_per_username_and_address(cast: Cast) -> None:
    client = Client()
    for _attempt in range(5):
        post_login(client, "alice", "wrong-password")
    assert post_login(Client(), "bob", PASSWORD).status_code == 302
    other_address = post_login(Client(), "alice", PASSWORD, REMOTE_ADDR="10.1.2.3")
    assert other_address.status_code == 302


def test_password_reset_by_email_end_to_end(cast: Cast) -> None:
    client = Client()
    response = client.post("/accounts/password/reset/", {"email": "erin@example.test"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["erin@example.test"]
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", message.body)
    assert link is not None

    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"] is True
    set_password_url = form_page.redirect_chain[-1][0]
    new_password = "a-brand-new-passphrase-42"
    done = client.post(
        set_password_url, {"new_password1": new_password, "new_password2": new_password}
    )
    assert done.status_code == 302
    assert done["Location"] == "/accounts/password/reset/done/"

    assert post_login(Client(), "erin", PASSWORD).status_code == 200  # the old one is gone
    fresh = Client()
    assert post_login(fresh, "erin", new_password).status_code == 302
    assert fresh.session["_auth_user_id"] == str(cast.erin.pk)


def test_password_reset_link_works_once(cast: Cast) -> None:
    client = Client()
    client.post("/accounts/password/reset/", {"email": "erin@example.test"})
    path = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body)
    assert path is not None
    set_password_url = client.get(path.group(1), follow=True).redirect_chain[-1][0]
    new_password = "a-brand-new-passphrase-42"
    payload = {"new_password1": new_password, "new_password2": new_password}
    client.post(set_password_url, payload)
    again = Client().get(path.group(1), follow=True)
    assert again.context["validlink"] is False


@pytest.mark.django_db
def test_password_reset_for_unknown_address_sends_nothing() -> None:
    response = Client().post("/accounts/password/reset/", {"email": "nobody@example.test"})
    assert response.status_code == 302
    assert mail.outbox == []
