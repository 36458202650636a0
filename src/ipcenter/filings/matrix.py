"""Entity filing's endpoints of the role matrix (see ipcenter.accounts.matrix)."""

from __future__ import annotations

from ipcenter.accounts.endpoint import Endpoint
from ipcenter.accounts.roles import Perm

_VIEW = (Perm.FILING_VIEW_OWN, Perm.FILING_REVIEW)
_APPLY = Perm.FILING_APPLY
_REVIEW = Perm.FILING_REVIEW
# The enterprise administrator grants engagements (FILING_APPLY); the agents read those held.
_ENGAGEMENTS = (Perm.FILING_APPLY, Perm.AGENCY_REGISTER)
_F = "/filings/{filing_id}"
_A = "/api/v1/filings"

PAGES: tuple[Endpoint, ...] = (
    Endpoint("GET", "/filings/", Perm.FILING_VIEW_OWN, "My organization's filings"),
    Endpoint("GET", "/filings/new/", _APPLY, "New filing form"),
    Endpoint("POST", "/filings/new/", _APPLY, "Draft a filing with its documents"),
    Endpoint("GET", f"{_F}/", _VIEW, "A filing: checks, documents, history", "filing"),
    Endpoint("GET", f"{_F}/edit/", _APPLY, "Edit form of a draft filing", "filing"),
    Endpoint("POST", f"{_F}/edit/", _APPLY, "Change a draft filing's data", "filing"),
    Endpoint("POST", f"{_F}/documents/", _APPLY, "Attach a document to a filing", "filing"),
    Endpoint("POST", f"{_F}/submit/", _APPLY, "Submit a filing to the center", "filing"),
    Endpoint("POST", f"{_F}/withdraw/", _APPLY, "Withdraw a filing", "filing"),
    Endpoint(
        "POST",
        f"{_F}/review/",
        _REVIEW,
        "Approve, ask for a supplement, reject, suspend, lift or cancel",
        "filing",
    ),
    Endpoint("POST", f"{_F}/findings/", _REVIEW, "Record an adverse finding", "filing"),
    Endpoint("GET", f"{_F}/quota-request/", Perm.QUOTA_REQUEST, "Extra-quota form", "filing"),
    Endpoint("POST", f"{_F}/quota-request/", Perm.QUOTA_REQUEST, "Ask for extra quota", "filing"),
    Endpoint("GET", "/filings/review/", _REVIEW, "Review queue of my centers' filings"),
    Endpoint(
        "GET", "/filings/agencies/", Perm.AGENCY_REVIEW, "Agencies registered with my centers"
    ),
    Endpoint(
        "POST",
        "/filings/agencies/{registration_id}/",
        Perm.AGENCY_REVIEW,
        "Register, reject, revoke an agency; set its guarantee-list flag",
        "registration",
    ),
    Endpoint(
        "GET", "/filings/agencies/register/", Perm.AGENCY_REGISTER, "My agency's registrations"
    ),
    Endpoint(
        "POST",
        "/filings/agencies/register/",
        Perm.AGENCY_REGISTER,
        "Register my agency with a center",
    ),
    Endpoint(
        "GET", "/filings/quota-requests/", Perm.QUOTA_DECIDE, "Extra-quota requests to decide"
    ),
    Endpoint(
        "POST",
        "/filings/quota-requests/{request_id}/",
        Perm.QUOTA_DECIDE,
        "Grant or refuse extra quota",
        "quota request",
    ),
    Endpoint(
        "GET",
        "/filings/engagements/",
        _ENGAGEMENTS,
        "Agencies my enterprise engaged, or engagements my agency holds",
    ),
    Endpoint("POST", "/filings/engagements/", _APPLY, "Engage an agency for my enterprise"),
    Endpoint(
        "POST",
        "/filings/engagements/{engagement_id}/revoke/",
        _APPLY,
        "Revoke an engagement of my enterprise",
        "engagement",
    ),
    Endpoint("GET", "/filings/sanctions/", _REVIEW, "Sanctions of my centers' filings"),
    Endpoint("POST", "/filings/sanctions/", _REVIEW, "Assess sanctions for a year", "center"),
)

