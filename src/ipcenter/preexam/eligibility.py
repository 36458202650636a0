"""Whether a case may enter pre-examination at a center (DOMAIN.md section 2, case conditions).

`case_eligibility()` evaluates every rule and returns them all, passed or not, so that a refusal
lists each failed rule with its reason and a dry run shows the whole picture.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import asdict, dataclass
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ipcenter.accounts.models import Organization
from ipcenter.centers.models import Center, FieldScheme
from ipcenter.centers.selectors import field_list_in_force
from ipcenter.filings.selectors import agency_refusal, filing_in_force, quota_left
from ipcenter.patents.ipc import IpcError, IpcFieldList
from ipcenter.patents.locarno import LocarnoError, locarno_in_field_list
from ipcenter.preexam.models import Case, CaseState, PatentType

# The rules in the order they are shown, with their names for people.
RULES: dict[str, Any] = {
    "first_applicant": gettext_lazy("The first applicant is a filed, active entity of the center"),
    "field_list": gettext_lazy("The main classification is in the center's technical fields"),
    "not_pct": gettext_lazy("Not a PCT application"),
    "not_divisional": gettext_lazy("Not a divisional application"),
    "no_same_day_dual": gettext_lazy(
        "No same-day invention and utility model filing for the same invention"
    ),
    "quota": gettext_lazy("Pre-examination quota left this year"),
    "agency": gettext_lazy("The agency is registered and on the guarantee list"),
}


@dataclass(frozen=True)
class RuleResult:
    rule: str
    passed: bool
    detail: str

    @property
    def label(self) -> str:
        return str(RULES.get(self.rule, self.rule))

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"label": self.label}


@dataclass(frozen=True)
class EligibilityInput:
    """What the rules look at: the request data and, where known, claim 1 of the documents."""

    center: Center
    organization: Organization
    patent_type: str
    main_code: str  # normalised IPC symbol or Locarno code
    applicants: tuple[str, ...]
    title: str
    is_pct: bool = False
    is_divisional: bool = False
    same_day_dual_filing: bool = False
    claim1: str = ""
    agency: Organization | None = None
    on: dt.date | None = None


_PUNCT = re.compile(r"[\W_]+", re.UNICODE)


def normalise_text(text: str) -> str:
    """Case, width, whitespace and punctuation folded, for comparing titles and claims."""
    return _PUNCT.sub("", unicodedata.normalize("NFKC", text).casefold())


def _same_name(a: str, b: str) -> bool:
    return bool(a) and normalise_text(a) == normalise_text(b)


def case_eligibility(data: EligibilityInput) -> list[RuleResult]:
    """Every rule's result, in RULES order (the agency rule only for an agent's submission)."""
    on = data.on or timezone.localdate()
    results = [
        _first_applicant(data),
        _field_list(data, on),
        RuleResult(
            "not_pct",
            not data.is_pct,
            "" if not data.is_pct else _("PCT applications cannot be pre-examined."),
        ),
        RuleResult(
            "not_divisional",
            not data.is_divisional,
            "" if not data.is_divisional else _("Divisional applications cannot be pre-examined."),
        ),
        _same_day_dual(data, on),
        _quota(data, on),
    ]
    if data.agency is not None:
        refusal = agency_refusal(agency=data.agency, center=data.center)
        results.append(RuleResult("agency", refusal is None, refusal or ""))
    return results


def failed(results: list[RuleResult]) -> list[RuleResult]:
    return [r for r in results if not r.passed]


def _first_applicant(data: EligibilityInput) -> RuleResult:
    filing = filing_in_force(organization=data.organization, center=data.center)
    lang = translation.get_language() or "zh-hans"
    if filing is None:
        return RuleResult(
            "first_applicant",
            False,
            _("%(org)s has no active filing with %(center)s.")
            % {
                "org": data.organization.localized_name(lang),
                "center": data.center.localized_name(lang),
            },
        )
    first = data.applicants[0] if data.applicants else ""
    names = (filing.legal_name, data.organization.name, data.organization.name_en)
    if not any(_same_name(first, name) for name in names):
        return RuleResult(
            "first_applicant",
            False,
            _("The first applicant must be the filed entity %(name)s, not “%(first)s”.")
            % {"name": filing.legal_name, "first": first},
        )
    return RuleResult("first_applicant", True, filing.legal_name)


def _field_list(data: EligibilityInput, on: dt.date) -> RuleResult:
    version = field_list_in_force(center=data.center, on=on)
    if version is None:
        return RuleResult(
            "field_list", False, _("The center has no technical-field list in force.")
        )
    try:
        if data.patent_type == PatentType.DESIGN:
            covered = locarno_in_field_list(data.main_code, version.symbols(FieldScheme.LOCARNO))
        else:
            covered = IpcFieldList(version.symbols(FieldScheme.IPC)).covers(data.main_code)
    except (IpcError, LocarnoError):
        covered = False
    if not covered:
        return RuleResult(
            "field_list",
            False,
            _("%(code)s is not in the center's technical fields in force on %(date)s.")
            % {"code": data.main_code, "date": on.isoformat()},
        )
    return RuleResult("field_list", True, data.main_code)


# The type a same-day filing for the same invention would have.
_DUAL_TYPES: dict[str, str] = {
    PatentType.INVENTION: PatentType.UTILITY_MODEL,
    PatentType.UTILITY_MODEL: PatentType.INVENTION,
}


def first_claim(parsed: dict[str, Any]) -> str:
    claims = parsed.get("claims") or []
    return str(claims[0].get("text") or "") if claims else ""


def _same_day_dual(data: EligibilityInput, on: dt.date) -> RuleResult:
    if data.same_day_dual_filing:
        return RuleResult(
            "no_same_day_dual",
            False,
            _(
                "An invention and a utility model filed on the same day for the same invention "
                "cannot be pre-examined."
            ),
        )
    other = _DUAL_TYPES.get(data.patent_type)
    if other is None:
        return RuleResult("no_same_day_dual", True, "")
    title = normalise_text(data.title)
    claim1 = normalise_text(data.claim1)
    candidates = (
        Case.objects.filter(
            organization=data.organization,
            patent_type=other,
            submitted_at__date=on,
        )
        .exclude(state=CaseState.WITHDRAWN)
        .prefetch_related("versions")
    )
    for case in candidates:
        same_title = bool(title) and normalise_text(case.title) == title
        first = next((v for v in case.versions.all() if v.number == 1), None)
        same_claim = (
            bool(claim1)
            and first is not None
            and (normalise_text(first_claim(first.parsed)) == claim1)
        )
        if same_title or same_claim:
            names = {
                "reference": case.reference,
                "type": PatentType(case.patent_type).label,
                "what": _("title") if same_title else _("claim 1"),
            }
            # An agency learns the reference only of a case it filed itself: the enterprise's
            # other cases are not the agency's to read.
            if data.agency is not None and case.agency_id != data.agency.pk:
                return RuleResult(
                    "no_same_day_dual",
                    False,
                    _("A %(type)s was submitted today for the same invention (same %(what)s).")
                    % names,
                )
            return RuleResult(
                "no_same_day_dual",
                False,
                _(
                    "%(reference)s (%(type)s) was submitted today for the same invention "
                    "(same %(what)s)."
                )
                % names,
            )
    return RuleResult("no_same_day_dual", True, "")


def _quota(data: EligibilityInput, on: dt.date) -> RuleResult:
    left = quota_left(organization=data.organization, center=data.center, year=on.year)
    if left <= 0:
        return RuleResult(
            "quota",
            False,
            _("No pre-examination quota is left for %(year)d.") % {"year": on.year},
        )
    return RuleResult(
        "quota", True, _("%(left)d cases left in %(year)d.") % {"left": left, "year": on.year}
    )
