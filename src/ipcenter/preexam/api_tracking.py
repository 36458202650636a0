"""API of the fast track after qualification, the clocks, and the statistics (/api/v1/preexam)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import translation
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from ipcenter.accounts.access import get_for_user_or_404
from ipcenter.idempotency.decorators import idempotent
from ipcenter.preexam.models import Case, Clock, OfficeAction
from ipcenter.preexam.stats import (
    Figures,
    Row,
    Stats,
    preexam_statistics,
    statistics_xlsx,
    stats_selection,
)
from ipcenter.preexam.tracking import (
    CASE_READ_PERMS,
    CASE_RECORD_PERMS,
    case_attach_certificate,
    case_leave_fast_track,
    case_record_cnipa_filing,
    case_record_grant,
    office_action_record,
    office_action_respond,
)

router = Router(tags=["preexam"])


# --- schemas ------------------------------------------------------------------------------------


class ClockOut(Schema):
    id: int
    kind: str
    started_on: dt.date
    due_on: dt.date
    provisional: bool
    running: bool
    office_action_id: int | None
    reminded_at: dt.datetime | None
    escalated_at: dt.datetime | None

    @staticmethod
    def resolve_running(obj: Clock) -> bool:
        return obj.stopped_at is None


class OfficeActionOut(Schema):
    id: int
    case_id: int
    received_on: dt.date
    response_due_on: dt.date
    responded_on: dt.date | None
    note: str


class CaseTrackingOut(Schema):
    id: int
    reference: str
    state: str
    fast_track: bool
    qualified_on: dt.date | None
    cnipa_application_number: str
    cnipa_filing_date: dt.date | None
    off_track_reason: str
    grant_number: str
    grant_date: dt.date | None
    grant_workdays: int | None
    certificate_id: str | None

    @staticmethod
    def resolve_certificate_id(obj: Case) -> str | None:
        return str(obj.certificate_id) if obj.certificate_id else None


class CnipaFilingIn(Schema):
    application_number: str
    filing_date: dt.date


class OfficeActionIn(Schema):
    received_on: dt.date
    note: str = ""


class ResponseIn(Schema):
    responded_on: dt.date


class LeaveFastTrackIn(Schema):
    kind: Literal["voluntary_amendment", "bibliographic_change"]
    reason: str


class GrantIn(Schema):
    grant_number: str
    grant_date: dt.date


class FiguresOut(Schema):
    received: int
    accepted: int
    qualified: int
    pass_rate: float | None
    fast_tracked: int
    granted: int
    average_grant_workdays: float | None
    fastest_grant_workdays: int | None


class RowOut(Schema):
    key: str
    label: str
    figures: FiguresOut


class CenterStatsOut(Schema):
    center: str
    name: str
    summary: FiguresOut
    by_field: list[RowOut]
    by_entity: list[RowOut]


class StatsQuery(Schema):
    center: str = ""  # a center's code; empty for every center the caller may see
    start: dt.date | None = None  # default: 1 January of this year
    end: dt.date | None = None  # default: today


class StatsOut(Schema):
    start: dt.date
    end: dt.date
    centers: list[CenterStatsOut]


# --- helpers ------------------------------------------------------------------------------------


def _case(request: HttpRequest, case_id: int, perms: tuple = CASE_RECORD_PERMS) -> Case:
    queryset = Case.objects.select_related("center", "organization", "agency")
    return get_for_user_or_404(request.user, perms, queryset, pk=case_id)


def _figures(f: Figures) -> FiguresOut:
    return FiguresOut(
        received=f.received,
        accepted=f.accepted,
        qualified=f.qualified,
        pass_rate=f.pass_rate,
        fast_tracked=f.fast_tracked,
        granted=f.granted,
        average_grant_workdays=f.average_grant_workdays,
        fastest_grant_workdays=f.fastest_grant_workdays,
    )


def _rows(rows: list[Row]) -> list[RowOut]:
    return [RowOut(key=r.key, label=r.label, figures=_figures(r.figures)) for r in rows]


def _stats_out(stats: Stats, language: str) -> StatsOut:
    return StatsOut(
        start=stats.start,
        end=stats.end,
        centers=[
            CenterStatsOut(
                center=c.center.code,
                name=c.center.localized_name(language),
                summary=_figures(c.summary),
                by_field=_rows(c.by_field),
                by_entity=_rows(c.by_entity),
            )
            for c in stats.centers
        ],
    )


# --- the fast track -----------------------------------------------------------------------------


@router.post(
    "/cases/{case_id}/cnipa-filing",
    response=CaseTrackingOut,
    summary="Record the filing with CNIPA (qualified -> filed)",
)
def cnipa_filing(request: HttpRequest, case_id: int, payload: CnipaFilingIn) -> Case:
    case = _case(request, case_id)
    return case_record_cnipa_filing(
        case=case,
        actor=request.user,
        application_number=payload.application_number,
        filing_date=payload.filing_date,
    )


@router.post(
    "/cases/{case_id}/office-actions",
    response={201: OfficeActionOut},
    summary="Record an office action of the fast examination (starts its response clock)",
)
@idempotent(subject="preexam.officeaction", within=("preexam.case", "case_id"))
def office_action_create(request: HttpRequest, case_id: int, payload: OfficeActionIn) -> Status:
    case = _case(request, case_id)
    action = office_action_record(
        case=case, actor=request.user, received_on=payload.received_on, note=payload.note
    )
    return Status(201, action)


@router.post(
    "/cases/{case_id}/office-actions/{office_action_id}/response",
    response=OfficeActionOut,
    summary="Record the response to an office action (stops its clock)",
)
def office_action_response(
    request: HttpRequest, case_id: int, office_action_id: int, payload: ResponseIn
) -> OfficeAction:
    case = _case(request, case_id)
    action = get_object_or_404(OfficeAction, pk=office_action_id, case=case)
    return office_action_respond(
        office_action=action, actor=request.user, responded_on=payload.responded_on
    )


@router.post(
    "/cases/{case_id}/leave-fast-track",
    response=CaseTrackingOut,
    summary="A voluntary amendment or bibliographic change moves the case off the fast track",
)
def leave_fast_track(request: HttpRequest, case_id: int, payload: LeaveFastTrackIn) -> Case:
    case = _case(request, case_id)
    return case_leave_fast_track(
        case=case, actor=request.user, reason=payload.reason, kind=payload.kind
    )


@router.post(
    "/cases/{case_id}/grant",
    response=CaseTrackingOut,
    summary="Record the grant (multipart, with the certificate optionally)",
)
def grant(
    request: HttpRequest,
    case_id: int,
    payload: Form[GrantIn],
    certificate: UploadedFile | None = File(None),  # noqa: B008
) -> Case:
    case = _case(request, case_id)
    return case_record_grant(
        case=case,
        actor=request.user,
        grant_number=payload.grant_number,
        grant_date=payload.grant_date,
        certificate=certificate,
    )


@router.post(
    "/cases/{case_id}/certificate",
    response=CaseTrackingOut,
    summary="Attach (or replace) the grant certificate",
)
def certificate(request: HttpRequest, case_id: int, certificate: File[UploadedFile]) -> Case:
    case = _case(request, case_id)
    return case_attach_certificate(case=case, actor=request.user, certificate=certificate)


@router.get(
    "/cases/{case_id}/clocks",
    response=list[ClockOut],
    summary="The case's working-day clocks, running and stopped",
)
def clocks(request: HttpRequest, case_id: int) -> list[Clock]:
    case = _case(request, case_id, CASE_READ_PERMS)
    return list(Clock.objects.filter(case=case).order_by("started_on", "id"))


# --- statistics ---------------------------------------------------------------------------------


@router.get("/stats", response=StatsOut, summary="Pre-examination statistics per center")
def stats(request: HttpRequest, filters: Query[StatsQuery]) -> StatsOut:
    query = stats_selection(
        user=request.user, center=filters.center, start=filters.start, end=filters.end
    )
    language = translation.get_language() or "en"
    result = preexam_statistics(
        centers=query.centers, start=query.start, end=query.end, language=language
    )
    return _stats_out(result, language)


@router.get("/stats.xlsx", summary="Pre-examination statistics as an XLSX workbook")
def stats_xlsx(request: HttpRequest, filters: Query[StatsQuery]) -> HttpResponse:
    query = stats_selection(
        user=request.user, center=filters.center, start=filters.start, end=filters.end
    )
    language = translation.get_language() or "en"
    result = preexam_statistics(
        centers=query.centers, start=query.start, end=query.end, language=language
    )
    response = HttpResponse(
        statistics_xlsx(result, language=language),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    filename = f"preexam-statistics-{query.start.isoformat()}-{query.end.isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
