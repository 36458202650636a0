"""The role matrix, endpoint by endpoint.

`ipcenter.accounts.matrix.ENDPOINTS` must name every page and API operation the code serves, and
for each one the guard it declares must hold against real requests: the anonymous visitor is sent
to sign in (401 from the API), a person whose roles lack the permission is refused, the right role
in the wrong center or organization gets exactly the answer a nonexistent id gets, and the right
person is served, so that a view refusing everyone cannot pass.

Each endpoint's probe (who is allowed, who is wrong, which ids and payloads) is a `Case` below; a
new entry in ENDPOINTS without a case fails `test_every_endpoint_has_a_case`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import struct
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponseBase
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from ipcenter.accounts.access import can
from ipcenter.accounts.matrix import API_PREFIX, ENDPOINTS, Endpoint
from ipcenter.accounts.models import User
from ipcenter.accounts.roles import PERM_SCOPES, ROLE_ORG_KINDS, ROLE_PERMISSIONS, Perm, Role, Scope
from ipcenter.accounts.services import api_token_create
from ipcenter.audit.models import AuditEvent
from ipcenter.centers.catalog import CATALOG, SettingSpec
from ipcenter.centers.selectors import center_settings
from ipcenter.centers.services import center_settings_change
from ipcenter.documents.services import document_grant, document_store
from ipcenter.notifications.services import notify
from tests.conftest import PASSWORD, Cast, client_for, token_client
from tests.matrix_support import MISSING_ID, MISSING_UUID, Case, Value, World

# Strings that only the owners of the fixture objects may ever see.
DOCUMENT_TITLE = "dave-confidential-plan"
NOTIFICATION_SUBJECT = "alice-private-notice"
TOKEN_NAME = "dave-ci-token"
SETTINGS_REASON = "shanghai-only-rule-change"
MARKERS = (DOCUMENT_TITLE, NOTIFICATION_SUBJECT, TOKEN_NAME, SETTINGS_REASON)

NEW_PASSWORD = "another-horse-battery-7"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # The cast is built for every case; the default hasher would make that take seconds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def png_bytes() -> bytes:
    """A valid 1x1 greyscale PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


def png_upload(name: str = "plan.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def _adjustable_setting() -> SettingSpec:
    return next(s for s in CATALOG if s.maximum - s.minimum >= 2)


def _another_value(spec: SettingSpec, value: int) -> int:
    return value + 1 if value < spec.maximum else value - 1


@pytest.fixture
def world(cast: Cast) -> World:
    document = document_store(
        actor=cast.dave, organization=cast.ent_a, upload=png_upload(), title=DOCUMENT_TITLE
    )
    notification = notify(
        recipient=cast.alice, tag="matrix:probe", subject=NOTIFICATION_SUBJECT, email=False
    )
    token, _raw = api_token_create(user=cast.dave, name=TOKEN_NAME)
    # An audit event of Shanghai that Pudong's manager must not see.
    spec = _adjustable_setting()
    center_settings_change(
        center=cast.shanghai,
        actor=cast.alice,
        values={spec.key: _another_value(spec, spec.default)},
        reason=SETTINGS_REASON,
    )
    return World(cast=cast, document=document, notification=notification, token=token)


# --- the probe of each endpoint ---------------------------------------------------------------


SHANGHAI: Value = lambda w: {"code": w.cast.shanghai.code}  # noqa: E731
DOCUMENT: Value = lambda w: {"document_id": str(w.document.pk)}  # noqa: E731
NOTIFICATION: Value = lambda w: {"notification_id": w.notification.pk}  # noqa: E731
TOKEN: Value = lambda w: {"token_id": w.token.pk}  # noqa: E731


def _totp_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return str(totp.token()).zfill(device.digits)


def _confirmed_device(user: User) -> TOTPDevice:
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, name="phone", defaults={"confirmed": True}
    )
    return device


def _bob_has_a_device(w: World, client: Client) -> None:
    _confirmed_device(w.cast.bob)


