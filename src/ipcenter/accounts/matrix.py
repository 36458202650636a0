"""Every page and API endpoint, with what guards it.

This list is data for two readers: `ipcenter roles_doc` prints it in docs/roles.md, and
tests/test_role_matrix.py checks that it names every URL the code serves (no more, no fewer) and
that each guard holds: the anonymous visitor, the wrong role and the right role in the wrong
center or organization are refused, the right person is served. A new endpoint without an entry
here fails the tests.

Paths are written as in OpenAPI, with `{name}` for a path parameter.
"""

from __future__ import annotations

from ipcenter.accounts.endpoint import API_PREFIX, Endpoint, Guard, Open
from ipcenter.accounts.roles import Perm
from ipcenter.filings import matrix as filings_matrix
from ipcenter.navigation import matrix as navigation_matrix
from ipcenter.preexam import matrix as preexam_matrix

__all__ = ["API", "API_PREFIX", "ENDPOINTS", "PAGES", "Endpoint", "Guard", "Open"]

_DOCUMENT_VIEW = (Perm.DOCUMENT_VIEW_OWN, Perm.DOCUMENT_VIEW_CENTER)
# Who may see and decide role requests: administrators, and a center's managers for its roles.
_ROLE_DECIDERS = (Perm.USER_MANAGE, Perm.ROLE_APPROVE)

