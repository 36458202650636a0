"""Bearer tokens: the raw value is shown once and only its SHA-256 is kept."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from ipcenter.accounts.models import ApiToken, hash_token, new_raw_token
from ipcenter.accounts.services import Refused, api_token_create, api_token_revoke
from ipcenter.audit.models import AuditEvent
from ipcenter.lib.errors import InvalidInput
from tests.accounts.test_totp import current_code
from tests.conftest import Cast, client_for

ME = "/api/v1/accounts/me"
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def raw_value_stored_anywhere(raw: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken")
        token_rows = cursor.fetchall()
        cursor.execute("SELECT old::text, new::text FROM audit_auditevent")
        audit_rows = cursor.fetchall()
    return any(raw in str(value) for row in token_rows + audit_rows for value in row)


def test_service_returns_raw_once_and_stores_only_the_hash(cast: Cast) -> None:
    token, raw = api_token_create(user=cast.dave, name="ci")
    assert raw.startswith("ipc_")
    assert len(raw) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert stored.hint == raw[:8]
    assert not raw_value_stored_anywhere(raw)
    assert AuditEvent.objects.filter(
        tag="accounts:token:created", subject_id=str(token.pk)
    ).exists()


def test_service_refuses_blank_name_and_past_expiry(cast: Cast) -> None:
    with pytest.raises(InvalidInput) as blank:
        api_token_create(user=cast.dave, name="  ")
    assert "name" in blank.value.errors
    with pytest.raises(InvalidInput) as past:
        api_token_create(user=cast.dave, name="ci", expires_on=dt.date(2020, 1, 1))
    assert "expires_on" in past.value.errors
    assert ApiToken.objects.count() == 0


def test_api_creates_token_and_returns_raw_once(cast: Cast) -> None:
    client = client_for(cast.dave)
    response = client.post(
        "/api/v1/accounts/tokens", {"name": "deploy"}, content_type="application/json"
    )
    assert response.status_code == 201
    body = response.json()
    raw = body["token"]
    assert body["name"] == "deploy"
    assert body["hint"] == raw[:8]
    assert (
        ApiToken.objects.get(pk=body["id"]).token_hash == hashlib.sha256(raw.encode()).hexdigest()
    )
    assert not raw_value_stored_anywhere(raw)
    listed = client.get("/api/v1/accounts/tokens").json()
    assert [t["id"] for t in listed] == [body["id"]]
    assert "token" not in listed[0]


def test_bearer_token_authenticates(cast: Cast) -> None:
    _token, raw = api_token_create(user=cast.erin, name="ci")
    response = Client().get(ME, **bearer(raw))
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "erin"
    assert [(m["role"], m["organization_id"]) for m in body["memberships"]] == [
        ("applicant", cast.ent_a.pk)
    ]


@pytest.mark.django_db
def test_no_or_unknown_token_is_401() -> None:
    assert Client().get(ME).status_code == 401
    assert Client().get(ME, **bearer("ipc_not-a-real-token")).status_code == 401


def test_revoked_token_is_401(cast: Cast) -> None:
    token, raw = api_token_create(user=cast.erin, name="ci")
    assert Client().get(ME, **bearer(raw)).status_code == 200
    api_token_revoke(user=cast.erin, token=token)
    assert Client().get(ME, **bearer(raw)).status_code == 401


def test_expired_token_is_401(cast: Cast) -> None:
    with time_machine.travel(dt.datetime(2026, 5, 4, 10, 0, tzinfo=SHANGHAI), tick=False):
        _token, raw = api_token_create(user=cast.erin, name="ci", expires_on=dt.date(2026, 5, 5))
        assert Client().get(ME, **bearer(raw)).status_code == 200
    with time_machine.travel(dt.datetime(2026, 5, 5, 23, 59, tzinfo=SHANGHAI), tick=False):
        assert Client().get(ME, **bearer(raw)).status_code == 200
    with time_machine.travel(dt.datetime(2026, 5, 6, 0, 0, 1, tzinfo=SHANGHAI), tick=False):
        assert Client().get(ME, **bearer(raw)).status_code == 401


def test_revoke_own_token_through_api(cast: Cast) -> None:
    token, raw = api_token_create(user=cast.erin, name="ci")
    client = client_for(cast.erin)
    response = client.delete(f"/api/v1/accounts/tokens/{token.pk}")
    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None
    assert Client().get(ME, **bearer(raw)).status_code == 401
    assert client.delete(f"/api/v1/accounts/tokens/{token.pk}").status_code == 409


def test_someone_elses_token_is_404_and_stays_usable(cast: Cast) -> None:
    token, raw = api_token_create(user=cast.erin, name="ci")
    response = client_for(cast.frank).delete(f"/api/v1/accounts/tokens/{token.pk}")
    assert response.status_code == 404
    missing = client_for(cast.frank).delete("/api/v1/accounts/tokens/999999")
    assert missing.json() == response.json()
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    assert Client().get(ME, **bearer(raw)).status_code == 200


def test_last_used_at_is_recorded_at_most_once_a_minute(cast: Cast) -> None:
    token, raw = api_token_create(user=cast.erin, name="ci")
    assert token.last_used_at is None
    first = dt.datetime(2026, 5, 4, 10, 0, tzinfo=SHANGHAI)
    with time_machine.travel(first, tick=False):
        Client().get(ME, **bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at == first
    with time_machine.travel(first + dt.timedelta(seconds=30), tick=False):
        Client().get(ME, **bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at == first
    later = first + dt.timedelta(minutes=2)
    with time_machine.travel(later, tick=False):
        Client().get(ME, **bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at == later


# --- tokens do not make tokens, and staff tokens need the second factor -----------------------


def test_a_token_cannot_make_tokens(cast: Cast) -> None:
    _token, raw = api_token_create(user=cast.erin, name="ci")
    response = Client().post(
        "/api/v1/accounts/tokens", {"name": "child"}, content_type="application/json", **bearer(raw)
    )
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "forbidden"
    assert ApiToken.objects.filter(user=cast.erin).count() == 1
    # Nor with a session cookie beside it: the token is what the request came with.
    both = client_for(cast.erin).post(
        "/api/v1/accounts/tokens", {"name": "child"}, content_type="application/json", **bearer(raw)
    )
    assert both.status_code == 403
    assert ApiToken.objects.filter(user=cast.erin).count() == 1


def test_staff_without_totp_cannot_make_a_token(cast: Cast, settings: Any) -> None:
    settings.IPCENTER_STAFF_TOTP = "required"
    client = client_for(cast.bob)
    assert (
        client.post(
            "/api/v1/accounts/tokens", {"name": "x"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert client.post("/accounts/tokens/", {"name": "x"}).status_code == 302  # to the TOTP check
    with pytest.raises(Refused):
        api_token_create(user=cast.bob, name="x")
    assert not ApiToken.objects.filter(user=cast.bob).exists()
    # After the check, the session makes a token that works.
    device = TOTPDevice.objects.create(user=cast.bob, name="phone", confirmed=True)
    client.post("/accounts/totp/verify/", {"token": current_code(device), "next": "/"})
    response = client.post(
        "/api/v1/accounts/tokens", {"name": "x"}, content_type="application/json"
    )
    assert response.status_code == 201
    assert ApiToken.objects.get(user=cast.bob).second_factor
    assert Client().get(ME, **bearer(response.json()["token"])).status_code == 200


def test_a_staff_token_made_without_totp_does_not_pass_for_it(
    in_english: Cast, settings: Any
) -> None:
    """A token made before TOTP was required (or before the person became staff) is refused."""
    cast = in_english
    _bob_token, bob_raw = api_token_create(user=cast.bob, name="old")
    _erin_token, erin_raw = api_token_create(user=cast.erin, name="ci")
    settings.IPCENTER_STAFF_TOTP = "required"
    refused = Client().get("/api/v1/preexam/cases", **bearer(bob_raw))
    assert refused.status_code == 403
    assert "TOTP" in refused.json()["detail"]
    assert Client().get(ME, **bearer(erin_raw)).status_code == 200  # not staff


def test_revoking_a_token_revokes_the_tokens_it_made(cast: Cast) -> None:
    """Tokens made with tokens before the rule: their lineage is revoked with their parent."""
    parent, _raw = api_token_create(user=cast.erin, name="parent")
    child_raw, grandchild_raw = new_raw_token(), new_raw_token()
    child = ApiToken.objects.create(
        user=cast.erin, name="child", token_hash=hash_token(child_raw), created_by_token=parent
    )
    ApiToken.objects.create(
        user=cast.erin,
        name="grandchild",
        token_hash=hash_token(grandchild_raw),
        created_by_token=child,
    )
    _other, other_raw = api_token_create(user=cast.erin, name="unrelated")
    assert Client().get(ME, **bearer(grandchild_raw)).status_code == 200
    response = client_for(cast.erin).delete(f"/api/v1/accounts/tokens/{parent.pk}")
    assert response.status_code == 200
    assert Client().get(ME, **bearer(child_raw)).status_code == 401
    assert Client().get(ME, **bearer(grandchild_raw)).status_code == 401
    assert Client().get(ME, **bearer(other_raw)).status_code == 200
    assert set(
        ApiToken.objects.filter(revoked_at__isnull=False).values_list("name", flat=True)
    ) == {"parent", "child", "grandchild"}
    assert AuditEvent.objects.filter(tag="accounts:token:revoked").count() == 3


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_tokens_page_shows_the_header_with_its_placeholder(cast: Cast, language: str) -> None:
    cast.dave.language = language
    cast.dave.save(update_fields=["language"])
    page = client_for(cast.dave).get("/accounts/tokens/").content.decode()
    assert '<code data-testid="bearer-header">Authorization: Bearer &lt;token&gt;</code>' in page
    assert "<token>" not in page