def _enrolment(w: World) -> dict[str, Any]:
    from ipcenter.accounts.services import totp_device_start

    return {"token": _totp_code(totp_device_start(user=w.cast.bob))}


def _reset_link(w: World) -> dict[str, Any]:
    return {
        "uidb64": urlsafe_base64_encode(force_bytes(w.cast.erin.pk)),
        "token": default_token_generator.make_token(w.cast.erin),
    }


def _open_reset_link(w: World, client: Client) -> None:
    # Django keeps the token in the session and redirects to .../set-password/.
    link = _reset_link(w)
    client.get(f"/accounts/password/reset/{link['uidb64']}/{link['token']}/")


def _settings_form(w: World) -> dict[str, Any]:
    current = center_settings(center=w.cast.shanghai, on=timezone.localdate())
    spec = _adjustable_setting()
    return {
        **current,
        spec.key: _another_value(spec, current[spec.key]),
        "effective_from": timezone.localdate().isoformat(),
        "reason": "matrix test",
    }


def _settings_patch(w: World) -> dict[str, Any]:
    current = center_settings(center=w.cast.shanghai, on=timezone.localdate())
    spec = _adjustable_setting()
    return {"values": {spec.key: _another_value(spec, current[spec.key])}, "reason": "matrix"}


def _tomorrow() -> str:
    return (timezone.localdate() + dt.timedelta(days=1)).isoformat()


CALENDAR_QUERY = {"start": "2025-03-03", "days": 5}


def _area_case_modules() -> list[dict[str, Case]]:
    from tests.accounts import matrix_cases as accounts_cases
    from tests.filings import matrix_cases as filings_cases
    from tests.navigation import matrix_cases as navigation_cases
    from tests.preexam import matrix_cases_priorart, matrix_cases_review, matrix_cases_tracking

    return [
        accounts_cases.CASES,
        filings_cases.CASES,
        matrix_cases_review.CASES,
        matrix_cases_tracking.CASES,
        matrix_cases_priorart.CASES,
        navigation_cases.CASES,
    ]


