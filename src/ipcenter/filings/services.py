"""Writes of entity filing: the filing's life, findings, agencies, quota and sanctions.

Every state change of a filing goes through workflow.filing_transition(); the functions here
check the input, then move the filing with the fields that go with the move. Each write is
atomic and audited in its transaction; people are told after commit.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ipcenter.accounts.access import AccessScope, require
from ipcenter.accounts.models import Organization, User
from ipcenter.accounts.roles import OrgKind, Perm
from ipcenter.audit.services import audit_record
from ipcenter.centers.models import Center, today
from ipcenter.centers.selectors import center_settings
from ipcenter.documents.models import Document, DocumentGrant, DocumentKind
from ipcenter.filings import eligibility
from ipcenter.filings.models import (
    AgencyRegistration,
    AgencyState,
    Engagement,
    EntityFiling,
    EntityFinding,
    EntityKind,
    FilingDocument,
    FilingDocumentPurpose,
    FilingEvent,
    FilingState,
    FindingKind,
    Quota,
    QuotaRequest,
    QuotaRequestState,
    Sanction,
    SanctionKind,
)
from ipcenter.filings.selectors import (
    abnormal_findings_in,
    agency_agents,
    center_managers,
    engagements_in_force,
    entity_admins,
    quota_compute,
    quota_left,
)
from ipcenter.filings.workflow import filing_transition
from ipcenter.lib.errors import Conflict, InvalidInput

S = FilingState


# --- small helpers --------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def _required_reason(reason: str, field: str = "reason") -> str:
    text = (reason or "").strip()
    if not text:
        message = _("Give a reason.")
        raise InvalidInput(message, errors={field: str(message)})
    return text


def _tell(
    people: list[User], *, tag: str, subject: Callable[[], str], url: str, actor: Any = None
) -> None:
    """Inbox items (and e-mail) after commit, each rendered in its recipient's language."""
    from ipcenter.notifications.services import notify

    actor_pk = getattr(actor, "pk", None)

    def send() -> None:
        for person in people:
            if person.pk != actor_pk:
                notify(recipient=person, tag=tag, subject=subject, url=url)

    transaction.on_commit(send)


def _center_name(center: Center) -> str:
    return center.localized_name(translation.get_language() or "")


# --- the filing's data ----------------------------------------------------------------------

FILING_FIELDS: tuple[str, ...] = (
    "entity_kind",
    "legal_name",
    "credit_code",
    "registered_area",
    "founded_on",
    "insured_staff",
    "industry_codes",
    "has_rd_team",
    "has_ip_system",
    "granted_inventions",
    "granted_utility_designs",
    "contact_name",
    "contact_phone",
    "contact_email",
)
_REQUIRED_FIELDS = (
    "legal_name",
    "credit_code",
    "registered_area",
    "founded_on",
    "insured_staff",
    "contact_name",
    "contact_phone",
)
# GB 32100-2015: 18 characters of digits and capitals without I, O, S, V, Z.
CREDIT_CODE_RE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}")


