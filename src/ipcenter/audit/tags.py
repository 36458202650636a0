"""Human names for audit event tags. The tag stays the stable, searchable key."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ipcenter.filings import tags as filings_tags
from ipcenter.navigation import tags as navigation_tags
from ipcenter.preexam import tags as preexam_tags

EVENT_LABELS = {
    "accounts:session:login": _("Signed in"),
    "accounts:session:logout": _("Signed out"),
    "accounts:session:locked-out": _("Locked out after failed sign-ins"),
    "accounts:profile:changed": _("Profile changed"),
    "accounts:user:created": _("User created"),
    "accounts:user:activated": _("Account restored"),
    "accounts:user:deactivated": _("Account deactivated"),
    "accounts:organization:created": _("Organization created"),
    "accounts:role:granted": _("Role granted"),
    "accounts:role:revoked": _("Role revoked"),
    "accounts:role_request:requested": _("Role requested (awaiting a second person)"),
    "accounts:role_request:approved": _("Role request approved"),
    "accounts:role_request:rejected": _("Role request rejected"),
    "accounts:role_request:cancelled": _("Role request cancelled"),
    "accounts:token:created": _("API token created"),
    "accounts:token:revoked": _("API token revoked"),
    "accounts:totp:enrolled": _("Two-step sign-in set up"),
    "centers:settings:changed": _("Center rules changed"),
    "centers:fields:published": _("Field list published"),
    "documents:document:uploaded": _("Document uploaded"),
    "documents:document:viewed": _("Confidential document viewed"),
    "documents:document:downloaded": _("Confidential document downloaded"),
    "documents:document:granted": _("Document shared with an organization"),
}


# Each business area names its own events beside its code.
EVENT_LABELS |= filings_tags.EVENT_LABELS | preexam_tags.EVENT_LABELS | navigation_tags.EVENT_LABELS


def event_label(tag: str) -> str:
    return str(EVENT_LABELS.get(tag, tag))
