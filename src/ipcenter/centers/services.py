"""Writes for centers: settings and technical-field lists. Each is atomic and audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ipcenter.accounts.access import require
from ipcenter.accounts.roles import Perm
from ipcenter.audit.services import audit_record
from ipcenter.centers.catalog import SettingValueError, validate_values
from ipcenter.centers.models import (
    Center,
    CenterSettingsVersion,
    FieldEntry,
    FieldListVersion,
    FieldScheme,
    today,
)
from ipcenter.centers.selectors import center_settings
from ipcenter.lib.errors import Conflict, InvalidInput
from ipcenter.patents.fields import normalise_field_symbols


def _tell_other_managers(
    *, center: Center, actor: Any, message: Promise, effective_from: dt.date, url: str
) -> None:
    """Every other manager of the center hears of a rule change, in their own language.

    `message` is a lazy translation with %(who)s, %(center)s and %(date)s; it is rendered under
    each recipient's language, the center's name included.
    """
    from ipcenter.accounts.models import User
    from ipcenter.accounts.roles import Role
    from ipcenter.notifications.services import notify

    who = actor.display_name() if hasattr(actor, "display_name") else "system"

    def subject() -> str:
        return str(message) % {
            "who": who,
            "center": center.localized_name(translation.get_language() or ""),
            "date": effective_from.isoformat(),
        }

    managers = User.objects.filter(
        memberships__center=center,
        memberships__role=Role.CENTER_MANAGER,
        memberships__is_active=True,
        is_active=True,
    )
    if getattr(actor, "pk", None) is not None:
        managers = managers.exclude(pk=actor.pk)
    for manager in managers.distinct():
        notify(recipient=manager, tag="centers:rules:changed", subject=subject, url=url)


def _not_in_the_past(effective_from: dt.date) -> None:
    # Past cases were judged by the rules in force then; a change may not rewrite that history.
    if effective_from < today():
        raise InvalidInput(
            _("A change cannot take effect in the past."),
            errors={"effective_from": str(_("Choose today or a later date."))},
        )


def center_settings_change(
    *,
    center: Center,
    actor: Any,
    values: dict[str, Any],
    effective_from: dt.date | None = None,
    reason: str = "",
) -> CenterSettingsVersion:
    """Set some of the center's rule numbers from `effective_from` (default: today)."""
    require(actor, Perm.CENTER_SETTINGS_CHANGE, center)
    effective_from = effective_from or today()
    _not_in_the_past(effective_from)
    try:
        clean = validate_values(values)
    except SettingValueError as exc:
        raise InvalidInput(_("Some settings are not valid."), errors=exc.errors) from exc
    if not reason.strip():
        raise InvalidInput(
            _("Give a reason for the change."), errors={"reason": str(_("This field is required."))}
        )

    with transaction.atomic():
        # Lock the center row: two managers saving at once must not both read the same
        # "before" values and then each write a version that ignores the other's change.
        Center.objects.select_for_update().get(pk=center.pk)
        before = center_settings(center=center, on=effective_from)
        after = {**before, **clean}
        changed = {k: v for k, v in after.items() if before.get(k) != v}
        if not changed:
            raise InvalidInput(_("Nothing was changed."))
        version, created = CenterSettingsVersion.objects.get_or_create(
            center=center,
            effective_from=effective_from,
            defaults={"values": after, "reason": reason, "created_by": actor},
        )
        if not created:
            version.values = after
            version.reason = reason
            version.created_by = actor
            version.save(update_fields=["values", "reason", "created_by"])
        audit_record(
            actor=actor,
            tag="centers:settings:changed",
            subject=version,
            old={k: before.get(k) for k in changed},
            new={**changed, "effective_from": effective_from, "reason": reason},
            center=center,
            organization=center.organization,
        )
        _tell_other_managers(
            center=center,
            actor=actor,
            message=_("%(who)s changed the rules of %(center)s from %(date)s"),
            effective_from=effective_from,
            url=reverse("centers:settings", args=[center.code]),
        )
    return version


def field_list_publish(
    *,
    center: Center,
    actor: Any,
    effective_from: dt.date,
    ipc: Iterable[str],
    locarno: Iterable[str] = (),
    note: str = "",
) -> FieldListVersion:
    """Publish a new version of the center's technical fields, in force from `effective_from`."""
    require(actor, Perm.CENTER_FIELDS_CHANGE, center)
    _not_in_the_past(effective_from)
    ipc_symbols, locarno_symbols, errors = normalise_field_symbols(ipc, locarno)
    if errors:
        raise InvalidInput(_("Some codes are not valid."), errors=errors)
    if not ipc_symbols and not locarno_symbols:
        raise InvalidInput(_("A field list needs at least one IPC or Locarno code."))
    return _field_list_create(
        center=center,
        actor=actor,
        effective_from=effective_from,
        ipc_symbols=ipc_symbols,
        locarno_symbols=locarno_symbols,
        note=note,
    )


@transaction.atomic
def _field_list_create(
    *,
    center: Center,
    actor: Any,
    effective_from: dt.date,
    ipc_symbols: list[str],
    locarno_symbols: list[str],
    note: str,
) -> FieldListVersion:
    previous = (
        FieldListVersion.objects.filter(center=center, effective_from__lte=effective_from)
        .order_by("-effective_from")
        .first()
    )
    try:
        with transaction.atomic():
            version = FieldListVersion.objects.create(
                center=center,
                effective_from=effective_from,
                note=note,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
    except IntegrityError as exc:
        raise Conflict(_("A version of the field list already takes effect on that date.")) from exc
    FieldEntry.objects.bulk_create(
        [FieldEntry(field_list=version, scheme=FieldScheme.IPC, symbol=s) for s in ipc_symbols]
        + [
            FieldEntry(field_list=version, scheme=FieldScheme.LOCARNO, symbol=s)
            for s in locarno_symbols
        ]
    )
    old_ipc = set(previous.symbols(FieldScheme.IPC)) if previous else set()
    old_loc = set(previous.symbols(FieldScheme.LOCARNO)) if previous else set()
    audit_record(
        actor=actor,
        tag="centers:fields:published",
        subject=version,
        old={"version": previous.pk} if previous else None,
        new={
            "effective_from": effective_from,
            "ipc_count": len(ipc_symbols),
            "locarno_count": len(locarno_symbols),
            "ipc_added": sorted(set(ipc_symbols) - old_ipc),
            "ipc_removed": sorted(old_ipc - set(ipc_symbols)),
            "locarno_added": sorted(set(locarno_symbols) - old_loc),
            "locarno_removed": sorted(old_loc - set(locarno_symbols)),
        },
        center=center,
        organization=center.organization,
    )
    _tell_other_managers(
        center=center,
        actor=actor,
        message=_("%(who)s published a field list for %(center)s from %(date)s"),
        effective_from=effective_from,
        url=reverse("centers:detail", args=[center.code]),
    )
    return version