def _clean_filing_data(data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    from ipcenter.patents.ipc import IpcError, parse_ipc

    unknown = set(data) - set(FILING_FIELDS)
    errors: dict[str, str] = {k: str(_("Unknown field.")) for k in sorted(unknown)}
    clean: dict[str, Any] = {}
    for key in FILING_FIELDS:
        if key not in data:
            if not partial and key in _REQUIRED_FIELDS:
                errors[key] = str(_("This field is required."))
            continue
        value = data[key]
        if isinstance(value, str):
            value = value.strip()
        if key in _REQUIRED_FIELDS and value in (None, ""):
            errors[key] = str(_("This field is required."))
            continue
        clean[key] = value
    if "entity_kind" in clean and clean["entity_kind"] not in EntityKind.values:
        errors["entity_kind"] = str(_("Choose an enterprise or a university."))
    if "credit_code" in clean:
        code = unicodedata.normalize("NFKC", str(clean["credit_code"])).upper().replace(" ", "")
        if not CREDIT_CODE_RE.fullmatch(code):
            errors["credit_code"] = str(
                _("A unified social credit code has 18 digits and capital letters.")
            )
        clean["credit_code"] = code
    if "founded_on" in clean and isinstance(clean["founded_on"], str):
        try:
            clean["founded_on"] = dt.date.fromisoformat(clean["founded_on"])
        except ValueError:
            errors["founded_on"] = str(_("Enter a date as YYYY-MM-DD."))
    if isinstance(clean.get("founded_on"), dt.date) and clean["founded_on"] > today():
        errors["founded_on"] = str(_("The founding date cannot be in the future."))
    for key in ("insured_staff", "granted_inventions", "granted_utility_designs"):
        if key in clean:
            try:
                clean[key] = int(clean[key] if clean[key] != "" else 0)
            except (TypeError, ValueError):
                errors[key] = str(_("Enter a whole number."))
                continue
            if clean[key] < 0:
                errors[key] = str(_("Enter zero or more."))
    for key in ("has_rd_team", "has_ip_system"):
        if key in clean:
            clean[key] = bool(clean[key])
    if "industry_codes" in clean:
        raw = clean["industry_codes"]
        items = re.split(r"[\r\n,;，；]+", raw) if isinstance(raw, str) else list(raw or [])
        codes: list[str] = []
        bad: list[str] = []
        for item in items:
            text = str(item).strip()
            if not text:
                continue
            try:
                symbol = str(parse_ipc(text))
            except IpcError:
                bad.append(text)
                continue
            if symbol not in codes:
                codes.append(symbol)
        if bad:
            errors["industry_codes"] = str(
                _("Not IPC codes: %(codes)s (write e.g. A61K or A61K 31/00).")
                % {"codes": ", ".join(bad)}
            )
        clean["industry_codes"] = codes
    if errors:
        raise InvalidInput(_("Check the filing's data."), errors=errors)
    return clean


def filing_create(
    *, actor: Any, organization: Organization, center: Center, data: Mapping[str, Any]
) -> EntityFiling:
    """A draft filing of `organization` with `center`; at most one open filing per pair."""
    require(actor, Perm.FILING_APPLY, AccessScope(organization_id=organization.pk))
    if organization.kind != OrgKind.ENTERPRISE:
        raise InvalidInput(_("Only enterprises and universities file with a center."))
    clean = _clean_filing_data(data, partial=False)
    with transaction.atomic():
        try:  # the constraint filing_one_open_per_center says whether one is open
            with transaction.atomic():
                filing = EntityFiling.objects.create(
                    organization=organization, center=center, created_by=actor, **clean
                )
        except IntegrityError as exc:
            raise Conflict(
                _("This organization already has an open filing with this center.")
            ) from exc
        FilingEvent.objects.create(filing=filing, from_state="", to_state=S.DRAFT, actor=actor)
        audit_record(
            actor=actor,
            tag="filings:filing:created",
            subject=filing,
            # The values are the filing's own (credit code, contacts): the row names the fields.
            new={"state": S.DRAFT, "fields": sorted(clean)},
            organization=organization,
            center=center,
        )
    return filing


def _locked_editable(filing: EntityFiling) -> EntityFiling:
    locked = EntityFiling.objects.select_for_update().get(pk=filing.pk)
    if not locked.is_editable:
        raise Conflict(
            _("A filing that is “%(state)s” cannot be changed.") % {"state": S(locked.state).label}
        )
    return locked


def filing_update(*, actor: Any, filing: EntityFiling, data: Mapping[str, Any]) -> EntityFiling:
    """Change a filing's data while it is a draft or needs a supplement."""
    require(actor, Perm.FILING_APPLY, filing)
    clean = _clean_filing_data(data, partial=True)
    with transaction.atomic():
        locked = _locked_editable(filing)
        old = {k: getattr(locked, k) for k in clean}
        changed = {k: v for k, v in clean.items() if old[k] != v}
        for key, value in changed.items():
            setattr(locked, key, value)
        locked.save()
        if changed:
            audit_record(
                actor=actor,
                tag="filings:filing:updated",
                subject=locked,
                old={k: old[k] for k in changed},
                new=changed,
                organization=locked.organization,
                center=locked.center,
            )
    filing.refresh_from_db()
    return locked


def filing_attach_document(
    *,
    actor: Any,
    filing: EntityFiling,
    purpose: str,
    upload: UploadedFile | None = None,
    document: Document | None = None,
    title: str = "",
) -> FilingDocument:
    """Attach an upload (stored as the organization's confidential document, readable by the
    center's managers) or one of the organization's documents, saying what it proves."""
    require(actor, Perm.FILING_APPLY, filing)
    if purpose not in FilingDocumentPurpose.values:
        message = _("Choose what the document proves.")
        raise InvalidInput(message, errors={"purpose": str(message)})
    if (upload is None) == (document is None):
        message = _("Attach one file.")
        raise InvalidInput(message, errors={"file": str(message)})
    if document is not None and document.organization_id != filing.organization_id:
        message = _("Only the organization's own documents can be attached.")
        raise InvalidInput(message, errors={"document": str(message)})
    from ipcenter.documents.services import document_store

    with transaction.atomic():
        locked = _locked_editable(filing)
        if upload is not None:
            document = document_store(
                actor=actor,
                organization=locked.organization,
                upload=upload,
                kind=purpose if purpose in DocumentKind.values else DocumentKind.GENERAL,
                title=title or str(FilingDocumentPurpose(purpose).label),
                center=locked.center,
            )
        assert document is not None
        attachment, _created = FilingDocument.objects.get_or_create(
            filing=locked, document=document, defaults={"purpose": purpose, "attached_by": actor}
        )
        audit_record(
            actor=actor,
            tag="filings:filing:document_attached",
            subject=locked,
            new={"document": str(document.pk), "purpose": purpose},
            organization=locked.organization,
            center=locked.center,
        )
    return attachment


def _store_eligibility(results: list[eligibility.RuleResult]) -> dict[str, Any]:
    return {
        "eligibility": [r.as_json() for r in results],
        "eligibility_checked_at": timezone.now(),
    }


def filing_submit(*, actor: Any, filing: EntityFiling) -> EntityFiling:
    """Send a draft (or a supplemented filing) to the center, with the eligibility checks.

    Failed rules do not stop the submission (the manager weighs them), missing required
    documents do: the center cannot review a filing without them.
    """
    results = eligibility.check_filing(filing)

    def documents_complete(locked: EntityFiling) -> None:
        missing = eligibility.missing_documents(
            locked.attachments.values_list("purpose", flat=True)
        )
        if missing:
            labels = ", ".join(str(FilingDocumentPurpose(p).label) for p in missing)
            message = _("Attach the missing documents first: %(missing)s.") % {"missing": labels}
            raise InvalidInput(message, errors={"documents": str(message)})

    return filing_transition(
        filing=filing,
        to=S.SUBMITTED,
        actor=actor,
        updates={**_store_eligibility(results), "submitted_at": timezone.now()},
        guard=documents_complete,
    )


def filing_request_supplement(*, actor: Any, filing: EntityFiling, reason: str) -> EntityFiling:
    return filing_transition(
        filing=filing, to=S.NEEDS_SUPPLEMENT, actor=actor, reason=_required_reason(reason)
    )


def filing_approve(
    *,
    actor: Any,
    filing: EntityFiling,
    active_from: dt.date | None = None,
    override_reason: str = "",
) -> EntityFiling:
    """Approve a submitted filing. The rules are checked again; a filing that fails one is
    approved only with an explicit override reason (kept with the filing and in the history).
    A filing in force from today becomes active at once, a later one by the daily job."""
    day = today()
    start = active_from or day
    if start < day:
        message = _("The filing cannot take effect in the past.")
        raise InvalidInput(message, errors={"active_from": str(message)})
    results = eligibility.check_filing(filing)
    failures = eligibility.failed(results)
    override = (override_reason or "").strip()

    def rules_met_or_overridden(locked: EntityFiling) -> None:
        if failures and not override:
            message = _(
                "The filing fails %(count)d rule(s): %(rules)s. Give a reason to approve it anyway."
            ) % {"count": len(failures), "rules": "; ".join(r.label for r in failures)}
            raise InvalidInput(message, errors={"override_reason": str(message)})

    with transaction.atomic():
        approved = filing_transition(
            filing=filing,
            to=S.APPROVED,
            actor=actor,
            reason=override if failures else "",
            updates={
                **_store_eligibility(results),
                "decided_at": timezone.now(),
                "active_from": start,
                "override_reason": override if failures else "",
            },
            guard=rules_met_or_overridden,
        )
        if start <= day:
            approved = filing_activate(filing=approved, actor=actor)
    filing.refresh_from_db()
    return approved


def add_years(day: dt.date, years: int) -> dt.date:
    return add_months(day, 12 * years)


def filing_activate(*, filing: EntityFiling, actor: Any = None) -> EntityFiling:
    """approved -> active: the annual re-check is due a year on, and the year's quota is set."""
    day = today()

    def in_force(locked: EntityFiling) -> None:
        if locked.active_from and locked.active_from > day:
            raise Conflict(
                _("The filing takes effect on %(date)s.") % {"date": locked.active_from.isoformat()}
            )

    with transaction.atomic():
        active = filing_transition(
            filing=filing,
            to=S.ACTIVE,
            actor=actor,
            updates={"recheck_due_on": add_years(filing.active_from or day, 1)},
            guard=in_force,
        )
        quota_ensure(organization=active.organization, center=active.center, year=day.year)
    return active


def filing_reject(*, actor: Any, filing: EntityFiling, reason: str) -> EntityFiling:
    return filing_transition(
        filing=filing,
        to=S.REJECTED,
        actor=actor,
        reason=_required_reason(reason),
        updates={"decided_at": timezone.now()},
    )


def filing_withdraw(*, actor: Any, filing: EntityFiling, reason: str = "") -> EntityFiling:
    return filing_transition(filing=filing, to=S.WITHDRAWN, actor=actor, reason=reason.strip())


def filing_suspend(
    *, actor: Any, filing: EntityFiling, until: dt.date, reason: str
) -> EntityFiling:
    """Suspend an active filing until a date: no new case may be submitted meanwhile."""
    text = _required_reason(reason)
    if until <= today():
        message = _("The suspension must end after today.")
        raise InvalidInput(message, errors={"until": str(message)})
    return filing_transition(
        filing=filing, to=S.SUSPENDED, actor=actor, reason=text, updates={"suspended_until": until}
    )


def filing_lift(*, actor: Any, filing: EntityFiling, reason: str = "") -> EntityFiling:
    """End a suspension (a manager early, the daily job on suspended_until)."""
    return filing_transition(
        filing=filing,
        to=S.ACTIVE,
        actor=actor,
        reason=reason.strip(),
        updates={"suspended_until": None},
    )


def filing_cancel(*, actor: Any, filing: EntityFiling, reason: str) -> EntityFiling:
    return filing_transition(
        filing=filing, to=S.CANCELLED, actor=actor, reason=_required_reason(reason)
    )


# --- adverse findings -----------------------------------------------------------------------


def finding_record(
    *,
    actor: Any,
    organization: Organization,
    center: Center,
    kind: str,
    found_on: dt.date,
    source: str,
    note: str = "",
) -> EntityFinding:
    """A manager records an adverse finding (credit loss, abnormal filing, wilful infringement)
    against an entity that has filed with the manager's center."""
    require(actor, Perm.FILING_REVIEW, AccessScope(center_id=center.pk))
    errors: dict[str, str] = {}
    if kind not in FindingKind.values:
        errors["kind"] = str(_("Choose the kind of finding."))
    if found_on > today():
        errors["found_on"] = str(_("A finding cannot be dated in the future."))
    if not (source or "").strip():
        errors["source"] = str(_("Name the official source."))
    if errors:
        raise InvalidInput(_("Check the finding."), errors=errors)
    if not EntityFiling.objects.filter(organization=organization, center=center).exists():
        raise InvalidInput(_("This organization has not filed with the center."))
    with transaction.atomic():
        finding = EntityFinding.objects.create(
            organization=organization,
            center=center,
            kind=kind,
            found_on=found_on,
            source=source.strip(),
            note=(note or "").strip(),
            recorded_by=actor,
        )
        audit_record(
            actor=actor,
            tag="filings:finding:recorded",
            subject=finding,
            new={"kind": kind, "found_on": found_on, "source": finding.source},
            organization=organization,
            center=center,
        )
    return finding


# --- the daily jobs -------------------------------------------------------------------------


def filings_activate_due(*, on: dt.date | None = None) -> int:
    """Activate approved filings whose active_from has come. The transition locks the row and
    refuses a second move, so two workers never activate one filing twice."""
    day = on or today()
    done = 0
    due = EntityFiling.objects.filter(state=S.APPROVED, active_from__lte=day)
    for filing in due.order_by("pk"):
        try:
            filing_activate(filing=filing, actor=None)
        except Conflict:
            continue  # another worker did it, or the date moved
        done += 1
    return done


def filings_lift_expired(*, on: dt.date | None = None) -> int:
    """End suspensions on their suspended_until date (the filing is active again that day)."""
    day = on or today()

    def still_due(locked: EntityFiling) -> None:
        if locked.suspended_until is None or locked.suspended_until > day:
            raise Conflict(_("The suspension has not ended."))

    done = 0
    due = EntityFiling.objects.filter(state=S.SUSPENDED, suspended_until__lte=day)
    for filing in due.order_by("pk"):
        try:
            filing_transition(
                filing=filing,
                to=S.ACTIVE,
                actor=None,
                reason=gettext("The suspension ended."),
                updates={"suspended_until": None},
                guard=still_due,
            )
        except Conflict:
            continue
        done += 1
    return done


def filing_recheck(*, filing: EntityFiling) -> list[eligibility.RuleResult]:
    """The annual re-check: run the rules again, store them, tell the entity and the managers.

    It moves nothing: a failed rule is for the center's managers to weigh (suspend, cancel or
    ask the entity), as no rule of the center's regulations ends a filing automatically on
    re-check. Must run in the transaction that claimed the re-check.
    """
    results = eligibility.check_filing(filing)
    stored = _store_eligibility(results)
    EntityFiling.objects.filter(pk=filing.pk).update(**stored)
    failures = eligibility.failed(results)
    audit_record(
        actor=None,
        tag="filings:filing:rechecked",
        subject=filing,
        new={"failed": [r.rule for r in failures], "next_due": filing.recheck_due_on},
        organization=filing.organization,
        center=filing.center,
    )

    def subject() -> str:
        if failures:
            return gettext("Annual re-check of %(entity)s: %(count)d rule(s) failed") % {
                "entity": filing.legal_name,
                "count": len(failures),
            }
        return gettext("Annual re-check of %(entity)s: all rules met") % {
            "entity": filing.legal_name
        }

    _tell(
        [*entity_admins(filing.organization), *center_managers(filing.center)],
        tag="filings:filing:rechecked",
        subject=subject,
        url=reverse("filings:detail", args=[filing.pk]),
    )
    return results


def filings_recheck_due(*, on: dt.date | None = None) -> int:
    """Claim each active filing whose re-check is due by moving its due date a year on with a
    conditional UPDATE: only the worker whose UPDATE changed the row re-checks it."""
    day = on or today()
    done = 0
    due = EntityFiling.objects.filter(state=S.ACTIVE, recheck_due_on__lte=day)
    for pk, due_on in due.order_by("recheck_due_on").values_list("pk", "recheck_due_on"):
        if due_on is None:  # excluded by the filter; for the type checker
            continue
        next_due = add_years(due_on, 1)
        while next_due <= day:  # a filing overdue by years is checked once
            next_due = add_years(next_due, 1)
        with transaction.atomic():
            claimed = EntityFiling.objects.filter(
                pk=pk, state=S.ACTIVE, recheck_due_on=due_on
            ).update(recheck_due_on=next_due)
            if not claimed:
                continue
            filing = EntityFiling.objects.select_related("center", "organization").get(pk=pk)
            filing_recheck(filing=filing)
        done += 1
    return done


# --- agencies -------------------------------------------------------------------------------


def agency_register(
    *,
    actor: Any,
    organization: Organization,
    center: Center,
    licence_number: str,
    contact_name: str,
    contact_phone: str,
) -> AgencyRegistration:
    require(actor, Perm.AGENCY_REGISTER, AccessScope(organization_id=organization.pk))
    if organization.kind != OrgKind.AGENCY:
        raise InvalidInput(_("Only patent agencies register as agencies."))
    errors = {
        key: str(_("This field is required."))
        for key, value in (
            ("licence_number", licence_number),
            ("contact_name", contact_name),
            ("contact_phone", contact_phone),
        )
        if not (value or "").strip()
    }
    if errors:
        raise InvalidInput(_("Check the registration."), errors=errors)
    with transaction.atomic():
        try:  # the constraint agency_one_open_per_center says whether one is open or waiting
            with transaction.atomic():
                registration = AgencyRegistration.objects.create(
                    organization=organization,
                    center=center,
                    licence_number=licence_number.strip(),
                    contact_name=contact_name.strip(),
                    contact_phone=contact_phone.strip(),
                    created_by=actor,
                )
        except IntegrityError as exc:
            raise Conflict(
                _("The agency is already registered with this center, or waiting.")
            ) from exc
        audit_record(
            actor=actor,
            tag="filings:agency:submitted",
            subject=registration,
            new={"licence_number": registration.licence_number},
            organization=organization,
            center=center,
        )
        _tell(
            center_managers(center),
            tag="filings:agency:submitted",
            subject=lambda: (
                gettext("Agency registration to review: %(agency)s") % {"agency": organization.name}
            ),
            url=reverse("filings:agencies"),
            actor=actor,
        )
    return registration


def _locked_registration(registration: AgencyRegistration) -> AgencyRegistration:
    return (
        AgencyRegistration.objects.select_for_update()
        .select_related("organization", "center")
        .get(pk=registration.pk)
    )


def _agency_move(
    *,
    actor: Any,
    registration: AgencyRegistration,
    frm: str,
    to: str,
    reason: str,
) -> AgencyRegistration:
    require(actor, Perm.AGENCY_REVIEW, registration)
    with transaction.atomic():
        locked = _locked_registration(registration)
        if locked.state != frm:
            raise Conflict(
                _("An agency registration that is “%(from)s” cannot become “%(to)s”.")
                % {"from": AgencyState(locked.state).label, "to": AgencyState(to).label}
            )
        locked.state = to
        locked.reason = reason
        locked.decided_at = timezone.now()
        locked.save(update_fields=["state", "reason", "decided_at"])
        audit_record(
            actor=actor,
            tag=f"filings:agency:{to}",
            subject=locked,
            old={"state": frm},
            new={"state": to} | ({"reason": reason} if reason else {}),
            organization=locked.organization,
            center=locked.center,
        )
        _tell(
            agency_agents(locked.organization),
            tag=f"filings:agency:{to}",
            subject=lambda: (
                gettext("Agency registration with %(center)s: %(state)s")
                % {"center": _center_name(locked.center), "state": AgencyState(to).label}
            ),
            url=reverse("filings:agency_register"),
        )
    registration.refresh_from_db()
    return locked


def agency_decide(
    *, actor: Any, registration: AgencyRegistration, decision: str, reason: str = ""
) -> AgencyRegistration:
    """Register or reject a submitted agency registration (a rejection needs a reason)."""
    if decision not in (AgencyState.REGISTERED, AgencyState.REJECTED):
        message = _("Decide to register or to reject.")
        raise InvalidInput(message, errors={"decision": str(message)})
    text = (reason or "").strip()
    if decision == AgencyState.REJECTED:
        text = _required_reason(text)
    return _agency_move(
        actor=actor, registration=registration, frm=AgencyState.SUBMITTED, to=decision, reason=text
    )


def agency_revoke(
    *, actor: Any, registration: AgencyRegistration, reason: str
) -> AgencyRegistration:
    return _agency_move(
        actor=actor,
        registration=registration,
        frm=AgencyState.REGISTERED,
        to=AgencyState.REVOKED,
        reason=_required_reason(reason),
    )


def agency_set_guarantee(
    *,
    actor: Any,
    registration: AgencyRegistration,
    on_list: bool,
    checked_on: dt.date | None = None,
) -> AgencyRegistration:
    """Record whether the agency is on the agents' association's guarantee list (as checked by
    a manager on `checked_on`); an agency off the list cannot submit cases."""
    require(actor, Perm.AGENCY_REVIEW, registration)
    day = checked_on or today()
    if day > today():
        message = _("The check cannot be dated in the future.")
        raise InvalidInput(message, errors={"checked_on": str(message)})
    with transaction.atomic():
        locked = _locked_registration(registration)
        if locked.state not in (AgencyState.SUBMITTED, AgencyState.REGISTERED):
            raise Conflict(
                _("The guarantee flag of a registration that is “%(state)s” cannot change.")
                % {"state": AgencyState(locked.state).label}
            )
        old = {"on_guarantee_list": locked.on_guarantee_list}
        locked.on_guarantee_list = on_list
        locked.guarantee_checked_on = day
        locked.save(update_fields=["on_guarantee_list", "guarantee_checked_on"])
        audit_record(
            actor=actor,
            tag="filings:agency:guarantee",
            subject=locked,
            old=old,
            new={"on_guarantee_list": on_list, "checked_on": day},
            organization=locked.organization,
            center=locked.center,
        )
    registration.refresh_from_db()
    return locked


# --- engagements ----------------------------------------------------------------------------


# The dates an engagement may name: none before 2000, none more than 10 years ahead.
ENGAGEMENT_EARLIEST = dt.date(2000, 1, 1)
ENGAGEMENT_YEARS_AHEAD = 10


def _engagement_latest() -> dt.date:
    now = today()
    try:
        return now.replace(year=now.year + ENGAGEMENT_YEARS_AHEAD)
    except ValueError:  # 29 February
        return now.replace(year=now.year + ENGAGEMENT_YEARS_AHEAD, day=28)


def engagement_grant(
    *,
    actor: Any,
    enterprise: Organization,
    agency: Organization,
    center: Center | None = None,
    may_file: bool = True,
    may_respond: bool = True,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
) -> Engagement:
    """The enterprise's administrator engages a patent agency to act in the enterprise's name:
    at one center or all, for filing and/or amendments and responses, from `valid_from` (today)
    until `valid_until` (open-ended when None)."""
    require(actor, Perm.FILING_APPLY, AccessScope(organization_id=enterprise.pk))
    if enterprise.kind != OrgKind.ENTERPRISE:
        raise InvalidInput(_("Only enterprises engage agencies."))
    start = valid_from or today()
    errors: dict[str, str] = {}
    if agency.kind != OrgKind.AGENCY or not agency.is_active:
        errors["agency_id"] = str(_("Choose an active patent agency."))
    if not (may_file or may_respond):
        errors["may_file"] = str(_("Choose at least one activity."))
    for field, day in (("valid_from", start), ("valid_until", valid_until)):
        if day is not None and not ENGAGEMENT_EARLIEST <= day <= _engagement_latest():
            errors[field] = str(
                _("Choose a date from %(earliest)s to %(latest)s (at most 10 years ahead).")
                % {"earliest": ENGAGEMENT_EARLIEST, "latest": _engagement_latest()}
            )
    if (
        "valid_until" not in errors
        and valid_until is not None
        and valid_until < max(start, today())
    ):
        errors["valid_until"] = str(_("The end cannot be before the start or in the past."))
    if errors:
        raise InvalidInput(_("Check the engagement."), errors=errors)
    with transaction.atomic():
        # The enterprise's row serializes its grants: two at once cannot both pass the check.
        Organization.objects.select_for_update().filter(pk=enterprise.pk).first()
        if _overlapping_engagements(
            enterprise=enterprise, agency=agency, center=center, start=start, end=valid_until
        ).exists():
            raise Conflict(
                _(
                    "The enterprise already engages this agency for this center over these "
                    "dates. Revoke that engagement first, or choose dates after it ends."
                )
            )
        engagement = Engagement.objects.create(
            enterprise=enterprise,
            agency=agency,
            center=center,
            may_file=may_file,
            may_respond=may_respond,
            valid_from=start,
            valid_until=valid_until,
            granted_by=actor,
        )
        renewed = _renew_document_grants(engagement)
        audit_record(
            actor=actor,
            tag="filings:engagement:granted",
            subject=engagement,
            new={
                "agency": agency.pk,
                "center": center.code if center else None,
                "activities": engagement.activities(),
                "valid_from": start,
                "valid_until": valid_until,
                "document_grants_renewed": renewed,
            },
            organization=enterprise,
            center=center,
        )
        _tell(
            agency_agents(agency),
            tag="filings:engagement:granted",
            subject=lambda: (
                gettext("%(enterprise)s engaged your agency") % {"enterprise": enterprise.name}
            ),
            url=reverse("filings:engagements"),
            actor=actor,
        )
    return engagement


def _overlapping_engagements(
    *,
    enterprise: Organization,
    agency: Organization,
    center: Center | None,
    start: dt.date,
    end: dt.date | None,
) -> QuerySet[Engagement]:
    """The enterprise's unrevoked engagements of the agency, in force or to come, that a new one
    for `center` (None: every center) from `start` through `end` (None: open-ended) would
    overlap: same center or either covering every center, and dates that meet."""
    found = Engagement.objects.filter(
        enterprise=enterprise, agency=agency, revoked_at__isnull=True
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=max(start, today())))
    if center is not None:
        found = found.filter(Q(center__isnull=True) | Q(center=center))
    if end is not None:
        found = found.filter(valid_from__lte=end)
    return found


