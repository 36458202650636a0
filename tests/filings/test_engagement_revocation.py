"""What a revoked agency keeps: no case news in its inbox, no shared or uploaded documents of the
case (issue 9, item 4, found by the security review)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import time_machine
from django.utils import timezone

from ipcenter.filings import services as filings
from ipcenter.filings.models import Engagement
from ipcenter.notifications.models import Notification
from ipcenter.preexam import services
from ipcenter.preexam.models import Case
from ipcenter.preexam.tasks import responsible
from tests.conftest import Cast, client_for
from tests.preexam.factories import (
    SAMPLE,
    engaged,
    opinion_case,
    ready,
    sample_upload,
    submitted_case,
)


def _revoke(cast: Cast, center: Any = None) -> None:
    engagement = Engagement.objects.get(
        enterprise=cast.ent_a, agency=cast.agency, center=center, revoked_at__isnull=True
    )
    filings.engagement_revoke(actor=cast.dave, engagement=engagement)


def test_a_revoked_agency_hears_nothing_of_the_case(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    case = submitted_case(cast, by_agent=True)
    assert case.submitted_by == cast.grace
    _revoke(cast)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client_for(cast.bob).post(
            f"/api/v1/preexam/cases/{case.pk}/not-accept",
            json.dumps({"reason": "SECRET-REASON-42"}),
            content_type="application/json",
        )
    assert answer.status_code == 200, answer.content
    assert not Notification.objects.filter(recipient=cast.grace).exists()
    # The enterprise's own people still hear of it.
    told = Notification.objects.get(recipient=cast.erin, tag="preexam:case:moved")
    assert "SECRET-REASON-42" in told.body


def test_reminders_go_only_to_who_may_still_read_the_case(cast: Cast) -> None:
    case = opinion_case(cast, by_agent=True)
    clock = case.clocks.get(stopped_at__isnull=True)
    assert cast.grace in responsible(clock)
    _revoke(cast)
    people = responsible(clock)
    assert cast.grace not in people and cast.erin in people


def _documents_of(case: Case) -> list[Any]:
    return [link.document for version in case.versions.all() for link in version.documents.all()]


def test_revoking_one_centers_engagement_withdraws_that_centers_documents(cast: Cast) -> None:
    engaged(cast.ent_a, cast.agency, center=cast.shanghai)
    engaged(cast.ent_a, cast.agency, center=cast.pudong)
    case = opinion_case(cast, by_agent=True)
    services.case_amend(
        case=case, actor=cast.erin, files=[("claims", sample_upload(SAMPLE))], note="narrowed"
    )
    shared = [d for d in _documents_of(case) if d.uploaded_by == cast.erin]
    assert shared
    grace = client_for(cast.grace)
    for document in shared:
        assert grace.get(f"/api/v1/documents/{document.pk}").status_code == 200
    _revoke(cast, center=cast.shanghai)
    assert grace.get(f"/api/v1/preexam/cases/{case.pk}").status_code == 404
    for document in shared:
        assert grace.get(f"/api/v1/documents/{document.pk}").status_code == 404
    assert client_for(cast.erin).get(f"/api/v1/documents/{shared[0].pk}").status_code == 200


def test_an_agency_loses_the_files_it_uploaded_with_the_case(cast: Cast) -> None:
    case = submitted_case(cast, by_agent=True)
    uploaded = _documents_of(case)
    assert uploaded and all(d.uploaded_by == cast.grace for d in uploaded)
    grace = client_for(cast.grace)
    paths = [
        f"/api/v1/documents/{uploaded[0].pk}",
        f"/api/v1/documents/{uploaded[0].pk}/content",
        f"/documents/{uploaded[0].pk}/download/",
    ]
    assert [grace.get(path).status_code for path in paths] == [200, 200, 200]
    _revoke(cast)
    assert [grace.get(path).status_code for path in paths] == [404, 404, 404]
    assert str(uploaded[0].pk) not in json.dumps(grace.get("/api/v1/documents").json())
    # The enterprise and the center keep the application's documents.
    for reader in (cast.erin, cast.dave, cast.alice):
        assert client_for(reader).get(paths[0]).status_code == 200
    # Engaged again, the agency reads them again.
    filings.engagement_grant(actor=cast.dave, enterprise=cast.ent_a, agency=cast.agency)
    assert client_for(cast.grace).get(paths[0]).status_code == 200


def test_an_expired_engagement_closes_the_agencys_uploads_too(cast: Cast) -> None:
    ready(cast)
    last_day = timezone.localdate() + dt.timedelta(days=3)
    Engagement.objects.update(valid_until=last_day)
    case = submitted_case(cast, by_agent=True)
    document = _documents_of(case)[0]
    path = f"/api/v1/documents/{document.pk}"
    assert client_for(cast.grace).get(path).status_code == 200
    later = timezone.now() + dt.timedelta(days=5)
    with time_machine.travel(later, tick=False):
        assert client_for(cast.grace).get(path).status_code == 404
