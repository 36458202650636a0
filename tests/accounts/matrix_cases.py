"""Role-matrix probes of the role requests (merged into tests/test_role_matrix.py).

Sam (system administrator) asks for Nina to examine in Shanghai: Alice, Shanghai's manager, may
decide it; Carol manages Pudong (the wrong center); Bob examines and decides nothing.
"""

from __future__ import annotations

from typing import Any

from django.test import Client

from ipcenter.accounts.models import RoleGrantRequest
from ipcenter.accounts.roles import Role
from ipcenter.accounts.services import role_request_create
from tests.matrix_support import MISSING_ID, Case, World

ROLE_REQUEST_NOTE = "nina-joins-shanghai-examiners"


def _role_request(w: World) -> RoleGrantRequest:
    def build() -> RoleGrantRequest:
        return role_request_create(
            actor=w.cast.sam,
            user=w.cast.nina,
            organization=w.cast.shanghai.organization,
            role=Role.PRE_EXAMINER,
            note=ROLE_REQUEST_NOTE,
        )

    grant_request: RoleGrantRequest = w.once("role_request", build)
    return grant_request


def _request_id(w: World) -> dict[str, Any]:
    return {"request_id": _role_request(w).pk}


def _a_request_exists(w: World, client: Client) -> None:
    _role_request(w)


CASES: dict[str, Case] = {
    "GET /accounts/role-requests/": Case(
        allowed="alice",
        wrong_role="bob",
        wrong_scope="carol",
        marker=ROLE_REQUEST_NOTE,
        before=_a_request_exists,
    ),
    "POST /accounts/role-requests/{request_id}/": Case(
        allowed="alice",
        wrong_role="bob",
        wrong_scope="carol",
        args=_request_id,
        before=_a_request_exists,
        missing_args={"request_id": MISSING_ID},
        data=lambda w: {"to": "approved"},
    ),
    "POST /api/v1/accounts/users/{user_id}/roles": Case(
        allowed="sam",
        wrong_role="alice",
        args=lambda w: {"user_id": w.cast.nina.pk},
        data=lambda w: {
            "organization_id": w.cast.shanghai.organization.pk,
            "role": Role.RECEPTION_STAFF.value,
        },
        token=True,
    ),
    "GET /api/v1/accounts/role-requests": Case(
        allowed="alice",
        wrong_role="bob",
        wrong_scope="carol",
        marker=ROLE_REQUEST_NOTE,
        before=_a_request_exists,
        token=True,
    ),
    "POST /api/v1/accounts/role-requests/{request_id}/transition": Case(
        allowed="alice",
        wrong_role="bob",
        wrong_scope="carol",
        args=_request_id,
        before=_a_request_exists,
        missing_args={"request_id": MISSING_ID},
        data=lambda w: {"to": "approved"},
    ),
}
