"""The pre-examination demo of `make run`: a case in every state from the real sample texts,
a plausible history within the current year, and twice is the same as once."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from ipcenter.accounts.models import User
from ipcenter.calendar import workdays_between
from ipcenter.centers.demo import load_demo
from ipcenter.centers.models import Center
from ipcenter.documents.models import Document
from ipcenter.notifications.models import Notification
from ipcenter.patents.samples import sample_names, sample_request
from ipcenter.preexam.diff import version_diff
from ipcenter.preexam.models import (
    Case,
    CaseEvent,
    CaseState,
    CaseVersion,
    Clock,
    Finding,
    OfficeAction,
    Opinion,
)
from ipcenter.preexam.stats import preexam_statistics

PASSWORD = "demo-password-1"
SAMPLE_TITLES = {sample_request(name)["title"] for name in sample_names()}


def _counts() -> dict[str, int]:
    models: tuple[Any, ...] = (
        Case,
        CaseVersion,
        CaseEvent,
        Finding,
        Opinion,
        OfficeAction,
        Clock,
        Document,
        Notification,
        User,
    )
    return {model.__name__: model.objects.count() for model in models}


def test_the_demo_has_a_case_in_every_state_with_a_real_history(
    db: object, django_capture_on_commit_callbacks: Any
) -> None:
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        load_demo(password=PASSWORD, stdout=out)
    today = timezone.localdate()
    cases = Case.objects.all()

    assert set(cases.values_list("state", flat=True)) == set(CaseState.values)
    assert set(cases.values_list("center__code", flat=True)) == {"shanghai", "pudong"}
    assert cases.order_by().values("organization").distinct().count() == 3
    assert cases.filter(agency__isnull=False, submitted_by__username="agent").exists()
    # Every case comes from a real text and went through the parser.
    assert set(cases.values_list("title", flat=True)) <= SAMPLE_TITLES
    for case in cases:
        first = case.versions.get(number=1)
        assert first.parsed["claims"], case.reference
        assert first.documents.exists(), case.reference
        assert case.examiner is not None, case.reference  # auto-assigned by competence
        assert case.submitted_at.year == today.year
        events = list(case.events.values_list("at", flat=True))
        assert events == sorted(events)
        assert all(timezone.localdate(at) <= today for at in events)

    # The seeded defect shows as the checker's finding (the submitted case and the amended one).
    seeded = Finding.objects.filter(code="claim_reference_forward", version__number=1)
    assert set(seeded.values_list("version__case__state", flat=True)) == {
        CaseState.SUBMITTED,
        CaseState.AMENDED,
    }
    assert seeded.first().location == "claim 3"  # type: ignore[union-attr]

    # The amendment is version 2, corrected: the finding is gone and the diff shows claim 3.
    amended = cases.get(state=CaseState.AMENDED)
    v1, v2 = amended.versions.order_by("number")
    assert v2.number == 2
    assert not v2.findings.filter(code="claim_reference_forward").exists()
    changed = [
        c.number for c in version_diff(v1.parsed, v2.parsed).claims if c.status != "unchanged"
    ]
    assert changed == [3]
    assert amended.opinions.get().items.filter(satisfied=False, claims="3").exists()

    # The fast track: filing after qualification, grant after filing, all in the past.
    for case in cases.filter(state=CaseState.GRANTED):
        assert case.qualified_on <= case.cnipa_filing_date < case.grant_date <= today
        assert case.grant_workdays == workdays_between(case.cnipa_filing_date, case.grant_date)
        assert case.certificate is not None
        assert case.grant_number.startswith("ZL")
    assert OfficeAction.objects.filter(responded_on__isnull=False).exists()
    filed = cases.get(state=CaseState.FILED)
    assert filed.office_actions.get(responded_on__isnull=True).clocks.get(stopped_at=None)
    assert not cases.get(state=CaseState.OFF_TRACK).fast_track

    # Open cases have a running clock; closed ones none.
    for case in cases:
        running = case.clocks.filter(stopped_at__isnull=True).exists()
        assert running == (
            case.state
            not in (
                CaseState.NOT_ACCEPTED,
                CaseState.UNQUALIFIED,
                CaseState.WITHDRAWN,
                CaseState.OFF_TRACK,
                CaseState.GRANTED,
            )
        ), case.state

    # Notifications are dated with their step; those of steps since passed are read.
    granted = cases.filter(state=CaseState.GRANTED).first()
    assert granted is not None
    news = Notification.objects.filter(url=f"/preexam/cases/{granted.pk}/")
    assert news.exists()
    assert not news.filter(read_at__isnull=True).exists()
    assert all(n.created_at.date() < today for n in news)

    # The statistics of the year count them.
    stats = preexam_statistics(
        centers=Center.objects.all(), start=dt.date(today.year, 1, 1), end=today
    )
    for center_stats in stats.centers:
        figures = center_stats.summary
        assert figures.received >= 5
        assert figures.qualified >= 3
        assert figures.granted >= 1
        assert figures.fastest_grant_workdays is not None
        assert figures.fastest_grant_workdays > 20

    # The summary names each case and its state.
    printed = out.getvalue()
    for case in cases:
        assert case.reference in printed
    assert "seeded defect" in printed

    # The Pudong examiner can sign in with the demo password; competences are set.
    pudong = User.objects.get(username="examiner-pudong")
    assert pudong.check_password(PASSWORD)
    assert pudong.staff_profile.ipc_fields

    before = _counts()
    with django_capture_on_commit_callbacks(execute=True):
        load_demo(password=PASSWORD)
    assert _counts() == before


@pytest.mark.parametrize("day", ["2026-01-05 10:00+08:00"])
def test_the_demo_loads_early_in_the_year(db: object, day: str) -> None:
    """In the first days of January the steps crowd into them, never after today."""
    with time_machine.travel(dt.datetime.fromisoformat(day), tick=False):
        load_demo(password=PASSWORD)
        today = timezone.localdate()
        assert set(Case.objects.values_list("state", flat=True)) == set(CaseState.values)
        for case in Case.objects.filter(state=CaseState.GRANTED):
            assert dt.date(today.year, 1, 1) <= case.cnipa_filing_date <= case.grant_date <= today