CORE_PAGES: tuple[Endpoint, ...] = (
    Endpoint("GET", "/", Open.AUTHENTICATED, "Home: my work, soonest due first"),
    Endpoint("GET", "/healthz", Open.PUBLIC, "Health check for the load balancer"),
    Endpoint("POST", "/i18n/setlang/", Open.PUBLIC, "Switch the language"),
    Endpoint("GET", "/calendar/", Perm.CALENDAR_USE, "Working-day calculator"),
    Endpoint("GET", "/accounts/login/", Open.PUBLIC, "Sign-in form"),
    Endpoint("POST", "/accounts/login/", Open.PUBLIC, "Sign in (locked after repeated failures)"),
    Endpoint("POST", "/accounts/logout/", Open.PUBLIC, "Sign out"),
    Endpoint("GET", "/accounts/totp/setup/", Open.AUTHENTICATED, "Start TOTP enrolment"),
    Endpoint("POST", "/accounts/totp/setup/", Open.AUTHENTICATED, "Confirm TOTP enrolment"),
    Endpoint("GET", "/accounts/totp/verify/", Open.AUTHENTICATED, "TOTP check form"),
    Endpoint("POST", "/accounts/totp/verify/", Open.AUTHENTICATED, "Pass the TOTP check"),
    Endpoint("GET", "/accounts/password/reset/", Open.PUBLIC, "Password reset form"),
    Endpoint("POST", "/accounts/password/reset/", Open.PUBLIC, "Send a password reset link"),
    Endpoint("GET", "/accounts/password/reset/sent/", Open.PUBLIC, "Reset link sent"),
    Endpoint(
        "GET",
        "/accounts/password/reset/{uidb64}/{token}/",
        Open.PUBLIC,
        "Open a password reset link",
    ),
    Endpoint(
        "POST",
        "/accounts/password/reset/{uidb64}/{token}/",
        Open.PUBLIC,
        "Set a new password from a reset link",
    ),
    Endpoint("GET", "/accounts/password/reset/done/", Open.PUBLIC, "Password reset complete"),
    Endpoint("GET", "/accounts/profile/", Open.AUTHENTICATED, "My profile and my roles"),
    Endpoint("POST", "/accounts/profile/", Perm.PROFILE_EDIT, "Change my profile"),
    Endpoint("GET", "/accounts/tokens/", Perm.TOKEN_MANAGE, "My API tokens"),
    Endpoint("POST", "/accounts/tokens/", Perm.TOKEN_MANAGE, "Create an API token"),
    Endpoint(
        "POST",
        "/accounts/tokens/{token_id}/revoke/",
        Perm.TOKEN_MANAGE,
        "Revoke one of my API tokens",
        checked_against="token",
    ),
    Endpoint("GET", "/accounts/users/", Perm.USER_MANAGE, "People and their roles"),
    Endpoint("POST", "/accounts/users/", Perm.USER_MANAGE, "Create a person with a role"),
    Endpoint("GET", "/accounts/users/{user_id}/", Perm.USER_MANAGE, "A person and their roles"),
    Endpoint(
        "POST",
        "/accounts/users/{user_id}/",
        Perm.USER_MANAGE,
        "Grant (or request, under the two-person rule) or revoke a role; activate or "
        "deactivate an account",
    ),
    Endpoint(
        "GET",
        "/accounts/role-requests/",
        _ROLE_DECIDERS,
        "Role requests awaiting a second person (my centers' for a center manager)",
    ),
    Endpoint(
        "POST",
        "/accounts/role-requests/{request_id}/",
        _ROLE_DECIDERS,
        "Approve, reject or cancel a role request (never one's own, nor for oneself)",
        checked_against="role request",
    ),
    Endpoint("GET", "/accounts/organizations/", Perm.USER_MANAGE, "Organizations"),
    Endpoint("POST", "/accounts/organizations/", Perm.USER_MANAGE, "Register an organization"),
    Endpoint("GET", "/accounts/members/", Perm.ORG_MEMBERS_VIEW, "Members of my organization"),
    Endpoint("GET", "/accounts/password/change/", Open.AUTHENTICATED, "Password change form"),
    Endpoint("POST", "/accounts/password/change/", Open.AUTHENTICATED, "Change my password"),
    Endpoint("GET", "/accounts/password/change/done/", Open.AUTHENTICATED, "Password changed"),
    Endpoint("GET", "/centers/", Perm.CENTER_VIEW, "All centers"),
    Endpoint("GET", "/centers/workstations/", Perm.WORKSTATION_VIEW, "Workstations"),
    Endpoint(
        "GET",
        "/centers/{code}/",
        Perm.CENTER_VIEW,
        "A center and its technical fields",
        checked_against="center",
    ),
    Endpoint(
        "GET",
        "/centers/{code}/settings/",
        Perm.CENTER_SETTINGS_VIEW,
        "A center's settings and their history",
        checked_against="center",
    ),
    Endpoint(
        "POST",
        "/centers/{code}/settings/",
        Perm.CENTER_SETTINGS_CHANGE,
        "Change a center's settings (audited)",
        checked_against="center",
    ),
    Endpoint(
        "GET",
        "/centers/{code}/fields/new/",
        Perm.CENTER_FIELDS_CHANGE,
        "New technical-field list form",
        checked_against="center",
    ),
    Endpoint(
        "POST",
        "/centers/{code}/fields/new/",
        Perm.CENTER_FIELDS_CHANGE,
        "Publish a technical-field list",
        checked_against="center",
    ),
    Endpoint("GET", "/audit/", Perm.AUDIT_VIEW, "Audit log (only the centers I may audit)"),
    Endpoint("GET", "/documents/", Perm.DOCUMENT_UPLOAD, "Documents I may open"),
    Endpoint(
        "POST",
        "/documents/",
        Perm.DOCUMENT_UPLOAD,
        "Upload a document for one of my organizations",
        checked_against="organization",
    ),
    Endpoint(
        "GET",
        "/documents/{document_id}/",
        _DOCUMENT_VIEW,
        "A document's details",
        checked_against="document",
    ),
    Endpoint(
        "GET",
        "/documents/{document_id}/view/",
        _DOCUMENT_VIEW,
        "Open a document in the browser (audited when confidential)",
        checked_against="document",
    ),
    Endpoint(
        "GET",
        "/documents/{document_id}/download/",
        _DOCUMENT_VIEW,
        "Download a document (audited when confidential)",
        checked_against="document",
    ),
    Endpoint("GET", "/notifications/", Perm.NOTIFICATION_READ, "My inbox"),
    Endpoint(
        "POST",
        "/notifications/{notification_id}/read/",
        Perm.NOTIFICATION_READ,
        "Mark one of my notifications as read",
        checked_against="notification",
    ),
    Endpoint("POST", "/notifications/read-all/", Perm.NOTIFICATION_READ, "Mark my inbox as read"),
)

