"""Pre-examination fast-track, clock and statistics endpoints of the role matrix."""

from __future__ import annotations

from ipcenter.accounts.endpoint import Endpoint
from ipcenter.accounts.roles import Perm

# The applicant side (its enterprise or its agency) or a manager of the case's center.
_RECORD = (Perm.CASE_SUBMIT, Perm.CASE_MANAGE)
_READ = (Perm.CASE_VIEW_OWN, Perm.CASE_EXAMINE, Perm.CASE_MANAGE)
_API = "/api/v1/preexam"

PAGES: tuple[Endpoint, ...] = (
    Endpoint(
        "POST",
        "/preexam/cases/{case_id}/cnipa-filing/",
        _RECORD,
        "Record the filing with CNIPA of a qualified case",
        checked_against="case",
    ),
    Endpoint(
        "POST",
        "/preexam/cases/{case_id}/office-actions/",
        _RECORD,
        "Record a CNIPA office action (starts its response clock)",
        checked_against="case",
    ),
    Endpoint(
        "POST",
        "/preexam/cases/{case_id}/office-actions/{office_action_id}/response/",
        _RECORD,
        "Record the response to an office action",
        checked_against="case",
    ),
    Endpoint(
        "POST",
        "/preexam/cases/{case_id}/leave-fast-track/",
        _RECORD,
        "Take a case off the fast track (voluntary amendment, bibliographic change)",
        checked_against="case",
    ),
    Endpoint(
        "POST",
        "/preexam/cases/{case_id}/grant/",
        _RECORD,
        "Record the grant, with its certificate",
        checked_against="case",
    ),
    Endpoint(
        "POST",
        "/preexam/cases/{case_id}/certificate/",
        _RECORD,
        "Attach the grant certificate",
        checked_against="case",
    ),
    Endpoint(
        "GET",
        "/preexam/stats/",
        Perm.PREEXAM_STATS_VIEW,
        "Pre-examination statistics of the centers I may see",
        checked_against="center",
    ),
)

API: tuple[Endpoint, ...] = (
    Endpoint(
        "POST",
        f"{_API}/cases/{{case_id}}/cnipa-filing",
        _RECORD,
        "Record the filing with CNIPA (qualified -> filed)",
        checked_against="case",
    ),
    Endpoint(
        "POST",
        f"{_API}/cases/{{case_id}}/office-actions",
        _RECORD,
        "Record a CNIPA office action",
        checked_against="case",
    ),
    Endpoint(
        "POST",
        f"{_API}/cases/{{case_id}}/office-actions/{{office_action_id}}/response",
        _RECORD,
        "Record the response to an office action",
        checked_against="case",
    ),
    Endpoint(
        "POST",
        f"{_API}/cases/{{case_id}}/leave-fast-track",
        _RECORD,
        "Take a case off the fast track",
        checked_against="case",
    ),
    Endpoint(
        "POST",
        f"{_API}/cases/{{case_id}}/grant",
        _RECORD,
        "Record the grant (multipart, optional certificate)",
        checked_against="case",
    ),
    Endpoint(
        "POST",
        f"{_API}/cases/{{case_id}}/certificate",
        _RECORD,
        "Attach the grant certificate (multipart)",
        checked_against="case",
    ),
    Endpoint(
        "GET",
        f"{_API}/cases/{{case_id}}/clocks",
        _READ,
        "A case's working-day clocks",
        checked_against="case",
    ),
    Endpoint(
        "GET",
        f"{_API}/stats",
        Perm.PREEXAM_STATS_VIEW,
        "Pre-examination statistics per center, by field and by entity",
        checked_against="center",
    ),
    Endpoint(
        "GET",
        f"{_API}/stats.xlsx",
        Perm.PREEXAM_STATS_VIEW,
        "Pre-examination statistics as XLSX",
        checked_against="center",
    ),
)
