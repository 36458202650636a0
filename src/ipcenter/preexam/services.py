"""Writes of pre-examination: intake, review moves, amendment, and the audited views of content.

Every state change goes through `workflow.case_transition()`; the services here add what each
move writes besides the state (opinions, versions, clocks) in the same transaction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ipcenter.accounts.access import can, organizations_with
from ipcenter.accounts.models import Organization
from ipcenter.accounts.roles import OrgKind, Perm
from ipcenter.audit.services import audit_record
from ipcenter.centers.models import Center
from ipcenter.centers.selectors import center_setting
from ipcenter.documents.models import Document, DocumentKind
from ipcenter.documents.services import (
    archive_limits,
    document_grant,
    document_store,
    upload_error_message,
)
from ipcenter.documents.validation import (
    DOCX,
    JPEG,
    PDF,
    PNG,
    TIFF,
    XML,
    FileType,
    UploadRejected,
    check_upload,
)
from ipcenter.filings.models import EngagementActivity
from ipcenter.filings.selectors import engagement_in_force, engagements_covering
from ipcenter.lib.errors import Conflict, InvalidInput
from ipcenter.notifications.services import notify
from ipcenter.patents.application import PARSE_ERROR_MESSAGES, ParsedApplication, ParseError
from ipcenter.patents.ipc import IpcError, load_scheme
from ipcenter.patents.locarno import LocarnoError, parse_locarno
from ipcenter.preexam import eligibility, selectors
from ipcenter.preexam.analysis import analysis_schedule, citations_attach
from ipcenter.preexam.assignment import case_assign_auto
from ipcenter.preexam.clocks import clock_start, clock_stop
from ipcenter.preexam.eligibility import EligibilityInput, RuleResult, case_eligibility
from ipcenter.preexam.models import (
    Aspect,
    Case,
    CaseEvent,
    CaseState,
    CaseVersion,
    ClockKind,
    DocumentPart,
    Finding,
    Opinion,
    OpinionItem,
    PatentType,
    Severity,
    VersionDocument,
)
from ipcenter.preexam.workflow import CASE_WORKFLOW, case_transition, require_agency_mandate

if TYPE_CHECKING:
    from ipcenter.patents.documents import ReaderLimits

S = CaseState

# Parts of an application and the file types each accepts (checked from the content).
TEXT_PARTS = (
    DocumentPart.FULL,
    DocumentPart.CLAIMS,
    DocumentPart.DESCRIPTION,
    DocumentPart.ABSTRACT,
)
UPLOAD_PARTS = (*TEXT_PARTS, DocumentPart.DRAWINGS)
PART_TYPES: dict[str, tuple[FileType, ...]] = {
    **{part.value: (DOCX, PDF, XML) for part in TEXT_PARTS},
    DocumentPart.DRAWINGS.value: (PDF, PNG, JPEG, TIFF),
}

# The aspects an opinion must address, by patent type (DOMAIN.md section 2).
REQUIRED_ASPECTS: dict[str, tuple[str, ...]] = {
    PatentType.INVENTION: (
        Aspect.NOVELTY,
        Aspect.INVENTIVE_STEP,
        Aspect.CLARITY_SUPPORT,
        Aspect.UNITY,
    ),
    PatentType.UTILITY_MODEL: (Aspect.OBVIOUS_DEFECTS, Aspect.NOVELTY),
    PatentType.DESIGN: (Aspect.OBVIOUS_DEFECTS, Aspect.NOVELTY),
}


@dataclass
class PriorityClaim:
    country: str
    number: str
    date: dt.date | str


@dataclass
class CaseRequest:
    """The request data of a case as the applicant or its agent fills it in."""

    title: str
    patent_type: str
    applicants: list[str]
    main_code: str
    inventors: list[str] = field(default_factory=list)
    further_codes: list[str] = field(default_factory=list)
    priority_claims: list[PriorityClaim | dict[str, Any]] = field(default_factory=list)
    is_pct: bool = False
    is_divisional: bool = False
    same_day_dual_filing: bool = False
    # An agent names the enterprise it acts for; an enterprise's own people leave it empty.
    applicant_organization_id: int | None = None


@dataclass
class CleanRequest:
    title: str
    patent_type: str
    applicants: list[str]
    inventors: list[str]
    main_code: str
    further_codes: list[str]
    priority_claims: list[dict[str, str]]
    priority_date: dt.date | None
    is_pct: bool
    is_divisional: bool
    same_day_dual_filing: bool


@dataclass
class OpinionItemIn:
    aspect: str
    satisfied: bool
    claims: str = ""
    text: str = ""


# --- request data --------------------------------------------------------------------------


def _names(values: Sequence[str]) -> list[str]:
    return [str(v).strip() for v in values if str(v).strip()]


def normalise_code(code: str, patent_type: str) -> str:
    """A main or further classification in normalised form; raises IpcError / LocarnoError."""
    if patent_type == PatentType.DESIGN:
        return str(parse_locarno(code))
    return load_scheme().validate(code).display(with_version=False)


def clean_request(request: CaseRequest) -> CleanRequest:
    """Check the request data; InvalidInput names every field at fault."""
    errors: dict[str, str] = {}
    title = request.title.strip()
    if not title:
        errors["title"] = _("Give the title of the invention.")
    elif len(title) > 300:
        errors["title"] = _("The title is longer than 300 characters.")
    if request.patent_type not in PatentType.values:
        errors["patent_type"] = _("Choose invention, utility model or design.")
    applicants = _names(request.applicants)
    if not applicants:
        errors["applicants"] = _("Name at least one applicant; the first is the filed entity.")
    inventors = _names(request.inventors)
    if not inventors:
        errors["inventors"] = _("Name at least one inventor or designer.")
    main_code = ""
    further: list[str] = []
    if request.patent_type in PatentType.values:
        try:
            main_code = normalise_code(request.main_code.strip(), request.patent_type)
        except (IpcError, LocarnoError) as exc:
            errors["main_code"] = _scheme_error(request.patent_type, request.main_code, exc)
        for raw in _names(request.further_codes):
            try:
                code = normalise_code(raw, request.patent_type)
            except (IpcError, LocarnoError) as exc:
                errors["further_codes"] = _scheme_error(request.patent_type, raw, exc)
                break
            if code != main_code and code not in further:
                further.append(code)
    claims, earliest, problem = _clean_priorities(request.priority_claims)
    if problem:
        errors["priority_claims"] = problem
    if errors:
        raise InvalidInput(_("The request data are not complete or not valid."), errors=errors)
    return CleanRequest(
        title=title,
        patent_type=request.patent_type,
        applicants=applicants,
        inventors=inventors,
        main_code=main_code,
        further_codes=further,
        priority_claims=claims,
        priority_date=earliest,
        is_pct=bool(request.is_pct),
        is_divisional=bool(request.is_divisional),
        same_day_dual_filing=bool(request.same_day_dual_filing),
    )


def _scheme_error(patent_type: str, raw: str, exc: Exception) -> str:
    if patent_type == PatentType.DESIGN:
        return _("“%(code)s” is not a Locarno class or subclass (e.g. 14-02): %(detail)s") % {
            "code": raw,
            "detail": exc,
        }
    return _("“%(code)s” is not a valid IPC symbol (e.g. A61K 31/00): %(detail)s") % {
        "code": raw,
        "detail": exc,
    }


def _clean_priorities(
    raw: list[PriorityClaim | dict[str, Any]],
) -> tuple[list[dict[str, str]], dt.date | None, str]:
    out: list[dict[str, str]] = []
    dates: list[dt.date] = []
    today = timezone.localdate()
    for i, item in enumerate(raw, start=1):
        data = item if isinstance(item, dict) else item.__dict__
        country = str(data.get("country") or "").strip().upper()
        number = str(data.get("number") or "").strip()
        when = data.get("date")
        if isinstance(when, str):
            try:
                when = dt.date.fromisoformat(when.strip())
            except ValueError:
                when = None
        if (
            len(country) != 2
            or not country.isalpha()
            or not number
            or not isinstance(when, dt.date)
        ):
            return (
                [],
                None,
                _("Priority claim %(n)d needs a two-letter country, a number and a date.")
                % {"n": i},
            )
        if when > today:
            return [], None, _("Priority claim %(n)d is dated in the future.") % {"n": i}
        out.append({"country": country, "number": number, "date": when.isoformat()})
        dates.append(when)
    return out, min(dates) if dates else None, ""


def resolve_parties(
    *, actor: Any, applicant_organization_id: int | None, center: Center
) -> tuple[Organization, Organization | None]:
    """The applicant organization and, for an agent, the agency acting for it.

    An enterprise's own people submit for their enterprise; an agent names an enterprise that
    engaged the agency for filing at the center (an engagement in force). Any other enterprise,
    existing or not, gets the same refusal, so that nobody learns of it here.
    """
    own = Organization.objects.filter(
        pk__in=organizations_with(actor, Perm.CASE_SUBMIT), is_active=True
    )
    enterprises = [o for o in own if o.kind == OrgKind.ENTERPRISE]
    agencies = [o for o in own if o.kind == OrgKind.AGENCY]
    if applicant_organization_id is None:
        if len(enterprises) == 1:
            return enterprises[0], None
        message = gettext_lazy("Choose the applicant organization.")
        raise InvalidInput(message, errors={"applicant_organization_id": str(message)})
    chosen = next((o for o in enterprises if o.pk == applicant_organization_id), None)
    if chosen is not None:
        return chosen, None
    applicant = Organization.objects.filter(
        pk=applicant_organization_id, kind=OrgKind.ENTERPRISE, is_active=True
    ).first()
    for agency in agencies:
        if applicant is not None and engagement_in_force(
            enterprise=applicant, agency=agency, center=center, activity=EngagementActivity.FILING
        ):
            return applicant, agency
    message = gettext_lazy("You cannot submit cases for this organization.")
    raise InvalidInput(message, errors={"applicant_organization_id": str(message)})


# --- documents -----------------------------------------------------------------------------


Upload = tuple[str, UploadedFile]


def _check_parts(files: Sequence[Upload], patent_type: str, *, amendment: bool) -> None:
    parts = [part for part, _upload in files]
    errors: dict[str, str] = {}
    for part in parts:
        if part not in UPLOAD_PARTS:
            errors[str(part)] = _("Unknown document part %(part)s.") % {"part": part}
        elif parts.count(part) > 1:
            errors[part] = _("Upload one file for each part.")
    if errors:
        raise InvalidInput(_("The documents are not valid."), errors=errors)
    have = set(parts)
    if amendment:
        if not have & set(TEXT_PARTS):
            message = _("Upload the amended claims, description or abstract.")
            raise InvalidInput(message, errors={"files": message})
        return
    if patent_type == PatentType.DESIGN:
        if DocumentPart.DRAWINGS not in have:
            message = _("A design needs its drawings or photographs.")
            raise InvalidInput(message, errors={DocumentPart.DRAWINGS.value: message})
        return
    split: set[str] = {DocumentPart.CLAIMS, DocumentPart.DESCRIPTION, DocumentPart.ABSTRACT}
    if DocumentPart.FULL not in have and not split <= have:
        missing = ", ".join(str(DocumentPart(p).label) for p in sorted(split - have))
        message = _(
            "Upload the complete application, or its claims, description and abstract "
            "(missing: %(missing)s)."
        ) % {"missing": missing}
        raise InvalidInput(message, errors={"files": message})


def _check_upload(part: str, upload: UploadedFile) -> None:
    name = (upload.name or "").strip()
    try:
        ftype = check_upload(
            name=name,
            size=upload.size or 0,
            stream=upload.file,  # type: ignore[arg-type]
            max_bytes=settings.IPCENTER_MAX_UPLOAD_BYTES,
            archive_limits=archive_limits(),
            accepted=PART_TYPES[part],
        )
    except UploadRejected as exc:
        message = upload_error_message(exc)
        raise InvalidInput(message, errors={part: message}) from exc
    finally:
        upload.seek(0)
    if ftype not in PART_TYPES[part]:
        message = _("%(part)s: files of type %(found)s are not accepted; use %(allowed)s.") % {
            "part": DocumentPart(part).label,
            "found": ftype.label,
            "allowed": ", ".join(t.label for t in PART_TYPES[part]),
        }
        raise InvalidInput(message, errors={part: message})


def parse_error_message(exc: ParseError) -> str:
    template = PARSE_ERROR_MESSAGES.get(exc.code)
    try:
        text = _(template).format(**exc.params) if template else exc.message
    except (KeyError, IndexError):
        text = exc.message
    if exc.location:
        text = _("%(message)s (at %(location)s)") % {"message": text, "location": exc.location}
    return text


def reader_limits() -> ReaderLimits:
    """What the patent reader takes from one document, from the settings. The archive bounds
    are left out: every upload it reads went through `_check_upload`, which streamed the whole
    archive against `archive_limits()` already."""
    from ipcenter.patents.documents import ReaderLimits

    return ReaderLimits(
        archive=None,
        max_paragraphs=settings.IPCENTER_DOCUMENT_MAX_PARAGRAPHS,
        max_chars=settings.IPCENTER_DOCUMENT_MAX_CHARS,
    )


def parse_uploads(files: Sequence[Upload]) -> dict[str, ParsedApplication]:
    """Parse every text part; a ParseError becomes InvalidInput naming the part and the place.
    Each upload must have passed `_check_upload` (its archive bounds are not checked again)."""
    from ipcenter.patents.documents import parse_document

    limits = reader_limits()
    parsed: dict[str, ParsedApplication] = {}
    for part, upload in files:
        if part == DocumentPart.DRAWINGS:
            continue
        data = upload.read()
        upload.seek(0)
        try:
            parsed[part] = parse_document(upload.name or part, data, part=part, limits=limits)
        except ParseError as exc:
            message = _("%(part)s: %(error)s") % {
                "part": DocumentPart(part).label,
                "error": parse_error_message(exc),
            }
            raise InvalidInput(message, errors={part: message}) from exc
    return parsed


def read_application(files: Sequence[Upload], *, patent_type: str, title: str) -> ParsedApplication:
    """Upload checks, then parsing, of a new case's documents; nothing is stored."""
    _check_parts(files, patent_type, amendment=False)
    for part, upload in files:
        _check_upload(part, upload)
    parts = parse_uploads(files)
    if not parts:
        return ParsedApplication(title=title, source_format="drawings")
    if list(parts) == [DocumentPart.FULL]:
        return parts[DocumentPart.FULL]
    from ipcenter.patents.documents import merge_parts

    return merge_parts(parts)


