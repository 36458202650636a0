from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status

from ipcenter.accounts.access import get_for_user_or_404, require
from ipcenter.accounts.roles import Perm
from ipcenter.api_schemas import ErrorOut, Paging, page
from ipcenter.centers.catalog import CATALOG
from ipcenter.centers.models import Center, FieldListVersion, FieldScheme
from ipcenter.centers.selectors import (
    center_list,
    center_settings,
    field_list_in_force,
    workstation_list,
)
from ipcenter.centers.services import center_settings_change, field_list_publish
from ipcenter.idempotency.decorators import idempotent

router = Router(tags=["centers"])
workstations_router = Router(tags=["centers"])


class CenterOut(Schema):
    code: str
    name: str
    name_en: str
    area: str
    area_en: str
    address: str
    phone: str
    is_demo: bool


class FieldListOut(Schema):
    id: int
    center: str
    effective_from: dt.date
    note: str
    ipc: list[str]
    locarno: list[str]


class FieldListIn(Schema):
    effective_from: dt.date
    ipc: list[str]
    locarno: list[str] = []
    note: str = ""


class SettingOut(Schema):
    key: str
    label: str
    unit: str
    value: int
    default: int
    minimum: int
    maximum: int


class SettingsOut(Schema):
    center: str
    on: dt.date
    settings: list[SettingOut]


class SettingsIn(Schema):
    values: dict[str, int]
    reason: str
    effective_from: dt.date | None = None


class WorkstationOut(Schema):
    id: int
    center: str
    name: str
    name_en: str
    host: str
    district: str
    focus: str
    phone: str


class DateFilter(Schema):
    on: dt.date | None = None


class WorkstationFilter(Paging):
    center: str | None = None
    q: str = ""


def _center(request: HttpRequest, code: str, perm: Perm = Perm.CENTER_VIEW) -> Center:
    return get_for_user_or_404(request.user, perm, center_list(), code=code)


def _field_list_out(version: FieldListVersion) -> FieldListOut:
    return FieldListOut(
        id=version.pk,
        center=version.center.code,
        effective_from=version.effective_from,
        note=version.note,
        ipc=version.symbols(FieldScheme.IPC),
        locarno=version.symbols(FieldScheme.LOCARNO),
    )


def _settings_out(center: Center, on: dt.date) -> SettingsOut:
    values = center_settings(center=center, on=on)
    return SettingsOut(
        center=center.code,
        on=on,
        settings=[
            SettingOut(
                key=s.key,
                label=str(s.label),
                unit=str(s.unit),
                value=values[s.key],
                default=s.default,
                minimum=s.minimum,
                maximum=s.maximum,
            )
            for s in CATALOG
        ],
    )


@router.get("", response=list[CenterOut], summary="All centers")
def centers(request: HttpRequest) -> list[Center]:
    require(request.user, Perm.CENTER_VIEW)
    return list(center_list())


@router.get("/{code}", response=CenterOut, summary="One center")
def center(request: HttpRequest, code: str) -> Center:
    return _center(request, code)


@router.get(
    "/{code}/fields",
    response={200: FieldListOut, 404: ErrorOut},
    summary="The technical-field list in force on a date (default today)",
)
def fields(request: HttpRequest, code: str, filters: Query[DateFilter]) -> FieldListOut:
    c = _center(request, code)
    version = field_list_in_force(center=c, on=filters.on or timezone.localdate())
    if version is None:
        from django.http import Http404

        raise Http404
    return _field_list_out(version)


@router.post("/{code}/fields", response={201: FieldListOut}, summary="Publish a new field list")
@idempotent(recheck=lambda request, code, **_: _center(request, code, Perm.CENTER_FIELDS_CHANGE))
def fields_publish(request: HttpRequest, code: str, payload: FieldListIn) -> Status:
    c = _center(request, code, Perm.CENTER_FIELDS_CHANGE)
    version = field_list_publish(
        center=c,
        actor=request.user,
        effective_from=payload.effective_from,
        ipc=payload.ipc,
        locarno=payload.locarno,
        note=payload.note,
    )
    return Status(201, _field_list_out(version))


@router.get("/{code}/settings", response=SettingsOut, summary="Settings in force on a date")
def settings_get(request: HttpRequest, code: str, filters: Query[DateFilter]) -> SettingsOut:
    c = _center(request, code, Perm.CENTER_SETTINGS_VIEW)
    return _settings_out(c, filters.on or timezone.localdate())


@router.patch("/{code}/settings", response=SettingsOut, summary="Change settings (audited)")
def settings_change(request: HttpRequest, code: str, payload: SettingsIn) -> SettingsOut:
    c = _center(request, code, Perm.CENTER_SETTINGS_CHANGE)
    version = center_settings_change(
        center=c,
        actor=request.user,
        values=dict(payload.values),
        effective_from=payload.effective_from,
        reason=payload.reason,
    )
    return _settings_out(c, version.effective_from)


@workstations_router.get("", response=list[WorkstationOut], summary="Workstations")
def workstations(request: HttpRequest, filters: Query[WorkstationFilter]) -> list[WorkstationOut]:
    require(request.user, Perm.WORKSTATION_VIEW)
    c = Center.objects.filter(code=filters.center).first() if filters.center else None
    rows = page(workstation_list(center=c, query=filters.q), filters)
    return [
        WorkstationOut(
            id=w.pk,
            center=w.center.code,
            name=w.organization.name,
            name_en=w.organization.name_en,
            host=w.host,
            district=w.district,
            focus=w.focus,
            phone=w.phone,
        )
        for w in rows
    ]
