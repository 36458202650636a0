"""Role-matrix probes of this area's endpoints (merged into tests/test_role_matrix.py).

Build the objects a probe needs with `world.once(key, build)` so that one test builds them once.
Enterprise A (Dave) files with Shanghai (Alice); Frank (enterprise B) and Carol (Pudong) are the
wrong organization and the wrong center. Grace's agency registers with Shanghai; Gina's is the
wrong agency.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from ipcenter.filings import services
from ipcenter.filings.models import (
    AgencyRegistration,
    Engagement,
    EntityFiling,
    FilingState,
    QuotaRequest,
)
from tests.filings.factories import CREDIT_A, filing_data, in_state, png, use_quota
from tests.matrix_support import MISSING_ID, Case, Value, World

FILING_NAME = CREDIT_A  # ASCII: the API escapes Chinese in JSON
LICENCE = "LICENCE-SH-31201"
QUOTA_REASON = "dave-needs-more-quota"
# Shown with enterprise A's engagement of the agency only (engagements end within 10 years).
ENGAGED_UNTIL = f"{dt.date.today().year + 9}-12-29"


def _filing(w: World, state: str) -> EntityFiling:
    filing: EntityFiling = w.once(f"filing:{state}", lambda: in_state(w.cast, state))
    return filing


def _registration(w: World, registered: bool = False) -> AgencyRegistration:
    def build() -> AgencyRegistration:
        registration = services.agency_register(
            actor=w.cast.grace,
            organization=w.cast.agency,
            center=w.cast.shanghai,
            licence_number=LICENCE,
            contact_name="Grace",
            contact_phone="021-1",
        )
        if registered:
            services.agency_decide(
                actor=w.cast.alice, registration=registration, decision="registered"
            )
        return registration

    result: AgencyRegistration = w.once(f"registration:{registered}", build)
    return result


def _quota_request(w: World) -> QuotaRequest:
    def build() -> QuotaRequest:
        filing = _used_up(w)
        return services.quota_request_create(
            actor=w.cast.dave,
            organization=filing.organization,
            center=filing.center,
            year=timezone.localdate().year,
            requested=5,
            reason=QUOTA_REASON,
        )

    result: QuotaRequest = w.once("quota-request", build)
    return result


def _used_up(w: World) -> EntityFiling:
    def build() -> EntityFiling:
        filing = in_state(w.cast, FilingState.ACTIVE)
        use_quota(
            organization=w.cast.ent_a, center=w.cast.shanghai, submitter=w.cast.erin, count=20
        )
        return filing

    result: EntityFiling = w.once("filing:used-up", build)
    return result


def _engagement(w: World) -> Engagement:
    def build() -> Engagement:
        return services.engagement_grant(
            actor=w.cast.dave,
            enterprise=w.cast.ent_a,
            agency=w.cast.agency,
            valid_until=dt.date.fromisoformat(ENGAGED_UNTIL),
        )

    result: Engagement = w.once("engagement", build)
    return result


def _build_engagement(w: World, client: Any) -> None:
    _engagement(w)


def _at(state: str) -> Value:
    return lambda w: {"filing_id": _filing(w, state).pk}


DRAFT = _at(FilingState.DRAFT)
SUBMITTED = _at(FilingState.SUBMITTED)
ACTIVE = _at(FilingState.ACTIVE)
SUSPENDED = _at(FilingState.SUSPENDED)
USED_UP: Value = lambda w: {"filing_id": _used_up(w).pk}  # noqa: E731
REGISTRATION: Value = lambda w: {"registration_id": _registration(w).pk}  # noqa: E731
REGISTERED: Value = lambda w: {"registration_id": _registration(w, registered=True).pk}  # noqa: E731
QUOTA_REQUEST: Value = lambda w: {"request_id": _quota_request(w).pk}  # noqa: E731
NO_FILING = {"filing_id": MISSING_ID}
ENGAGEMENT: Value = lambda w: {"engagement_id": _engagement(w).pk}  # noqa: E731
NO_ENGAGEMENT = {"engagement_id": MISSING_ID}


def _built(value: Value) -> Any:
    """Build the probe's objects before the request (and before the audit rows are counted)."""
    return lambda w, client: value(w)


def _build_submitted(w: World, client: Any) -> None:
    _filing(w, FilingState.SUBMITTED)


def _build_registration(w: World, client: Any) -> None:
    _registration(w)


