"""Pre-examination statistics per center and period, by field and by entity, and their XLSX.

The figures (DOMAIN.md section 2), each counted on its own date within the period:
- received: cases submitted;
- accepted: cases accepted for review;
- qualified: cases that passed (qualified_on), whatever happened to them later;
- pass rate: qualified / accepted;
- fast-tracked: cases filed with CNIPA (cnipa_filing_date) that are still on the fast track;
- granted: grants recorded (grant_date);
- average and fastest grant time: working days from the CNIPA filing to the grant of the
  granted cases still on the fast track.

Everything is counted by the database in three grouped queries (per center, per center and
field, per center and organization); Python only turns the rows into objects.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, CharField, Count, Min, Q, QuerySet, When
from django.db.models import Case as Choose
from django.db.models.functions import Substr, Upper
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from ipcenter.accounts.access import centers_with, require
from ipcenter.accounts.models import Organization
from ipcenter.accounts.roles import Perm
from ipcenter.centers.models import Center
from ipcenter.centers.selectors import center_list
from ipcenter.lib.errors import InvalidInput
from ipcenter.patents.fields import field_titles
from ipcenter.preexam.models import Case, CaseState, PatentType
from ipcenter.preexam.selectors import QUALIFIED_STATES


@dataclass(frozen=True)
class Figures:
    received: int = 0
    accepted: int = 0
    qualified: int = 0
    fast_tracked: int = 0
    granted: int = 0
    average_grant_workdays: float | None = None
    fastest_grant_workdays: int | None = None

    @property
    def pass_rate(self) -> float | None:
        """Qualified / accepted; None without accepted cases."""
        return self.qualified / self.accepted if self.accepted else None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Figures:
        average = row["average_grant_workdays"]
        return cls(
            received=row["received"],
            accepted=row["accepted"],
            qualified=row["qualified"],
            fast_tracked=row["fast_tracked"],
            granted=row["granted"],
            average_grant_workdays=round(float(average), 1) if average is not None else None,
            fastest_grant_workdays=row["fastest_grant_workdays"],
        )


@dataclass(frozen=True)
class Row:
    key: str  # field code ("A01", Locarno "24") or organization id
    label: str
    figures: Figures


@dataclass(frozen=True)
class CenterStats:
    center: Center
    summary: Figures
    by_field: list[Row] = field(default_factory=list)
    by_entity: list[Row] = field(default_factory=list)


@dataclass(frozen=True)
class Stats:
    start: dt.date
    end: dt.date
    centers: list[CenterStats]


FIGURE_NAMES = (
    "received",
    "accepted",
    "qualified",
    "pass_rate",
    "fast_tracked",
    "granted",
    "average_grant_workdays",
    "fastest_grant_workdays",
)


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """This year up to today."""
    today = today or timezone.localdate()
    return dt.date(today.year, 1, 1), today


@dataclass(frozen=True)
class StatsSelection:
    centers: list[Center]  # the centers counted
    choices: list[Center]  # the centers the person may choose from
    center: str  # the chosen center's code, empty for all of them
    start: dt.date
    end: dt.date


def stats_selection(
    *, user: Any, center: str = "", start: dt.date | None = None, end: dt.date | None = None
) -> StatsSelection:
    """The centers and period a person asked for, limited to the centers they may see.

    A center they may not see answers 404, exactly like a code that does not exist.
    """
    require(user, Perm.PREEXAM_STATS_VIEW)
    visible = centers_with(user, Perm.PREEXAM_STATS_VIEW)
    choices = center_list() if visible is None else center_list().filter(pk__in=visible)
    chosen = [get_object_or_404(choices, code=center)] if center else list(choices)
    default_start, default_end = default_period()
    start = start or default_start
    end = end or default_end
    if start > end:
        message = _lazy("The period must start before it ends.")
        raise InvalidInput(message, errors={"start": str(message)})
    return StatsSelection(
        centers=chosen, choices=list(choices), center=center, start=start, end=end
    )


def field_code() -> Choose:
    """IPC section and class of the main code ("A01B 1/00" -> "A01"); Locarno class for designs."""
    return Choose(
        When(patent_type=PatentType.DESIGN, then=Substr("main_code", 1, 2)),
        default=Upper(Substr("main_code", 1, 3)),
        output_field=CharField(),
    )


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    first = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return first, after


def _period_filters(start: dt.date, end: dt.date) -> dict[str, Q]:
    first, after = _bounds(start, end)
    on_days = (start, end)
    return {
        "received": Q(submitted_at__gte=first, submitted_at__lt=after),
        "accepted": Q(accepted_at__gte=first, accepted_at__lt=after),
        "qualified": Q(qualified_on__range=on_days, state__in=QUALIFIED_STATES),
        "fast_tracked": Q(cnipa_filing_date__range=on_days, fast_track=True),
        "granted": Q(grant_date__range=on_days, state=CaseState.GRANTED),
    }


def _annotations(filters: dict[str, Q]) -> dict[str, Any]:
    fast_grants = filters["granted"] & Q(fast_track=True, grant_workdays__isnull=False)
    counts: dict[str, Any] = {name: Count("id", filter=q) for name, q in filters.items()}
    return counts | {
        "average_grant_workdays": Avg("grant_workdays", filter=fast_grants),
        "fastest_grant_workdays": Min("grant_workdays", filter=fast_grants),
    }


def _cases_in_period(centers: Iterable[Center], filters: dict[str, Q]) -> QuerySet[Case]:
    anything = Q()
    for q in filters.values():
        anything |= q
    return Case.objects.filter(anything, center__in=list(centers))


def _field_label(code: str, language: str) -> str:
    if code[:1].isdigit():
        ((_code, title),) = field_titles([code], "locarno", language)
        return f"LOC {code} · {title}" if title else f"LOC {code}"
    try:
        ((_code, title),) = field_titles([code], "ipc", language)
    except (ValueError, KeyError):  # a code outside the scheme (bad data) keeps its row
        title = ""
    return f"{code} · {title}" if title else code


def preexam_statistics(
    *, centers: Iterable[Center], start: dt.date, end: dt.date, language: str = "en"
) -> Stats:
    """The figures of each center for the period [start, end], by field and by entity."""
    centers = list(centers)
    filters = _period_filters(start, end)
    annotations = _annotations(filters)
    cases = _cases_in_period(centers, filters)

    summary = {
        row["center_id"]: Figures.from_row(row)
        for row in cases.values("center_id").annotate(**annotations).order_by()
    }
    by_field: dict[int, list[Row]] = {}
    field_rows = (
        cases.annotate(field=field_code())
        .values("center_id", "field")
        .annotate(**annotations)
        .order_by("center_id", "field")
    )
    for row in field_rows:
        by_field.setdefault(row["center_id"], []).append(
            Row(
                key=row["field"],
                label=_field_label(row["field"], language),
                figures=Figures.from_row(row),
            )
        )
    by_entity: dict[int, list[Row]] = {}
    entity_rows = (
        cases.values("center_id", "organization_id", "organization__name", "organization__name_en")
        .annotate(**annotations)
        .order_by("center_id", "organization_id")
    )
    for row in entity_rows:
        org = Organization(name=row["organization__name"], name_en=row["organization__name_en"])
        by_entity.setdefault(row["center_id"], []).append(
            Row(
                key=str(row["organization_id"]),
                label=org.localized_name(language),
                figures=Figures.from_row(row),
            )
        )
    for rows in by_entity.values():
        rows.sort(key=lambda r: (r.label, r.key))  # in the reader's language
    return Stats(
        start=start,
        end=end,
        centers=[
            CenterStats(
                center=c,
                summary=summary.get(c.pk, Figures()),
                by_field=by_field.get(c.pk, []),
                by_entity=by_entity.get(c.pk, []),
            )
            for c in centers
        ],
    )


# --- XLSX ------------------------------------------------------------------------------------


def figure_headers() -> list[str]:
    return [
        _("Received"),
        _("Accepted"),
        _("Qualified"),
        _("Pass rate"),
        _("Fast-tracked"),
        _("Granted"),
        _("Average grant time (working days)"),
        _("Fastest grant time (working days)"),
    ]


def _figure_cells(f: Figures) -> list[Any]:
    return [getattr(f, name) for name in FIGURE_NAMES]


def statistics_xlsx(stats: Stats, *, language: str = "en") -> bytes:
    """The statistics as a workbook: Summary, By field, By entity (headers in the current
    language, numbers as numbers, a title row naming the centers and the period)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    names = ", ".join(c.center.localized_name(language) for c in stats.centers) or "—"
    title = _("Pre-examination statistics: %(centers)s, %(start)s to %(end)s") % {
        "centers": names,
        "start": stats.start.isoformat(),
        "end": stats.end.isoformat(),
    }
    workbook = Workbook()
    sheets = [
        (workbook.active, _("Summary"), None),
        (workbook.create_sheet(), _("By field"), _("Field")),
        (workbook.create_sheet(), _("By entity"), _("Entity")),
    ]
    for index, (sheet, sheet_name, key_header) in enumerate(sheets):
        assert sheet is not None
        sheet.title = str(sheet_name)[:31]
        sheet.append([title])
        sheet["A1"].font = Font(bold=True)
        headers = [_("Center")] + ([key_header] if key_header else []) + figure_headers()
        sheet.append(headers)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for center_stats in stats.centers:
            center_name = center_stats.center.localized_name(language)
            if index == 0:
                sheet.append([center_name, *_figure_cells(center_stats.summary)])
                continue
            rows = center_stats.by_field if index == 1 else center_stats.by_entity
            for row in rows:
                sheet.append([center_name, row.label, *_figure_cells(row.figures)])
        first_figure = 2 if index == 0 else 3
        pass_rate_column = first_figure + FIGURE_NAMES.index("pass_rate")
        average_column = first_figure + FIGURE_NAMES.index("average_grant_workdays")
        for row_cells in sheet.iter_rows(min_row=3):
            row_cells[pass_rate_column - 1].number_format = "0.0%"
            row_cells[average_column - 1].number_format = "0.0"
        sheet.column_dimensions["A"].width = 28
        if index:
            sheet.column_dimensions["B"].width = 40
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