CASES: dict[str, Case] = {
    # pages
    "GET /": Case(allowed="nina"),
    "GET /healthz": Case(),
    "POST /i18n/setlang/": Case(data=lambda w: {"language": "en", "next": "/"}),
    "GET /calendar/": Case(allowed="erin", wrong_role="nina", data=lambda w: CALENDAR_QUERY),
    "GET /accounts/login/": Case(),
    "POST /accounts/login/": Case(data=lambda w: {"username": "erin", "password": PASSWORD}),
    "POST /accounts/logout/": Case(),
    "GET /accounts/totp/setup/": Case(allowed="bob"),
    "POST /accounts/totp/setup/": Case(allowed="bob", data=_enrolment),
    "GET /accounts/totp/verify/": Case(allowed="bob", before=_bob_has_a_device),
    "POST /accounts/totp/verify/": Case(
        allowed="bob", data=lambda w: {"token": _totp_code(_confirmed_device(w.cast.bob))}
    ),
    "GET /accounts/password/reset/": Case(),
    "POST /accounts/password/reset/": Case(data=lambda w: {"email": w.cast.erin.email}),
    "GET /accounts/password/reset/sent/": Case(),
    "GET /accounts/password/reset/{uidb64}/{token}/": Case(args=_reset_link),
    "POST /accounts/password/reset/{uidb64}/{token}/": Case(
        args=lambda w: {**_reset_link(w), "token": "set-password"},
        before=_open_reset_link,
        data=lambda w: {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    ),
    "GET /accounts/password/reset/done/": Case(),
    "GET /accounts/profile/": Case(allowed="nina"),
    "POST /accounts/profile/": Case(
        allowed="erin",
        wrong_role="nina",
        data=lambda w: {"full_name": "Erin E", "email": "e@example.test", "language": "en"},
    ),
    "GET /accounts/tokens/": Case(
        allowed="dave", wrong_role="nina", wrong_scope="frank", marker=TOKEN_NAME
    ),
    "POST /accounts/tokens/": Case(
        allowed="erin", wrong_role="nina", data=lambda w: {"name": "ci"}
    ),
    "POST /accounts/tokens/{token_id}/revoke/": Case(
        allowed="dave",
        wrong_role="nina",
        wrong_scope="frank",
        args=TOKEN,
        missing_args={"token_id": MISSING_ID},
    ),
    "GET /accounts/users/": Case(allowed="sam", wrong_role="alice"),
    "POST /accounts/users/": Case(
        allowed="sam",
        wrong_role="alice",
        data=lambda w: {
            "username": "newcomer",
            "full_name": "New Comer",
            "email": "newcomer@example.test",
            "language": "en",
            "password": NEW_PASSWORD,
            "organization": w.cast.ent_a.pk,
            "role": Role.APPLICANT.value,
        },
    ),
    "GET /accounts/users/{user_id}/": Case(
        allowed="sam", wrong_role="alice", args=lambda w: {"user_id": w.cast.erin.pk}
    ),
    "POST /accounts/users/{user_id}/": Case(
        allowed="sam",
        wrong_role="alice",
        args=lambda w: {"user_id": w.cast.erin.pk},
        data=lambda w: {
            "action": "grant",
            "organization": w.cast.agency.pk,
            "role": Role.AGENT.value,
        },
    ),
    "GET /accounts/organizations/": Case(allowed="sam", wrong_role="alice"),
    "POST /accounts/organizations/": Case(
        allowed="sam",
        wrong_role="alice",
        data=lambda w: {"kind": "enterprise", "name": "丙公司", "name_en": "C Co"},
    ),
    "GET /accounts/members/": Case(
        allowed="dave", wrong_role="erin", wrong_scope="frank", marker="erin@example.test"
    ),
    "GET /accounts/password/change/": Case(allowed="nina"),
    "POST /accounts/password/change/": Case(
        allowed="nina",
        data=lambda w: {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    ),
    "GET /accounts/password/change/done/": Case(allowed="nina"),
    "GET /centers/": Case(allowed="erin", wrong_role="nina"),
    "GET /centers/workstations/": Case(allowed="grace", wrong_role="nina"),
    "GET /centers/{code}/": Case(allowed="erin", wrong_role="nina", args=SHANGHAI),
    "GET /centers/{code}/settings/": Case(
        allowed="bob",
        wrong_role="dave",
        wrong_scope="carol",
        args=SHANGHAI,
        missing_args={"code": "nope"},
    ),
    "POST /centers/{code}/settings/": Case(
        allowed="alice",
        wrong_role="bob",
        wrong_scope="carol",
        args=SHANGHAI,
        missing_args={"code": "nope"},
        data=_settings_form,
    ),
    "GET /centers/{code}/fields/new/": Case(
        allowed="alice",
        wrong_role="bob",
        wrong_scope="carol",
        args=SHANGHAI,
        missing_args={"code": "nope"},
    ),
    "POST /centers/{code}/fields/new/": Case(
        allowed="alice",
        wrong_role="bob",
        wrong_scope="carol",
        args=SHANGHAI,
        missing_args={"code": "nope"},
        data=lambda w: {"effective_from": _tomorrow(), "ipc": "A61K\nB25J", "locarno": "24"},
    ),
    "GET /audit/": Case(
        allowed="alice", wrong_role="bob", wrong_scope="carol", marker=SETTINGS_REASON
    ),
    "GET /documents/": Case(
        allowed="erin", wrong_role="sam", wrong_scope="frank", marker=DOCUMENT_TITLE
    ),
    "POST /documents/": Case(
        allowed="dave",
        wrong_role="bob",
        wrong_scope="frank",
        data=lambda w: {
            "organization": w.cast.ent_a.pk,
            "kind": "general",
            "title": "licence",
            "confidential": "on",
            "file": png_upload(),
        },
        missing_data={"organization": MISSING_ID},
        refused=(200,),
    ),
    "GET /documents/{document_id}/": Case(
        allowed="erin",
        wrong_role="sam",
        wrong_scope="frank",
        args=DOCUMENT,
        missing_args={"document_id": MISSING_UUID},
    ),
    "GET /documents/{document_id}/view/": Case(
        allowed="erin",
        wrong_role="sam",
        wrong_scope="frank",
        args=DOCUMENT,
        missing_args={"document_id": MISSING_UUID},
    ),
    "GET /documents/{document_id}/download/": Case(
        allowed="dave",
        wrong_role="sam",
        wrong_scope="frank",
        args=DOCUMENT,
        missing_args={"document_id": MISSING_UUID},
    ),
    "GET /notifications/": Case(
        allowed="alice", wrong_role="nina", wrong_scope="bob", marker=NOTIFICATION_SUBJECT
    ),
    "POST /notifications/{notification_id}/read/": Case(
        allowed="alice",
        wrong_role="nina",
        wrong_scope="bob",
        args=NOTIFICATION,
        missing_args={"notification_id": MISSING_ID},
    ),
    "POST /notifications/read-all/": Case(allowed="bob", wrong_role="nina"),
    # API
    "GET /api/v1/openapi.json": Case(),
    "GET /api/v1/docs": Case(),
    "GET /api/v1/accounts/me": Case(allowed="nina"),
    "PATCH /api/v1/accounts/me": Case(
        allowed="erin", wrong_role="nina", token=True, data=lambda w: {"full_name": "Erin E"}
    ),
    "GET /api/v1/accounts/tokens": Case(
        allowed="dave", wrong_role="nina", wrong_scope="frank", marker=TOKEN_NAME, token=True
    ),
    "POST /api/v1/accounts/tokens": Case(
        allowed="erin", wrong_role="nina", data=lambda w: {"name": "ci"}
    ),
    "DELETE /api/v1/accounts/tokens/{token_id}": Case(
        allowed="dave",
        wrong_role="nina",
        wrong_scope="frank",
        args=TOKEN,
        missing_args={"token_id": MISSING_ID},
        token=True,
    ),
    "GET /api/v1/centers": Case(allowed="erin", wrong_role="nina", token=True),
    "GET /api/v1/centers/{code}": Case(allowed="erin", wrong_role="nina", args=SHANGHAI),
    "GET /api/v1/centers/{code}/fields": Case(
        allowed="grace", wrong_role="nina", args=SHANGHAI, token=True
    ),
    "POST /api/v1/centers/{code}/fields": Case(
        allowed="alice",
        wrong_role="bob",
        wrong_scope="carol",
        args=SHANGHAI,
        missing_args={"code": "nope"},
        data=lambda w: {"effective_from": _tomorrow(), "ipc": ["A61K"], "locarno": ["24"]},
        token=True,
    ),
    "GET /api/v1/centers/{code}/settings": Case(
        allowed="ivan",
        wrong_role="dave",
        wrong_scope="carol",
        args=SHANGHAI,
        missing_args={"code": "nope"},
    ),
    "PATCH /api/v1/centers/{code}/settings": Case(
        allowed="alice",
        wrong_role="bob",
        wrong_scope="carol",
        args=SHANGHAI,
        missing_args={"code": "nope"},
        data=_settings_patch,
        token=True,
    ),
    "GET /api/v1/workstations": Case(allowed="walt", wrong_role="nina", token=True),
    "GET /api/v1/audit/events": Case(
        allowed="sam", wrong_role="bob", wrong_scope="carol", marker=SETTINGS_REASON, token=True
    ),
    "GET /api/v1/documents": Case(
        allowed="dave", wrong_role="sam", wrong_scope="frank", marker=DOCUMENT_TITLE, token=True
    ),
    "POST /api/v1/documents": Case(
        allowed="dave",
        wrong_role="bob",
        wrong_scope="frank",
        data=lambda w: {"organization_id": w.cast.ent_a.pk, "title": "x", "file": png_upload()},
        missing_data={"organization_id": MISSING_ID},
        multipart=True,
        token=True,
    ),
    "GET /api/v1/documents/{document_id}": Case(
        allowed="erin",
        wrong_role="sam",
        wrong_scope="frank",
        args=DOCUMENT,
        missing_args={"document_id": MISSING_UUID},
        token=True,
    ),
    "GET /api/v1/documents/{document_id}/content": Case(
        allowed="dave",
        wrong_role="sam",
        wrong_scope="frank",
        args=DOCUMENT,
        missing_args={"document_id": MISSING_UUID},
    ),
    "GET /api/v1/notifications": Case(
        allowed="alice",
        wrong_role="nina",
        wrong_scope="bob",
        marker=NOTIFICATION_SUBJECT,
        token=True,
    ),
    "POST /api/v1/notifications/{notification_id}/read": Case(
        allowed="alice",
        wrong_role="nina",
        wrong_scope="bob",
        args=NOTIFICATION,
        missing_args={"notification_id": MISSING_ID},
    ),
    "GET /api/v1/calendar/add": Case(
        allowed="erin", wrong_role="nina", data=lambda w: CALENDAR_QUERY, token=True
    ),
    "GET /api/v1/calendar/between": Case(
        allowed="erin",
        wrong_role="nina",
        data=lambda w: {"start": "2025-03-03", "end": "2025-03-31"},
    ),
}

# Each business area writes the probes of its own endpoints beside its tests.
for _area_cases in _area_case_modules():
    _overlap = set(CASES) & set(_area_cases)
    assert not _overlap, f"endpoints probed twice: {_overlap}"
    CASES.update(_area_cases)


# --- sending a probe --------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    location: str
    body: bytes

    def same_page(self) -> tuple[int, bytes]:
        """Status and body, without the per-request CSRF tokens (64 letters and digits)."""
        return self.status, re.sub(rb"\b[A-Za-z0-9]{64}\b", b"<csrf>", self.body)


def _read(response: HttpResponseBase) -> bytes:
    if response.streaming:
        body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
        response.close()
        return body
    return response.content  # type: ignore[attr-defined]


def _client(endpoint: Endpoint, case: Case, user: User | None) -> tuple[Client, dict[str, str]]:
    if user is None:
        return Client(), {}
    if endpoint.is_api and case.token and can(user, Perm.TOKEN_MANAGE):
        return token_client(user)
    return client_for(user), {}


def _send(
    endpoint: Endpoint,
    case: Case,
    world: World,
    client: Client,
    headers: dict[str, str],
    *,
    missing: bool = False,
) -> Answer:
    args = {**case.args(world), **(case.missing_args if missing else {})}
    data = {**case.data(world), **(case.missing_data if missing else {})}
    path = endpoint.path.format(**args)
    method = endpoint.method.lower()
    send = getattr(client, method)
    if method == "get" or not endpoint.is_api or case.multipart:
        response = send(path, data, **headers)
    else:
        response = send(path, json.dumps(data), content_type="application/json", **headers)
    return Answer(response.status_code, response.get("Location", ""), _read(response))


@dataclass
class Prober:
    """A person's client for one endpoint, signed in (which writes an audit row) and ready."""

    endpoint: Endpoint
    world: World
    client: Client
    headers: dict[str, str]

    @classmethod
    def start(cls, endpoint: Endpoint, world: World, who: str) -> Prober:
        case = CASES[endpoint.key]
        user: User | None = getattr(world.cast, who) if who else None
        client, headers = _client(endpoint, case, user)
        if case.before is not None:
            case.before(world, client)
        return cls(endpoint, world, client, headers)

    def send(self, *, missing: bool = False) -> Answer:
        case = CASES[self.endpoint.key]
        return _send(self.endpoint, case, self.world, self.client, self.headers, missing=missing)


def _assert_nothing_leaks(endpoint: Endpoint, answer: Answer) -> None:
    for marker in MARKERS:
        assert marker.encode() not in answer.body, f"{endpoint.key} shows {marker!r}"


def _ids(endpoints: list[Endpoint]) -> list[Any]:
    return [pytest.param(e, id=e.key) for e in endpoints]


# --- every endpoint is listed, and every entry still exists -----------------------------------

# ninja's root view only answers 404, naming the docs page.
IGNORED_URL_NAMES = frozenset({"api-root"})


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, route)
        elif pattern.name not in IGNORED_URL_NAMES:
            yield "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def url_routes() -> set[str]:
    static = django_settings.STATIC_URL
    return {r for r in _routes(get_resolver().url_patterns) if not r.startswith(static)}


def api_operations() -> set[tuple[str, str]]:
    from ipcenter.api import api

    schema = api.get_openapi_schema(path_prefix=API_PREFIX)
    return {(method.upper(), path) for path, ops in schema["paths"].items() for method in ops}


def test_every_url_has_an_entry() -> None:
    unlisted = url_routes() - {e.path for e in ENDPOINTS}
    assert not unlisted, f"add these URLs to ipcenter.accounts.matrix.ENDPOINTS: {sorted(unlisted)}"


def test_every_api_operation_has_an_entry() -> None:
    unlisted = api_operations() - {(e.method, e.path) for e in ENDPOINTS}
    assert not unlisted, (
        f"add these API operations to ipcenter.accounts.matrix.ENDPOINTS: {sorted(unlisted)}"
    )


def test_every_entry_still_exists() -> None:
    routes = url_routes()
    operations = api_operations()
    operation_paths = {path for _method, path in operations}
    stale = [
        e.key
        for e in ENDPOINTS
        if e.path not in routes
        or (e.path in operation_paths and (e.method, e.path) not in operations)
    ]
    assert not stale, f"ipcenter.accounts.matrix.ENDPOINTS names endpoints that are gone: {stale}"


def test_entries_are_unique() -> None:
    keys = [e.key for e in ENDPOINTS]
    assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)


