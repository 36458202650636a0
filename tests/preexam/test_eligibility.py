"""Eligibility: each rule failing alone refuses the case with that rule and its reason; a dry run
shows every rule; a refusal lists every failed rule and stores nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ipcenter.filings.models import AgencyRegistration, EntityFiling, FilingState, Quota
from ipcenter.lib.errors import InvalidInput
from ipcenter.preexam import services
from ipcenter.preexam.eligibility import normalise_text
from ipcenter.preexam.models import Case, PatentType
from ipcenter.preexam.services import NotEligible
from tests.conftest import Cast, client_for
from tests.preexam.factories import (
    SAMPLE,
    active_filing,
    case_request,
    engaged,
    png_upload,
    ready,
    registered_agency,
    sample_upload,
    submitted_case,
)

# These tests read the English messages.
pytestmark = pytest.mark.usefixtures("in_english")


def _submit(cast: Cast, *, actor: Any = None, agency_for: Any = None, **changes: Any) -> Case:
    return services.case_submit(
        actor=actor or cast.erin,
        center=cast.shanghai,
        request=case_request(cast.ent_a, agency_for=agency_for, **changes),
        files=[("full", sample_upload())],
    )


def _refused_for(cast: Cast, rule: str, **kwargs: Any) -> NotEligible:
    with pytest.raises(NotEligible) as caught:
        _submit(cast, **kwargs)
    failed = [r.rule for r in caught.value.results if not r.passed]
    assert failed == [rule], failed
    assert rule in caught.value.errors and caught.value.status == 422
    assert not Case.objects.filter(title__icontains="refused").exists()
    return caught.value


def test_a_case_meeting_every_rule_is_taken(cast: Cast) -> None:
    ready(cast)
    results = services.case_check_eligibility(
        actor=cast.erin, center=cast.shanghai, request=case_request(cast.ent_a)
    )
    assert [r.rule for r in results] == [
        "first_applicant",
        "field_list",
        "not_pct",
        "not_divisional",
        "no_same_day_dual",
        "quota",
    ]
    assert all(r.passed for r in results)


def test_no_active_filing(cast: Cast) -> None:
    ready(cast)
    EntityFiling.objects.filter(organization=cast.ent_a).update(state=FilingState.SUSPENDED)
    error = _refused_for(cast, "first_applicant")
    assert "no active filing" in error.errors["first_applicant"]


def test_the_first_applicant_must_be_the_filed_entity(cast: Cast) -> None:
    ready(cast)
    error = _refused_for(cast, "first_applicant", applicants=["Someone Else Ltd", cast.ent_a.name])
    assert "Someone Else Ltd" in error.errors["first_applicant"]
    # The filed legal name and the English name count as the entity too.
    assert _submit(cast, applicants=["a co"]).pk


def test_a_filing_with_another_center_does_not_count(cast: Cast) -> None:
    ready(cast)
    EntityFiling.objects.filter(organization=cast.ent_a).delete()
    active_filing(cast.ent_a, cast.pudong)
    _refused_for(cast, "first_applicant")


def test_main_code_outside_the_field_list(cast: Cast) -> None:
    ready(cast)
    error = _refused_for(cast, "field_list", main_code="C07D 401/00")
    assert "C07D 401/00" in error.errors["field_list"]


def test_field_list_matches_by_ipc_prefix(cast: Cast) -> None:
    ready(cast)
    # The list names the subclass A61K; a group inside it is covered.
    assert _submit(cast, main_code="A61K 31/00").main_code == "A61K 31/00"


def test_design_locarno_class_outside_the_list(cast: Cast) -> None:
    ready(cast)
    with pytest.raises(NotEligible) as caught:
        services.case_submit(
            actor=cast.erin,
            center=cast.shanghai,
            request=case_request(cast.ent_a, patent_type=PatentType.DESIGN, main_code="14-02"),
            files=[("drawings", png_upload())],
        )
    assert [r.rule for r in caught.value.results if not r.passed] == ["field_list"]


def test_pct_is_refused(cast: Cast) -> None:
    ready(cast)
    _refused_for(cast, "not_pct", is_pct=True)


def test_divisional_is_refused(cast: Cast) -> None:
    ready(cast)
    _refused_for(cast, "not_divisional", is_divisional=True)


def test_declared_same_day_dual_filing_is_refused(cast: Cast) -> None:
    ready(cast)
    _refused_for(cast, "no_same_day_dual", same_day_dual_filing=True)


def test_same_day_utility_model_with_the_same_title_is_refused(cast: Cast) -> None:
    ready(cast)
    first = _submit(cast, patent_type=PatentType.UTILITY_MODEL)
    error = _refused_for(cast, "no_same_day_dual")
    assert first.reference in error.errors["no_same_day_dual"]


def test_same_day_utility_model_with_the_same_claim_1_is_refused(cast: Cast) -> None:
    ready(cast)
    _submit(cast, patent_type=PatentType.UTILITY_MODEL, title="A different title")
    error = _refused_for(cast, "no_same_day_dual", title="Yet another title")
    assert "claim 1" in error.errors["no_same_day_dual"]


def test_same_type_or_another_day_is_not_a_dual_filing(cast: Cast) -> None:
    ready(cast)
    first = _submit(cast)
    assert _submit(cast).pk != first.pk  # two inventions: no dual filing
    Case.objects.filter(pk=first.pk).update(patent_type=PatentType.UTILITY_MODEL)
    Case.objects.filter(pk=first.pk).update(submitted_at=first.submitted_at.replace(year=2020))
    assert _submit(cast).pk


def test_no_quota_left(cast: Cast) -> None:
    ready(cast)
    Quota.objects.filter(organization=cast.ent_a).update(base=1)
    _submit(cast)
    error = _refused_for(cast, "quota", title="A second case")
    assert "No pre-examination quota" in error.errors["quota"]


def test_a_quota_of_nothing(cast: Cast) -> None:
    ready(cast)
    Quota.objects.filter(organization=cast.ent_a).update(base=0)
    _refused_for(cast, "quota")


def test_an_unregistered_agency_is_refused(cast: Cast) -> None:
    ready(cast)
    engaged(cast.ent_a, cast.agency_b)
    error = _refused_for(cast, "agency", actor=cast.gina, agency_for=cast.ent_a)
    assert "not registered" in error.errors["agency"]


def test_an_agency_off_the_guarantee_list_is_refused(cast: Cast) -> None:
    ready(cast)
    AgencyRegistration.objects.filter(organization=cast.agency).update(on_guarantee_list=False)
    error = _refused_for(cast, "agency", actor=cast.grace, agency_for=cast.ent_a)
    assert "guarantee list" in error.errors["agency"]


def test_a_registered_agency_on_the_list_submits(cast: Cast) -> None:
    ready(cast)
    registered_agency(cast.agency_b, cast.shanghai)
    engaged(cast.ent_a, cast.agency_b)
    case = _submit(cast, actor=cast.gina, agency_for=cast.ent_a)
    assert case.agency == cast.agency_b


def test_every_failed_rule_is_listed(cast: Cast) -> None:
    ready(cast)
    Quota.objects.filter(organization=cast.ent_a).update(base=0)
    with pytest.raises(NotEligible) as caught:
        _submit(cast, is_pct=True, is_divisional=True, main_code="C07D 401/00")
    assert set(caught.value.errors) == {"field_list", "not_pct", "not_divisional", "quota"}
    assert not Case.objects.exists()


def test_an_enterprise_cannot_submit_for_another(cast: Cast) -> None:
    ready(cast)
    with pytest.raises(InvalidInput) as caught:
        _submit(cast, actor=cast.frank, agency_for=cast.ent_a)
    assert "applicant_organization_id" in caught.value.errors


def test_the_api_refusal_lists_every_failed_rule(cast: Cast) -> None:
    ready(cast)
    body = {
        "center": "shanghai",
        "title": "t",
        "patent_type": "invention",
        "applicants": [cast.ent_a.name],
        "inventors": ["I"],
        "main_code": "A61B 5/00",
        "is_pct": True,
        "is_divisional": True,
    }
    response = client_for(cast.erin).post(
        "/api/v1/preexam/cases", {"request": json.dumps(body), "full": sample_upload()}
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"not_pct", "not_divisional"}


def test_the_api_dry_run_shows_each_rule(cast: Cast) -> None:
    ready(cast)
    body = {
        "center": "shanghai",
        "title": "t",
        "patent_type": "invention",
        "applicants": [cast.ent_a.name],
        "inventors": ["I"],
        "main_code": "A61B 5/00",
        "is_pct": True,
    }
    response = client_for(cast.erin).post(
        "/api/v1/preexam/eligibility", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    by_rule = {r["rule"]: r for r in response.json()}
    assert by_rule["not_pct"]["passed"] is False and by_rule["quota"]["passed"] is True
    assert not Case.objects.exists()


def test_the_page_lists_failed_rules_above_the_form(cast: Cast) -> None:
    ready(cast)
    request = case_request(cast.ent_a)
    response = client_for(cast.erin).post(
        "/preexam/cases/new/",
        {
            "center": cast.shanghai.pk,
            "patent_type": "invention",
            "title": request.title,
            "applicants": cast.ent_a.name,
            "inventors": "\n".join(request.inventors),
            "main_code": "C07D 401/00",
            "is_pct": "on",
            "full": sample_upload(),
            "action": "submit",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="eligibility-failures"' in body
    assert 'data-rule="field_list"' in body and 'data-rule="not_pct"' in body
    assert not Case.objects.exists()


def test_the_page_dry_run_shows_success(cast: Cast) -> None:
    ready(cast)
    request = case_request(cast.ent_a)
    response = client_for(cast.erin).post(
        "/preexam/cases/new/",
        {
            "center": cast.shanghai.pk,
            "patent_type": "invention",
            "title": request.title,
            "applicants": cast.ent_a.name,
            "inventors": "\n".join(request.inventors),
            "main_code": request.main_code,
            "action": "check",
        },
    )
    assert 'data-testid="eligibility-passed"' in response.content.decode()
    assert not Case.objects.exists()


def test_normalised_titles_ignore_case_width_and_punctuation() -> None:
    assert normalise_text("Ａ Gripper, for ROBOTS!") == normalise_text("a gripper for robots")


def test_submitted_case_factory_works_for_agents(cast: Cast) -> None:
    case = submitted_case(cast, by_agent=True, name=SAMPLE)
    assert case.agency == cast.agency
