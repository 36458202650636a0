"""Role-matrix probes of the fast-track, clock and statistics endpoints (merged into
tests/test_role_matrix.py).

Enterprise A's cases at Shanghai, acting through `agency`: Dave (its admin) or Alice (Shanghai's
manager) may record; Frank (enterprise B) is the applicant side of another organization, Carol the
manager of another center; Bob examines but records nothing. Ivan may read every center's
statistics, Dave none.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from tests.matrix_support import MISSING_ID, Case

if TYPE_CHECKING:
    from tests.matrix_support import World


def _today() -> dt.date:
    return timezone.localdate()


def _qualified(w: World) -> Any:
    from tests.preexam.tracking_factories import qualified_case

    return w.once(
        "tracking:qualified",
        lambda: qualified_case(w.cast, qualified_on=_today() - dt.timedelta(days=3)),
    )


def _filed(w: World) -> Any:
    from ipcenter.preexam.tracking import case_record_cnipa_filing
    from tests.preexam.tracking_factories import cn_number, qualified_case

    def build() -> Any:
        case = qualified_case(w.cast, qualified_on=_today() - dt.timedelta(days=3))
        return case_record_cnipa_filing(
            case=case,
            actor=w.cast.dave,
            application_number=cn_number(year=_today().year),
            filing_date=_today() - dt.timedelta(days=2),
        )

    return w.once("tracking:filed", build)


def _office_action(w: World) -> Any:
    from ipcenter.preexam.tracking import office_action_record

    return w.once(
        "tracking:office_action",
        lambda: office_action_record(
            case=_filed(w), actor=w.cast.dave, received_on=_today() - dt.timedelta(days=1)
        ),
    )


def _granted(w: World) -> Any:
    from ipcenter.preexam.tracking import case_record_grant

    def build() -> Any:
        case = _filed(w)
        case_record_grant(
            case=case, actor=w.cast.dave, grant_number="CN116000001B", grant_date=_today()
        )
        case.refresh_from_db()
        return case

    return w.once("tracking:granted", build)


def _certificate() -> Any:
    from tests.preexam.tracking_factories import pdf_upload

    return pdf_upload()


def _filing_data(w: World) -> dict[str, Any]:
    from tests.preexam.tracking_factories import cn_number

    return {
        "application_number": cn_number(year=_today().year),
        "filing_date": _today().isoformat(),
    }


def _build(builder: Any) -> Any:
    """Build the fixture before the probe counts audit rows (building is audited)."""
    return lambda w, client: builder(w)


QUALIFIED = lambda w: {"case_id": _qualified(w).pk}  # noqa: E731
FILED = lambda w: {"case_id": _filed(w).pk}  # noqa: E731
GRANTED = lambda w: {"case_id": _granted(w).pk}  # noqa: E731
OFFICE_ACTION = lambda w: {  # noqa: E731
    "case_id": _office_action(w).case_id,
    "office_action_id": _office_action(w).pk,
}
MISSING_CASE = {"case_id": MISSING_ID}
TODAY = lambda w: _today().isoformat()  # noqa: E731

_APPLICANT_SIDE: dict[str, Any] = {"allowed": "dave", "wrong_role": "bob", "wrong_scope": "frank"}
_STATS: dict[str, Any] = {
    "allowed": "ivan",
    "wrong_role": "dave",
    "wrong_scope": "carol",
    "data": lambda w: {"center": "shanghai"},
    "missing_data": {"center": "nope"},
}

CASES: dict[str, Case] = {
    # pages
    "POST /preexam/cases/{case_id}/cnipa-filing/": Case(
        **_APPLICANT_SIDE,
        args=QUALIFIED,
        before=_build(_qualified),
        missing_args=MISSING_CASE,
        data=_filing_data,
    ),
    "POST /preexam/cases/{case_id}/office-actions/": Case(
        **_APPLICANT_SIDE,
        args=FILED,
        before=_build(_filed),
        missing_args=MISSING_CASE,
        data=lambda w: {"received_on": TODAY(w), "note": "OA"},
    ),
    "POST /preexam/cases/{case_id}/office-actions/{office_action_id}/response/": Case(
        **_APPLICANT_SIDE,
        args=OFFICE_ACTION,
        before=_build(_office_action),
        missing_args=MISSING_CASE,
        data=lambda w: {"responded_on": TODAY(w)},
    ),
    "POST /preexam/cases/{case_id}/leave-fast-track/": Case(
        allowed="alice",
        wrong_role="bob",
        wrong_scope="carol",
        args=FILED,
        before=_build(_filed),
        missing_args=MISSING_CASE,
        data=lambda w: {"kind": "bibliographic_change", "reason": "new address"},
    ),
    "POST /preexam/cases/{case_id}/grant/": Case(
        **_APPLICANT_SIDE,
        args=FILED,
        before=_build(_filed),
        missing_args=MISSING_CASE,
        data=lambda w: {
            "grant_number": "CN116000002B",
            "grant_date": TODAY(w),
            "certificate": _certificate(),
        },
    ),
    "POST /preexam/cases/{case_id}/certificate/": Case(
        **_APPLICANT_SIDE,
        args=GRANTED,
        before=_build(_granted),
        missing_args=MISSING_CASE,
        data=lambda w: {"certificate": _certificate()},
    ),
    "GET /preexam/stats/": Case(**_STATS),
    # API
    "POST /api/v1/preexam/cases/{case_id}/cnipa-filing": Case(
        **_APPLICANT_SIDE,
        args=QUALIFIED,
        before=_build(_qualified),
        missing_args=MISSING_CASE,
        data=_filing_data,
        token=True,
    ),
    "POST /api/v1/preexam/cases/{case_id}/office-actions": Case(
        **_APPLICANT_SIDE,
        args=FILED,
        before=_build(_filed),
        missing_args=MISSING_CASE,
        data=lambda w: {"received_on": TODAY(w)},
    ),
    "POST /api/v1/preexam/cases/{case_id}/office-actions/{office_action_id}/response": Case(
        **_APPLICANT_SIDE,
        args=OFFICE_ACTION,
        before=_build(_office_action),
        missing_args=MISSING_CASE,
        data=lambda w: {"responded_on": TODAY(w)},
        token=True,
    ),
    "POST /api/v1/preexam/cases/{case_id}/leave-fast-track": Case(
        allowed="alice",
        wrong_role="bob",
        wrong_scope="carol",
        args=FILED,
        before=_build(_filed),
        missing_args=MISSING_CASE,
        data=lambda w: {"kind": "voluntary_amendment", "reason": "claims amended"},
    ),
    "POST /api/v1/preexam/cases/{case_id}/grant": Case(
        **_APPLICANT_SIDE,
        args=FILED,
        before=_build(_filed),
        missing_args=MISSING_CASE,
        data=lambda w: {
            "grant_number": "CN116000003B",
            "grant_date": TODAY(w),
            "certificate": _certificate(),
        },
        multipart=True,
        token=True,
    ),
    "POST /api/v1/preexam/cases/{case_id}/certificate": Case(
        **_APPLICANT_SIDE,
        args=GRANTED,
        before=_build(_granted),
        missing_args=MISSING_CASE,
        data=lambda w: {"certificate": _certificate()},
        multipart=True,
    ),
    "GET /api/v1/preexam/cases/{case_id}/clocks": Case(
        allowed="bob",
        wrong_role="ivan",
        wrong_scope="frank",
        args=QUALIFIED,
        before=_build(_qualified),
        missing_args=MISSING_CASE,
    ),
    "GET /api/v1/preexam/stats": Case(**_STATS, token=True),
    "GET /api/v1/preexam/stats.xlsx": Case(**_STATS),
}