def _renew_document_grants(engagement: Engagement) -> int:
    """A new engagement in force renews the sharing of the enterprise's documents with the agency
    (at the engagement's center, or every center) that an earlier engagement's end closed or
    would close: they are the agency's again until the new one ends. Returns how many."""
    if engagement.valid_from > today():
        return 0
    grants = DocumentGrant.objects.filter(
        organization_id=engagement.agency_id,
        document__organization_id=engagement.enterprise_id,
        expires_at__isnull=False,
    )
    if engagement.center_id is not None:
        grants = grants.filter(document__center_id=engagement.center_id)
    end = engagement.ends_at()
    if end is not None:
        grants = grants.filter(expires_at__lt=end)
    return grants.update(expires_at=end)


def _withdraw_document_grants(engagement: Engagement) -> int:
    """The enterprise's documents shared with the agency (those of its cases) are no longer the
    agency's to open from now on, except those of a center that another engagement between the
    two still in force covers (one for that center or for every center; a document of no center
    stays shared while any other engagement is in force). Returns how many were withdrawn."""
    others = (
        engagements_in_force()
        .filter(enterprise_id=engagement.enterprise_id, agency_id=engagement.agency_id)
        .exclude(pk=engagement.pk)
    )
    if others.filter(center__isnull=True).exists():
        return 0
    covered = Q(document__center_id__in=others.values("center_id"))
    if others.exists():
        covered |= Q(document__center__isnull=True)
    # Expired rather than deleted: a new engagement renews them (_renew_document_grants).
    now = timezone.now()
    return (
        DocumentGrant.objects.filter(
            organization_id=engagement.agency_id,
            document__organization_id=engagement.enterprise_id,
        )
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .exclude(covered)
        .update(expires_at=now)
    )


