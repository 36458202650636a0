from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, QuerySet

from ipcenter.centers.catalog import DEFAULTS
from ipcenter.centers.models import (
    Center,
    CenterSettingsVersion,
    FieldEntry,
    FieldListVersion,
    Workstation,
    today,
)


def center_list() -> QuerySet[Center]:
    return Center.objects.select_related("organization").order_by("code")


def field_list_in_force(*, center: Center, on: dt.date | None = None) -> FieldListVersion | None:
    """The version in force on `on`: the latest whose effective date is not after it."""
    return (
        FieldListVersion.objects.filter(center=center, effective_from__lte=on or today())
        .prefetch_related(Prefetch("entries", queryset=FieldEntry.objects.order_by("symbol")))
        .order_by("-effective_from")
        .first()
    )


def field_list_versions(*, center: Center) -> QuerySet[FieldListVersion]:
    return (
        FieldListVersion.objects.filter(center=center)
        .prefetch_related("entries")
        .select_related("created_by")
        .order_by("-effective_from")
    )


def settings_version_in_force(
    *, center: Center, on: dt.date | None = None
) -> CenterSettingsVersion | None:
    return (
        CenterSettingsVersion.objects.filter(center=center, effective_from__lte=on or today())
        .order_by("-effective_from", "-id")
        .first()
    )


def center_settings(*, center: Center, on: dt.date | None = None) -> dict[str, int]:
    """Every setting in force on `on`, defaults filling keys no version has set yet."""
    version = settings_version_in_force(center=center, on=on)
    values = dict(DEFAULTS)
    if version is not None:
        values.update({k: v for k, v in version.values.items() if k in DEFAULTS})
    return values


def center_setting(*, center: Center, key: str, on: dt.date | None = None) -> int:
    return center_settings(center=center, on=on)[key]


def settings_versions(*, center: Center) -> QuerySet[CenterSettingsVersion]:
    return CenterSettingsVersion.objects.filter(center=center).select_related("created_by")


def workstation_list(*, center: Center | None = None, query: str = "") -> QuerySet[Workstation]:
    qs = Workstation.objects.select_related("organization", "center").filter(is_active=True)
    if center is not None:
        qs = qs.filter(center=center)
    if query:
        from django.db.models import Q

        qs = qs.filter(
            Q(organization__name__icontains=query)
            | Q(organization__name_en__icontains=query)
            | Q(host__icontains=query)
            | Q(district__icontains=query)
            | Q(focus__icontains=query)
        )
    return qs.order_by("center__code", "organization__name")
