"""The two-person rule: nobody grants a role to themselves, and a role that opens confidential
content takes effect only when a second person approves the request.

Sam administers the installation, Sara is a second administrator. Alice manages Shanghai, Carol
Pudong. Nina has no role yet.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from ipcenter.accounts.access import can, forget_memberships
from ipcenter.accounts.models import (
    Membership,
    RoleGrantRequest,
    RoleRequestState,
    User,
)
from ipcenter.accounts.roles import (
    CONFIDENTIAL_PERMS,
    ROLE_PERMISSIONS,
    TWO_PERSON_ROLES,
    Perm,
    Role,
)
from ipcenter.accounts.services import (
    Refused,
    membership_grant,
    membership_revoke,
    role_grant,
    role_request_create,
    role_request_transition,
)
from ipcenter.audit.models import AuditEvent
from ipcenter.lib.errors import Conflict
from tests.conftest import Cast, client_for, make_person, token_client

S = RoleRequestState


@pytest.fixture
def sara(cast: Cast) -> User:
    return make_person("sara", Role.SYSTEM_ADMIN, cast.ip_office, "en")


def active_roles(user: User) -> set[str]:
    return set(Membership.objects.filter(user=user, is_active=True).values_list("role", flat=True))


def grant_page(cast: Cast, actor: User, person: User, role: str, organization: object) -> object:
    return client_for(actor).post(
        f"/accounts/users/{person.pk}/",
        {"action": "grant", "organization": organization.pk, "role": role},  # type: ignore[attr-defined]
    )


def nina_as_examiner(cast: Cast) -> RoleGrantRequest:
    return role_request_create(
        actor=cast.sam,
        user=cast.nina,
        organization=cast.shanghai.organization,
        role=Role.PRE_EXAMINER,
        note="joins the examiners",
    )


# --- nobody grants themselves a role --------------------------------------------------------


@pytest.mark.parametrize("role", [Role.CENTER_MANAGER, Role.RECEPTION_STAFF])
def test_admin_cannot_grant_itself_a_role_on_its_page(in_english: Cast, role: str) -> None:
    cast = in_english
    response = grant_page(cast, cast.sam, cast.sam, role, cast.shanghai.organization)
    assert response.status_code == 200  # the form again, with the refusal
    assert b"Nobody may grant a role to themselves." in response.content
    assert active_roles(cast.sam) == {Role.SYSTEM_ADMIN}
    assert not RoleGrantRequest.objects.exists()
    assert (
        not AuditEvent.objects.filter(tag__startswith="accounts:role")
        .exclude(tag="accounts:role:granted", actor=None)
        .exists()
    )


def test_admin_cannot_grant_itself_a_role_through_the_api(cast: Cast) -> None:
    client, headers = token_client(cast.sam)
    response = client.post(
        f"/api/v1/accounts/users/{cast.sam.pk}/roles",
        {"organization_id": cast.shanghai.organization.pk, "role": Role.CENTER_MANAGER.value},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "forbidden"
    assert active_roles(cast.sam) == {Role.SYSTEM_ADMIN}
    assert not RoleGrantRequest.objects.exists()


def test_the_services_refuse_a_grant_to_oneself(cast: Cast) -> None:
    for grant in (membership_grant, role_grant, role_request_create):
        with pytest.raises(Refused):
            grant(
                actor=cast.sam,
                user=cast.sam,
                organization=cast.shanghai.organization,
                role=Role.CENTER_MANAGER,
            )
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleGrantRequest.objects.create(
            user=cast.sam,
            organization=cast.shanghai.organization,
            role=Role.CENTER_MANAGER,
            requested_by=cast.sam,
        )


# --- which roles need a second person -------------------------------------------------------


def test_the_two_person_roles_are_those_that_open_confidential_content() -> None:
    assert {
        Role.APPLICANT,
        Role.ENTERPRISE_ADMIN,
        Role.AGENT,
        Role.PRE_EXAMINER,
        Role.WORKSTATION_STAFF,
        Role.CENTER_MANAGER,
        # The filing statistics show each enterprise's filing activity (security review).
        Role.IP_OFFICE_VIEWER,
        # It decides who gets the others: one administrator could otherwise make a second
        # account that approves its requests.
        Role.SYSTEM_ADMIN,
    } == TWO_PERSON_ROLES
    for role in set(Role) - TWO_PERSON_ROLES:
        assert not ROLE_PERMISSIONS[role] & CONFIDENTIAL_PERMS


def test_a_role_without_confidential_content_is_granted_at_once(cast: Cast) -> None:
    response = grant_page(
        cast, cast.sam, cast.nina, Role.RECEPTION_STAFF, cast.shanghai.organization
    )
    assert response.status_code == 302
    assert active_roles(cast.nina) == {Role.RECEPTION_STAFF}
    assert not RoleGrantRequest.objects.exists()
    assert AuditEvent.objects.filter(
        tag="accounts:role:granted", actor=cast.sam, subject_id=str(cast.nina.pk)
    ).exists()


# --- a request, then a second person --------------------------------------------------------


def test_a_confidential_role_is_only_requested_until_a_second_person_approves(cast: Cast) -> None:
    response = grant_page(
        cast, cast.sam, cast.nina, Role.CENTER_MANAGER, cast.shanghai.organization
    )
    assert response.status_code == 302
    assert active_roles(cast.nina) == set()
    grant_request = RoleGrantRequest.objects.get()
    assert (grant_request.state, grant_request.requested_by, grant_request.center) == (
        S.REQUESTED,
        cast.sam,
        cast.shanghai,
    )
    assert not can(cast.nina, Perm.CASE_MANAGE, cast.shanghai)
    requested = AuditEvent.objects.get(tag="accounts:role_request:requested")
    assert (requested.actor, requested.new["role"]) == (cast.sam, Role.CENTER_MANAGER)
    # The request is on the person's page and in Alice's list, with her buttons.
    assert (
        b'value="approved"'
        not in client_for(cast.sam).get(f"/accounts/users/{cast.nina.pk}/").content
    )
    page = client_for(cast.alice).get("/accounts/role-requests/")
    assert b"nina" in page.content and b'value="approved"' in page.content

    approved = client_for(cast.alice).post(
        f"/accounts/role-requests/{grant_request.pk}/", {"to": "approved", "reason": "ok"}
    )
    assert approved.status_code == 302
    grant_request.refresh_from_db()
    assert (grant_request.state, grant_request.decided_by) == (S.APPROVED, cast.alice)
    assert active_roles(cast.nina) == {Role.CENTER_MANAGER}
    forget_memberships(cast.nina)
    assert can(cast.nina, Perm.CASE_MANAGE, cast.shanghai)
    decision = AuditEvent.objects.get(tag="accounts:role_request:approved")
    assert decision.actor == cast.alice
    assert (decision.old["state"], decision.new["state"]) == (S.REQUESTED, S.APPROVED)
    granted = AuditEvent.objects.get(tag="accounts:role:granted", subject_id=str(cast.nina.pk))
    assert (granted.actor, granted.new["request"]) == (cast.alice, grant_request.pk)


def test_the_requester_cannot_approve_its_own_request(cast: Cast) -> None:
    grant_request = nina_as_examiner(cast)
    response = client_for(cast.sam).post(
        f"/api/v1/accounts/role-requests/{grant_request.pk}/transition",
        {"to": "approved"},
        content_type="application/json",
    )
    assert response.status_code == 403
    page = client_for(cast.sam).post(
        f"/accounts/role-requests/{grant_request.pk}/", {"to": "approved"}
    )
    assert page.status_code == 403
    with pytest.raises(PermissionDenied):
        role_request_transition(grant_request=grant_request, to=S.APPROVED, actor=cast.sam)
    grant_request.refresh_from_db()
    assert grant_request.state == S.REQUESTED
    assert active_roles(cast.nina) == set()
    assert not AuditEvent.objects.filter(tag="accounts:role_request:approved").exists()


def test_the_requester_may_cancel_but_nobody_else(cast: Cast, sara: User) -> None:
    grant_request = nina_as_examiner(cast)
    with pytest.raises(PermissionDenied):
        role_request_transition(grant_request=grant_request, to=S.CANCELLED, actor=sara)
    role_request_transition(grant_request=grant_request, to=S.CANCELLED, actor=cast.sam)
    assert RoleGrantRequest.objects.get().state == S.CANCELLED
    with pytest.raises(Conflict):
        role_request_transition(grant_request=grant_request, to=S.APPROVED, actor=cast.alice)
    assert active_roles(cast.nina) == set()
    assert AuditEvent.objects.filter(tag="accounts:role_request:cancelled", actor=cast.sam).exists()


def test_the_person_who_would_get_the_role_cannot_approve_it(cast: Cast) -> None:
    """Alice manages Shanghai and so approves its requests, but not one that gives her a role."""
    grant_request = role_request_create(
        actor=cast.sam,
        user=cast.alice,
        organization=cast.shanghai.organization,
        role=Role.PRE_EXAMINER,
    )
    response = client_for(cast.alice).post(
        f"/api/v1/accounts/role-requests/{grant_request.pk}/transition",
        {"to": "approved"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert active_roles(cast.alice) == {Role.CENTER_MANAGER}


def test_another_admin_approves_and_only_the_right_center_manager(cast: Cast, sara: User) -> None:
    grant_request = nina_as_examiner(cast)
    # Pudong's manager does not learn that the request exists.
    wrong = client_for(cast.carol).post(
        f"/api/v1/accounts/role-requests/{grant_request.pk}/transition",
        {"to": "approved"},
        content_type="application/json",
    )
    missing = client_for(cast.carol).post(
        "/api/v1/accounts/role-requests/999999/transition",
        {"to": "approved"},
        content_type="application/json",
    )
    assert (wrong.status_code, wrong.json()) == (404, missing.json())
    assert client_for(cast.carol).get("/api/v1/accounts/role-requests").json() == []
    # A second administrator may approve.
    client, headers = token_client(sara)
    response = client.post(
        f"/api/v1/accounts/role-requests/{grant_request.pk}/transition",
        {"to": "approved", "reason": "checked"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 200
    assert response.json()["state"] == S.APPROVED
    assert active_roles(cast.nina) == {Role.PRE_EXAMINER}


def test_a_role_without_a_center_is_approved_by_another_admin_only(cast: Cast, sara: User) -> None:
    grant_request = role_request_create(
        actor=cast.sam, user=cast.nina, organization=cast.ent_a, role=Role.APPLICANT
    )
    assert grant_request.center is None
    refused = client_for(cast.alice).post(
        f"/accounts/role-requests/{grant_request.pk}/", {"to": "approved"}
    )
    assert refused.status_code == 404
    role_request_transition(grant_request=grant_request, to=S.APPROVED, actor=sara)
    assert active_roles(cast.nina) == {Role.APPLICANT}


def test_a_rejected_request_grants_nothing(cast: Cast) -> None:
    grant_request = nina_as_examiner(cast)
    response = client_for(cast.alice).post(
        f"/api/v1/accounts/role-requests/{grant_request.pk}/transition",
        {"to": "rejected", "reason": "not trained yet"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert active_roles(cast.nina) == set()
    event = AuditEvent.objects.get(tag="accounts:role_request:rejected")
    assert (event.actor, event.new["reason"]) == (cast.alice, "not trained yet")


def test_api_grant_answers_201_or_202(cast: Cast) -> None:
    client = client_for(cast.sam)
    url = f"/api/v1/accounts/users/{cast.nina.pk}/roles"
    direct = client.post(
        url,
        {"organization_id": cast.shanghai.organization.pk, "role": Role.MEDIATOR.value},
        content_type="application/json",
    )
    assert direct.status_code == 201
    requested = client.post(
        url,
        {"organization_id": cast.shanghai.organization.pk, "role": Role.CENTER_MANAGER.value},
        content_type="application/json",
    )
    assert requested.status_code == 202
    assert requested.json()["state"] == S.REQUESTED
    assert active_roles(cast.nina) == {Role.MEDIATOR}
    again = client.post(
        url,
        {"organization_id": cast.shanghai.organization.pk, "role": Role.CENTER_MANAGER.value},
        content_type="application/json",
    )
    assert again.status_code == 409


# --- no way around it -----------------------------------------------------------------------


def test_the_grant_service_refuses_a_two_person_role(cast: Cast) -> None:
    with pytest.raises(Conflict):
        membership_grant(
            actor=cast.sam,
            user=cast.nina,
            organization=cast.shanghai.organization,
            role=Role.CENTER_MANAGER,
        )
    assert active_roles(cast.nina) == set()


def test_revoke_and_regrant_needs_a_second_person_again(cast: Cast) -> None:
    membership = Membership.objects.get(user=cast.bob, role=Role.PRE_EXAMINER)
    membership_revoke(actor=cast.sam, membership=membership)
    response = grant_page(cast, cast.sam, cast.bob, Role.PRE_EXAMINER, cast.shanghai.organization)
    assert response.status_code == 302
    assert active_roles(cast.bob) == set()
    grant_request = RoleGrantRequest.objects.get(user=cast.bob)
    role_request_transition(grant_request=grant_request, to=S.APPROVED, actor=cast.alice)
    membership.refresh_from_db()
    assert membership.is_active  # the same row, restored
    assert active_roles(cast.bob) == {Role.PRE_EXAMINER}


def test_an_admin_cannot_make_a_second_admin_alone(cast: Cast) -> None:
    """Else Sam could make an account that approves Sam's requests."""
    response = grant_page(cast, cast.sam, cast.nina, Role.SYSTEM_ADMIN, cast.ip_office)
    assert response.status_code == 302
    assert active_roles(cast.nina) == set()
    assert RoleGrantRequest.objects.get().role == Role.SYSTEM_ADMIN