API: tuple[Endpoint, ...] = (
    Endpoint("GET", _A, _VIEW, "Filings I may read"),
    Endpoint("POST", _A, _APPLY, "Draft a filing with a center", "organization"),
    Endpoint("GET", f"{_A}/{{filing_id}}", _VIEW, "A filing, its checks and history", "filing"),
    Endpoint("PATCH", f"{_A}/{{filing_id}}", _APPLY, "Change a draft filing's data", "filing"),
    Endpoint("POST", f"{_A}/{{filing_id}}/submit", _APPLY, "Submit a filing", "filing"),
    Endpoint("POST", f"{_A}/{{filing_id}}/withdraw", _APPLY, "Withdraw a filing", "filing"),
    Endpoint("POST", f"{_A}/{{filing_id}}/approve", _REVIEW, "Approve a filing", "filing"),
    Endpoint(
        "POST", f"{_A}/{{filing_id}}/request-supplement", _REVIEW, "Ask for a supplement", "filing"
    ),
    Endpoint("POST", f"{_A}/{{filing_id}}/reject", _REVIEW, "Reject a filing", "filing"),
    Endpoint("POST", f"{_A}/{{filing_id}}/suspend", _REVIEW, "Suspend a filing", "filing"),
    Endpoint("POST", f"{_A}/{{filing_id}}/lift", _REVIEW, "Lift a suspension", "filing"),
    Endpoint("POST", f"{_A}/{{filing_id}}/cancel", _REVIEW, "Cancel a filing", "filing"),
    Endpoint(
        "GET", f"{_A}/{{filing_id}}/eligibility", _VIEW, "A filing's eligibility checks", "filing"
    ),
    Endpoint("POST", f"{_A}/{{filing_id}}/documents", _APPLY, "Attach a document", "filing"),
    Endpoint("GET", f"{_A}/{{filing_id}}/quota", _VIEW, "The entity's quota", "filing"),
    Endpoint("GET", f"{_A}/{{filing_id}}/findings", _VIEW, "Adverse findings", "filing"),
    Endpoint("POST", f"{_A}/{{filing_id}}/findings", _REVIEW, "Record a finding", "filing"),
    Endpoint(
        "GET",
        f"{_A}/agencies",
        (Perm.AGENCY_REGISTER, Perm.AGENCY_REVIEW),
        "Agency registrations I may read",
    ),
    Endpoint("POST", f"{_A}/agencies", Perm.AGENCY_REGISTER, "Register my agency", "organization"),
    Endpoint(
        "POST",
        f"{_A}/agencies/{{registration_id}}/decide",
        Perm.AGENCY_REVIEW,
        "Register or reject an agency",
        "registration",
    ),
    Endpoint(
        "POST",
        f"{_A}/agencies/{{registration_id}}/guarantee",
        Perm.AGENCY_REVIEW,
        "Set an agency's guarantee-list flag",
        "registration",
    ),
    Endpoint(
        "POST",
        f"{_A}/agencies/{{registration_id}}/revoke",
        Perm.AGENCY_REVIEW,
        "Revoke an agency's registration",
        "registration",
    ),
    Endpoint(
        "GET",
        f"{_A}/quota-requests",
        (Perm.QUOTA_REQUEST, Perm.QUOTA_DECIDE),
        "Extra-quota requests I may read",
    ),
    Endpoint("POST", f"{_A}/quota-requests", Perm.QUOTA_REQUEST, "Ask for extra quota", "filing"),
    Endpoint(
        "POST",
        f"{_A}/quota-requests/{{request_id}}/decide",
        Perm.QUOTA_DECIDE,
        "Grant or refuse extra quota",
        "quota request",
    ),
    Endpoint(
        "GET",
        f"{_A}/engagements",
        _ENGAGEMENTS,
        "Engagements my enterprise granted or my agency holds",
    ),
    Endpoint(
        "POST", f"{_A}/engagements", _APPLY, "Engage an agency for my enterprise", "organization"
    ),
    Endpoint(
        "POST",
        f"{_A}/engagements/{{engagement_id}}/revoke",
        _APPLY,
        "Revoke an engagement of my enterprise",
        "engagement",
    ),
    Endpoint("GET", f"{_A}/sanctions", _VIEW, "Sanctions I may read"),
    Endpoint("POST", f"{_A}/sanctions/assess", _REVIEW, "Assess a center's year", "center"),
)
