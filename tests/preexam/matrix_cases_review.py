"""Role-matrix probes of this area's endpoints (merged into tests/test_role_matrix.py).

Build the objects a probe needs with `world.once(key, build)` so that one test builds them once.
Wrong scope: Frank (enterprise B) for the applicant side, Olga (another Shanghai examiner) for the
examiner's moves, Carol (Pudong's manager) for the manager's, Gina (agency B) for agents.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from tests.matrix_support import MISSING_ID, Case

if TYPE_CHECKING:
    from ipcenter.preexam.models import Case as PreexamCase
    from ipcenter.preexam.models import ExaminerConflict
    from tests.matrix_support import World

TITLE = "matrix-review-case"
MISSING_CASE = {"case_id": MISSING_ID}


def _ready(w: World) -> None:
    from tests.preexam.factories import ready

    w.once("preexam:ready", lambda: ready(w.cast))


def _case(w: World, state: str = "submitted", *, agency: bool = False) -> PreexamCase:
    from tests.preexam import factories

    build = {
        "submitted": factories.submitted_case,
        "accepted": factories.accepted_case,
        "opinion_issued": factories.opinion_case,
    }[state]
    return w.once(  # type: ignore[no-any-return]
        f"preexam:{state}:{agency}", lambda: build(w.cast, title=TITLE, by_agent=agency)
    )


def _conflict(w: World) -> ExaminerConflict:
    from ipcenter.preexam.assignment import conflict_declare

    return w.once(  # type: ignore[no-any-return]
        "preexam:conflict",
        lambda: conflict_declare(examiner=w.cast.bob, organization=w.cast.ent_b, reason="shares"),
    )


def _args(state: str = "submitted", *, agency: bool = False) -> Any:
    return lambda w: {"case_id": _case(w, state, agency=agency).pk}


def _document(w: World) -> dict[str, Any]:
    case = _case(w)
    link = case.versions.get(number=1).documents.get()
    return {"case_id": case.pk, "document_id": str(link.document_id)}


def _before_list(w: World, client: Any) -> None:
    _case(w)


def _before_ready(w: World, client: Any) -> None:
    _ready(w)


def _request_body(w: World) -> dict[str, Any]:
    from tests.preexam.factories import case_request

    request = case_request(w.cast.ent_a, title="matrix-new-case")
    return {
        "center": w.cast.shanghai.code,
        "title": request.title,
        "patent_type": request.patent_type,
        "applicants": request.applicants,
        "inventors": request.inventors,
        "main_code": request.main_code,
    }


def _submit_api(w: World) -> dict[str, Any]:
    from tests.preexam.factories import sample_upload

    return {"request": json.dumps(_request_body(w)), "full": sample_upload()}


def _submit_page(w: World) -> dict[str, Any]:
    from tests.preexam.factories import sample_upload

    body = _request_body(w)
    return {
        "center": w.cast.shanghai.pk,
        "patent_type": body["patent_type"],
        "title": body["title"],
        "applicants": "\n".join(body["applicants"]),
        "inventors": "\n".join(body["inventors"]),
        "main_code": body["main_code"],
        "full": sample_upload(),
        "action": "submit",
    }


def _claims(w: World) -> dict[str, Any]:
    from tests.preexam.factories import sample_upload

    return {"note": "claim 1 narrowed", "claims": sample_upload()}


def _opinion_page(w: World) -> dict[str, Any]:
    return {
        "summary": "Amend claim 1.",
        "novelty_text": "D1 shows claim 1.",
        "inventive_step_satisfied": "on",
        "clarity_support_satisfied": "on",
        "unity_satisfied": "on",
    }


def _opinion_api(w: World) -> dict[str, Any]:
    return {
        "summary": "Amend claim 1.",
        "items": [
            {"aspect": "novelty", "satisfied": False, "text": "D1 shows claim 1."},
            {"aspect": "inventive_step", "satisfied": True},
            {"aspect": "clarity_support", "satisfied": True},
            {"aspect": "unity", "satisfied": True},
        ],
    }


REASON = lambda w: {"reason": "matrix reason"}  # noqa: E731
ASSIGN_PAGE = lambda w: {"examiner": w.cast.olga.pk, "reason": "leave", "confirmed": "on"}  # noqa: E731
ASSIGN_API = lambda w: {"examiner_id": w.cast.olga.pk, "reason": "leave", "confirmed": True}  # noqa: E731
CONFLICT = lambda w: {"conflict_id": _conflict(w).pk}  # noqa: E731
P = "/preexam/cases/{case_id}"
A = "/api/v1/preexam/cases/{case_id}"


def _built(case: Case) -> Case:
    """Build the probe's objects before the probe counts audit events (building writes some)."""
    if case.before is not None:
        return case

    def before(w: World, client: Any) -> None:
        case.args(w)

    return replace(case, before=before)


