"""Language choice, security headers and cookies, CSRF on the API, and role placement rules."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from ipcenter.accounts.models import Membership
from ipcenter.accounts.roles import Role
from ipcenter.accounts.services import membership_grant
from ipcenter.audit.models import AuditEvent
from ipcenter.lib.errors import InvalidInput
from tests.conftest import PASSWORD, Cast, client_for


def html_lang(response: Any) -> str:
    match = re.search(rb'<html lang="([^"]+)"', response.content)
    assert match is not None
    return match.group(1).decode()


def test_setlang_saves_language_and_sets_cookie(cast: Cast) -> None:
    client = client_for(cast.erin)
    assert html_lang(client.get("/")) == "zh-CN"
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/centers/"})
    assert response.status_code == 302
    assert response["Location"] == "/centers/"
    assert response.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "en"
    cast.erin.refresh_from_db()
    assert cast.erin.language == "en"
    assert html_lang(client.get("/")) == "en"
    event = AuditEvent.objects.get(tag="accounts:profile:changed")
    assert (event.old, event.new) == ({"language": "zh-hans"}, {"language": "en"})


def test_setlang_back_to_chinese(cast: Cast) -> None:
    client = client_for(cast.alice)
    assert html_lang(client.get("/")) == "en"
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    cast.alice.refresh_from_db()
    assert cast.alice.language == "zh-hans"
    assert html_lang(client.get("/")) == "zh-CN"


def test_profile_language_follows_the_person_to_a_new_device(cast: Cast) -> None:
    client_for(cast.erin).post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert html_lang(client_for(cast.erin).get("/")) == "en"


@pytest.mark.django_db
def test_setlang_for_anonymous_sets_only_the_cookie() -> None:
    client = Client()
    assert html_lang(client.get("/accounts/login/")) == "zh-CN"
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert html_lang(client.get("/accounts/login/")) == "en"


def test_setlang_refuses_unknown_language_and_foreign_next(cast: Cast) -> None:
    client = client_for(cast.erin)
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "https://evil.test/"})
    assert response["Location"] == "/"
    assert django_settings.LANGUAGE_COOKIE_NAME not in response.cookies
    cast.erin.refresh_from_db()
    assert cast.erin.language == "zh-hans"


@pytest.mark.django_db
def test_content_security_policy_forbids_inline_script() -> None:
    response = Client().get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert directives["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
def test_frame_options_and_nosniff() -> None:
    response = Client().get("/accounts/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_session_cookie_is_http_only_and_not_secure_by_default(cast: Cast) -> None:
    response = Client().post("/accounts/login/", {"username": "erin", "password": PASSWORD})
    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert not cookie["secure"]


def test_secure_setting_marks_session_cookie_secure(cast: Cast, settings: Any) -> None:
    settings.SESSION_COOKIE_SECURE = True
    response = Client().post("/accounts/login/", {"username": "erin", "password": PASSWORD})
    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True


def test_session_api_write_without_csrf_token_is_refused(cast: Cast) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.dave)
    response = client.post(
        "/api/v1/accounts/tokens", {"name": "x"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert cast.dave.api_tokens.count() == 0


def test_session_api_write_with_csrf_token_is_accepted(cast: Cast) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.dave)
    client.get("/")
    csrf = client.cookies[django_settings.CSRF_COOKIE_NAME].value
    response = client.post(
        "/api/v1/accounts/tokens",
        {"name": "x"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert response.status_code == 201
    assert cast.dave.api_tokens.count() == 1


def test_bearer_api_write_needs_no_csrf_token(cast: Cast) -> None:
    from ipcenter.accounts.services import api_token_create

    _token, raw = api_token_create(user=cast.dave, name="ci")
    response = Client(enforce_csrf_checks=True).patch(
        "/api/v1/accounts/me",
        {"full_name": "Dave D"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 200
    assert response.json()["full_name"] == "Dave D"


def test_membership_refuses_role_in_wrong_kind_of_organization(cast: Cast) -> None:
    with pytest.raises(InvalidInput) as refused:
        membership_grant(
            actor=cast.sam, user=cast.nina, organization=cast.ent_a, role=Role.PRE_EXAMINER
        )
    assert "role" in refused.value.errors
    assert not Membership.objects.filter(user=cast.nina).exists()


def test_membership_refuses_center_manager_in_agency_even_for_system(cast: Cast) -> None:
    with pytest.raises(InvalidInput):
        membership_grant(
            actor=None,
            user=cast.nina,
            organization=cast.agency,
            role=Role.CENTER_MANAGER,
            system=True,
        )
    assert not Membership.objects.filter(user=cast.nina).exists()


def test_membership_in_right_kind_takes_the_center(cast: Cast) -> None:
    membership = membership_grant(
        actor=cast.sam,
        user=cast.nina,
        organization=cast.shanghai.organization,
        role=Role.RECEPTION_STAFF,
    )
    assert membership.center_id == cast.shanghai.pk
    assert AuditEvent.objects.filter(tag="accounts:role:granted", actor=cast.sam).count() == 1