# Which fields of the parsed application each part replaces in an amendment.
PART_FIELDS: dict[str, tuple[str, ...]] = {
    DocumentPart.CLAIMS: ("claims",),
    DocumentPart.ABSTRACT: ("abstract",),
    DocumentPart.DESCRIPTION: (
        "description",
        "sections",
        "figures",
        "figure_refs",
        "reference_signs",
    ),
}


def amend_application(
    previous: dict[str, Any], parts: dict[str, ParsedApplication]
) -> dict[str, Any]:
    """The amended application: the new parts over the previous version's."""
    if DocumentPart.FULL in parts:
        return parts[DocumentPart.FULL].to_dict()
    result = dict(previous)
    for part, app in parts.items():
        new = app.to_dict()
        for name in PART_FIELDS.get(part, ()):
            result[name] = new[name]
    return result


def _owner_and_partner(
    actor: Any, organization: Organization, agency: Organization | None
) -> tuple[Organization | None, Organization | None]:
    """The case's documents belong to the applicant, whoever uploads them, so that they follow
    the case: an agent uploads them from its agency (returned first, None for the applicant's
    own people) and they are shared with the agency only while the engagement lasts (returned
    second, with share_until)."""
    if can(actor, Perm.DOCUMENT_UPLOAD, organization_scope_of(organization)):
        return None, agency
    if agency is not None and can(actor, Perm.DOCUMENT_UPLOAD, organization_scope_of(agency)):
        return agency, agency
    raise PermissionDenied("documents:document:upload")