CORE_API: tuple[Endpoint, ...] = (
    Endpoint("GET", "/api/v1/openapi.json", Open.PUBLIC, "The OpenAPI spec"),
    Endpoint("GET", "/api/v1/docs", Open.PUBLIC, "Interactive API documentation"),
    Endpoint("GET", "/api/v1/accounts/me", Open.AUTHENTICATED, "The caller and their roles"),
    Endpoint("PATCH", "/api/v1/accounts/me", Perm.PROFILE_EDIT, "Change my profile"),
    Endpoint("GET", "/api/v1/accounts/tokens", Perm.TOKEN_MANAGE, "My API tokens"),
    Endpoint("POST", "/api/v1/accounts/tokens", Perm.TOKEN_MANAGE, "Create an API token"),
    Endpoint(
        "DELETE",
        "/api/v1/accounts/tokens/{token_id}",
        Perm.TOKEN_MANAGE,
        "Revoke one of my API tokens",
        checked_against="token",
    ),
    Endpoint(
        "POST",
        "/api/v1/accounts/users/{user_id}/roles",
        Perm.USER_MANAGE,
        "Grant a role, or request it where the two-person rule applies (never to oneself)",
    ),
    Endpoint(
        "GET",
        "/api/v1/accounts/role-requests",
        _ROLE_DECIDERS,
        "Role requests awaiting a second person (my centers' for a center manager)",
    ),
    Endpoint(
        "POST",
        "/api/v1/accounts/role-requests/{request_id}/transition",
        _ROLE_DECIDERS,
        "Approve, reject or cancel a role request (never one's own, nor for oneself)",
        checked_against="role request",
    ),
    Endpoint("GET", "/api/v1/centers", Perm.CENTER_VIEW, "All centers"),
    Endpoint(
        "GET", "/api/v1/centers/{code}", Perm.CENTER_VIEW, "One center", checked_against="center"
    ),
    Endpoint(
        "GET",
        "/api/v1/centers/{code}/fields",
        Perm.CENTER_VIEW,
        "The technical-field list in force on a date",
        checked_against="center",
    ),
    Endpoint(
        "POST",
        "/api/v1/centers/{code}/fields",
        Perm.CENTER_FIELDS_CHANGE,
        "Publish a technical-field list",
        checked_against="center",
    ),
    Endpoint(
        "GET",
        "/api/v1/centers/{code}/settings",
        Perm.CENTER_SETTINGS_VIEW,
        "A center's settings in force on a date",
        checked_against="center",
    ),
    Endpoint(
        "PATCH",
        "/api/v1/centers/{code}/settings",
        Perm.CENTER_SETTINGS_CHANGE,
        "Change a center's settings (audited)",
        checked_against="center",
    ),
    Endpoint("GET", "/api/v1/workstations", Perm.WORKSTATION_VIEW, "Workstations"),
    Endpoint(
        "GET",
        "/api/v1/audit/events",
        Perm.AUDIT_VIEW,
        "Audit log (only the centers I may audit)",
    ),
    Endpoint("GET", "/api/v1/documents", Perm.DOCUMENT_UPLOAD, "Documents I may open"),
    Endpoint(
        "POST",
        "/api/v1/documents",
        Perm.DOCUMENT_UPLOAD,
        "Upload a document for one of my organizations",
        checked_against="organization",
    ),
    Endpoint(
        "GET",
        "/api/v1/documents/{document_id}",
        _DOCUMENT_VIEW,
        "A document's metadata",
        checked_against="document",
    ),
    Endpoint(
        "GET",
        "/api/v1/documents/{document_id}/content",
        _DOCUMENT_VIEW,
        "Download a document (audited when confidential)",
        checked_against="document",
    ),
    Endpoint("GET", "/api/v1/notifications", Perm.NOTIFICATION_READ, "My inbox"),
    Endpoint(
        "POST",
        "/api/v1/notifications/{notification_id}/read",
        Perm.NOTIFICATION_READ,
        "Mark one of my notifications as read",
        checked_against="notification",
    ),
    Endpoint("GET", "/api/v1/calendar/add", Perm.CALENDAR_USE, "Add working days to a date"),
    Endpoint(
        "GET", "/api/v1/calendar/between", Perm.CALENDAR_USE, "Working days between two dates"
    ),
)

# Each business area lists its own endpoints beside its code.
PAGES: tuple[Endpoint, ...] = (
    CORE_PAGES + filings_matrix.PAGES + preexam_matrix.PAGES + navigation_matrix.PAGES
)
API: tuple[Endpoint, ...] = (
    CORE_API + filings_matrix.API + preexam_matrix.API + navigation_matrix.API
)

ENDPOINTS: tuple[Endpoint, ...] = PAGES + API