def test_a_new_person_with_a_confidential_role_is_created_without_it(cast: Cast) -> None:
    response = client_for(cast.sam).post(
        "/accounts/users/",
        {
            "username": "newcomer",
            "language": "en",
            "password": "another-horse-battery-7",
            "organization": cast.shanghai.organization.pk,
            "role": Role.CENTER_MANAGER.value,
        },
    )
    assert response.status_code == 302
    newcomer = User.objects.get(username="newcomer")
    assert active_roles(newcomer) == set()
    assert RoleGrantRequest.objects.get().user == newcomer


def test_a_center_manager_cannot_grant_roles(cast: Cast) -> None:
    with pytest.raises(PermissionDenied):
        role_grant(
            actor=cast.alice,
            user=cast.nina,
            organization=cast.shanghai.organization,
            role=Role.PRE_EXAMINER,
        )
    assert client_for(cast.alice).get(f"/accounts/users/{cast.nina.pk}/").status_code == 403


# --- those who may approve are told -----------------------------------------------------------


def test_those_who_may_approve_are_told_after_commit(
    cast: Cast, sara: User, django_capture_on_commit_callbacks: Any
) -> None:
    from ipcenter.notifications.models import Notification

    told = Notification.objects.filter(tag="accounts:role_request:requested")
    with django_capture_on_commit_callbacks() as callbacks:
        nina_as_examiner(cast)
        assert not told.exists()  # nothing before the request is committed
    for callback in callbacks:
        callback()
    # Another administrator and Shanghai's manager; not Sam who asked, not Nina, not Pudong's.
    assert sorted(told.values_list("recipient__username", flat=True)) == ["alice", "sara"]
    for notification in told:
        assert notification.url == "/accounts/role-requests/"
        shown = f"{notification.subject} {notification.body}"
        for secret in ("nina", "Nina", "joins the examiners", cast.shanghai.organization.name):
            assert secret not in shown
    assert "Pre-examiner" in told.get(recipient=sara).subject