def _build_quota_request(w: World, client: Any) -> None:
    _quota_request(w)


def _form_data(w: World) -> dict[str, Any]:
    data = filing_data(credit_code="91310000MA1K000009")
    data["industry_codes"] = "\n".join(data["industry_codes"])
    data["founded_on"] = data["founded_on"].isoformat()
    return {k: v for k, v in data.items() if v is not False}


def _new_form(w: World) -> dict[str, Any]:
    return {**_form_data(w), "center": w.cast.pudong.pk, "organization": w.cast.ent_a.pk}


def _api_filing(w: World) -> dict[str, Any]:
    data = filing_data(credit_code="91310000MA1K000009")
    data["founded_on"] = data["founded_on"].isoformat()
    return {**data, "center": w.cast.pudong.code, "organization_id": w.cast.ent_a.pk}


def _last_year() -> int:
    return timezone.localdate().year - 1


def _in_a_month() -> str:
    return (timezone.localdate() + dt.timedelta(days=30)).isoformat()


FINDING = {"kind": "credit_loss", "found_on": "2025-01-15", "source": "信用中国"}
REASON = {"reason": "matrix"}
ENTITY = {"allowed": "dave", "wrong_role": "erin", "wrong_scope": "frank"}
READER = {"allowed": "dave", "wrong_role": "bob", "wrong_scope": "frank"}
MANAGER = {"allowed": "alice", "wrong_role": "dave", "wrong_scope": "carol"}
AGENCY_MANAGER = {"allowed": "alice", "wrong_role": "grace", "wrong_scope": "carol"}

