"""Who may read the content of an audit row: whoever may read its subject.

An audit row keeps references (tag, who, when, subject type and id, center, organization) that
every reader of the audit log sees. Its content (old and new values, the subject's label) may
copy confidential text, so it is shown only to a reader entitled to the subject itself. Each
area registers, for the models it audits, the function that states who may read them (the same
`<things>_visible_to(user)` queryset its pages and API fetch through), in its AppConfig.ready;
the audit app imports no business area. A subject type nobody registered is confidential to
everyone: a new audited model stays hidden until its area says who may read it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import CharField, Model, Q
from django.db.models.functions import Cast

from ipcenter.audit.models import AuditEvent
from ipcenter.lib.visibility import (
    VisibleTo,
    readable_ids,
    register_visibility,
    visibility_rules,
)

# Subject model labels ("accounts.user") whose rows carry nothing confidential: every reader of
# the audit row may read its content. The confidential ones are in ipcenter.lib.visibility.
_OPEN: set[str] = set()


def register_subject(model: type[Model], visible_to: VisibleTo) -> None:
    """Audit rows about `model` show their content only to users for whom `visible_to(user)`
    holds the object. The same rule serves idempotent replays (ipcenter.lib.visibility)."""
    register_visibility(model, visible_to)


def register_open_subject(model: type[Model]) -> None:
    """Audit rows about `model` carry nothing confidential (people, tokens, center settings):
    every reader of the row sees its content."""
    _OPEN.add(model._meta.label_lower)


def reveal(user: Any, events: Iterable[AuditEvent]) -> list[AuditEvent]:
    """The events, each marked `content_hidden` and emptied of content unless the user may read
    its subject. One query per confidential subject type among them."""
    events = list(events)
    wanted: dict[str, set[str]] = defaultdict(set)
    for event in events:
        if event.subject_type not in _OPEN:
            wanted[event.subject_type].add(event.subject_id)
    readable = {
        subject_type: readable_ids(user, subject_type, ids) for subject_type, ids in wanted.items()
    }
    for event in events:
        if event.subject_type in _OPEN or event.subject_id in readable[event.subject_type]:
            event.content_hidden = False
            continue
        # Only this in-memory copy is emptied: the row itself is append-only.
        event.content_hidden = True
        event.subject_label = ""
        event.old = None
        event.new = None
    return events


def readable_content(user: Any) -> Q:
    """Rows whose content the user may read, as a condition on AuditEvent (for searches in the
    content, so that a search cannot confirm text the user is not shown)."""
    condition = Q(pk__in=[])
    for subject_type in _OPEN:
        condition |= Q(subject_type=subject_type)
    for subject_type, visible_to in visibility_rules():
        if subject_type in _OPEN:
            continue
        ids = visible_to(user).annotate(_audit_id=Cast("pk", CharField())).values("_audit_id")
        condition |= Q(subject_type=subject_type, subject_id__in=ids)
    return condition