def test_a_role_without_a_center_is_announced_to_the_other_admins_only(
    cast: Cast, sara: User, django_capture_on_commit_callbacks: Any
) -> None:
    from ipcenter.notifications.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        role_request_create(
            actor=cast.sam, user=cast.nina, organization=cast.ent_a, role=Role.APPLICANT
        )
    told = Notification.objects.filter(tag="accounts:role_request:requested")
    assert list(told.values_list("recipient__username", flat=True)) == ["sara"]


def test_the_role_request_tables_read_well(cast: Cast, sara: User) -> None:
    """Approving a role is not approving a filing; the person is named, the center not twice,
    and the reason box has a visible label (Alice reads Chinese)."""
    grant_page(cast, cast.sam, cast.nina, Role.CENTER_MANAGER, cast.shanghai.organization)
    grant_request = RoleGrantRequest.objects.get()
    for page in (
        client_for(cast.alice).get("/accounts/role-requests/").content.decode(),
        client_for(sara).get(f"/accounts/users/{cast.nina.pk}/").content.decode(),
    ):
        assert 'value="approved"' in page
        assert "批准备案" not in page  # the filing approval's wording
        assert 'Sam <span class="text-muted small text-nowrap">sam</span>' in page
        assert f"{cast.shanghai.name} · {cast.shanghai.name}" not in page
        label = (
            f'<label class="form-label small mb-0" for="role-request-reason-{grant_request.pk}">'
        )
        assert label in page
    assert grant_request.center == cast.shanghai