def share_until(case: Case, organization: Organization) -> dt.datetime | None:
    """How long a document of the case stays shared with `organization`: with the case's agency,
    until the end of the enterprise's engagement of it (the latest in force at the case's center;
    none in force: not at all), with anyone else for good (None)."""
    if organization.pk != case.agency_id or organization.pk == case.organization_id:
        return None
    ends = [
        engagement.ends_at()
        for engagement in engagements_covering(
            enterprise=case.organization_id, agency=case.agency_id, center=case.center_id
        )
    ]
    if not ends:
        return timezone.now()
    if None in ends:
        return None
    return max(end for end in ends if end is not None)


def organization_scope_of(organization: Organization) -> Any:
    from ipcenter.documents.services import organization_scope

    return organization_scope(organization)


def _store_documents(
    *, actor: Any, case: Case, version: CaseVersion, files: Sequence[Upload], stored: list[Document]
) -> None:
    uploaded_from, partner = _owner_and_partner(actor, case.organization, case.agency)
    # The same for every part: asked of the engagements once, not once for each file.
    expires_at = share_until(case, partner) if partner is not None else None
    for part, upload in files:
        document = document_store(
            actor=actor,
            organization=case.organization,
            uploaded_from=uploaded_from,
            upload=upload,
            kind=DocumentKind.APPLICATION,
            title=f"{case.reference} v{version.number} {DocumentPart(part).label}",
            center=case.center,
            confidential=True,
        )
        stored.append(document)
        if partner is not None:
            document_grant(
                actor=actor,
                document=document,
                organization=partner,
                expires_at=expires_at,
                granted_from=uploaded_from,
            )
        VersionDocument.objects.create(version=version, document=document, part=part)