def test_every_endpoint_has_a_case() -> None:
    keys = {e.key for e in ENDPOINTS}
    assert not keys - set(CASES), f"write a Case for: {sorted(keys - set(CASES))}"
    assert not set(CASES) - keys, f"Cases for endpoints not in ENDPOINTS: {set(CASES) - keys}"
    for e in ENDPOINTS:
        case = CASES[e.key]
        assert e.is_public or case.allowed, f"{e.key}: name a person who is served"
        assert not e.perms or case.wrong_role, f"{e.key}: name a person without {e.perms}"


def test_every_object_endpoint_is_probed_from_the_wrong_scope() -> None:
    """Where a center, organization or owner must match, someone from outside must try it."""
    for e in ENDPOINTS:
        scoped = any(PERM_SCOPES[p] is not Scope.ANY for p in e.perms)
        if e.checked_against and scoped:
            case = CASES[e.key]
            assert case.wrong_scope, f"{e.key}: name the right role in the wrong scope"
            assert case.missing_args or case.missing_data, f"{e.key}: name a missing id"


# --- the matrix itself ------------------------------------------------------------------------


def test_the_tables_cover_every_role_and_permission() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role)
    assert set(ROLE_ORG_KINDS) == set(Role)
    assert set(PERM_SCOPES) == set(Perm)


