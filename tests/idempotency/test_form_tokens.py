"""Create forms sent twice with the same one-time token (a double click, a reload that sends the
form again) create one object, and the second send leads to what the first one did."""

from __future__ import annotations

from typing import Any

import pytest

from ipcenter.filings.models import Engagement, EntityFinding, FilingState
from tests.conftest import Cast, client_for
from tests.filings.factories import in_state

pytestmark = pytest.mark.usefixtures("in_english")


def _token_of(page: str, testid: str) -> str:
    """The one-time token of the form marked `testid` on the page."""
    assert f'data-testid="{testid}"' in page, f"no form {testid}"
    form = page.split(f'data-testid="{testid}"', 1)[1].split("</form>", 1)[0]
    marker = 'name="form_token" value="'
    assert marker in form, f"the form {testid} carries no one-time token"
    return form.split(marker, 1)[1].split('"', 1)[0]


def _twice(client: Any, path: str, data: dict[str, Any]) -> tuple[Any, Any]:
    return client.post(path, data), client.post(path, data)


def test_an_engagement_granted_twice_with_one_token_is_one_engagement(cast: Cast) -> None:
    dave = client_for(cast.dave)
    token = _token_of(dave.get("/filings/engagements/").content.decode(), "engagement-form")
    form = {
        "enterprise": cast.ent_a.pk,
        "agency": cast.agency.pk,
        "may_file": "on",
        "form_token": token,
    }
    first, again = _twice(dave, "/filings/engagements/", form)
    assert first.status_code == again.status_code == 302, first.content
    assert again["Location"] == first["Location"] == "/filings/engagements/"
    assert Engagement.objects.count() == 1
    # A fresh form is a new grant (of another agency: the same one again overlaps the first).
    token = _token_of(dave.get("/filings/engagements/").content.decode(), "engagement-form")
    again = {**form, "agency": cast.agency_b.pk, "form_token": token}
    assert dave.post("/filings/engagements/", again).status_code == 302
    assert Engagement.objects.count() == 2


def test_a_finding_recorded_twice_with_one_token_is_one_finding(cast: Cast) -> None:
    filing = in_state(cast, FilingState.ACTIVE)
    alice = client_for(cast.alice)
    page = alice.get(f"/filings/{filing.pk}/").content.decode()
    form = {
        "kind": "abnormal_filing",
        "found_on": "2026-01-05",
        "source": "CNIPA",
        "form_token": _token_of(page, "finding-form"),
    }
    first, again = _twice(alice, f"/filings/{filing.pk}/findings/", form)
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"] == f"/filings/{filing.pk}/"
    assert EntityFinding.objects.filter(organization=filing.organization).count() == 1
