"""Who may read which objects, by model label: the one registry of each area's
`<things>_visible_to(user)` queryset. Areas register through
ipcenter.audit.subjects.register_subject (in their AppConfig.ready), so that infrastructure that
must not import business areas (the audit log, idempotent replays) can ask whether a user may
still read an object."""

from __future__ import annotations

from collections.abc import Callable, Collection, ItemsView
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet

VisibleTo = Callable[[Any], QuerySet[Any]]

_VISIBLE: dict[str, VisibleTo] = {}


def register_visibility(model: type[Model] | str, visible_to: VisibleTo) -> None:
    label = model if isinstance(model, str) else model._meta.label_lower
    _VISIBLE[label.lower()] = visible_to


def visibility_rules() -> ItemsView[str, VisibleTo]:
    """Every registered (model label, visible_to)."""
    return _VISIBLE.items()


def readable_ids(user: Any, label: str, ids: Collection[Any]) -> set[str]:
    """Those of `ids` (keys of model `label`) that `user` may read, as strings. A model that
    nobody registered is readable by no one; an id that is not a valid key is nobody's."""
    visible_to = _VISIBLE.get(label.lower())
    if visible_to is None or not ids:
        return set()
    try:
        return {str(pk) for pk in visible_to(user).filter(pk__in=ids).values_list("pk", flat=True)}
    except (ValidationError, ValueError, TypeError):
        return set()


def may_read(user: Any, label: str, pk: Any) -> bool:
    """Whether `user` may read the object `pk` of model `label` ("preexam.case"). A model that
    nobody registered is readable by no one."""
    visible_to = _VISIBLE.get(label.lower())
    if visible_to is None or pk is None:
        return False
    try:
        return bool(visible_to(user).filter(pk=pk).exists())
    except (ValidationError, ValueError, TypeError):
        return False
