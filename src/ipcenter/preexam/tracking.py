"""After qualification: the national office's side of a fast-track case.

The applicant (or its agency) or a manager of the center records what CNIPA did: the filing with
its application number, office actions and their responses, leaving the fast track, the grant and
its certificate. There is no integration with CNIPA; an import of its notices would call these
same services (see docs/operations.md).

State moves go through workflow.case_transition(); the other events (office actions, the
certificate) lock the case row themselves and write a CaseEvent and an audit row alike.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ipcenter.accounts.access import can
from ipcenter.accounts.roles import Perm
from ipcenter.audit.services import audit_record
from ipcenter.calendar import CalendarRangeError, workdays_between
from ipcenter.documents.models import Document
from ipcenter.documents.services import document_grant, document_store, organization_scope
from ipcenter.lib.errors import Conflict, InvalidInput
from ipcenter.preexam.clocks import clock_due_on, clock_start, clock_stop
from ipcenter.preexam.models import (
    Case,
    CaseEvent,
    CaseState,
    Clock,
    ClockKind,
    OfficeAction,
    PatentType,
)
from ipcenter.preexam.services import share_until
from ipcenter.preexam.workflow import (
    Actor,
    actor_kinds,
    case_transition,
    require_agency_mandate,
)

S = CaseState

# Who may record the national office's events: the applicant side or the center's managers.
RECORDERS = frozenset({Actor.APPLICANT, Actor.MANAGER})
# Who may look at a case's tracking data.
CASE_READ_PERMS = (Perm.CASE_VIEW_OWN, Perm.CASE_EXAMINE, Perm.CASE_MANAGE)
CASE_RECORD_PERMS = (Perm.CASE_SUBMIT, Perm.CASE_MANAGE)


class LeaveKind:
    VOLUNTARY_AMENDMENT = "voluntary_amendment"
    BIBLIOGRAPHIC_CHANGE = "bibliographic_change"


LEAVE_KINDS: dict[str, Any] = {
    LeaveKind.VOLUNTARY_AMENDMENT: _("Voluntary amendment"),
    LeaveKind.BIBLIOGRAPHIC_CHANGE: _("Bibliographic change"),
}

# --- the CN application number ---------------------------------------------------------------

# 4 digits year, 1 digit type, 7 digits serial, then the check digit (0-9 or X), optionally after
# a dot; "CN" or "ZL" in front and spaces are tolerated.
_CN_NUMBER_RE = re.compile(r"^(?:CN|ZL)?(?P<body>\d{12})\.?(?P<check>[\dX])$")
_CHECK_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
# The fifth digit: 1 invention, 2 utility model, 3 design; 8 and 9 are PCT national-phase
# inventions and utility models.
_TYPE_DIGITS: dict[str, str] = {
    PatentType.INVENTION: "18",
    PatentType.UTILITY_MODEL: "29",
    PatentType.DESIGN: "3",
}


def cn_check_digit(body: str) -> str:
    """CNIPA's check digit of the 12-digit application number `body`."""
    if not re.fullmatch(r"\d{12}", body):
        raise ValueError("a CN application number has 12 digits before the check digit")
    total = sum(int(d) * w for d, w in zip(body, _CHECK_WEIGHTS, strict=True))
    rest = total % 11
    return "X" if rest == 10 else str(rest)


def cn_application_number(text: str, *, patent_type: str | None = None) -> str:
    """Normalise a CN application number to `YYYYTNNNNNNN.C`, or raise InvalidInput."""
    compact = re.sub(r"\s+", "", text or "").upper()
    match = _CN_NUMBER_RE.fullmatch(compact)
    if match is None:
        message: Any = _(
            "A CN application number has 12 digits and a check digit, e.g. 202310123456.6."
        )
        raise InvalidInput(message, errors={"application_number": str(message)})
    body, check = match["body"], match["check"]
    expected = cn_check_digit(body)
    if check != expected:
        message = _("The check digit of %(number)s is wrong; it should be %(expected)s.") % {
            "number": compact,
            "expected": expected,
        }
        raise InvalidInput(message, errors={"application_number": str(message)})
    if patent_type in _TYPE_DIGITS and body[4] not in _TYPE_DIGITS[patent_type]:
        message = _(
            "The fifth digit of the number (%(digit)s) is for another patent type than this case's."
        ) % {"digit": body[4]}
        raise InvalidInput(message, errors={"application_number": str(message)})
    return f"{body}.{check}"