def engagement_revoke(*, actor: Any, engagement: Engagement) -> Engagement:
    """End an engagement now: from this moment the agency neither files, amends, responds nor
    reads the enterprise's cases under it."""
    require(actor, Perm.FILING_APPLY, AccessScope(organization_id=engagement.enterprise_id))
    with transaction.atomic():
        locked = (
            Engagement.objects.select_for_update(of=("self",))
            .select_related("enterprise", "agency", "center")
            .get(pk=engagement.pk)
        )
        if locked.revoked_at is not None:
            raise Conflict(_("The engagement was already revoked."))
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor
        locked.save(update_fields=["revoked_at", "revoked_by"])
        withdrawn = _withdraw_document_grants(locked)
        audit_record(
            actor=actor,
            tag="filings:engagement:revoked",
            subject=locked,
            old={"revoked_at": None},
            new={"revoked_at": locked.revoked_at, "document_grants_withdrawn": withdrawn},
            organization=locked.enterprise,
            center=locked.center,
        )
        _tell(
            agency_agents(locked.agency),
            tag="filings:engagement:revoked",
            subject=lambda: (
                gettext("%(enterprise)s revoked its engagement of your agency")
                % {"enterprise": locked.enterprise.name}
            ),
            url=reverse("filings:engagements"),
            actor=actor,
        )
    engagement.refresh_from_db()
    return locked


