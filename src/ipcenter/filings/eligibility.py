"""The automatic eligibility checks of an entity filing (DOMAIN.md section 1).

Each rule is a plain function over `Facts` (what the filing declares and what is on record) and
`Thresholds` (the center's settings in force), returning a `RuleResult`. `check_filing()` gathers
both from the database and runs every rule that applies. Results are stored on the filing as
JSON with their parameters, so that a page shows each reason again in its reader's language.

Area containment (`area_within`): an administrative area is written in Chinese from the top
level down, as on the business licence ("上海市浦东新区张江镇"). Both strings are split into
units at the administrative suffixes (省, 自治区, 特别行政区, 市, 州, 盟, 新区, 区, 县, 旗, 镇, 乡,
街道); the entity is inside the center's area when the center's units are the first units of the
entity's. So an enterprise in "上海市浦东新区" is inside "上海市" and inside "上海市浦东新区",
but not inside "上海市闵行区"; "浦东新区" written without its city is not recognised as inside
"上海市" (the form asks for the full area). Leading "中国", spaces and full-width forms are ignored.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from ipcenter.patents.ipc import IpcError, IpcFieldList, parse_ipc

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as Promise

    from ipcenter.filings.models import EntityFiling


# --- areas ----------------------------------------------------------------------------------

_UNIT_RE = re.compile(
    r".+?(?:特别行政区|自治区|自治州|自治县|新区|街道|省|市|州|盟|区|县|旗|镇|乡)"
)


def area_units(area: str) -> list[str]:
    """ "上海市浦东新区张江镇" -> ["上海市", "浦东新区", "张江镇"]; any tail is one more unit."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", area or ""))
    text = text.removeprefix("中华人民共和国").removeprefix("中国")
    units = _UNIT_RE.findall(text)
    rest = text[sum(len(u) for u in units) :]
    return [*units, rest] if rest else units


def area_within(area: str, center_area: str) -> bool:
    """Whether `area` lies inside `center_area` (see the module's docstring)."""
    inner, outer = area_units(area), area_units(center_area)
    return bool(outer) and inner[: len(outer)] == outer


# --- results --------------------------------------------------------------------------------

RULE_LABELS: dict[str, Promise] = {
    "area": _("Registered in the center's area"),
    "age": _("Founded long enough ago"),
    "insured_staff": _("Insured staff"),
    "industry": _("Industry in the center's technical fields"),
    "rd_team": _("Real R&D team"),
    "ip_system": _("IP management system"),
    "clean_record": _("No adverse finding"),
    "granted_patents": _("Granted patents as first applicant"),
    "cooperation_proof": _("Industry-cooperation proof"),
    "documents": _("Required documents"),
}

# (rule, passed) -> the reason, formatted with the result's params.
MESSAGES: dict[tuple[str, bool], Promise] = {
    ("area", True): _("Registered in %(area)s, inside the center's area %(center_area)s."),
    ("area", False): _(
        "Registered in %(area)s, which is not inside the center's area %(center_area)s."
    ),
    ("age", True): _("Founded on %(founded_on)s: at least %(years)s year(s) ago."),
    ("age", False): _(
        "Founded on %(founded_on)s: less than %(years)s year(s) ago (eligible from %(from)s)."
    ),
    ("insured_staff", True): _("%(staff)s insured staff (at least %(minimum)s needed)."),
    ("insured_staff", False): _("%(staff)s insured staff: at least %(minimum)s are needed."),
    ("industry", True): _("%(matched)s within the center's field list in force."),
    ("industry", False): _("None of %(codes)s is within the center's field list in force."),
    ("industry_none", False): _("No industry (IPC) code is given."),
    ("industry_nolist", False): _("The center has no technical-field list in force."),
    ("rd_team", True): _("The entity declares a real R&D team."),
    ("rd_team", False): _("The entity does not declare a real R&D team."),
    ("ip_system", True): _("The entity declares an IP management system."),
    ("ip_system", False): _("The entity does not declare an IP management system."),
    ("clean_record", True): _(
        "No credit-loss, abnormal-filing or wilful-infringement finding since %(since)s."
    ),
    ("clean_record", False): _("Adverse finding(s) since %(since)s: %(findings)s."),
    ("granted_patents", True): _(
        "%(inventions)s granted invention(s) and %(utility)s utility model(s)/design(s): "
        "at least %(min_inventions)s invention(s) or %(min_utility)s utility models/designs "
        "are needed."
    ),
    ("granted_patents", False): _(
        "Only %(inventions)s granted invention(s) and %(utility)s utility model(s)/design(s): "
        "at least %(min_inventions)s invention(s) or %(min_utility)s utility models/designs "
        "are needed."
    ),
    ("cooperation_proof", True): _("An industry-cooperation proof is attached."),
    ("cooperation_proof", False): _(
        "A university or research institute must attach an industry-cooperation proof."
    ),
    ("documents", True): _("All required documents are attached."),
    ("documents", False): _("Missing: %(missing)s."),
}