# --- helpers ------------------------------------------------------------------------------------


def case_url(case: Case) -> str:
    """The case's detail page."""
    return reverse("preexam:case_detail", args=[case.pk])


def filing_clock(case: Case) -> Clock | None:
    """The case's latest CNIPA filing clock, running or stopped."""
    return (
        Clock.objects.filter(case=case, kind=ClockKind.CNIPA_FILING)
        .order_by("-started_on", "-id")
        .first()
    )


def _today() -> dt.date:
    return timezone.localdate()


def _check_date(value: dt.date, *, field: str, not_before: dt.date | None, label: Any) -> None:
    if value > _today():
        message: Any = _("The date cannot be in the future.")
        raise InvalidInput(message, errors={field: str(message)})
    if not_before is not None and value < not_before:
        message = _("The date cannot be before %(what)s (%(date)s).") % {
            "what": label,
            "date": not_before.isoformat(),
        }
        raise InvalidInput(message, errors={field: str(message)})


def _require_recorder(actor: Any, case: Case) -> None:
    if not actor_kinds(actor, case) & RECORDERS:
        raise PermissionDenied("preexam:case:record")
    require_agency_mandate(case, actor)


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def _event(
    *,
    case: Case,
    actor: Any,
    action: str,
    subject: Any,
    new: dict[str, Any],
    old: dict[str, Any] | None = None,
    reason: str = "",
) -> None:
    """A non-state event: a history row and an audit row (inside the caller's transaction)."""
    CaseEvent.objects.create(case=case, action=action, actor=actor, reason=reason, data=new)
    area, _sep, verb = action.partition(":")
    audit_record(
        actor=actor,
        tag=f"preexam:{area}:{verb}",
        subject=subject,
        old=old,
        new=new,
        organization=case.organization,
        center=case.center,
    )


# --- services -----------------------------------------------------------------------------------


def case_record_cnipa_filing(
    *, case: Case, actor: Any, application_number: str, filing_date: dt.date
) -> Case:
    """qualified -> filed: the applicant filed with CNIPA. A late filing is recorded, flagged."""
    number = cn_application_number(application_number, patent_type=case.patent_type)
    _check_date(filing_date, field="filing_date", not_before=None, label="")
    facts: dict[str, Any] = {}

    def guard(locked: Case) -> None:
        if locked.qualified_on is not None and filing_date < locked.qualified_on:
            message: Any = _("The filing date cannot be before the qualification (%(date)s).") % {
                "date": locked.qualified_on.isoformat()
            }
            raise InvalidInput(message, errors={"filing_date": str(message)})
        taken = Case.objects.filter(cnipa_application_number=number).exclude(pk=locked.pk).exists()
        if taken:
            message = _("Another case already has the application number %(number)s.") % {
                "number": number
            }
            raise Conflict(message, errors={"application_number": str(message)})
        clock = filing_clock(locked)
        if clock is not None:
            due = clock.due_on
        elif locked.qualified_on is not None:
            due, _provisional = clock_due_on(
                case=locked, kind=ClockKind.CNIPA_FILING, start=locked.qualified_on
            )
        else:
            due = None
        facts["due_on"] = due.isoformat() if due else None
        facts["late"] = bool(due and filing_date > due)

    with transaction.atomic():
        # `facts` is filled by the guard on the locked row; case_transition writes it into the
        # history row after the guard has run.
        moved = case_transition(
            case=case,
            to=S.FILED,
            actor=actor,
            updates={
                "cnipa_application_number": number,
                "cnipa_filing_date": filing_date,
                "fast_track": True,
            },
            data=facts,
            guard=guard,
        )
        clock_stop(case=moved, kind=ClockKind.CNIPA_FILING)
    case.refresh_from_db()
    return moved