CASES: dict[str, Case] = {
    # pages
    "GET /filings/": Case(**READER, before=_build_submitted, marker=FILING_NAME),
    "GET /filings/new/": Case(allowed="dave", wrong_role="erin"),
    "POST /filings/new/": Case(allowed="dave", wrong_role="erin", data=_new_form),
    "GET /filings/{filing_id}/": Case(
        **READER, args=SUBMITTED, before=_built(SUBMITTED), missing_args=NO_FILING
    ),
    "GET /filings/{filing_id}/edit/": Case(
        **ENTITY, args=DRAFT, before=_built(DRAFT), missing_args=NO_FILING
    ),
    "POST /filings/{filing_id}/edit/": Case(
        **ENTITY, args=DRAFT, before=_built(DRAFT), missing_args=NO_FILING, data=_form_data
    ),
    "POST /filings/{filing_id}/documents/": Case(
        **ENTITY,
        args=DRAFT,
        before=_built(DRAFT),
        missing_args=NO_FILING,
        data=lambda w: {"purpose": "ip_rules", "file": png()},
    ),
    "POST /filings/{filing_id}/submit/": Case(
        **ENTITY, args=DRAFT, before=_built(DRAFT), missing_args=NO_FILING
    ),
    "POST /filings/{filing_id}/withdraw/": Case(
        **ENTITY, args=DRAFT, before=_built(DRAFT), missing_args=NO_FILING
    ),
    "POST /filings/{filing_id}/review/": Case(
        **MANAGER,
        args=SUBMITTED,
        before=_built(SUBMITTED),
        missing_args=NO_FILING,
        data=lambda w: {"action": "reject", "reason": "matrix"},
    ),
    "POST /filings/{filing_id}/findings/": Case(
        **MANAGER,
        args=SUBMITTED,
        before=_built(SUBMITTED),
        missing_args=NO_FILING,
        data=lambda w: FINDING,
    ),
    "GET /filings/{filing_id}/quota-request/": Case(
        **ENTITY, args=USED_UP, before=_built(USED_UP), missing_args=NO_FILING
    ),
    "POST /filings/{filing_id}/quota-request/": Case(
        **ENTITY,
        args=USED_UP,
        before=_built(USED_UP),
        missing_args=NO_FILING,
        data=lambda w: {"requested": 3, "reason": "busy year"},
    ),
    "GET /filings/review/": Case(**MANAGER, before=_build_submitted, marker=FILING_NAME),
    "GET /filings/agencies/": Case(**AGENCY_MANAGER, before=_build_registration, marker=LICENCE),
    "POST /filings/agencies/{registration_id}/": Case(
        **AGENCY_MANAGER,
        args=REGISTRATION,
        before=_built(REGISTRATION),
        missing_args={"registration_id": MISSING_ID},
        data=lambda w: {"action": "guarantee_on"},
    ),
    "GET /filings/agencies/register/": Case(
        allowed="grace",
        wrong_role="dave",
        wrong_scope="gina",
        before=_build_registration,
        marker=LICENCE,
    ),
    "POST /filings/agencies/register/": Case(
        allowed="grace",
        wrong_role="dave",
        data=lambda w: {
            "center": w.cast.shanghai.pk,
            "organization": w.cast.agency.pk,
            "licence_number": "31201",
            "contact_name": "Grace",
            "contact_phone": "021-1",
        },
    ),
    "GET /filings/quota-requests/": Case(
        **MANAGER, before=_build_quota_request, marker=QUOTA_REASON
    ),
    "POST /filings/quota-requests/{request_id}/": Case(
        **MANAGER,
        args=QUOTA_REQUEST,
        before=_built(QUOTA_REQUEST),
        missing_args={"request_id": MISSING_ID},
        data=lambda w: {"granted": 2, "reason": ""},
    ),
    "GET /filings/engagements/": Case(**ENTITY, before=_build_engagement, marker=ENGAGED_UNTIL),
    "POST /filings/engagements/": Case(
        **ENTITY,
        data=lambda w: {
            "enterprise": w.cast.ent_a.pk,
            "agency": w.cast.agency.pk,
            "may_file": "on",
            "may_respond": "on",
        },
        missing_data={"enterprise": MISSING_ID},
        refused=(200,),
    ),
    "POST /filings/engagements/{engagement_id}/revoke/": Case(
        **ENTITY, args=ENGAGEMENT, before=_built(ENGAGEMENT), missing_args=NO_ENGAGEMENT
    ),
    "GET /filings/sanctions/": Case(allowed="alice", wrong_role="dave"),
    "POST /filings/sanctions/": Case(
        **MANAGER,
        data=lambda w: {"center": w.cast.shanghai.pk, "year": _last_year()},
        missing_data={"center": MISSING_ID},
        refused=(200,),
    ),
    # API
    "GET /api/v1/filings": Case(**READER, before=_build_submitted, marker=FILING_NAME, token=True),
    "POST /api/v1/filings": Case(
        **ENTITY,
        data=_api_filing,
        missing_data={"organization_id": MISSING_ID},
        token=True,
    ),
    "GET /api/v1/filings/{filing_id}": Case(
        **READER, args=SUBMITTED, before=_built(SUBMITTED), missing_args=NO_FILING, token=True
    ),
    "PATCH /api/v1/filings/{filing_id}": Case(
        **ENTITY,
        args=DRAFT,
        before=_built(DRAFT),
        missing_args=NO_FILING,
        data=lambda w: {"insured_staff": 30},
    ),
    "POST /api/v1/filings/{filing_id}/submit": Case(
        **ENTITY, args=DRAFT, before=_built(DRAFT), missing_args=NO_FILING, token=True
    ),
    "POST /api/v1/filings/{filing_id}/withdraw": Case(
        **ENTITY, args=DRAFT, before=_built(DRAFT), missing_args=NO_FILING, data=lambda w: REASON
    ),
    "POST /api/v1/filings/{filing_id}/approve": Case(
        **MANAGER, args=SUBMITTED, before=_built(SUBMITTED), missing_args=NO_FILING, token=True
    ),
    "POST /api/v1/filings/{filing_id}/request-supplement": Case(
        **MANAGER,
        args=SUBMITTED,
        before=_built(SUBMITTED),
        missing_args=NO_FILING,
        data=lambda w: REASON,
    ),
    "POST /api/v1/filings/{filing_id}/reject": Case(
        **MANAGER,
        args=SUBMITTED,
        before=_built(SUBMITTED),
        missing_args=NO_FILING,
        data=lambda w: REASON,
    ),
    "POST /api/v1/filings/{filing_id}/suspend": Case(
        **MANAGER,
        args=ACTIVE,
        before=_built(ACTIVE),
        missing_args=NO_FILING,
        data=lambda w: {"until": _in_a_month(), "reason": "matrix"},
    ),
    "POST /api/v1/filings/{filing_id}/lift": Case(
        **MANAGER,
        args=SUSPENDED,
        before=_built(SUSPENDED),
        missing_args=NO_FILING,
        data=lambda w: REASON,
    ),
    "POST /api/v1/filings/{filing_id}/cancel": Case(
        **MANAGER, args=ACTIVE, before=_built(ACTIVE), missing_args=NO_FILING, data=lambda w: REASON
    ),
    "GET /api/v1/filings/{filing_id}/eligibility": Case(
        **READER, args=SUBMITTED, before=_built(SUBMITTED), missing_args=NO_FILING
    ),
    "POST /api/v1/filings/{filing_id}/documents": Case(
        **ENTITY,
        args=DRAFT,
        before=_built(DRAFT),
        missing_args=NO_FILING,
        data=lambda w: {"purpose": "ip_rules", "file": png()},
        multipart=True,
        token=True,
    ),
    "GET /api/v1/filings/{filing_id}/quota": Case(
        **READER, args=ACTIVE, before=_built(ACTIVE), missing_args=NO_FILING
    ),
    "GET /api/v1/filings/{filing_id}/findings": Case(
        **READER, args=SUBMITTED, before=_built(SUBMITTED), missing_args=NO_FILING
    ),
    "POST /api/v1/filings/{filing_id}/findings": Case(
        **MANAGER,
        args=SUBMITTED,
        before=_built(SUBMITTED),
        missing_args=NO_FILING,
        data=lambda w: FINDING,
    ),
    "GET /api/v1/filings/agencies": Case(
        allowed="grace",
        wrong_role="dave",
        wrong_scope="gina",
        before=_build_registration,
        marker=LICENCE,
        token=True,
    ),
    "POST /api/v1/filings/agencies": Case(
        allowed="grace",
        wrong_role="dave",
        wrong_scope="gina",
        data=lambda w: {
            "center": w.cast.shanghai.code,
            "organization_id": w.cast.agency.pk,
            "licence_number": "31201",
            "contact_name": "Grace",
            "contact_phone": "021-1",
        },
        missing_data={"organization_id": MISSING_ID},
    ),
    "POST /api/v1/filings/agencies/{registration_id}/decide": Case(
        **AGENCY_MANAGER,
        args=REGISTRATION,
        before=_built(REGISTRATION),
        missing_args={"registration_id": MISSING_ID},
        data=lambda w: {"decision": "registered"},
    ),
    "POST /api/v1/filings/agencies/{registration_id}/guarantee": Case(
        **AGENCY_MANAGER,
        args=REGISTRATION,
        before=_built(REGISTRATION),
        missing_args={"registration_id": MISSING_ID},
        data=lambda w: {"on_list": True},
    ),
    "POST /api/v1/filings/agencies/{registration_id}/revoke": Case(
        **AGENCY_MANAGER,
        args=REGISTERED,
        before=_built(REGISTERED),
        missing_args={"registration_id": MISSING_ID},
        data=lambda w: REASON,
    ),
    "GET /api/v1/filings/quota-requests": Case(
        **READER, before=_build_quota_request, marker=QUOTA_REASON, token=True
    ),
    "POST /api/v1/filings/quota-requests": Case(
        **ENTITY,
        before=_built(USED_UP),
        data=lambda w: {**USED_UP(w), "requested": 3, "reason": "busy year"},
        missing_data=NO_FILING,
    ),
    "POST /api/v1/filings/quota-requests/{request_id}/decide": Case(
        **MANAGER,
        args=QUOTA_REQUEST,
        before=_built(QUOTA_REQUEST),
        missing_args={"request_id": MISSING_ID},
        data=lambda w: {"granted": 2},
    ),
    "GET /api/v1/filings/engagements": Case(
        **ENTITY, before=_build_engagement, marker=ENGAGED_UNTIL, token=True
    ),
    "POST /api/v1/filings/engagements": Case(
        **ENTITY,
        data=lambda w: {"enterprise_id": w.cast.ent_a.pk, "agency_id": w.cast.agency.pk},
        missing_data={"enterprise_id": MISSING_ID},
    ),
    "POST /api/v1/filings/engagements/{engagement_id}/revoke": Case(
        **ENTITY, args=ENGAGEMENT, before=_built(ENGAGEMENT), missing_args=NO_ENGAGEMENT
    ),
    "GET /api/v1/filings/sanctions": Case(allowed="dave", wrong_role="bob", token=True),
    "POST /api/v1/filings/sanctions/assess": Case(
        **MANAGER,
        data=lambda w: {"center": w.cast.shanghai.code, "year": _last_year()},
        missing_data={"center": "nope"},
    ),
}