@dataclass(frozen=True)
class RuleResult:
    rule: str
    passed: bool
    params: Mapping[str, Any] = field(default_factory=dict)
    # Some rules fail for more than one reason; the message key then differs from the rule.
    message: str = ""

    @property
    def label(self) -> str:
        return str(RULE_LABELS.get(self.rule, self.rule))

    @property
    def detail(self) -> str:
        """The reason, in the active language."""
        template = MESSAGES.get((self.message or self.rule, self.passed))
        if template is None:
            return ""
        return str(template) % {k: _display(k, v) for k, v in self.params.items()}

    def as_json(self) -> dict[str, Any]:
        with override("en"):
            detail = self.detail
        return {
            "rule": self.rule,
            "passed": self.passed,
            "params": dict(self.params),
            "message": self.message,
            "detail": detail,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RuleResult:
        return cls(
            rule=str(data.get("rule", "")),
            passed=bool(data.get("passed")),
            params=dict(data.get("params") or {}),
            message=str(data.get("message") or ""),
        )


def _purpose_label(value: str) -> str:
    from ipcenter.filings.models import FilingDocumentPurpose

    return (
        str(FilingDocumentPurpose(value).label) if value in FilingDocumentPurpose.values else value
    )


def _display(key: str, value: Any) -> str:
    """A parameter as shown: lists joined, document purposes by their translated label."""
    if isinstance(value, list | tuple):
        return ", ".join(_display(key, v) for v in value)
    if key == "missing":
        return _purpose_label(str(value))
    return str(value)


def stored_results(filing: EntityFiling) -> list[RuleResult]:
    return [RuleResult.from_json(row) for row in filing.eligibility or []]


def failed(results: Iterable[RuleResult]) -> list[RuleResult]:
    return [r for r in results if not r.passed]


# --- the rules ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Thresholds:
    min_age_years: int
    min_insured_staff: int
    min_granted_inventions: int
    min_granted_utility_designs: int
    clean_record_years: int

    @classmethod
    def from_settings(cls, values: Mapping[str, int]) -> Thresholds:
        return cls(
            min_age_years=values["filing_min_age_years"],
            min_insured_staff=values["filing_min_insured_staff"],
            min_granted_inventions=values["filing_min_granted_inventions"],
            min_granted_utility_designs=values["filing_min_granted_utility_designs"],
            clean_record_years=values["filing_clean_record_years"],
        )


@dataclass(frozen=True)
class Finding:
    kind: str  # a FindingKind value
    found_on: dt.date
    label: str


@dataclass(frozen=True)
class Facts:
    on: dt.date
    center_area: str
    registered_area: str
    founded_on: dt.date
    insured_staff: int
    industry_codes: tuple[str, ...]
    field_list: tuple[str, ...] | None  # IPC entries in force; None without a list
    has_rd_team: bool
    has_ip_system: bool
    findings: tuple[Finding, ...]
    granted_inventions: int
    granted_utility_designs: int
    is_university: bool
    attached_purposes: frozenset[str]


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def rule_area(f: Facts, t: Thresholds) -> RuleResult:
    params = {"area": f.registered_area, "center_area": f.center_area}
    return RuleResult("area", area_within(f.registered_area, f.center_area), params)


def rule_age(f: Facts, t: Thresholds) -> RuleResult:
    eligible_from = years_before(f.founded_on, -t.min_age_years)
    params = {
        "founded_on": f.founded_on.isoformat(),
        "years": t.min_age_years,
        "from": eligible_from.isoformat(),
    }
    return RuleResult("age", eligible_from <= f.on, params)


def rule_insured_staff(f: Facts, t: Thresholds) -> RuleResult:
    params = {"staff": f.insured_staff, "minimum": t.min_insured_staff}
    return RuleResult("insured_staff", f.insured_staff >= t.min_insured_staff, params)


def industry_matches(codes: Iterable[str], entries: Iterable[str]) -> list[str]:
    """The codes that fall within the field list. A code matches when the list covers it, or
    when it names a whole subclass of which the list holds a part (the entity's business then
    overlaps the center's fields)."""
    entry_list = list(entries)
    compiled = IpcFieldList(entry_list)
    subclasses = {parse_ipc(e).subclass_code for e in entry_list}
    matched = []
    for code in codes:
        try:
            symbol = parse_ipc(code)
        except IpcError:
            continue
        if compiled.covers(symbol) or (
            symbol.is_subclass_only and symbol.subclass_code in subclasses
        ):
            matched.append(str(symbol))
    return matched


def rule_industry(f: Facts, t: Thresholds) -> RuleResult:
    if not f.industry_codes:
        return RuleResult("industry", False, {}, message="industry_none")
    if f.field_list is None:
        return RuleResult("industry", False, {}, message="industry_nolist")
    matched = industry_matches(f.industry_codes, f.field_list)
    params = {"codes": list(f.industry_codes), "matched": matched}
    return RuleResult("industry", bool(matched), params)


def rule_rd_team(f: Facts, t: Thresholds) -> RuleResult:
    return RuleResult("rd_team", f.has_rd_team)


def rule_ip_system(f: Facts, t: Thresholds) -> RuleResult:
    return RuleResult("ip_system", f.has_ip_system)


def rule_clean_record(f: Facts, t: Thresholds) -> RuleResult:
    since = years_before(f.on, t.clean_record_years)
    recent = [x for x in f.findings if x.found_on > since] if t.clean_record_years else []
    params = {
        "since": since.isoformat(),
        "findings": [f"{x.label} ({x.found_on.isoformat()})" for x in recent],
    }
    return RuleResult("clean_record", not recent, params)


def rule_granted_patents(f: Facts, t: Thresholds) -> RuleResult:
    passed = (
        f.granted_inventions >= t.min_granted_inventions
        or f.granted_utility_designs >= t.min_granted_utility_designs
    )
    params = {
        "inventions": f.granted_inventions,
        "utility": f.granted_utility_designs,
        "min_inventions": t.min_granted_inventions,
        "min_utility": t.min_granted_utility_designs,
    }
    return RuleResult("granted_patents", passed, params)


def rule_cooperation_proof(f: Facts, t: Thresholds) -> RuleResult | None:
    if not f.is_university:
        return None
    return RuleResult("cooperation_proof", "cooperation_proof" in f.attached_purposes)


REQUIRED_PURPOSES: tuple[str, ...] = (
    "business_licence",
    "ip_rules",
    "staff_proof",
    "integrity_pledge",
    "authorisation",
)


def missing_documents(purposes: Iterable[str]) -> list[str]:
    present = set(purposes)
    return [p for p in REQUIRED_PURPOSES if p not in present]


def rule_documents(f: Facts, t: Thresholds) -> RuleResult:
    missing = missing_documents(f.attached_purposes)
    return RuleResult("documents", not missing, {"missing": missing} if missing else {})


RULES: tuple[Callable[[Facts, Thresholds], RuleResult | None], ...] = (
    rule_area,
    rule_age,
    rule_insured_staff,
    rule_industry,
    rule_rd_team,
    rule_ip_system,
    rule_clean_record,
    rule_granted_patents,
    rule_cooperation_proof,
    rule_documents,
)


def evaluate(facts: Facts, thresholds: Thresholds) -> list[RuleResult]:
    results = (rule(facts, thresholds) for rule in RULES)
    return [r for r in results if r is not None]


# --- from the database ----------------------------------------------------------------------


def facts_of(filing: EntityFiling, *, on: dt.date) -> Facts:
    from ipcenter.centers.models import FieldScheme
    from ipcenter.centers.selectors import field_list_in_force
    from ipcenter.filings.models import EntityFinding, EntityKind

    version = field_list_in_force(center=filing.center, on=on)
    # Findings come from official sources about the organization: every center's count.
    findings = tuple(
        Finding(kind=x.kind, found_on=x.found_on, label=str(x.get_kind_display()))
        for x in EntityFinding.objects.filter(organization=filing.organization, found_on__lte=on)
    )
    return Facts(
        on=on,
        center_area=filing.center.area,
        registered_area=filing.registered_area,
        founded_on=filing.founded_on,
        insured_staff=filing.insured_staff,
        industry_codes=tuple(filing.industry_codes or ()),
        field_list=tuple(version.symbols(FieldScheme.IPC)) if version else None,
        has_rd_team=filing.has_rd_team,
        has_ip_system=filing.has_ip_system,
        findings=findings,
        granted_inventions=filing.granted_inventions,
        granted_utility_designs=filing.granted_utility_designs,
        is_university=filing.entity_kind == EntityKind.UNIVERSITY,
        attached_purposes=frozenset(filing.attachments.values_list("purpose", flat=True)),
    )


def check_filing(filing: EntityFiling, *, on: dt.date | None = None) -> list[RuleResult]:
    """Every rule that applies to the filing, judged by the center's settings in force `on`."""
    from ipcenter.centers.models import today
    from ipcenter.centers.selectors import center_settings

    day = on or today()
    thresholds = Thresholds.from_settings(center_settings(center=filing.center, on=day))
    return evaluate(facts_of(filing, on=day), thresholds)
