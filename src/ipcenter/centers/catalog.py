"""The per-center settings: every rule number of DOMAIN.md, with its default and limits.

Values are stored as versions (`CenterSettingsVersion`) with an effective-from date, so that a case
is judged by the rule in force on its date. This catalog is the only place a default lives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:  # the stubs name the lazy-string type; at run time it is Promise
    from django.utils.functional import _StrPromise as Promise
else:
    from django.utils.functional import Promise


@dataclass(frozen=True)
class SettingSpec:
    key: str
    label: str | Promise
    default: int
    minimum: int
    maximum: int
    unit: str | Promise
    group: str | Promise


WORKING_DAYS = _("working days")
DAYS = _("calendar days")
PERCENT = _("%")
COUNT = _("count")
YEARS = _("years")
MONTHS = _("months")
CHARS = _("characters")

G_FILING = _("Entity filing")
G_PREEXAM = _("Pre-examination")
G_SANCTIONS = _("Sanctions and quota")
G_DISPUTES = _("Rights protection and mediation")
G_REMINDERS = _("Reminders")

CATALOG: tuple[SettingSpec, ...] = (
    SettingSpec(
        "filing_min_age_years", _("Minimum age of the enterprise"), 1, 0, 20, YEARS, G_FILING
    ),
    SettingSpec(
        "filing_min_insured_staff", _("Minimum insured staff"), 5, 0, 10000, COUNT, G_FILING
    ),
    SettingSpec(
        "filing_min_granted_inventions",
        _("Granted inventions as first applicant"),
        1,
        0,
        1000,
        COUNT,
        G_FILING,
    ),
    SettingSpec(
        "filing_min_granted_utility_designs",
        _("Or granted utility models / designs as first applicant"),
        3,
        0,
        1000,
        COUNT,
        G_FILING,
    ),
    SettingSpec(
        "filing_clean_record_years",
        _("Years without credit-loss or abnormal findings"),
        2,
        0,
        10,
        YEARS,
        G_FILING,
    ),
    SettingSpec(
        "preexam_decision_days", _("Center decision deadline"), 7, 1, 60, WORKING_DAYS, G_PREEXAM
    ),
    SettingSpec(
        "preexam_amendment_days",
        _("Amendment deadline for the applicant"),
        5,
        1,
        60,
        WORKING_DAYS,
        G_PREEXAM,
    ),
    SettingSpec(
        "cnipa_filing_days",
        _("Filing with CNIPA after qualification"),
        10,
        1,
        60,
        WORKING_DAYS,
        G_PREEXAM,
    ),
    SettingSpec(
        "office_action_response_days",
        _("Fast-track office-action response"),
        10,
        1,
        60,
        WORKING_DAYS,
        G_PREEXAM,
    ),
    SettingSpec(
        "abstract_max_chars",
        _("Abstract length limit"),
        300,
        50,
        2000,
        CHARS,
        G_PREEXAM,
    ),
    SettingSpec(
        "default_annual_quota",
        _("Annual quota for a newly filed entity"),
        20,
        0,
        100000,
        COUNT,
        G_SANCTIONS,
    ),
    SettingSpec(
        "sanction_suspend_failure_rate",
        _("Failure rate that suspends an entity"),
        50,
        0,
        100,
        PERCENT,
        G_SANCTIONS,
    ),
    SettingSpec("sanction_suspend_months", _("Suspension length"), 6, 1, 60, MONTHS, G_SANCTIONS),
    SettingSpec(
        "sanction_cancel_failure_rate",
        _("Failure rate that cancels a filing"),
        70,
        0,
        100,
        PERCENT,
        G_SANCTIONS,
    ),
    SettingSpec(
        "sanction_cancel_abnormal_findings",
        _("Abnormal-filing findings that cancel a filing"),
        2,
        1,
        100,
        COUNT,
        G_SANCTIONS,
    ),
    SettingSpec(
        "sanction_min_decided_cases",
        _("Decided cases in the year before a failure rate counts"),
        5,
        1,
        1000,
        COUNT,
        G_SANCTIONS,
    ),
    SettingSpec(
        "ecommerce_determination_days",
        _("E-commerce complaint determination"),
        2,
        1,
        30,
        WORKING_DAYS,
        G_DISPUTES,
    ),
    SettingSpec(
        "mediation_start_days",
        _("Mediation starts after appointment within"),
        10,
        1,
        60,
        WORKING_DAYS,
        G_DISPUTES,
    ),
    SettingSpec("mediation_term_days", _("Mediation term"), 30, 1, 180, DAYS, G_DISPUTES),
    SettingSpec("mediation_extension_days", _("Mediation extension"), 30, 0, 180, DAYS, G_DISPUTES),
    SettingSpec(
        "judicial_confirmation_days",
        _("Apply for judicial confirmation within"),
        30,
        1,
        180,
        DAYS,
        G_DISPUTES,
    ),
    SettingSpec(
        "enforcement_accept_days",
        _("Enforcement office accepts within"),
        5,
        1,
        60,
        WORKING_DAYS,
        G_DISPUTES,
    ),
    SettingSpec(
        "reminder_days_before", _("Reminder before a deadline"), 2, 0, 30, WORKING_DAYS, G_REMINDERS
    ),
)

SPECS: dict[str, SettingSpec] = {spec.key: spec for spec in CATALOG}
DEFAULTS: dict[str, int] = {spec.key: spec.default for spec in CATALOG}


class SettingValueError(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def validate_values(values: dict[str, object]) -> dict[str, int]:
    """Check a complete or partial set of values against the catalog; return them as ints."""
    errors: dict[str, str] = {}
    clean: dict[str, int] = {}
    for key, raw in values.items():
        spec = SPECS.get(key)
        if spec is None:
            errors[key] = str(_("unknown setting"))
            continue
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            errors[key] = str(_("must be a whole number"))
            continue
        try:
            value = int(raw)
        except ValueError:
            errors[key] = str(_("must be a whole number"))
            continue
        if not spec.minimum <= value <= spec.maximum:
            errors[key] = str(
                _("must be between %(min)d and %(max)d")
                % {"min": spec.minimum, "max": spec.maximum}
            )
            continue
        clean[key] = value
    if errors:
        raise SettingValueError(errors)
    return clean