# --- quota ----------------------------------------------------------------------------------


def quota_ensure(*, organization: Organization, center: Center, year: int) -> Quota:
    """The entity's quota for the year, set from last year's outcomes when it is missing
    (at activation and by the new-year job); an existing quota is never recomputed."""
    existing = Quota.objects.filter(organization=organization, center=center, year=year).first()
    if existing is not None:
        return existing
    base, basis = quota_compute(organization=organization, center=center, year=year)
    with transaction.atomic():
        try:
            with transaction.atomic():
                quota = Quota.objects.create(
                    organization=organization, center=center, year=year, base=base, basis=basis
                )
        except IntegrityError:  # another worker set it first
            return Quota.objects.get(organization=organization, center=center, year=year)
        audit_record(
            actor=None,
            tag="filings:quota:set",
            subject=quota,
            new={"year": year, "base": base, "basis": basis},
            organization=organization,
            center=center,
        )
    return quota


def quota_request_create(
    *,
    actor: Any,
    organization: Organization,
    center: Center,
    year: int,
    requested: int,
    reason: str,
) -> QuotaRequest:
    """Ask for extra quota: only an active filing whose year's quota is used up may."""
    from ipcenter.filings.selectors import filing_in_force

    require(actor, Perm.QUOTA_REQUEST, AccessScope(organization_id=organization.pk))
    text = _required_reason(reason)
    if requested < 1:
        message = _("Ask for at least one case.")
        raise InvalidInput(message, errors={"requested": str(message)})
    if filing_in_force(organization=organization, center=center) is None:
        raise InvalidInput(_("Only an entity with an active filing can ask for extra quota."))
    left = quota_left(organization=organization, center=center, year=year)
    if left > 0:
        not_yet = _(
            "Extra quota can be asked for once the year's quota is used up; %(left)d case(s) "
            "are left."
        ) % {"left": left}
        raise InvalidInput(not_yet, errors={"requested": not_yet})
    with transaction.atomic():
        try:
            with transaction.atomic():
                request = QuotaRequest.objects.create(
                    organization=organization,
                    center=center,
                    year=year,
                    requested=requested,
                    reason=text,
                    requested_by=actor,
                )
        except IntegrityError as exc:
            raise Conflict(_("A request for extra quota is already waiting.")) from exc
        audit_record(
            actor=actor,
            tag="filings:quota:requested",
            subject=request,
            new={"year": year, "requested": requested, "reason": text},
            organization=organization,
            center=center,
        )
        _tell(
            center_managers(center),
            tag="filings:quota:requested",
            subject=lambda: (
                gettext("Extra quota asked by %(entity)s: %(n)d case(s)")
                % {"entity": organization.name, "n": requested}
            ),
            url=reverse("filings:quota_requests"),
            actor=actor,
        )
    return request


