"""Home-page panels of this area (see ipcenter.web.home)."""

from __future__ import annotations

from django.contrib.humanize.templatetags.humanize import intcomma
from django.urls import reverse
from django.utils.translation import gettext as _

from ipcenter.accounts.models import Membership, User
from ipcenter.accounts.roles import Role
from ipcenter.navigation.selectors import corpus_size, recent_imports
from ipcenter.web.home import Panel, Row, panel


@panel(Role.NAVIGATION_ANALYST)
def corpus_imports(user: User, m: Membership) -> Panel:
    """The corpus's size and the latest imports, with their state and counts."""
    size = corpus_size()
    rows = [
        Row(
            title=_("%(n)s documents in the corpus") % {"n": intcomma(size["documents"])},
            detail=_("%(n)s waiting for the search index") % {"n": intcomma(size["pending"])}
            if size["pending"]
            else _("all in the search index"),
            url=reverse("navigation:search"),
        )
    ]
    for job in recent_imports(5):
        rows.append(
            Row(
                title=f"#{job.pk} {job.label}",
                detail=_(
                    "%(state)s · %(created)s created, %(updated)s updated, %(rejected)s rejected"
                )
                % {
                    "state": job.get_state_display(),
                    "created": intcomma(job.created),
                    "updated": intcomma(job.updated),
                    "rejected": intcomma(job.rejected),
                },
                url=reverse("navigation:import", args=[job.pk]),
            )
        )
    return Panel(
        title=_("Patent corpus"),
        rows=rows,
        more_url=reverse("navigation:imports"),
    )
