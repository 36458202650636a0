"""Pre-examination intake and review endpoints of the role matrix (see ipcenter.accounts.matrix)."""

from __future__ import annotations

from ipcenter.accounts.endpoint import Endpoint
from ipcenter.accounts.roles import Perm

# Whoever may read a case: its applicant side, its assigned examiner, its center's managers.
CASE_READ = (Perm.CASE_VIEW_OWN, Perm.CASE_EXAMINE, Perm.CASE_MANAGE)
EXAMINER_OR_MANAGER = (Perm.CASE_EXAMINE, Perm.CASE_MANAGE)
CONFLICT_READ = (Perm.EXAMINER_CONFLICT_DECLARE, Perm.CASE_MANAGE)

P = "/preexam/cases/{case_id}"
A = "/api/v1/preexam/cases/{case_id}"

PAGES: tuple[Endpoint, ...] = (
    Endpoint("GET", "/preexam/cases/", CASE_READ, "Pre-examination cases I may see, with filters"),
    Endpoint("GET", "/preexam/cases/new/", Perm.CASE_SUBMIT, "Case submission form"),
    Endpoint(
        "POST",
        "/preexam/cases/new/",
        Perm.CASE_SUBMIT,
        "Submit a case, or check its eligibility without submitting",
    ),
    Endpoint(
        "GET",
        f"{P}/",
        CASE_READ,
        "A case: request, parsed application, findings, opinion, versions, history (audited)",
        checked_against="case",
    ),
    Endpoint(
        "GET",
        f"{P}/diff/",
        CASE_READ,
        "What changed between two versions (audited)",
        checked_against="case",
    ),
    Endpoint(
        "GET",
        f"{P}/documents/{{document_id}}/",
        CASE_READ,
        "Download one of the case's documents (audited)",
        checked_against="case",
    ),
    Endpoint(
        "POST",
        f"{P}/accept/",
        EXAMINER_OR_MANAGER,
        "Accept the case for review",
        checked_against="case",
    ),
    Endpoint(
        "POST",
        f"{P}/not-accept/",
        EXAMINER_OR_MANAGER,
        "Do not accept the case (with a reason)",
        checked_against="case",
    ),
    Endpoint("GET", f"{P}/opinion/", Perm.CASE_EXAMINE, "Opinion form", checked_against="case"),
    Endpoint(
        "POST",
        f"{P}/opinion/",
        Perm.CASE_EXAMINE,
        "Issue the opinion (the applicant may amend once)",
        checked_against="case",
    ),
    Endpoint("GET", f"{P}/amend/", Perm.CASE_SUBMIT, "Amendment form", checked_against="case"),
    Endpoint(
        "POST",
        f"{P}/amend/",
        Perm.CASE_SUBMIT,
        "Amend the case once after an opinion",
        checked_against="case",
    ),
    Endpoint(
        "POST", f"{P}/qualify/", Perm.CASE_EXAMINE, "Qualify the case", checked_against="case"
    ),
    Endpoint(
        "POST",
        f"{P}/unqualify/",
        Perm.CASE_EXAMINE,
        "Decide the case not qualified (with a reason)",
        checked_against="case",
    ),
    Endpoint(
        "POST",
        f"{P}/withdraw/",
        Perm.CASE_SUBMIT,
        "Withdraw the case (with a reason)",
        checked_against="case",
    ),
    Endpoint(
        "POST",
        f"{P}/assign/",
        Perm.CASE_MANAGE,
        "Reassign the case to another pre-examiner (with a reason)",
        checked_against="case",
    ),
    Endpoint("GET", "/preexam/queue/", Perm.CASE_EXAMINE, "My review queue, soonest due first"),
    Endpoint(
        "GET",
        "/preexam/conflicts/",
        CONFLICT_READ,
        "My declared conflicts (managers: their centers' examiners')",
    ),
    Endpoint(
        "POST",
        "/preexam/conflicts/",
        Perm.EXAMINER_CONFLICT_DECLARE,
        "Declare a conflict of interest with an organization",
    ),
    Endpoint(
        "POST",
        "/preexam/conflicts/{conflict_id}/withdraw/",
        Perm.EXAMINER_CONFLICT_DECLARE,
        "Withdraw one of my declared conflicts",
        checked_against="conflict",
    ),
)

API: tuple[Endpoint, ...] = (
    Endpoint("GET", "/api/v1/preexam/cases", CASE_READ, "Cases I may see, with filters"),
    Endpoint(
        "POST",
        "/api/v1/preexam/cases",
        Perm.CASE_SUBMIT,
        "Submit a case (multipart: request JSON and one file per part)",
    ),
    Endpoint(
        "POST",
        "/api/v1/preexam/eligibility",
        Perm.CASE_SUBMIT,
        "Check a case's eligibility without submitting it",
    ),
    Endpoint("GET", A, CASE_READ, "A case with its content (audited)", checked_against="case"),
    Endpoint("POST", f"{A}/accept", EXAMINER_OR_MANAGER, "Accept the case", checked_against="case"),
    Endpoint(
        "POST",
        f"{A}/not-accept",
        EXAMINER_OR_MANAGER,
        "Do not accept the case",
        checked_against="case",
    ),
    Endpoint(
        "POST", f"{A}/opinion", Perm.CASE_EXAMINE, "Issue the opinion", checked_against="case"
    ),
    Endpoint(
        "POST", f"{A}/amend", Perm.CASE_SUBMIT, "Amend once (multipart)", checked_against="case"
    ),
    Endpoint("POST", f"{A}/qualify", Perm.CASE_EXAMINE, "Qualify the case", checked_against="case"),
    Endpoint(
        "POST",
        f"{A}/unqualify",
        Perm.CASE_EXAMINE,
        "Decide the case not qualified",
        checked_against="case",
    ),
    Endpoint(
        "POST", f"{A}/withdraw", Perm.CASE_SUBMIT, "Withdraw the case", checked_against="case"
    ),
    Endpoint(
        "POST",
        f"{A}/assign",
        Perm.CASE_MANAGE,
        "Reassign the case to another pre-examiner",
        checked_against="case",
    ),
    Endpoint(
        "GET",
        f"{A}/versions",
        CASE_READ,
        "The case's versions, parsed, with findings (audited)",
        checked_against="case",
    ),
    Endpoint(
        "GET",
        f"{A}/diff",
        CASE_READ,
        "What changed between two versions (audited)",
        checked_against="case",
    ),
    Endpoint(
        "GET",
        f"{A}/documents/{{document_id}}",
        CASE_READ,
        "Download one of the case's documents (audited)",
        checked_against="case",
    ),
    Endpoint(
        "GET",
        "/api/v1/preexam/conflicts",
        CONFLICT_READ,
        "My declared conflicts (managers: their centers' examiners')",
    ),
    Endpoint(
        "POST",
        "/api/v1/preexam/conflicts",
        Perm.EXAMINER_CONFLICT_DECLARE,
        "Declare a conflict of interest with an organization",
    ),
    Endpoint(
        "POST",
        "/api/v1/preexam/conflicts/{conflict_id}/withdraw",
        Perm.EXAMINER_CONFLICT_DECLARE,
        "Withdraw one of my declared conflicts",
        checked_against="conflict",
    ),
)
