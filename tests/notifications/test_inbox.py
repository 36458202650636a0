"""The inbox: messages rendered in the recipient's language, visible to the recipient only."""

from __future__ import annotations

from django.utils.translation import gettext

from ipcenter.notifications.models import EmailState, Notification
from ipcenter.notifications.services import notify
from tests.conftest import Cast, client_for

API = "/api/v1/notifications"


def required() -> str:
    # A string Django itself translates, so the test does not depend on our compiled catalogue.
    return gettext("This field is required.")


def test_subject_and_body_in_the_recipients_language(cast: Cast) -> None:
    to_erin = notify(recipient=cast.erin, tag="t", subject=required, body=lambda: gettext("Yes"))
    to_alice = notify(recipient=cast.alice, tag="t", subject=required, body=lambda: gettext("Yes"))
    assert (to_erin.language, to_erin.subject, to_erin.body) == ("zh-hans", "此项为必填项。", "是")
    assert (to_alice.language, to_alice.subject, to_alice.body) == (
        "en",
        "This field is required.",
        "Yes",
    )


def test_plain_strings_are_kept_and_email_state_follows_address(cast: Cast) -> None:
    with_mail = notify(recipient=cast.erin, tag="t", subject="材料已收到")
    without_mail = notify(recipient=cast.nina, tag="t", subject="hello")
    opted_out = notify(recipient=cast.erin, tag="t", subject="x", email=False)
    assert with_mail.subject == "材料已收到"
    assert with_mail.email_state == EmailState.PENDING
    assert without_mail.email_state == EmailState.NONE  # nina has no e-mail address
    assert opted_out.email_state == EmailState.NONE


def test_inbox_page_shows_only_own(cast: Cast) -> None:
    mine = notify(recipient=cast.erin, tag="t", subject="for erin", email=False)
    notify(recipient=cast.frank, tag="t", subject="for frank", email=False)
    response = client_for(cast.erin).get("/notifications/")
    assert response.status_code == 200
    assert [n.pk for n in response.context["page"]] == [mine.pk]
    assert b"for erin" in response.content
    assert b"for frank" not in response.content


def test_inbox_api_shows_only_own_and_filters_unread(cast: Cast) -> None:
    first = notify(recipient=cast.erin, tag="a", subject="one", email=False)
    second = notify(recipient=cast.erin, tag="b", subject="two", email=False)
    notify(recipient=cast.frank, tag="c", subject="three", email=False)
    client = client_for(cast.erin)
    assert [n["id"] for n in client.get(API).json()] == [second.pk, first.pk]
    client.post(f"{API}/{first.pk}/read")
    assert [n["id"] for n in client.get(API, {"unread": "true"}).json()] == [second.pk]


def test_mark_own_as_read(cast: Cast) -> None:
    mine = notify(recipient=cast.erin, tag="t", subject="x", email=False)
    response = client_for(cast.erin).post(f"{API}/{mine.pk}/read")
    assert response.status_code == 200
    assert response.json()["read_at"] is not None
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_marking_someone_elses_as_read_is_404(cast: Cast) -> None:
    theirs = notify(recipient=cast.frank, tag="t", subject="x", email=False)
    client = client_for(cast.erin)
    api = client.post(f"{API}/{theirs.pk}/read")
    missing = client.post(f"{API}/999999/read")
    assert api.status_code == missing.status_code == 404
    assert api.json() == missing.json()
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_page_mark_read_redirects_to_the_target(cast: Cast) -> None:
    mine = notify(recipient=cast.erin, tag="t", subject="x", url="/documents/", email=False)
    response = client_for(cast.erin).post(f"/notifications/{mine.pk}/read/")
    assert response.status_code == 302
    assert response["Location"] == "/documents/"


def test_mark_all_read_touches_only_own(cast: Cast) -> None:
    notify(recipient=cast.erin, tag="t", subject="x", email=False)
    notify(recipient=cast.erin, tag="t", subject="y", email=False)
    theirs = notify(recipient=cast.frank, tag="t", subject="z", email=False)
    client_for(cast.erin).post("/notifications/read-all/")
    assert not Notification.objects.filter(recipient=cast.erin, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_unread_count_badge(cast: Cast) -> None:
    notify(recipient=cast.erin, tag="t", subject="x", email=False)
    notify(recipient=cast.erin, tag="t", subject="y", email=False)
    response = client_for(cast.erin).get("/")
    assert b'data-testid="unread-count">2<' in response.content