def test_the_system_admin_has_no_document_permission() -> None:
    document_perms = {p for p in Perm if p.value.startswith("documents:")}
    assert document_perms >= {Perm.DOCUMENT_VIEW_OWN, Perm.DOCUMENT_VIEW_CENTER}
    assert not ROLE_PERMISSIONS[Role.SYSTEM_ADMIN] & document_perms


def test_every_permission_is_granted_to_some_role() -> None:
    granted = set().union(*ROLE_PERMISSIONS.values())
    assert not set(Perm) - granted, f"granted to no role: {set(Perm) - granted}"


def test_every_permission_guards_some_endpoint() -> None:
    used = {p for e in ENDPOINTS for p in e.perms}
    assert not set(Perm) - used, f"guards no endpoint: {set(Perm) - used}"


# --- the guards hold --------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", _ids(list(ENDPOINTS)))
def test_anonymous(endpoint: Endpoint, world: World) -> None:
    answer = Prober.start(endpoint, world, "").send()
    if endpoint.is_public:
        assert answer.status < 400, f"{endpoint.key} is public but answered {answer.status}"
        return
    if endpoint.is_api:
        assert answer.status == 401
    else:
        assert answer.status == 302
        assert answer.location.startswith("/accounts/login/?next=")
    _assert_nothing_leaks(endpoint, answer)