def _forget_files(stored: list[Document]) -> None:
    """After a rolled-back intake, the files already written must not linger."""
    for document in stored:
        with contextlib.suppress(OSError):  # best effort on a failing storage
            document.file.delete(save=False)


def _write_findings(version: CaseVersion) -> int:
    from ipcenter.patents.formality import check_formalities

    case = version.case
    limit = center_setting(center=case.center, key="abstract_max_chars", on=timezone.localdate())
    found = check_formalities(
        ParsedApplication.from_dict(version.parsed),
        patent_type=case.patent_type,
        abstract_max_chars=limit,
    )
    rows = []
    for f in found:
        severity = str(getattr(f.severity, "value", f.severity))
        rows.append(
            Finding(
                version=version,
                code=f.code,
                severity=severity if severity in Severity.values else Severity.WARNING,
                location=str(f.location or "")[:100],
                params=dict(f.params or {}),
            )
        )
    Finding.objects.bulk_create(rows)
    return len(rows)


# --- references ----------------------------------------------------------------------------


def reference_prefix(center: Center) -> str:
    """The first two letters of the center's code: SH for shanghai."""
    return center.code[:2].upper()


def _next_reference(center: Center, year: int) -> str:
    """The next free `SH-2026-00042`. Centers sharing a prefix are locked together (in id
    order, so two intakes never deadlock), which makes the sequence race-free."""
    prefix = reference_prefix(center)
    list(
        Center.objects.select_for_update()
        .filter(code__istartswith=center.code[:2])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    stem = f"{prefix}-{year}-"
    last = (
        Case.objects.filter(reference__startswith=stem)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{stem}{number:05d}"


# --- intake --------------------------------------------------------------------------------


def _eligibility_input(
    *,
    center: Center,
    organization: Organization,
    agency: Organization | None,
    clean: CleanRequest,
    claim1: str,
) -> EligibilityInput:
    return EligibilityInput(
        center=center,
        organization=organization,
        patent_type=clean.patent_type,
        main_code=clean.main_code,
        applicants=tuple(clean.applicants),
        title=clean.title,
        is_pct=clean.is_pct,
        is_divisional=clean.is_divisional,
        same_day_dual_filing=clean.same_day_dual_filing,
        claim1=claim1,
        agency=agency,
        on=timezone.localdate(),
    )


def _require_submitter(actor: Any, organization: Organization, agency: Organization | None) -> None:
    from ipcenter.accounts.access import AccessScope

    scope = AccessScope(
        organization_id=organization.pk,
        also_organization_ids=frozenset({agency.pk}) if agency else frozenset(),
    )
    if not can(actor, Perm.CASE_SUBMIT, scope):
        raise PermissionDenied(Perm.CASE_SUBMIT.value)


class NotEligible(InvalidInput):
    """A refusal listing every failed eligibility rule (errors keyed by rule)."""

    def __init__(self, results: list[RuleResult]) -> None:
        failures = eligibility.failed(results)
        super().__init__(
            _("The case cannot be pre-examined: %(rules)s")
            % {"rules": "; ".join(f"{r.label} ({r.detail})" for r in failures)},
            errors={r.rule: f"{r.label}: {r.detail}" for r in failures},
        )
        self.results = results


def case_check_eligibility(
    *,
    actor: Any,
    center: Center,
    request: CaseRequest,
    files: Sequence[Upload] = (),
) -> list[RuleResult]:
    """A dry run: the request data checked and every rule's result, nothing stored."""
    organization, agency = resolve_parties(
        actor=actor, applicant_organization_id=request.applicant_organization_id, center=center
    )
    _require_submitter(actor, organization, agency)
    clean = clean_request(request)
    claim1 = ""
    if files:
        app = read_application(files, patent_type=clean.patent_type, title=clean.title)
        claim1 = app.claims[0].text if app.claims else ""
    return case_eligibility(
        _eligibility_input(
            center=center, organization=organization, agency=agency, clean=clean, claim1=claim1
        )
    )


def case_submit(
    *,
    actor: Any,
    center: Center,
    request: CaseRequest,
    files: Sequence[Upload],
) -> Case:
    """Take in a case: check, parse, check eligibility, then store everything in one go."""
    organization, agency = resolve_parties(
        actor=actor, applicant_organization_id=request.applicant_organization_id, center=center
    )
    _require_submitter(actor, organization, agency)
    clean = clean_request(request)
    app = read_application(files, patent_type=clean.patent_type, title=clean.title)
    results = case_eligibility(
        _eligibility_input(
            center=center,
            organization=organization,
            agency=agency,
            clean=clean,
            claim1=app.claims[0].text if app.claims else "",
        )
    )
    if eligibility.failed(results):
        raise NotEligible(results)

    stored: list[Document] = []
    try:
        with transaction.atomic():
            now = timezone.now()
            today = timezone.localdate()
            case = Case.objects.create(
                center=center,
                reference=_next_reference(center, today.year),
                patent_type=clean.patent_type,
                title=clean.title,
                organization=organization,
                agency=agency,
                applicants=clean.applicants,
                inventors=clean.inventors,
                main_code=clean.main_code,
                further_codes=clean.further_codes,
                priority_claims=clean.priority_claims,
                priority_date=clean.priority_date,
                is_pct=clean.is_pct,
                is_divisional=clean.is_divisional,
                same_day_dual_filing=clean.same_day_dual_filing,
                quota_year=today.year,
                submitted_by=actor,
                submitted_at=now,
            )
            version = CaseVersion.objects.create(
                case=case, number=1, parsed=app.to_dict(), created_by=actor
            )
            _store_documents(actor=actor, case=case, version=version, files=files, stored=stored)
            findings = _write_findings(version)
            CaseEvent.objects.create(
                case=case,
                action="submitted",
                to_state=S.SUBMITTED,
                actor=actor,
                data={"eligibility": [r.as_dict() for r in results], "findings": findings},
            )
            audit_record(
                actor=actor,
                tag="preexam:case:submitted",
                subject=case,
                new={
                    # References only: the title and the rest are the case's own content.
                    "reference": case.reference,
                    "patent_type": case.patent_type,
                    "main_code": case.main_code,
                    "agency": agency.pk if agency else None,
                    "documents": [d.sha256 for d in stored],
                },
                organization=organization,
                center=center,
            )
            clock_start(case=case, kind=ClockKind.DECISION, start=today)
            case_assign_auto(case)
            analysis_schedule(version)
    except BaseException:
        _forget_files(stored)
        raise
    case.refresh_from_db()
    return case


# --- review moves --------------------------------------------------------------------------


def _preflight(*, case: Case, to: str, actor: Any) -> None:
    """Refuse an illegal move before any upload is read (the same answers as case_transition)."""
    CASE_WORKFLOW.check_move(case, to, actor)
    require_agency_mandate(case, actor)


def _need_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        message = gettext_lazy("Give a reason.")
        raise InvalidInput(message, errors={"reason": str(message)})
    return reason


def _tell_applicant(
    case: Case, subject: Any, body: Any = "", due_on: dt.date | None = None
) -> None:
    """Notify the applicant side (subject/body are lazy strings, rendered per recipient)."""
    reference = case.reference
    for person in selectors.case_applicant_side(case):
        notify(
            recipient=person,
            tag="preexam:case:moved",
            subject=lambda: str(subject) % {"ref": reference},
            body=lambda: str(body),
            url=reverse("preexam:case_detail", args=[case.pk]),
            due_on=due_on,
        )


def case_accept(*, case: Case, actor: Any) -> Case:
    return case_transition(
        case=case, to=S.ACCEPTED, actor=actor, updates={"accepted_at": timezone.now()}
    )


def case_not_accept(*, case: Case, actor: Any, reason: str) -> Case:
    reason = _need_reason(reason)
    with transaction.atomic():
        moved = case_transition(
            case=case,
            to=S.NOT_ACCEPTED,
            actor=actor,
            reason=reason,
            after_commit=lambda c: _tell_applicant(
                c, gettext_lazy("Case %(ref)s was not accepted"), reason
            ),
        )
        clock_stop(case=moved)
    case.refresh_from_db()
    return case


def case_opinion_issue(
    *, case: Case, actor: Any, summary: str, items: Sequence[OpinionItemIn]
) -> Opinion:
    """The examiner's opinion: the aspects of the case's type, at least one to be answered."""
    summary = summary.strip()
    _check_opinion(case, summary, items)
    with transaction.atomic():
        moved = case_transition(case=case, to=S.OPINION_ISSUED, actor=actor)
        version = moved.versions.order_by("-number").first()
        assert version is not None
        opinion = Opinion.objects.create(
            case=moved, version=version, examiner=actor, summary=summary
        )
        OpinionItem.objects.bulk_create(
            [
                OpinionItem(
                    opinion=opinion,
                    aspect=item.aspect,
                    satisfied=item.satisfied,
                    claims=item.claims.strip()[:100],
                    text=item.text.strip(),
                )
                for item in items
            ]
        )
        citations_attach(case=moved, opinion=opinion)
        clock_stop(case=moved, kind=ClockKind.DECISION)
        clock = clock_start(case=moved, kind=ClockKind.AMENDMENT, start=timezone.localdate())
        due = clock.due_on
        transaction.on_commit(
            lambda: _tell_applicant(
                moved,
                gettext_lazy("Opinion on case %(ref)s: please amend"),
                gettext_lazy("The pre-examiner's opinion asks for an amendment."),
                due_on=due,
            )
        )
    case.refresh_from_db()
    return opinion


def _check_opinion(case: Case, summary: str, items: Sequence[OpinionItemIn]) -> None:
    errors: dict[str, str] = {}
    if not summary:
        errors["summary"] = _("Write the opinion's summary.")
    required = REQUIRED_ASPECTS[case.patent_type]
    given = [item.aspect for item in items]
    if sorted(given) != sorted(required):
        errors["items"] = _("An opinion on a %(type)s addresses exactly: %(aspects)s.") % {
            "type": PatentType(case.patent_type).label,
            "aspects": ", ".join(str(Aspect(a).label) for a in required),
        }
    elif all(item.satisfied for item in items):
        errors["items"] = _(
            "An opinion asks for an amendment: mark at least one aspect as not satisfied "
            "(or qualify the case)."
        )
    else:
        for item in items:
            if not item.satisfied and not item.text.strip():
                errors[f"items.{item.aspect}"] = _("Give the reasoning on %(aspect)s.") % {
                    "aspect": Aspect(item.aspect).label
                }
    if errors:
        raise InvalidInput(_("The opinion is not complete."), errors=errors)


def case_amend(*, case: Case, actor: Any, files: Sequence[Upload], note: str = "") -> CaseVersion:
    """The applicant's one amendment: a new version, parsed and checked again."""
    _preflight(case=case, to=S.AMENDED, actor=actor)
    _check_parts(files, case.patent_type, amendment=True)
    for part, upload in files:
        _check_upload(part, upload)
    parts = parse_uploads(files)

    def only_once(locked: Case) -> None:
        if locked.versions.count() > 1:
            raise Conflict(gettext_lazy("The case was already amended once."))

    stored: list[Document] = []
    try:
        with transaction.atomic():
            moved = case_transition(
                case=case, to=S.AMENDED, actor=actor, reason=note.strip(), guard=only_once
            )
            previous = moved.versions.order_by("-number").first()
            assert previous is not None
            version = CaseVersion.objects.create(
                case=moved,
                number=previous.number + 1,
                parsed=amend_application(previous.parsed, parts),
                note=note.strip(),
                created_by=actor,
            )
            _store_documents(actor=actor, case=moved, version=version, files=files, stored=stored)
            # Parts not amended carry over from the previous version.
            replaced = set(dict(files)) | (
                set(TEXT_PARTS) if DocumentPart.FULL in dict(files) else set()
            )
            for kept in previous.documents.exclude(part__in=replaced):
                VersionDocument.objects.create(
                    version=version, document=kept.document, part=kept.part
                )
            _write_findings(version)
            analysis_schedule(version)
            clock_stop(case=moved, kind=ClockKind.AMENDMENT)
            clock_start(case=moved, kind=ClockKind.DECISION, start=timezone.localdate())
            examiner = moved.examiner
            if examiner is not None and selectors.may_read_case(examiner, moved):
                reference = moved.reference
                transaction.on_commit(
                    lambda: notify(
                        recipient=examiner,
                        tag="preexam:case:amended",
                        subject=lambda: _("Case %(ref)s was amended") % {"ref": reference},
                        url=reverse("preexam:case_detail", args=[moved.pk]),
                    )
                )
    except BaseException:
        _forget_files(stored)
        raise
    case.refresh_from_db()
    return version


def case_qualify(*, case: Case, actor: Any) -> Case:
    today = timezone.localdate()
    with transaction.atomic():
        moved = case_transition(
            case=case,
            to=S.QUALIFIED,
            actor=actor,
            updates={"qualified_on": today, "decided_at": timezone.now()},
        )
        clock_stop(case=moved)
        clock = clock_start(case=moved, kind=ClockKind.CNIPA_FILING, start=today)
        due = clock.due_on
        transaction.on_commit(
            lambda: _tell_applicant(
                moved,
                gettext_lazy("Case %(ref)s qualified for the fast track"),
                gettext_lazy("File the application with CNIPA before the deadline."),
                due_on=due,
            )
        )
    case.refresh_from_db()
    return case


def case_unqualify(*, case: Case, actor: Any, reason: str) -> Case:
    reason = _need_reason(reason)
    with transaction.atomic():
        moved = case_transition(
            case=case,
            to=S.UNQUALIFIED,
            actor=actor,
            reason=reason,
            updates={"decided_at": timezone.now()},
            after_commit=lambda c: _tell_applicant(
                c, gettext_lazy("Case %(ref)s did not qualify"), reason
            ),
        )
        clock_stop(case=moved)
    case.refresh_from_db()
    return case


def case_withdraw(*, case: Case, actor: Any, reason: str) -> Case:
    reason = _need_reason(reason)
    with transaction.atomic():
        moved = case_transition(case=case, to=S.WITHDRAWN, actor=actor, reason=reason)
        clock_stop(case=moved)
        examiner = moved.examiner
        if examiner is not None and selectors.may_read_case(examiner, moved):
            reference = moved.reference
            transaction.on_commit(
                lambda: notify(
                    recipient=examiner,
                    tag="preexam:case:withdrawn",
                    subject=lambda: _("Case %(ref)s was withdrawn") % {"ref": reference},
                    body=reason,
                    url=reverse("preexam:case_detail", args=[moved.pk]),
                )
            )
    case.refresh_from_db()
    return case


# --- audited reads of content --------------------------------------------------------------


def case_viewed(*, case: Case, user: Any, what: str = "case") -> None:
    """Record that someone read the case's confidential content (detail, versions, diff)."""
    with transaction.atomic():
        audit_record(
            actor=user,
            tag="preexam:case:viewed",
            subject=case,
            new={"view": what},
            organization=case.organization,
            center=case.center,
        )


def case_document_opened(*, case: Case, document: Document, user: Any) -> None:
    with transaction.atomic():
        audit_record(
            actor=user,
            tag="documents:document:downloaded",
            subject=document,
            new={"case": case.reference},
            organization=document.organization,
            center=document.center,
        )
