"""Jobs of entity filing; each calls a service that claims its rows, so that two workers never
act twice on one filing."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from ipcenter.centers.models import today
from ipcenter.filings.services import (
    filings_activate_due,
    filings_lift_expired,
    filings_recheck_due,
    quotas_for_new_year,
    sanctions_for_last_year,
)


@db_periodic_task(crontab(hour="1", minute="10"))
def filings_daily() -> dict[str, int]:
    """Every night: approved filings come into force, ended suspensions are lifted, annual
    re-checks that fell due are run."""
    return {
        "activated": filings_activate_due(),
        "lifted": filings_lift_expired(),
        "rechecked": filings_recheck_due(),
    }


@db_periodic_task(crontab(month="1", day="1", hour="2", minute="0"))
def filings_new_year() -> dict[str, int]:
    """On 1 January: sanctions for the year that ended, then the new year's quotas (a filing
    cancelled by a sanction gets none)."""
    sanctions = sanctions_for_last_year()
    return {"sanctions": sanctions, "quotas": quotas_for_new_year(year=today().year)}
