"""What the role-matrix probes are made of, shared by tests/test_role_matrix.py and the areas'
`matrix_cases` modules."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.test import Client

from ipcenter.accounts.models import ApiToken
from ipcenter.documents.models import Document
from ipcenter.notifications.models import Notification
from tests.conftest import Cast

MISSING_ID = 999_999_999
MISSING_UUID = str(uuid.UUID(int=1))


@dataclass
class World:
    cast: Cast
    document: Document  # uploaded by Dave for enterprise A
    notification: Notification  # Alice's
    token: ApiToken  # Dave's
    built: dict[str, Any] = field(default_factory=dict)

    def once(self, key: str, build: Callable[[], Any]) -> Any:
        """An object an area's cases need (a filing, a case), built once per test."""
        if key not in self.built:
            self.built[key] = build()
        return self.built[key]


Value = Callable[[World], dict[str, Any]]


@dataclass(frozen=True)
class Case:
    allowed: str = ""  # a member of the cast who is served; empty for public endpoints
    wrong_role: str = ""  # one whose roles lack the permission
    wrong_scope: str = ""  # the right role in the wrong center, organization or person
    args: Value = field(default=lambda w: {})  # path parameters
    data: Value = field(default=lambda w: {})  # query (GET) or payload (other methods)
    # What the wrong-scope answer is compared with: the same request for an id that names nothing.
    missing_args: dict[str, Any] = field(default_factory=dict)
    missing_data: dict[str, Any] = field(default_factory=dict)
    # For lists: the allowed person sees this string, the wrong-scope person does not.
    marker: str = ""
    token: bool = False  # API: a bearer token rather than the session
    multipart: bool = False  # API: a form with a file rather than JSON
    before: Callable[[World, Client], None] | None = None
    # A page form that re-renders with "not one of the choices" refuses with 200.
    refused: tuple[int, ...] = (403, 404)