@pytest.mark.parametrize("endpoint", _ids([e for e in ENDPOINTS if e.perms]))
def test_wrong_role_is_refused(endpoint: Endpoint, world: World) -> None:
    case = CASES[endpoint.key]
    person: User = getattr(world.cast, case.wrong_role)
    assert not any(can(person, p) for p in endpoint.perms), f"{person} holds {endpoint.perms}"
    prober = Prober.start(endpoint, world, case.wrong_role)
    events = AuditEvent.objects.count()
    answer = prober.send()
    assert answer.status in (403, 404), f"{endpoint.key} answered {answer.status}"
    _assert_nothing_leaks(endpoint, answer)
    assert AuditEvent.objects.count() == events, "a refused request changed something"


@pytest.mark.parametrize("endpoint", _ids([e for e in ENDPOINTS if CASES[e.key].wrong_scope]))
def test_wrong_scope_is_refused(endpoint: Endpoint, world: World) -> None:
    case = CASES[endpoint.key]
    person: User = getattr(world.cast, case.wrong_scope)
    assert any(can(person, p) for p in endpoint.perms), f"{person} lacks the role altogether"
    prober = Prober.start(endpoint, world, case.wrong_scope)
    events = AuditEvent.objects.count()
    answer = prober.send()
    _assert_nothing_leaks(endpoint, answer)
    if case.marker:
        # A list: served, without the other center's or organization's rows.
        assert 200 <= answer.status < 300
        assert case.marker.encode() not in answer.body, f"{endpoint.key} shows {case.marker!r}"
        return
    assert answer.status in case.refused, f"{endpoint.key} answered {answer.status}"
    missing = prober.send(missing=True)
    assert answer.same_page() == missing.same_page(), "'not yours' differs from 'does not exist'"
    assert AuditEvent.objects.count() == events, "a refused request changed something"


