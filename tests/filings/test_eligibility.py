"""Every eligibility rule, passing and failing, with its reason; and the rules read from the
center's settings and field list in force."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.utils import translation

from ipcenter.centers.services import center_settings_change
from ipcenter.filings import services
from ipcenter.filings.eligibility import (
    Facts,
    Finding,
    RuleResult,
    Thresholds,
    area_units,
    area_within,
    check_filing,
    evaluate,
    industry_matches,
    stored_results,
)
from ipcenter.filings.models import FindingKind
from tests.conftest import Cast
from tests.filings.factories import TODAY, draft, png, submitted

T = Thresholds(
    min_age_years=1,
    min_insured_staff=5,
    min_granted_inventions=1,
    min_granted_utility_designs=3,
    clean_record_years=2,
)
GOOD = Facts(
    on=TODAY,
    center_area="上海市",
    registered_area="上海市闵行区",
    founded_on=dt.date(2020, 1, 1),
    insured_staff=5,
    industry_codes=("A61K 31/00",),
    field_list=("A61K", "B25J"),
    has_rd_team=True,
    has_ip_system=True,
    findings=(),
    granted_inventions=1,
    granted_utility_designs=0,
    is_university=False,
    attached_purposes=frozenset(
        {"business_licence", "ip_rules", "staff_proof", "integrity_pledge", "authorisation"}
    ),
)


def results(**changes: object) -> dict[str, RuleResult]:
    facts = dataclasses.replace(GOOD, **changes)  # type: ignore[arg-type]
    return {r.rule: r for r in evaluate(facts, T)}


def test_a_good_enterprise_meets_every_rule() -> None:
    got = results()
    assert all(r.passed for r in got.values()), [r.detail for r in got.values() if not r.passed]
    assert set(got) == {
        "area",
        "age",
        "insured_staff",
        "industry",
        "rd_team",
        "ip_system",
        "clean_record",
        "granted_patents",
        "documents",
    }


# --- areas ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("area", "center", "inside"),
    [
        ("上海市浦东新区", "上海市", True),
        ("上海市浦东新区张江镇", "上海市浦东新区", True),
        ("中国上海市 闵行区", "上海市", True),
        ("上海市", "上海市", True),
        ("上海市闵行区", "上海市浦东新区", False),
        ("浦东新区", "上海市", False),  # written without its city: not recognised
        ("江苏省苏州市", "上海市", False),
        ("上海市郊", "上海市郊区", False),
        ("", "上海市", False),
        ("上海市", "", False),
    ],
)
def test_area_containment(area: str, center: str, inside: bool) -> None:
    assert area_within(area, center) is inside


def test_area_units() -> None:
    assert area_units("广西壮族自治区南宁市青秀区") == ["广西壮族自治区", "南宁市", "青秀区"]
    assert area_units("上海市浦东新区张江路88号") == ["上海市", "浦东新区", "张江路88号"]


def test_area_rule() -> None:
    assert results()["area"].passed
    failed = results(registered_area="江苏省苏州市")["area"]
    assert not failed.passed
    with translation.override("en"):
        assert "江苏省苏州市" in failed.detail and "not inside" in failed.detail


# --- the other rules ------------------------------------------------------------------------


def test_age_rule() -> None:
    assert results(founded_on=dt.date(2025, 3, 2))["age"].passed  # exactly one year
    young = results(founded_on=dt.date(2025, 3, 3))["age"]
    assert not young.passed
    with translation.override("en"):
        assert "2026-03-03" in young.detail


def test_insured_staff_rule() -> None:
    assert results(insured_staff=5)["insured_staff"].passed
    few = results(insured_staff=4)["insured_staff"]
    assert not few.passed
    with translation.override("en"):
        assert few.detail == "4 insured staff: at least 5 are needed."


def test_industry_rule() -> None:
    assert results(industry_codes=("B25J 9/16",))["industry"].passed
    # A whole subclass overlapping a listed main group counts too.
    assert industry_matches(["A61K"], ["A61K 31/00"]) == ["A61K"]
    outside = results(industry_codes=("H04L 29/06",))["industry"]
    assert not outside.passed
    none = results(industry_codes=())["industry"]
    no_list = results(field_list=None)["industry"]
    with translation.override("en"):
        assert "H04L 29/06" in outside.detail
        assert none.detail == "No industry (IPC) code is given."
        assert no_list.detail == "The center has no technical-field list in force."
    assert not none.passed and not no_list.passed


def test_rd_team_and_ip_system_rules() -> None:
    assert not results(has_rd_team=False)["rd_team"].passed
    assert not results(has_ip_system=False)["ip_system"].passed
    with translation.override("en"):
        assert "does not declare a real R&D team" in results(has_rd_team=False)["rd_team"].detail


@pytest.mark.parametrize("kind", FindingKind.values)
def test_clean_record_rule(kind: str) -> None:
    recent = Finding(kind=kind, found_on=dt.date(2024, 3, 3), label="finding")
    old = Finding(kind=kind, found_on=dt.date(2024, 3, 2), label="finding")
    assert results(findings=(old,))["clean_record"].passed  # two years ago to the day
    failed = results(findings=(recent,))["clean_record"]
    assert not failed.passed
    with translation.override("en"):
        assert "finding (2024-03-03)" in failed.detail


def test_granted_patent_rule() -> None:
    assert results(granted_inventions=1, granted_utility_designs=0)["granted_patents"].passed
    assert results(granted_inventions=0, granted_utility_designs=3)["granted_patents"].passed
    failed = results(granted_inventions=0, granted_utility_designs=2)["granted_patents"]
    assert not failed.passed
    with translation.override("en"):
        assert failed.detail.startswith("Only 0 granted invention(s) and 2")


def test_cooperation_proof_rule_for_universities_only() -> None:
    assert "cooperation_proof" not in results()
    missing = results(is_university=True)["cooperation_proof"]
    assert not missing.passed
    shown = results(
        is_university=True, attached_purposes=GOOD.attached_purposes | {"cooperation_proof"}
    )
    assert shown["cooperation_proof"].passed


def test_documents_rule_names_what_is_missing() -> None:
    failed = results(attached_purposes=frozenset({"business_licence", "ip_rules"}))["documents"]
    assert not failed.passed
    with translation.override("en"):
        assert failed.detail == (
            "Missing: Staff and insurance proof, Integrity pledge, Contact-person authorisation."
        )


# --- from the database ----------------------------------------------------------------------


def test_submit_stores_the_results_with_their_reasons(cast: Cast) -> None:
    filing = submitted(cast, insured_staff=3)
    stored = {r.rule: r for r in stored_results(filing)}
    assert not stored["insured_staff"].passed
    assert stored["area"].passed and stored["industry"].passed
    row = next(r for r in filing.eligibility if r["rule"] == "insured_staff")
    assert row["detail"] == "3 insured staff: at least 5 are needed."
    assert filing.eligibility_checked_at is not None


def test_findings_on_record_fail_the_clean_record(cast: Cast) -> None:
    filing = draft(cast)
    services.finding_record(
        actor=cast.alice,
        organization=cast.ent_a,
        center=cast.shanghai,
        kind=FindingKind.CREDIT_LOSS,
        found_on=dt.date(2025, 12, 1),
        source="信用中国",
    )
    got = {r.rule: r for r in check_filing(filing)}
    assert not got["clean_record"].passed


def test_the_center_settings_in_force_set_the_thresholds(cast: Cast) -> None:
    filing = draft(cast, insured_staff=8)
    assert {r.rule: r for r in check_filing(filing)}["insured_staff"].passed
    center_settings_change(
        center=cast.shanghai,
        actor=cast.alice,
        values={"filing_min_insured_staff": 10},
        reason="stricter",
    )
    assert not {r.rule: r for r in check_filing(filing)}["insured_staff"].passed


def test_the_field_list_in_force_decides_the_industry(cast: Cast) -> None:
    filing = draft(cast, industry_codes=["H04L"])
    assert not {r.rule: r for r in check_filing(filing)}["industry"].passed


def test_a_university_attaches_its_cooperation_proof(cast: Cast) -> None:
    filing = draft(cast, entity_kind="university")
    assert not {r.rule: r for r in check_filing(filing)}["cooperation_proof"].passed
    services.filing_attach_document(
        actor=cast.dave, filing=filing, purpose="cooperation_proof", upload=png()
    )
    assert {r.rule: r for r in check_filing(filing)}["cooperation_proof"].passed