def quota_request_decide(
    *, actor: Any, request: QuotaRequest, granted: int, reason: str = ""
) -> QuotaRequest:
    """Grant n extra cases (added to the year's quota) or refuse (granted 0, with a reason)."""
    require(actor, Perm.QUOTA_DECIDE, request)
    if granted < 0 or granted > request.requested:
        message = _("Grant between 0 and the %(n)d case(s) asked for.") % {"n": request.requested}
        raise InvalidInput(message, errors={"granted": str(message)})
    text = (reason or "").strip()
    if granted == 0:
        text = _required_reason(text)
    with transaction.atomic():
        locked = (
            QuotaRequest.objects.select_for_update()
            .select_related("organization", "center")
            .get(pk=request.pk)
        )
        if locked.state != QuotaRequestState.PENDING:
            raise Conflict(_("This request has already been decided."))
        state = QuotaRequestState.GRANTED if granted else QuotaRequestState.REFUSED
        if granted:
            quota = quota_ensure(
                organization=locked.organization, center=locked.center, year=locked.year
            )
            quota = Quota.objects.select_for_update().get(pk=quota.pk)
            quota.extra += granted
            quota.save(update_fields=["extra"])
        locked.state = state
        locked.granted = granted
        locked.decision_reason = text
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save()
        audit_record(
            actor=actor,
            tag=f"filings:quota:{state}",
            subject=locked,
            old={"state": QuotaRequestState.PENDING},
            new={"state": state, "granted": granted} | ({"reason": text} if text else {}),
            organization=locked.organization,
            center=locked.center,
        )
        _tell(
            entity_admins(locked.organization),
            tag=f"filings:quota:{state}",
            subject=lambda: (
                gettext("Extra quota for %(year)d: %(granted)d of %(n)d granted")
                % {"year": locked.year, "granted": granted, "n": locked.requested}
            ),
            url=reverse("filings:list"),
        )
    request.refresh_from_db()
    return locked


