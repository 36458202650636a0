"""The filing API: the same services; illegal moves 409, bad input 422, others' filings 404."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from ipcenter.filings.models import EntityFiling, FilingState, Sanction
from tests.conftest import Cast, client_for
from tests.filings.factories import LAST_YEAR, in_state, make_cases, png, set_areas, use_quota

S = FilingState
API = "/api/v1/filings"


def post(client: Client, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(path, json.dumps(body or {}), content_type="application/json")


def _payload(cast: Cast, **changes: Any) -> dict[str, Any]:
    return {
        "center": "shanghai",
        "organization_id": cast.ent_a.pk,
        "legal_name": "甲医疗器械有限公司",
        "credit_code": "91310000MA1K000001",
        "registered_area": "上海市闵行区",
        "founded_on": "2015-06-01",
        "insured_staff": 40,
        "industry_codes": ["A61K 31/00"],
        "has_rd_team": True,
        "has_ip_system": True,
        "granted_inventions": 1,
        "contact_name": "李文静",
        "contact_phone": "021",
        **changes,
    }


def test_the_whole_filing_through_the_api(cast: Cast) -> None:
    set_areas(cast)
    dave = client_for(cast.dave)
    created = post(dave, API, _payload(cast))
    assert created.status_code == 201, created.content
    filing_id = created.json()["id"]
    assert created.json()["state"] == "draft" and created.json()["moves"] == [
        "submitted",
        "withdrawn",
    ]
    patched = dave.patch(
        f"{API}/{filing_id}", json.dumps({"insured_staff": 41}), content_type="application/json"
    )
    assert patched.json()["insured_staff"] == 41
    early = post(dave, f"{API}/{filing_id}/submit")
    assert early.status_code == 422 and "documents" in early.json()["errors"]
    for purpose in (
        "business_licence",
        "ip_rules",
        "staff_proof",
        "integrity_pledge",
        "authorisation",
    ):
        attached = dave.post(f"{API}/{filing_id}/documents", {"purpose": purpose, "file": png()})
        assert attached.status_code == 201
    submitted = post(dave, f"{API}/{filing_id}/submit")
    assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"
    rules = dave.get(f"{API}/{filing_id}/eligibility").json()["rules"]
    assert {r["rule"] for r in rules if not r["passed"]} == set()
    alice = client_for(cast.alice)
    approved = post(alice, f"{API}/{filing_id}/approve")
    assert approved.json()["state"] == "active"
    quota = dave.get(f"{API}/{filing_id}/quota").json()
    assert (quota["total"], quota["left"], quota["stored"]) == (20, 20, True)
    history = [(e["from_state"], e["to_state"]) for e in approved.json()["history"]]
    assert history[-1] == ("approved", "active")


@pytest.mark.parametrize(
    ("state", "endpoint", "who", "body"),
    [
        (S.DRAFT, "approve", "alice", {}),
        (S.DRAFT, "reject", "alice", {"reason": "x"}),
        (S.DRAFT, "request-supplement", "alice", {"reason": "x"}),
        (S.SUBMITTED, "submit", "dave", {}),
        (S.SUBMITTED, "suspend", "alice", {"until": "2026-05-01", "reason": "x"}),
        (S.ACTIVE, "lift", "alice", {}),
        (S.REJECTED, "withdraw", "dave", {}),
        (S.CANCELLED, "cancel", "alice", {"reason": "x"}),
        (S.WITHDRAWN, "submit", "dave", {}),
    ],
)
def test_illegal_moves_answer_409(
    cast: Cast, state: str, endpoint: str, who: str, body: dict[str, Any]
) -> None:
    filing = in_state(cast, state)
    answer = post(client_for(getattr(cast, who)), f"{API}/{filing.pk}/{endpoint}", body)
    assert answer.status_code == 409, answer.content
    assert answer.json()["code"] == "conflict"
    assert EntityFiling.objects.get(pk=filing.pk).state == state


def test_missing_reasons_answer_422(cast: Cast) -> None:
    filing = in_state(cast, S.SUBMITTED)
    answer = post(client_for(cast.alice), f"{API}/{filing.pk}/reject", {"reason": ""})
    assert answer.status_code == 422 and "reason" in answer.json()["errors"]


def test_others_filings_are_404_like_missing_ones(cast: Cast) -> None:
    filing = in_state(cast, S.SUBMITTED)
    for person, path in (
        (cast.frank, f"{API}/{{}}"),
        (cast.carol, f"{API}/{{}}"),
        (cast.frank, f"{API}/{{}}/eligibility"),
    ):
        client = client_for(person)
        refused = client.get(path.format(filing.pk))
        missing = client.get(path.format(999_999))
        assert (refused.status_code, refused.content) == (404, missing.content)
    listed = client_for(cast.frank).get(API).json()
    assert listed == []
    assert post(client_for(cast.carol), f"{API}/{filing.pk}/approve").status_code == 404


def test_agencies_through_the_api(cast: Cast) -> None:
    grace = client_for(cast.grace)
    made = post(
        grace,
        f"{API}/agencies",
        {
            "center": "shanghai",
            "organization_id": cast.agency.pk,
            "licence_number": "31201",
            "contact_name": "G",
            "contact_phone": "1",
        },
    )
    assert made.status_code == 201
    rid = made.json()["id"]
    alice = client_for(cast.alice)
    assert (
        post(alice, f"{API}/agencies/{rid}/decide", {"decision": "registered"}).status_code == 200
    )
    assert (
        post(alice, f"{API}/agencies/{rid}/decide", {"decision": "registered"}).status_code == 409
    )
    flagged = post(alice, f"{API}/agencies/{rid}/guarantee", {"on_list": True})
    assert flagged.json()["on_guarantee_list"] is True
    assert [a["state"] for a in grace.get(f"{API}/agencies").json()] == ["registered"]
    assert post(alice, f"{API}/agencies/{rid}/revoke", {"reason": "lapsed"}).json()["state"] == (
        "revoked"
    )


def test_quota_requests_and_sanctions_through_the_api(cast: Cast) -> None:
    filing = in_state(cast, S.ACTIVE)
    dave, alice = client_for(cast.dave), client_for(cast.alice)
    body = {"filing_id": filing.pk, "requested": 4, "reason": "busy"}
    assert post(dave, f"{API}/quota-requests", body).status_code == 422
    use_quota(organization=cast.ent_a, center=cast.shanghai, submitter=cast.erin, count=20)
    made = post(dave, f"{API}/quota-requests", body)
    assert made.status_code == 201
    decided = post(alice, f"{API}/quota-requests/{made.json()['id']}/decide", {"granted": 4})
    assert decided.json()["state"] == "granted"
    assert dave.get(f"{API}/{filing.pk}/quota").json()["left"] == 4

    make_cases(
        organization=cast.ent_a,
        center=cast.shanghai,
        submitter=cast.erin,
        year=LAST_YEAR,
        qualified=2,
        unqualified=8,
    )
    assessed = post(alice, f"{API}/sanctions/assess", {"center": "shanghai", "year": LAST_YEAR})
    assert [s["kind"] for s in assessed.json()] == ["cancel"]
    assert (
        post(alice, f"{API}/sanctions/assess", {"center": "shanghai", "year": LAST_YEAR}).json()
        == []
    )
    assert [s["kind"] for s in dave.get(f"{API}/sanctions").json()] == ["cancel"]
    assert Sanction.objects.count() == 1
    assert client_for(cast.frank).get(f"{API}/sanctions").json() == []
    refused = post(
        client_for(cast.carol), f"{API}/sanctions/assess", {"center": "shanghai", "year": LAST_YEAR}
    )
    assert refused.status_code == 404


def test_findings_through_the_api(cast: Cast) -> None:
    filing = in_state(cast, S.ACTIVE)
    made = post(
        client_for(cast.alice),
        f"{API}/{filing.pk}/findings",
        {"kind": "credit_loss", "found_on": "2026-01-10", "source": "信用中国"},
    )
    assert made.status_code == 201
    assert [f["kind"] for f in client_for(cast.dave).get(f"{API}/{filing.pk}/findings").json()] == [
        "credit_loss"
    ]
    bad = post(
        client_for(cast.alice),
        f"{API}/{filing.pk}/findings",
        {"kind": "gossip", "found_on": "2026-01-10", "source": "x"},
    )
    assert bad.status_code == 422 and "kind" in bad.json()["errors"]


def test_the_filing_list_reads_documents_and_history_once_for_the_page(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    from tests.filings.factories import draft, submitted

    submitted(cast)
    alice = client_for(cast.alice)
    alice.get(API)  # the session and the memberships, read once per request anyway
    with django_assert_max_num_queries(8) as one:
        assert len(alice.get(API).json()) == 1
    submitted(cast, organization=cast.ent_b)
    draft(cast, organization=cast.ent_a, center=cast.pudong)
    with django_assert_max_num_queries(len(one.captured_queries)):
        listed = alice.get(API).json()
    assert len(listed) == 2 and all(f["documents"] and f["history"] for f in listed)
