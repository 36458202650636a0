"""Double submission: a create sent twice (a retry, a double click) is carried out once.

The concurrent tests send both requests at the same moment from two threads, each with its own
database connection, against real PostgreSQL (hence transaction=True)."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client

from ipcenter.centers.models import today
from ipcenter.filings.selectors import quota_summary
from ipcenter.idempotency.models import IdempotencyKey
from ipcenter.idempotency.tasks import idempotency_keys_expire
from ipcenter.preexam import api as preexam_api
from ipcenter.preexam import views as preexam_views
from ipcenter.preexam.models import Case
from tests.conftest import Cast, client_for, token_client
from tests.preexam.factories import case_request, ready, sample_upload

pytestmark = pytest.mark.usefixtures("in_english")

CASES = "/api/v1/preexam/cases"


def _body(cast: Cast, **changes: Any) -> dict[str, Any]:
    request = case_request(cast.ent_a)
    body = {
        "center": "shanghai",
        "title": request.title,
        "patent_type": request.patent_type,
        "applicants": request.applicants,
        "inventors": request.inventors,
        "main_code": request.main_code,
    }
    body.update(changes)
    return body


def _post_case(client: Client, body: dict[str, Any], key: str | None, **headers: str) -> Any:
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(CASES, {"request": json.dumps(body), "full": sample_upload()}, **headers)


def _quota_used(cast: Cast) -> int:
    return quota_summary(organization=cast.ent_a, center=cast.shanghai, year=today().year).used


def _slow(monkeypatch: Any, module: Any, name: str) -> None:
    """The first request's work takes a while, so that the second arrives while it runs."""
    original = getattr(module, name)

    def slowly(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.5)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, slowly)


def _twice_at_once(send: Callable[[], Any]) -> list[Any]:
    """Send the same request from two threads at the same moment; their answers."""
    start = threading.Barrier(2)
    answers: list[Any] = [None, None]

    def one(i: int) -> None:
        try:
            start.wait()
            answers[i] = send()
        finally:
            connection.close()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(a is not None for a in answers), "a request did not answer"
    return answers


@pytest.mark.django_db(transaction=True)
def test_the_same_case_sent_twice_at_once_through_the_api_is_one_case(
    cast: Cast, monkeypatch: Any
) -> None:
    ready(cast)
    _slow(monkeypatch, preexam_api, "case_submit")
    client, auth = token_client(cast.erin)
    body = _body(cast)
    first, second = _twice_at_once(lambda: _post_case(client, body, "retry-1", **auth))
    assert Case.objects.count() == 1
    assert _quota_used(cast) == 1
    assert first.status_code == second.status_code == 201, (first.content, second.content)
    assert first.json() == second.json()
    assert {first.get("Idempotent-Replayed"), second.get("Idempotent-Replayed")} == {None, "true"}