CASES: dict[str, Case] = {
    # pages
    "GET /preexam/cases/": Case(
        allowed="erin", wrong_role="ivan", wrong_scope="frank", marker=TITLE, before=_before_list
    ),
    "GET /preexam/cases/new/": Case(allowed="grace", wrong_role="bob"),
    "POST /preexam/cases/new/": Case(
        allowed="erin", wrong_role="bob", data=_submit_page, before=_before_ready
    ),
    f"GET {P}/": Case(
        allowed="dave",
        wrong_role="ivan",
        wrong_scope="frank",
        args=_args(),
        missing_args=MISSING_CASE,
    ),
    f"GET {P}/diff/": Case(
        allowed="bob",
        wrong_role="sam",
        wrong_scope="olga",
        args=_args(),
        missing_args=MISSING_CASE,
        data=lambda w: {"from": 1, "to": 1},
    ),
    f"GET {P}/documents/{{document_id}}/": Case(
        allowed="alice",
        wrong_role="ivan",
        wrong_scope="carol",
        args=_document,
        missing_args=MISSING_CASE,
    ),
    f"POST {P}/accept/": Case(
        allowed="bob",
        wrong_role="erin",
        wrong_scope="olga",
        args=_args(),
        missing_args=MISSING_CASE,
    ),
    f"POST {P}/not-accept/": Case(
        allowed="alice",
        wrong_role="erin",
        wrong_scope="carol",
        args=_args(),
        missing_args=MISSING_CASE,
        data=REASON,
    ),
    f"GET {P}/opinion/": Case(
        allowed="bob",
        wrong_role="erin",
        wrong_scope="olga",
        args=_args("accepted"),
        missing_args=MISSING_CASE,
    ),
    f"POST {P}/opinion/": Case(
        allowed="bob",
        wrong_role="erin",
        wrong_scope="olga",
        args=_args("accepted"),
        missing_args=MISSING_CASE,
        data=_opinion_page,
    ),
    f"GET {P}/amend/": Case(
        allowed="grace",
        wrong_role="bob",
        wrong_scope="gina",
        args=_args("opinion_issued", agency=True),
        missing_args=MISSING_CASE,
    ),
    f"POST {P}/amend/": Case(
        allowed="erin",
        wrong_role="bob",
        wrong_scope="frank",
        args=_args("opinion_issued"),
        missing_args=MISSING_CASE,
        data=_claims,
    ),
    f"POST {P}/qualify/": Case(
        allowed="bob",
        wrong_role="erin",
        wrong_scope="olga",
        args=_args("accepted"),
        missing_args=MISSING_CASE,
    ),
    f"POST {P}/unqualify/": Case(
        allowed="bob",
        wrong_role="dave",
        wrong_scope="olga",
        args=_args("accepted"),
        missing_args=MISSING_CASE,
        data=REASON,
    ),
    f"POST {P}/withdraw/": Case(
        allowed="grace",
        wrong_role="bob",
        wrong_scope="gina",
        args=_args(agency=True),
        missing_args=MISSING_CASE,
        data=REASON,
    ),
    f"POST {P}/assign/": Case(
        allowed="alice",
        wrong_role="bob",
        wrong_scope="carol",
        args=_args(),
        missing_args=MISSING_CASE,
        data=ASSIGN_PAGE,
    ),
    "GET /preexam/queue/": Case(allowed="bob", wrong_role="erin"),
    "GET /preexam/conflicts/": Case(allowed="alice", wrong_role="erin"),
    "POST /preexam/conflicts/": Case(
        allowed="olga",
        wrong_role="alice",
        data=lambda w: {"organization": w.cast.ent_a.pk, "reason": "family"},
    ),
    "POST /preexam/conflicts/{conflict_id}/withdraw/": Case(
        allowed="bob",
        wrong_role="erin",
        wrong_scope="olga",
        args=CONFLICT,
        missing_args={"conflict_id": MISSING_ID},
    ),
    # API
    "GET /api/v1/preexam/cases": Case(
        allowed="erin",
        wrong_role="sam",
        wrong_scope="frank",
        marker=TITLE,
        before=_before_list,
        token=True,
    ),
    "POST /api/v1/preexam/cases": Case(
        allowed="erin",
        wrong_role="bob",
        data=_submit_api,
        multipart=True,
        before=_before_ready,
    ),
    # Agency B (Gina) was not engaged by enterprise A: naming A answers as an unknown id does.
    "POST /api/v1/preexam/eligibility": Case(
        allowed="dave",
        wrong_role="alice",
        wrong_scope="gina",
        data=lambda w: {**_request_body(w), "applicant_organization_id": w.cast.ent_a.pk},
        missing_data={"applicant_organization_id": MISSING_ID},
        refused=(422,),
        before=_before_ready,
    ),
    f"GET {A}": Case(
        allowed="erin",
        wrong_role="ivan",
        wrong_scope="frank",
        args=_args(),
        missing_args=MISSING_CASE,
        token=True,
    ),
    f"POST {A}/accept": Case(
        allowed="bob",
        wrong_role="erin",
        wrong_scope="olga",
        args=_args(),
        missing_args=MISSING_CASE,
    ),
    f"POST {A}/not-accept": Case(
        allowed="bob",
        wrong_role="grace",
        wrong_scope="olga",
        args=_args(),
        missing_args=MISSING_CASE,
        data=REASON,
    ),
    f"POST {A}/opinion": Case(
        allowed="bob",
        wrong_role="alice",
        wrong_scope="olga",
        args=_args("accepted"),
        missing_args=MISSING_CASE,
        data=_opinion_api,
    ),
    f"POST {A}/amend": Case(
        allowed="grace",
        wrong_role="bob",
        wrong_scope="gina",
        args=_args("opinion_issued", agency=True),
        missing_args=MISSING_CASE,
        data=_claims,
        multipart=True,
    ),
    f"POST {A}/qualify": Case(
        allowed="bob",
        wrong_role="alice",
        wrong_scope="olga",
        args=_args("accepted"),
        missing_args=MISSING_CASE,
    ),
    f"POST {A}/unqualify": Case(
        allowed="bob",
        wrong_role="erin",
        wrong_scope="olga",
        args=_args("accepted"),
        missing_args=MISSING_CASE,
        data=REASON,
    ),
    f"POST {A}/withdraw": Case(
        allowed="erin",
        wrong_role="bob",
        wrong_scope="frank",
        args=_args(),
        missing_args=MISSING_CASE,
        data=REASON,
        token=True,
    ),
    f"POST {A}/assign": Case(
        allowed="alice",
        wrong_role="bob",
        wrong_scope="carol",
        args=_args(),
        missing_args=MISSING_CASE,
        data=ASSIGN_API,
    ),
    f"GET {A}/versions": Case(
        allowed="grace",
        wrong_role="walt",
        wrong_scope="gina",
        args=_args(agency=True),
        missing_args=MISSING_CASE,
    ),
    f"GET {A}/diff": Case(
        allowed="alice",
        wrong_role="nina",
        wrong_scope="carol",
        args=_args(),
        missing_args=MISSING_CASE,
        data=lambda w: {"from": 1, "to": 1},
    ),
    f"GET {A}/documents/{{document_id}}": Case(
        allowed="bob",
        wrong_role="ivan",
        wrong_scope="olga",
        args=_document,
        missing_args=MISSING_CASE,
    ),
    "GET /api/v1/preexam/conflicts": Case(allowed="bob", wrong_role="erin", token=True),
    "POST /api/v1/preexam/conflicts": Case(
        allowed="olga",
        wrong_role="carol",
        data=lambda w: {"organization_id": w.cast.ent_a.pk, "reason": "family"},
    ),
    "POST /api/v1/preexam/conflicts/{conflict_id}/withdraw": Case(
        allowed="bob",
        wrong_role="dave",
        wrong_scope="olga",
        args=CONFLICT,
        missing_args={"conflict_id": MISSING_ID},
    ),
}
CASES = {key: _built(case) for key, case in CASES.items()}