def office_action_record(
    *, case: Case, actor: Any, received_on: dt.date, note: str = ""
) -> OfficeAction:
    """An office action of the fast examination; its response clock starts on `received_on`."""
    with transaction.atomic():
        locked = _lock(case)
        _require_recorder(actor, locked)
        if locked.state != S.FILED:
            raise Conflict(
                _("Office actions are recorded only while the case is “%(state)s”.")
                % {"state": S.FILED.label}
            )
        _check_date(
            received_on,
            field="received_on",
            not_before=locked.cnipa_filing_date,
            label=_("the CNIPA filing"),
        )
        try:
            due, _provisional = clock_due_on(
                case=locked, kind=ClockKind.OFFICE_ACTION, start=received_on
            )
        except CalendarRangeError as exc:
            message: Any = _("The date is outside the years the working-day calendar knows.")
            raise InvalidInput(message, errors={"received_on": str(message)}) from exc
        action = OfficeAction.objects.create(
            case=locked,
            received_on=received_on,
            response_due_on=due,
            note=note.strip(),
            recorded_by=actor,
        )
        clock_start(
            case=locked, kind=ClockKind.OFFICE_ACTION, start=received_on, office_action=action
        )
        _event(
            case=locked,
            actor=actor,
            action="office_action:recorded",
            subject=action,
            new={
                "office_action": action.pk,
                "received_on": received_on.isoformat(),
                "response_due_on": due.isoformat(),
                "note": action.note,
            },
        )
    return action


def office_action_respond(
    *, office_action: OfficeAction, actor: Any, responded_on: dt.date
) -> OfficeAction:
    """The applicant answered an office action: record the date and stop its clock."""
    with transaction.atomic():
        locked_case = _lock(office_action.case)
        _require_recorder(actor, locked_case)
        action = OfficeAction.objects.select_for_update().get(pk=office_action.pk)
        if action.responded_on is not None:
            raise Conflict(
                _("This office action was already answered on %(date)s.")
                % {"date": action.responded_on.isoformat()}
            )
        if locked_case.state not in (S.FILED, S.OFF_TRACK):
            raise Conflict(
                _("A case that is “%(state)s” has no office action to answer.")
                % {"state": S(locked_case.state).label}
            )
        _check_date(
            responded_on,
            field="responded_on",
            not_before=action.received_on,
            label=_("the office action"),
        )
        action.responded_on = responded_on
        action.save(update_fields=["responded_on"])
        Clock.objects.filter(office_action=action, stopped_at__isnull=True).update(
            stopped_at=timezone.now()
        )
        _event(
            case=locked_case,
            actor=actor,
            action="office_action:answered",
            subject=action,
            new={
                "office_action": action.pk,
                "responded_on": responded_on.isoformat(),
                "late": responded_on > action.response_due_on,
            },
        )
    office_action.refresh_from_db()
    return action


def case_leave_fast_track(*, case: Case, actor: Any, reason: str, kind: str) -> Case:
    """filed -> off_track: a voluntary amendment or bibliographic change before grant."""
    if kind not in LEAVE_KINDS:
        message: Any = _("Choose a voluntary amendment or a bibliographic change.")
        raise InvalidInput(message, errors={"kind": str(message)})
    reason = (reason or "").strip()
    if not reason:
        message = _("Say why the case leaves the fast track.")
        raise InvalidInput(message, errors={"reason": str(message)})
    with transaction.atomic():
        moved = case_transition(
            case=case,
            to=S.OFF_TRACK,
            actor=actor,
            reason=reason,
            updates={"fast_track": False, "off_track_reason": reason},
            data={"kind": kind},
        )
        clock_stop(case=moved)
    case.refresh_from_db()
    return moved


_GRANT_NUMBER_RE = re.compile(r"^[A-Z]{0,2}\s?[0-9][0-9.]{4,20}\s?[A-Z]?[0-9]?$")