def test_a_replay_after_completion_returns_the_stored_answer(cast: Cast) -> None:
    ready(cast)
    client, auth = token_client(cast.erin)
    first = _post_case(client, _body(cast), "retry-2", **auth)
    again = _post_case(client, _body(cast), "retry-2", **auth)
    assert first.status_code == again.status_code == 201
    assert again.content == first.content and again["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 1 and _quota_used(cast) == 1
    # Without a key each request is a new one, as before.
    assert _post_case(client, _body(cast), None, **auth).status_code == 201
    assert Case.objects.count() == 2


def test_the_same_key_with_another_body_is_refused(cast: Cast) -> None:
    ready(cast)
    client, auth = token_client(cast.erin)
    assert _post_case(client, _body(cast), "retry-3", **auth).status_code == 201
    other = _post_case(client, _body(cast, title="Another invention"), "retry-3", **auth)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert "already used for a different request" in other.json()["detail"]
    assert Case.objects.count() == 1


def test_keys_are_per_user(cast: Cast) -> None:
    ready(cast)
    erin, erin_auth = token_client(cast.erin)
    dave, dave_auth = token_client(cast.dave)
    assert _post_case(erin, _body(cast), "shared-key", **erin_auth).status_code == 201
    theirs = _post_case(dave, _body(cast), "shared-key", **dave_auth)
    assert theirs.status_code == 201 and not theirs.has_header("Idempotent-Replayed")
    assert Case.objects.count() == 2


def test_a_failed_request_leaves_its_key_free(cast: Cast) -> None:
    ready(cast)
    client, auth = token_client(cast.erin)
    refused = _post_case(client, _body(cast, main_code="A61B 9999/00"), "retry-4", **auth)
    assert refused.status_code == 422
    assert not IdempotencyKey.objects.exists()


def test_a_malformed_key_is_refused(cast: Cast) -> None:
    ready(cast)
    client, auth = token_client(cast.erin)
    assert _post_case(client, _body(cast), "x" * 256, **auth).status_code == 422
    assert _post_case(client, _body(cast), "bad key", **auth).status_code == 422
    assert not Case.objects.exists()


def test_keys_expire_after_a_day(cast: Cast) -> None:
    ready(cast)
    client, auth = token_client(cast.erin)
    assert _post_case(client, _body(cast), "retry-5", **auth).status_code == 201
    with time_machine.travel(dt.timedelta(hours=23), tick=False):
        assert idempotency_keys_expire.call_local() == 0
    with time_machine.travel(dt.timedelta(hours=25), tick=False):
        assert idempotency_keys_expire.call_local() == 1
    assert not IdempotencyKey.objects.exists()


def test_every_create_operation_documents_the_header(cast: Cast) -> None:
    schema = client_for(cast.erin).get("/api/v1/openapi.json").json()
    creates = [
        (path, op)
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if method == "post" and "201" in op["responses"]
    ]
    assert len(creates) >= 10
    for path, op in creates:
        names = [p["name"] for p in op.get("parameters", []) if p["in"] == "header"]
        assert "Idempotency-Key" in names, path


# --- pages ---------------------------------------------------------------------------------


def _form(cast: Cast, token: str) -> dict[str, Any]:
    request = case_request(cast.ent_a)
    return {
        "center": cast.shanghai.pk,
        "patent_type": "invention",
        "title": request.title,
        "applicants": cast.ent_a.name,
        "inventors": "\n".join(request.inventors),
        "main_code": request.main_code,
        "full": sample_upload(),
        "action": "submit",
        "form_token": token,
    }


def _token_of(page: str) -> str:
    marker = 'name="form_token" value="'
    assert marker in page, "the form carries no one-time token"
    return page.split(marker, 1)[1].split('"', 1)[0]


@pytest.mark.django_db(transaction=True)
def test_the_submit_page_sent_twice_at_once_makes_one_case(cast: Cast, monkeypatch: Any) -> None:
    ready(cast)
    _slow(monkeypatch, preexam_views, "case_submit")
    client = client_for(cast.erin)
    token = _token_of(client.get("/preexam/cases/new/").content.decode())
    first, second = _twice_at_once(lambda: client.post("/preexam/cases/new/", _form(cast, token)))
    case = Case.objects.get()
    assert _quota_used(cast) == 1
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/preexam/cases/{case.pk}/"


def test_the_submit_page_sent_again_leads_to_the_first_case(cast: Cast) -> None:
    from django.contrib.messages import get_messages

    ready(cast)
    client = client_for(cast.erin)
    page = client.get("/preexam/cases/new/").content.decode()
    token = _token_of(page)
    assert token != _token_of(client.get("/preexam/cases/new/").content.decode())
    first = client.post("/preexam/cases/new/", _form(cast, token))
    again = client.post("/preexam/cases/new/", _form(cast, token))
    case = Case.objects.get()
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert f"/preexam/cases/{case.pk}/" == again["Location"]
    shown = [str(m) for m in get_messages(again.wsgi_request)]
    assert "This form was already sent. Here is what it did the first time." in shown
    # Another user's token of the same value is theirs.
    assert client_for(cast.dave).post("/preexam/cases/new/", _form(cast, token)).status_code == 302
    assert Case.objects.count() == 2


def test_a_new_token_is_made_once_and_its_secret_is_not_replayed(cast: Cast) -> None:
    from ipcenter.accounts.models import ApiToken

    client = client_for(cast.erin)
    before = ApiToken.objects.filter(user=cast.erin).count()
    send = {"data": {"name": "ci"}, "content_type": "application/json"}
    first = client.post("/api/v1/accounts/tokens", HTTP_IDEMPOTENCY_KEY="tok-1", **send)
    again = client.post("/api/v1/accounts/tokens", HTTP_IDEMPOTENCY_KEY="tok-1", **send)
    assert first.status_code == 201, first.content
    assert again.status_code == 409 and first.json()["token"] not in again.content.decode()
    assert ApiToken.objects.filter(user=cast.erin).count() == before + 1
    assert first.json()["token"].encode() not in bytes(IdempotencyKey.objects.get().response_body)