# --- sanctions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SanctionDecision:
    kind: str  # SanctionKind
    reason: Any  # a lazy message, formatted


def sanction_decision(
    *,
    accepted: int,
    qualified: int,
    unqualified: int,
    abnormal_findings: int,
    settings: Mapping[str, int],
) -> SanctionDecision | None:
    """What the year's figures call for (no database).

    The failure rate (unqualified / decided) counts once at least sanction_min_decided_cases
    cases were decided in the year. Cancel: rate > sanction_cancel_failure_rate % or at least
    sanction_cancel_abnormal_findings abnormal-filing findings in the year. Suspend: rate >
    sanction_suspend_failure_rate %. Cancellation wins over suspension.
    """
    decided = qualified + unqualified
    rate = unqualified / decided * 100 if decided else None
    counts = rate is not None and decided >= settings["sanction_min_decided_cases"]
    figures = {
        "rate": f"{rate:.1f}" if rate is not None else "-",
        "unqualified": unqualified,
        "decided": decided,
        "findings": abnormal_findings,
    }
    if abnormal_findings >= settings["sanction_cancel_abnormal_findings"]:
        return SanctionDecision(
            SanctionKind.CANCEL,
            _("%(findings)d abnormal-filing finding(s) in the year (cancellation at %(limit)d).")
            % {**figures, "limit": settings["sanction_cancel_abnormal_findings"]},
        )
    if counts and rate is not None and rate > settings["sanction_cancel_failure_rate"]:
        return SanctionDecision(
            SanctionKind.CANCEL,
            _(
                "Failure rate %(rate)s %% (%(unqualified)d of %(decided)d decided cases) is "
                "above %(limit)d %%."
            )
            % {**figures, "limit": settings["sanction_cancel_failure_rate"]},
        )
    if counts and rate is not None and rate > settings["sanction_suspend_failure_rate"]:
        return SanctionDecision(
            SanctionKind.SUSPEND,
            _(
                "Failure rate %(rate)s %% (%(unqualified)d of %(decided)d decided cases) is "
                "above %(limit)d %%."
            )
            % {**figures, "limit": settings["sanction_suspend_failure_rate"]},
        )
    return None


