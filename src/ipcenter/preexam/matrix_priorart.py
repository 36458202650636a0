"""Pre-examination endpoints for IPC suggestion, prior art and citations (role matrix).

The analysis is the center's working material: the assigned examiner and the center's managers
read and refresh it; only the examiner cites documents. The applicant side reads the citations
in the issued opinion, not here.
"""

from __future__ import annotations

from ipcenter.accounts.endpoint import Endpoint
from ipcenter.accounts.roles import Perm

EXAMINER_OR_MANAGER = (Perm.CASE_EXAMINE, Perm.CASE_MANAGE)

P = "/preexam/cases/{case_id}"
A = "/api/v1/preexam/cases/{case_id}"

PAGES: tuple[Endpoint, ...] = (
    Endpoint(
        "POST",
        f"{P}/analysis/refresh/",
        EXAMINER_OR_MANAGER,
        "Run the IPC suggestion and the prior-art search again",
        checked_against="case",
    ),
    Endpoint(
        "POST",
        f"{P}/citations/",
        Perm.CASE_EXAMINE,
        "Cite a document as X, Y or A for the opinion",
        checked_against="case",
    ),
    Endpoint(
        "POST",
        f"{P}/citations/{{citation_id}}/remove/",
        Perm.CASE_EXAMINE,
        "Remove a citation",
        checked_against="case",
    ),
)

API: tuple[Endpoint, ...] = (
    Endpoint(
        "GET",
        f"{A}/analysis",
        EXAMINER_OR_MANAGER,
        "The case's IPC suggestion and prior art per independent claim (audited)",
        checked_against="case",
    ),
    Endpoint(
        "POST",
        f"{A}/analysis/refresh",
        EXAMINER_OR_MANAGER,
        "Run the IPC suggestion and the prior-art search again",
        checked_against="case",
    ),
    Endpoint(
        "GET",
        f"{A}/citations",
        EXAMINER_OR_MANAGER,
        "The documents cited against the case",
        checked_against="case",
    ),
    Endpoint(
        "POST",
        f"{A}/citations",
        Perm.CASE_EXAMINE,
        "Cite a document as X, Y or A",
        checked_against="case",
    ),
    Endpoint(
        "DELETE",
        f"{A}/citations/{{citation_id}}",
        Perm.CASE_EXAMINE,
        "Remove a citation",
        checked_against="case",
    ),
)
