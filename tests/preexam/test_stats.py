"""Statistics per center and period, by field and by entity, on pages, in the API and in XLSX."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.utils import translation
from openpyxl import load_workbook

from ipcenter.preexam.models import CaseState, PatentType
from ipcenter.preexam.stats import Figures, preexam_statistics, statistics_xlsx
from tests.conftest import Cast, client_for
from tests.preexam.tracking_factories import make_case

TZ = dt.timezone(dt.timedelta(hours=8))
S = CaseState
START, END = dt.date(2025, 1, 1), dt.date(2025, 6, 30)


def _at(y: int, m: int, d: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hour, minute, tzinfo=TZ)


def _case(cast: Cast, **fields: Any) -> Any:
    fields.setdefault("center", cast.shanghai)
    fields.setdefault("organization", cast.ent_a)
    return make_case(submitted_by=cast.erin, **fields)


@pytest.fixture
def cases(cast: Cast) -> None:
    b = cast.ent_b
    # Two fast-track grants of enterprise A in A61 (30 and 20 working days).
    _case(
        cast,
        main_code="A61K 31/00",
        state=S.GRANTED,
        submitted_at=_at(2025, 1, 10),
        accepted_at=_at(2025, 1, 12),
        qualified_on=dt.date(2025, 1, 20),
        cnipa_filing_date=dt.date(2025, 1, 25),
        grant_date=dt.date(2025, 3, 10),
        grant_workdays=30,
    )
    _case(
        cast,
        main_code="A61K 9/20",
        state=S.GRANTED,
        submitted_at=_at(2025, 2, 1),
        accepted_at=_at(2025, 2, 3),
        qualified_on=dt.date(2025, 2, 10),
        cnipa_filing_date=dt.date(2025, 2, 12),
        grant_date=dt.date(2025, 4, 1),
        grant_workdays=20,
    )
    # Enterprise B in B25: one unqualified, one granted after leaving the fast track.
    _case(
        cast,
        organization=b,
        main_code="B25J 9/16",
        state=S.UNQUALIFIED,
        submitted_at=_at(2025, 3, 1),
        accepted_at=_at(2025, 3, 2),
    )
    _case(
        cast,
        organization=b,
        main_code="B25J 11/00",
        state=S.GRANTED,
        fast_track=False,
        submitted_at=_at(2025, 3, 5),
        accepted_at=_at(2025, 3, 6),
        qualified_on=dt.date(2025, 3, 15),
        cnipa_filing_date=dt.date(2025, 3, 20),
        grant_date=dt.date(2025, 5, 1),
        grant_workdays=25,
    )
    # A design of enterprise A, received at 23:30 on the last day, not accepted.
    _case(
        cast,
        patent_type=PatentType.DESIGN,
        main_code="24-01",
        state=S.NOT_ACCEPTED,
        submitted_at=_at(2025, 6, 30, 23, 30),
    )
    # Received in 2024, accepted and qualified in the period: counted as accepted and qualified.
    _case(
        cast,
        main_code="A61K 36/00",
        state=S.QUALIFIED,
        submitted_at=_at(2024, 12, 20),
        accepted_at=_at(2025, 1, 3),
        qualified_on=dt.date(2025, 1, 10),
    )
    # Outside the period (ten minutes into July), and at the other center.
    _case(cast, main_code="A61K 31/00", submitted_at=_at(2025, 7, 1, 0, 10), state=S.SUBMITTED)
    _case(
        cast,
        center=cast.pudong,
        organization=b,
        main_code="B25J 9/16",
        submitted_at=_at(2025, 2, 1),
        state=S.SUBMITTED,
    )


SHANGHAI_SUMMARY = Figures(
    received=5,
    accepted=5,
    qualified=4,
    fast_tracked=2,
    granted=3,
    average_grant_workdays=25.0,
    fastest_grant_workdays=20,
)


def test_the_figures_of_a_constructed_period(
    cast: Cast, cases: None, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(3):  # per center, per field, per entity
        stats = preexam_statistics(
            centers=[cast.shanghai, cast.pudong], start=START, end=END, language="en"
        )
    shanghai, pudong = stats.centers
    assert shanghai.summary == SHANGHAI_SUMMARY
    assert shanghai.summary.pass_rate == pytest.approx(0.8)
    assert pudong.summary == Figures(received=1)
    assert pudong.summary.pass_rate is None

    fields = {row.key: row.figures for row in shanghai.by_field}
    assert fields == {
        "24": Figures(received=1),
        "A61": Figures(
            received=2,
            accepted=3,
            qualified=3,
            fast_tracked=2,
            granted=2,
            average_grant_workdays=25.0,
            fastest_grant_workdays=20,
        ),
        "B25": Figures(received=2, accepted=2, qualified=1, granted=1),
    }
    labels = {row.key: row.label for row in shanghai.by_field}
    assert labels["A61"].startswith("A61 · ")
    assert labels["24"].startswith("LOC 24")

    entities = {row.label: row.figures for row in shanghai.by_entity}
    assert entities == {
        "A Co": Figures(
            received=3,
            accepted=3,
            qualified=3,
            fast_tracked=2,
            granted=2,
            average_grant_workdays=25.0,
            fastest_grant_workdays=20,
        ),
        "B Co": Figures(received=2, accepted=2, qualified=1, granted=1),
    }
    assert entities["B Co"].pass_rate == 0.5


def test_a_period_without_cases_counts_nothing(cast: Cast, cases: None) -> None:
    stats = preexam_statistics(
        centers=[cast.shanghai], start=dt.date(2023, 1, 1), end=dt.date(2023, 12, 31)
    )
    [only] = stats.centers
    assert (only.summary, only.by_field, only.by_entity) == (Figures(), [], [])


def test_the_xlsx_reads_back(cast: Cast, cases: None) -> None:
    with translation.override("en"):
        stats = preexam_statistics(centers=[cast.shanghai], start=START, end=END, language="en")
        content = statistics_xlsx(stats, language="en")
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["Summary", "By field", "By entity"]
    summary = book["Summary"]
    title = summary["A1"].value
    assert "Shanghai Center" in title and "2025-01-01" in title and "2025-06-30" in title
    assert [c.value for c in summary[2]] == [
        "Center",
        "Received",
        "Accepted",
        "Qualified",
        "Pass rate",
        "Fast-tracked",
        "Granted",
        "Average grant time (working days)",
        "Fastest grant time (working days)",
    ]
    assert [c.value for c in summary[3]] == ["Shanghai Center", 5, 5, 4, 0.8, 2, 3, 25.0, 20]
    assert summary["E3"].number_format == "0.0%"
    by_field = book["By field"]
    assert by_field["B2"].value == "Field"
    rows = {
        r[1].value.split(" ")[0]: [c.value for c in r[2:]] for r in by_field.iter_rows(min_row=3)
    }
    assert rows["A61"] == [2, 3, 3, 1.0, 2, 2, 25.0, 20]
    assert rows["LOC"] == [1, 0, 0, None, 0, 0, None, None]
    by_entity = book["By entity"]
    assert by_entity["B2"].value == "Entity"
    assert [c.value for c in by_entity[4]] == [
        "Shanghai Center",
        "B Co",
        2,
        2,
        1,
        0.5,
        0,
        1,
        None,
        None,
    ]


# --- API and page ---------------------------------------------------------------------------------

PERIOD = {"start": "2025-01-01", "end": "2025-06-30"}


def test_the_api_counts_only_the_centers_one_may_see(cast: Cast, cases: None) -> None:
    ivan = client_for(cast.ivan).get("/api/v1/preexam/stats", PERIOD).json()
    assert [c["center"] for c in ivan["centers"]] == ["pudong", "shanghai"]
    alice = client_for(cast.alice).get("/api/v1/preexam/stats", PERIOD).json()
    [shanghai] = alice["centers"]
    assert shanghai["center"] == "shanghai"
    assert shanghai["summary"] == {
        "received": 5,
        "accepted": 5,
        "qualified": 4,
        "pass_rate": 0.8,
        "fast_tracked": 2,
        "granted": 3,
        "average_grant_workdays": 25.0,
        "fastest_grant_workdays": 20,
    }
    carol = client_for(cast.carol)
    refused = carol.get("/api/v1/preexam/stats", {**PERIOD, "center": "shanghai"})
    missing = carol.get("/api/v1/preexam/stats", {**PERIOD, "center": "nope"})
    assert (refused.status_code, refused.content) == (404, missing.content)
    assert client_for(cast.dave).get("/api/v1/preexam/stats").status_code == 403
    backwards = client_for(cast.ivan).get(
        "/api/v1/preexam/stats", {"start": "2025-06-30", "end": "2025-01-01"}
    )
    assert backwards.status_code == 422


def test_the_xlsx_download(cast: Cast, cases: None) -> None:
    response = client_for(cast.ivan).get(
        "/api/v1/preexam/stats.xlsx", {**PERIOD, "center": "shanghai"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.worksheets[0].cell(row=3, column=2).value == 5


def test_the_page(cast: Cast, cases: None) -> None:
    client = client_for(cast.alice)  # Alice reads English
    page = client.get("/preexam/stats/", PERIOD)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Shanghai Center" in html and "Pudong Center" not in html
    assert "A61 · " in html and "B Co" in html
    assert "80 %" in html
    assert "/api/v1/preexam/stats.xlsx?" in html
    # The defaults: this year so far.
    assert client.get("/preexam/stats/").status_code == 200
    backwards = client.get("/preexam/stats/", {"start": "2025-06-30", "end": "2025-01-01"})
    assert backwards.status_code == 200
    assert b"The period must start before it ends." in backwards.content
    broken = client.get("/preexam/stats/", {"start": "soon"})
    assert broken.status_code == 200
    assert b'data-testid="field-error"' in broken.content
    assert client.get("/preexam/stats/", {"center": "pudong"}).status_code == 404
    assert client_for(cast.dave).get("/preexam/stats/").status_code == 403