def sanctions_assess(*, center: Center, year: int, actor: Any = None) -> list[Sanction]:
    """Sanction every active or suspended filing of the center by the figures of `year`.

    Idempotent: a filing gets at most one sanction of each kind per year (constraint
    sanction_once), and a suspension is skipped once the year has cancelled it. Run by the
    new-year job for the previous year, or by a manager from the page.
    """
    from ipcenter.preexam.selectors import entity_outcomes

    if actor is not None:
        require(actor, Perm.FILING_REVIEW, AccessScope(center_id=center.pk))
    day = today()
    if year >= day.year:
        message = _("Only a year that has ended can be assessed.")
        raise InvalidInput(message, errors={"year": str(message)})
    values = center_settings(center=center, on=day)
    outcomes = entity_outcomes(center=center, year=year)
    abnormal_findings = abnormal_findings_in(year=year)
    already: dict[int, set[str]] = defaultdict(set)
    for filing_id, kind in Sanction.objects.filter(filing__center=center, year=year).values_list(
        "filing_id", "kind"
    ):
        already[filing_id].add(kind)
    imposed: list[Sanction] = []
    filings = EntityFiling.objects.filter(
        center=center, state__in=[S.ACTIVE, S.SUSPENDED]
    ).select_related("organization", "center")
    for filing in filings.order_by("pk"):
        figures = outcomes.get(filing.organization_id)
        abnormal = abnormal_findings[filing.organization_id]
        decision = sanction_decision(
            accepted=figures.accepted if figures else 0,
            qualified=figures.qualified if figures else 0,
            unqualified=figures.unqualified if figures else 0,
            abnormal_findings=abnormal,
            settings=values,
        )
        if decision is None:
            continue
        if decision.kind in already[filing.pk] or SanctionKind.CANCEL in already[filing.pk]:
            continue
        sanction = _impose(
            filing=filing,
            decision=decision,
            year=year,
            accepted=figures.accepted if figures else 0,
            failed=figures.unqualified if figures else 0,
            abnormal=abnormal,
            months=values["sanction_suspend_months"],
            actor=actor,
        )
        if sanction is not None:
            imposed.append(sanction)
    return imposed


def _impose(
    *,
    filing: EntityFiling,
    decision: SanctionDecision,
    year: int,
    accepted: int,
    failed: int,
    abnormal: int,
    months: int,
    actor: Any,
) -> Sanction | None:
    day = today()
    ends_on = add_months(day, months) if decision.kind == SanctionKind.SUSPEND else None
    reason = str(decision.reason)
    try:
        with transaction.atomic():
            sanction = Sanction.objects.create(
                filing=filing,
                kind=decision.kind,
                year=year,
                accepted=accepted,
                failed=failed,
                abnormal_findings=abnormal,
                reason=reason,
                starts_on=day,
                ends_on=ends_on,
            )
            audit_record(
                actor=actor,
                tag=f"filings:sanction:{decision.kind}",
                subject=sanction,
                new={"year": year, "reason": reason, "ends_on": ends_on},
                organization=filing.organization,
                center=filing.center,
            )
            if decision.kind == SanctionKind.CANCEL:
                filing_transition(filing=filing, to=S.CANCELLED, actor=actor, reason=reason)
            else:
                assert ends_on is not None
                _suspend_for_sanction(filing=filing, until=ends_on, reason=reason, actor=actor)
    except (IntegrityError, Conflict):
        return None  # another run imposed it, or the filing moved meanwhile
    return sanction


def _suspend_for_sanction(*, filing: EntityFiling, until: dt.date, reason: str, actor: Any) -> None:
    locked = EntityFiling.objects.select_for_update().get(pk=filing.pk)
    if locked.state == S.ACTIVE:
        filing_transition(
            filing=locked,
            to=S.SUSPENDED,
            actor=actor,
            reason=reason,
            updates={"suspended_until": until},
        )
        return
    # Already suspended by hand: the sanction lengthens the suspension, never shortens it.
    if locked.suspended_until is None or locked.suspended_until < until:
        old = locked.suspended_until
        EntityFiling.objects.filter(pk=locked.pk).update(suspended_until=until)
        FilingEvent.objects.create(
            filing=locked, from_state=S.SUSPENDED, to_state=S.SUSPENDED, actor=actor, reason=reason
        )
        audit_record(
            actor=actor,
            tag="filings:filing:suspension_extended",
            subject=locked,
            old={"suspended_until": old},
            new={"suspended_until": until},
            organization=locked.organization,
            center=locked.center,
        )


def quotas_for_new_year(*, year: int) -> int:
    """Set the year's quota of every active or suspended filing (the new-year job)."""
    count = 0
    for filing in EntityFiling.objects.filter(state__in=[S.ACTIVE, S.SUSPENDED]).select_related(
        "organization", "center"
    ):
        quota_ensure(organization=filing.organization, center=filing.center, year=year)
        count += 1
    return count


def sanctions_for_last_year(*, on: dt.date | None = None) -> int:
    """The new-year job: assess every center for the year that ended."""
    year = (on or today()).year - 1
    return sum(len(sanctions_assess(center=c, year=year)) for c in Center.objects.all())
