"""A replayed answer is no way round the permission checks: a retry with the same
Idempotency-Key is answered with the stored result only while the caller may still read what it
created (security review of issue 9, item 6)."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from ipcenter.filings import services as filings
from ipcenter.filings.models import Engagement
from tests.conftest import Cast, client_for
from tests.matrix_support import MISSING_ID
from tests.preexam.factories import SAMPLE, case_request, opinion_case, ready, sample_upload

CASES = "/api/v1/preexam/cases"


def _post_case(client: Client, cast: Cast, key: str) -> Any:
    request = case_request(cast.ent_a, agency_for=cast.ent_a)
    body = {
        "center": "shanghai",
        "title": request.title,
        "patent_type": request.patent_type,
        "applicants": request.applicants,
        "inventors": request.inventors,
        "main_code": request.main_code,
        "applicant_organization_id": cast.ent_a.pk,
    }
    return client.post(
        CASES,
        {"request": json.dumps(body), "full": sample_upload()},
        HTTP_IDEMPOTENCY_KEY=key,
    )


def _revoke(cast: Cast) -> None:
    engagement = Engagement.objects.get(enterprise=cast.ent_a, agency=cast.agency)
    filings.engagement_revoke(actor=cast.dave, engagement=engagement)


def test_a_replay_after_revocation_hands_out_nothing(cast: Cast) -> None:
    ready(cast)
    grace = client_for(cast.grace)
    first = _post_case(grace, cast, "key-1")
    assert first.status_code == 201, first.content
    again = _post_case(grace, cast, "key-1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    _revoke(cast)
    replay = _post_case(grace, cast, "key-1")
    missing = grace.get(f"{CASES}/{MISSING_ID}")
    assert replay.status_code == 404, replay.content
    assert replay.content == missing.content
    assert first.json()["reference"] not in replay.content.decode()


def test_a_replay_under_a_case_checks_the_case(cast: Cast) -> None:
    case = opinion_case(cast, by_agent=True)
    grace = client_for(cast.grace)

    def amend() -> Any:
        return grace.post(
            f"{CASES}/{case.pk}/amend",
            {"note": "narrowed", "claims": sample_upload(SAMPLE)},
            HTTP_IDEMPOTENCY_KEY="amend-1",
        )

    assert amend().status_code == 201
    _revoke(cast)
    assert amend().status_code == 404