@pytest.mark.parametrize("endpoint", _ids([e for e in ENDPOINTS if not e.is_public]))
def test_allowed_person_is_served(endpoint: Endpoint, world: World) -> None:
    case = CASES[endpoint.key]
    answer = Prober.start(endpoint, world, case.allowed).send()
    if endpoint.method == "GET":
        assert 200 <= answer.status < 300, f"{endpoint.key} answered {answer.status}"
    else:
        assert 200 <= answer.status < 400, f"{endpoint.key} answered {answer.status}"
        assert not answer.location.startswith("/accounts/login/")
    if case.marker:
        assert case.marker.encode() in answer.body


# --- beyond single endpoints ------------------------------------------------------------------


def test_a_grant_opens_a_document_only_to_roles_that_read_documents(world: World) -> None:
    """Sharing Dave's document with the Shanghai center's organization lets its manager read it;
    the system administrator, whose role is held in the same organization, still cannot."""
    cast = world.cast
    shanghai = cast.shanghai.organization
    document_grant(actor=cast.dave, document=world.document, organization=shanghai)
    path = f"/documents/{world.document.pk}/"
    assert client_for(cast.alice).get(path).status_code == 200
    for person in (cast.sam, cast.bob):
        client = client_for(person)
        refused = client.get(path)
        missing = client.get(f"/documents/{MISSING_UUID}/")
        assert (refused.status_code, refused.content) == (404, missing.content)
        listed = client_for(person).get("/api/v1/documents")
        assert DOCUMENT_TITLE.encode() not in listed.content


def test_a_person_without_a_role_sees_no_notification(cast: Cast) -> None:
    notify(recipient=cast.nina, tag="matrix:probe", subject="for-nina-only", email=False)
    client = client_for(cast.nina)
    assert b"for-nina-only" not in client.get("/").content
    assert client.get("/notifications/").status_code == 403
    assert client.get("/api/v1/notifications").status_code == 403
