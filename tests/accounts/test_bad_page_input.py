"""Bad input on pages and lists is a clear 4xx, never a 500 (security review of issue 9)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from ipcenter.accounts.models import Membership
from ipcenter.filings import services as filings
from ipcenter.lib.errors import InvalidInput
from tests.conftest import Cast, client_for


@pytest.mark.parametrize("path", ["/accounts/users/?q=%00", "/accounts/organizations/?q=%00"])
def test_a_nul_in_a_page_query_is_a_400(cast: Cast, path: str) -> None:
    answer = client_for(cast.sam).get(path)
    assert answer.status_code == 400
    assert answer["Content-Type"].startswith("text/html")


def test_a_nul_in_a_page_form_is_a_400(cast: Cast) -> None:
    answer = client_for(cast.sam).post("/accounts/users/", {"q": "a\x00b"})
    assert answer.status_code == 400


@pytest.mark.parametrize("membership", ["abc", "", "99999999999999999999"])
def test_revoking_a_malformed_membership_is_a_404(cast: Cast, membership: str) -> None:
    answer = client_for(cast.sam).post(
        f"/accounts/users/{cast.erin.pk}/", {"action": "revoke", "membership": membership}
    )
    assert answer.status_code == 404
    assert Membership.objects.filter(user=cast.erin, is_active=True).exists()


def test_the_role_request_list_pages(cast: Cast) -> None:
    sam = client_for(cast.sam)
    for person in (cast.nina, cast.ivan):
        answer = sam.post(
            f"/api/v1/accounts/users/{person.pk}/roles",
            json.dumps(
                {"organization_id": cast.ent_b.pk, "role": "applicant", "note": "new colleague"}
            ),
            content_type="application/json",
        )
        assert answer.status_code == 202, answer.content
    alice = client_for(cast.alice)
    listed = client_for(cast.sam).get("/api/v1/accounts/role-requests")
    assert listed.status_code == 200
    everyone = listed.json()
    assert len(everyone) == 2
    one = client_for(cast.sam).get("/api/v1/accounts/role-requests?offset=1&limit=1").json()
    assert [r["id"] for r in one] == [everyone[1]["id"]]
    assert alice.get("/api/v1/accounts/role-requests?offset=-1").status_code == 422


@pytest.mark.parametrize(
    "changes",
    [
        {"valid_from": dt.date(1, 1, 1)},
        {"valid_from": dt.date(1999, 12, 31)},
        {"valid_until": timezone.localdate().replace(year=timezone.localdate().year + 11)},
    ],
)
def test_engagement_dates_stay_in_a_sane_range(in_english: Cast, changes: dict) -> None:
    cast = in_english
    with pytest.raises(InvalidInput) as refused:
        filings.engagement_grant(
            actor=cast.dave, enterprise=cast.ent_a, agency=cast.agency, **changes
        )
    field = next(iter(changes))
    assert "2000" in refused.value.errors.get(field, "") or "10 years" in refused.value.errors.get(
        field, ""
    )


def test_the_engagement_api_refuses_year_one(cast: Cast) -> None:
    answer = client_for(cast.dave).post(
        "/api/v1/filings/engagements",
        json.dumps(
            {
                "enterprise_id": cast.ent_a.pk,
                "agency_id": cast.agency.pk,
                "valid_from": "0001-01-01",
            }
        ),
        content_type="application/json",
    )
    assert answer.status_code == 422, answer.content
    assert "valid_from" in answer.json().get("errors", {})
