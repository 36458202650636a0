"""Role-matrix probes for IPC suggestion, prior art and citations on a case.

The case is accepted and assigned to Bob; its analysis holds one real document (a PatentsView
grant) found for claim 1, which Bob has cited. Wrong role: Erin (the applicant reads the case but
not the center's working material) or Alice (a manager may read and refresh, not cite). Wrong
scope: Olga (another Shanghai examiner) and Carol (Pudong's manager).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from tests.matrix_support import MISSING_ID, Case

if TYPE_CHECKING:
    from ipcenter.patents.corpus import PatentRecord
    from ipcenter.preexam.models import Case as PreexamCase
    from ipcenter.preexam.models import Citation
    from tests.matrix_support import World

TITLE = "matrix-priorart-case"
MISSING_CASE = {"case_id": MISSING_ID}
P = "/preexam/cases/{case_id}"
A = "/api/v1/preexam/cases/{case_id}"


def _records() -> list[PatentRecord]:
    from tests.conftest import SHARED_DATA
    from tests.search.priorart_records import patentsview_records

    return patentsview_records(SHARED_DATA, limit=3)


def _case(w: World) -> PreexamCase:
    def build() -> PreexamCase:
        from ipcenter.preexam.analysis import Computed, analysis_store
        from ipcenter.search.base import Hit, Passage
        from ipcenter.search.priorart import ClaimPriorArt
        from tests.preexam.factories import accepted_case

        case = accepted_case(w.cast, title=TITLE)
        version = case.versions.get()
        found = [
            Hit(
                key=r.key,
                score=1.0 / rank,
                record=r,
                bm25_rank=rank,
                passages=[Passage("abstract", r.abstract, ((0, 5),))],
            )
            for rank, r in enumerate(_records(), start=1)
        ]
        claim = version.parsed["claims"][0]
        analysis_store(
            case=case,
            version=version,
            computed=Computed(claims=[ClaimPriorArt(1, claim["text"], found)]),
        )
        return case

    return w.once("priorart:case", build)  # type: ignore[no-any-return]


def _citation(w: World) -> Citation:
    from ipcenter.preexam.analysis import case_citation_mark

    case = _case(w)
    return w.once(  # type: ignore[no-any-return]
        "priorart:citation",
        lambda: case_citation_mark(
            case=case,
            actor=w.cast.bob,
            document_key=_records()[0].key,
            category="X",
            claims=[1],
        ),
    )


def _args(w: World) -> dict[str, Any]:
    return {"case_id": _case(w).pk}


def _citation_args(w: World) -> dict[str, Any]:
    citation = _citation(w)
    return {"case_id": citation.case_id, "citation_id": citation.pk}


def _mark(w: World) -> dict[str, Any]:
    return {"document_key": _records()[1].key, "category": "Y", "claims": "1"}


def _mark_api(w: World) -> dict[str, Any]:
    return {"document_key": _records()[1].key, "category": "Y", "claims": [1]}


def _built(case: Case) -> Case:
    """Build the probe's objects before the probe counts audit events (building writes some)."""
    if case.before is not None:
        return case

    def before(w: World, client: Any) -> None:
        case.args(w)

    return replace(case, before=before)


CASES: dict[str, Case] = {
    # pages
    f"POST {P}/analysis/refresh/": Case(
        allowed="alice",
        wrong_role="erin",
        wrong_scope="carol",
        args=_args,
        missing_args=MISSING_CASE,
    ),
    f"POST {P}/citations/": Case(
        allowed="bob",
        wrong_role="alice",
        wrong_scope="olga",
        args=_args,
        missing_args=MISSING_CASE,
        data=_mark,
    ),
    f"POST {P}/citations/{{citation_id}}/remove/": Case(
        allowed="bob",
        wrong_role="alice",
        wrong_scope="olga",
        args=_citation_args,
        missing_args=MISSING_CASE,
    ),
    # API
    f"GET {A}/analysis": Case(
        allowed="bob",
        wrong_role="erin",
        wrong_scope="olga",
        args=_args,
        missing_args=MISSING_CASE,
        token=True,
    ),
    f"POST {A}/analysis/refresh": Case(
        allowed="bob",
        wrong_role="dave",
        wrong_scope="carol",
        args=_args,
        missing_args=MISSING_CASE,
    ),
    f"GET {A}/citations": Case(
        allowed="alice",
        wrong_role="grace",
        wrong_scope="carol",
        args=_args,
        missing_args=MISSING_CASE,
    ),
    f"POST {A}/citations": Case(
        allowed="bob",
        wrong_role="alice",
        wrong_scope="olga",
        args=_args,
        missing_args=MISSING_CASE,
        data=_mark_api,
    ),
    f"DELETE {A}/citations/{{citation_id}}": Case(
        allowed="bob",
        wrong_role="erin",
        wrong_scope="olga",
        args=_citation_args,
        missing_args=MISSING_CASE,
    ),
}
CASES = {key: _built(case) for key, case in CASES.items()}