def _grant_number(text: str) -> str:
    number = re.sub(r"\s+", " ", (text or "").strip().upper())
    if not _GRANT_NUMBER_RE.fullmatch(number):
        message: Any = _("Give the grant number as printed, e.g. ZL202310123456.6 or CN116123456B.")
        raise InvalidInput(message, errors={"grant_number": str(message)})
    return number


def case_record_grant(
    *,
    case: Case,
    actor: Any,
    grant_number: str,
    grant_date: dt.date,
    certificate: UploadedFile | None = None,
) -> Case:
    """filed | off_track -> granted; the grant time in working days is computed here."""
    number = _grant_number(grant_number)
    _check_date(grant_date, field="grant_date", not_before=None, label="")
    updates: dict[str, Any] = {"grant_number": number, "grant_date": grant_date}
    facts: dict[str, Any] = {}

    def guard(locked: Case) -> None:
        filed = locked.cnipa_filing_date
        if filed is None:  # cannot happen through the services; a broken row must not pass
            raise Conflict(_("The filing with CNIPA has not been recorded."))
        if grant_date < filed:
            message: Any = _("The grant date cannot be before the CNIPA filing (%(date)s).") % {
                "date": filed.isoformat()
            }
            raise InvalidInput(message, errors={"grant_date": str(message)})
        updates["grant_workdays"] = workdays_between(filed, grant_date)
        facts["grant_workdays"] = updates["grant_workdays"]
        facts["fast_track"] = locked.fast_track

    with transaction.atomic():
        moved = case_transition(
            case=case, to=S.GRANTED, actor=actor, updates=updates, data=facts, guard=guard
        )
        clock_stop(case=moved)
        if certificate is not None:
            _attach(case=moved, actor=actor, upload=certificate)
    case.refresh_from_db()
    return moved


def case_attach_certificate(*, case: Case, actor: Any, certificate: UploadedFile) -> Case:
    """Add (or replace) the grant certificate of a granted case."""
    with transaction.atomic():
        locked = _lock(case)
        _require_recorder(actor, locked)
        if locked.state != S.GRANTED:
            raise Conflict(_("A certificate can be attached only once the grant is recorded."))
        _attach(case=locked, actor=actor, upload=certificate)
    case.refresh_from_db()
    return locked


def _attach(*, case: Case, actor: Any, upload: UploadedFile) -> Document:
    document = _store_certificate(case=case, actor=actor, upload=upload)
    old = {"certificate": str(case.certificate_id)} if case.certificate_id else None
    Case.objects.filter(pk=case.pk).update(certificate=document)
    case.certificate = document
    _event(
        case=case,
        actor=actor,
        action="certificate:attached",
        subject=case,
        old=old,
        new={"certificate": str(document.pk), "name": document.original_name},
    )
    return document


def _store_certificate(*, case: Case, actor: Any, upload: UploadedFile) -> Document:
    """A confidential document of the applicant, visible to its agency and the center.

    The applicant's own people, and the agent acting for it, store it in the applicant's
    organization (the agency's access follows its engagement, see share_until). A center
    manager may not upload into another organization (document_store refuses), so the document
    is stored in the center's organization and shared with the applicant (and its agency).
    """
    owners = [case.organization, case.agency, case.center.organization]
    uploader = next(
        (
            org
            for org in owners
            if org is not None and can(actor, Perm.DOCUMENT_UPLOAD, organization_scope(org))
        ),
        None,
    )
    if uploader is None:
        raise PermissionDenied(Perm.DOCUMENT_UPLOAD.value)
    acting_for = uploader == case.agency
    owner = case.organization if acting_for else uploader
    document = document_store(
        actor=actor,
        organization=owner,
        uploaded_from=uploader if acting_for else None,
        upload=upload,
        title=str(_("Grant certificate %(number)s") % {"number": case.grant_number}),
        center=case.center,
        confidential=True,
    )
    for org in (case.organization, case.agency):
        if org is not None and org.pk != owner.pk:
            document_grant(
                actor=actor,
                document=document,
                organization=org,
                expires_at=share_until(case, org),
                granted_from=uploader if acting_for else None,
            )
    return document
