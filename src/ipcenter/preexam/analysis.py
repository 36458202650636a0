"""The center's working material on a case: the automatic IPC suggestion, the prior art of each
independent claim, and the documents the examiner cites for the opinion.

`case_analyse()` runs after intake and after an amendment (a job, see tasks.py) and again when
the examiner or a manager refreshes it. The slow part (classifier, corpus searches) runs outside
any transaction; the results then replace the version's previous analysis in one transaction,
under a lock of the version row, with the audit event. The case's text only ever travels to the
search backend as a query: it is never indexed (the corpus holds published documents only).

Citations (X / Y / A) are marked by the assigned examiner while an opinion can still be written
(submitted, accepted); the opinion takes them over when it is issued.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ipcenter.accounts.access import can
from ipcenter.accounts.roles import Perm
from ipcenter.audit.services import audit_record
from ipcenter.centers.models import FieldScheme
from ipcenter.centers.selectors import field_list_in_force
from ipcenter.lib.errors import Conflict, InvalidInput
from ipcenter.patents.application import ParsedApplication
from ipcenter.patents.corpus import PatentRecord
from ipcenter.preexam.models import (
    AnalysisJob,
    AnalysisStatus,
    Case,
    CaseAnalysis,
    CaseState,
    CaseVersion,
    Citation,
    CitationCategory,
    CutoffBasis,
    Finding,
    PatentType,
    PriorArtHit,
    Severity,
)
from ipcenter.preexam.workflow import OPEN_REVIEW_STATES
from ipcenter.search.priorart import (
    ClaimPriorArt,
    ClassificationCheck,
    classification_check,
    independent_claims,
    prior_art,
)

logger = logging.getLogger(__name__)

S = CaseState

# The examiner may refresh the analysis while the case is with the center, and mark citations
# while an opinion can still be written (the opinion is issued from "accepted").
REFRESH_STATES = OPEN_REVIEW_STATES
CITATION_STATES = frozenset({S.SUBMITTED, S.ACCEPTED})

PRIOR_ART_LIMIT = 10  # documents per independent claim
SUGGESTIONS = 5
PASSAGES_KEPT = 3
SENTENCES_KEPT = 2
# Below this confidence a differing suggestion is a note, from it on a warning.
CONFIDENT = 0.5

MISMATCH = "ipc_suggestion_mismatch"
OUT_OF_SCOPE = "ipc_suggestion_out_of_scope"


# --- who may do what ---------------------------------------------------------------------------


def is_center_side(user: Any, case: Case) -> bool:
    """The assigned examiner or a manager of the case's center: who sees the working material."""
    return can(user, Perm.CASE_EXAMINE, case) or can(user, Perm.CASE_MANAGE, case)


def _require_center_side(actor: Any, case: Case) -> None:
    if not is_center_side(actor, case):
        raise PermissionDenied(Perm.CASE_EXAMINE.value)


def _require_examiner(actor: Any, case: Case) -> None:
    if not can(actor, Perm.CASE_EXAMINE, case):
        raise PermissionDenied(Perm.CASE_EXAMINE.value)


def _state_label(case: Case) -> str:
    return str(CaseState(case.state).label)


def _check_refresh_state(case: Case) -> None:
    if case.state not in REFRESH_STATES:
        raise Conflict(
            _("The analysis of a case that is “%(state)s” is no longer refreshed.")
            % {"state": _state_label(case)}
        )


def _check_citation_state(case: Case) -> None:
    if case.state not in CITATION_STATES:
        raise Conflict(
            _("Citations of a case that is “%(state)s” can no longer change.")
            % {"state": _state_label(case)}
        )


# --- the cut-off date --------------------------------------------------------------------------


def prior_art_cutoff(case: Case) -> tuple[dt.date, str]:
    """Documents published before this date are prior art: the priority date, else the CNIPA
    filing date, else the day the case was submitted."""
    if case.priority_date:
        return case.priority_date, CutoffBasis.PRIORITY
    if case.cnipa_filing_date:
        return case.cnipa_filing_date, CutoffBasis.FILING
    return timezone.localdate(case.submitted_at), CutoffBasis.SUBMISSION


# --- computing ---------------------------------------------------------------------------------


@dataclass
class Computed:
    """What the classifier and the corpus said, before anything is stored."""

    status: str = AnalysisStatus.DONE
    classifier_version: str = ""
    backend: str = ""
    corpus_size: int = 0
    suggestions: list[dict[str, Any]] = field(default_factory=list)
    check: ClassificationCheck | None = None
    claims: list[ClaimPriorArt] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def classification_text(app: ParsedApplication) -> str:
    """What the classifier reads: title, abstract and the independent claims."""
    parts = [app.title, app.abstract, *(c.text for c in independent_claims(app))]
    return "\n".join(p.strip() for p in parts if p and p.strip())


def _suggestion_dict(suggestion: Any, *, in_corpus: bool) -> dict[str, Any]:
    """A suggestion as stored; `in_corpus`: its reasons are documents of the corpus (linked on
    the page), else the model's own labelled examples."""
    return {
        "symbol": str(suggestion.symbol),
        "level": str(suggestion.level),
        "confidence": round(float(suggestion.confidence), 4),
        "reasons": [
            {
                "key": str(r.key),
                "title": str(r.title or ""),
                "ipc": [str(s) for s in r.ipc],
                "similarity": round(float(r.similarity), 4),
                "in_corpus": in_corpus,
            }
            for r in suggestion.reasons
        ],
    }


def _field_list(case: Case) -> list[str] | None:
    version = field_list_in_force(center=case.center)
    return list(version.symbols(FieldScheme.IPC)) if version is not None else None


def _open_backend() -> Any:
    from ipcenter.navigation.engine import get_backend

    return get_backend()


def _load_classifier() -> Any:
    from ipcenter.search.classify import IpcClassifier

    return IpcClassifier.load()


def _no_beat() -> None:
    pass


def analysis_compute(
    case: Case, version: CaseVersion, *, beat: Callable[[], None] = _no_beat
) -> Computed:
    """Classify the version and search prior art for each independent claim. Nothing here may
    stop the case: a part that fails is reported in `errors` and the rest is kept. `beat` is
    called between the stages (the job's heartbeat; it raises when the job is no longer this
    worker's, which stops the computation)."""
    out = Computed()
    if case.patent_type == PatentType.DESIGN:
        out.status = AnalysisStatus.NOT_APPLICABLE
        return out
    app = ParsedApplication.from_dict(version.parsed)
    backend = None
    try:
        backend = _open_backend()
        out.backend = str(getattr(backend, "name", ""))
        out.corpus_size = int(backend.count())
    except Exception as exc:  # the analysis is advisory: report, never fail the case
        logger.exception("case %s: the corpus index cannot be opened", case.pk)
        out.errors.append(f"corpus: {exc}")
        backend = None
    beat()
    classified = False
    try:
        classifier = _load_classifier()
        out.classifier_version = str(getattr(classifier, "version", ""))
        # The reasons come from the corpus where it has documents (the page links them), else
        # from the model's labelled examples.
        corpus = backend if out.corpus_size else None
        text = classification_text(app)
        found = classifier.suggest(text, k=SUGGESTIONS, backend=corpus)
        out.suggestions = [_suggestion_dict(s, in_corpus=corpus is not None) for s in found]
        if corpus is not None and any(not s["reasons"] for s in out.suggestions):
            # The corpus has no labelled document of that symbol: the model's examples speak.
            own = {s.symbol: s for s in classifier.suggest(text, k=SUGGESTIONS)}
            for row in out.suggestions:
                if not row["reasons"] and row["symbol"] in own:
                    row["reasons"] = _suggestion_dict(own[row["symbol"]], in_corpus=False)[
                        "reasons"
                    ]
        out.check = classification_check(
            out.suggestions, applicant_code=case.main_code, field_list=_field_list(case)
        )
        classified = True
    except Exception as exc:
        logger.exception("case %s: IPC suggestion failed", case.pk)
        out.errors.append(f"classification: {exc}")
    beat()
    searched = False
    if backend is not None and out.corpus_size == 0:
        searched = True  # nothing to search yet: an empty list, not a failure
    elif backend is not None:
        cutoff, _basis = prior_art_cutoff(case)
        try:
            out.claims = prior_art(app, backend=backend, cutoff=cutoff, limit=PRIOR_ART_LIMIT)
            searched = True
        except Exception as exc:
            logger.exception("case %s: prior-art search failed", case.pk)
            out.errors.append(f"prior art: {exc}")
    if not (classified or searched):
        out.status = AnalysisStatus.FAILED
    return out


# --- storing -----------------------------------------------------------------------------------


def document_snapshot(record: PatentRecord) -> dict[str, Any]:
    """What a list of documents shows, kept as it was when the document was found."""
    title = record.title or next(
        (t.get("title", "") for t in record.translations.values() if t.get("title")), ""
    )
    return {
        "key": record.key,
        "office": record.office,
        "publication_number": record.publication_number,
        "kind": record.kind,
        "title": title,
        "publication_date": (
            record.publication_date.isoformat() if record.publication_date else None
        ),
        "ipc": list(record.ipc[:5]),
        "applicants": list(record.applicants[:3]),
        "language": record.language,
    }


def _passages(passages: Iterable[Any], keep: int) -> list[dict[str, Any]]:
    return [
        {
            "field": str(p.field),
            "text": str(p.text),
            "spans": [[int(a), int(b)] for a, b in p.spans],
            "score": round(float(p.score), 4),
        }
        for p in list(passages)[:keep]
    ]


def _hit_rows(analysis: CaseAnalysis, claims: list[ClaimPriorArt]) -> list[PriorArtHit]:
    rows = []
    for claim in claims:
        for rank, hit in enumerate(claim.hits, start=1):
            rows.append(
                PriorArtHit(
                    analysis=analysis,
                    claim_number=claim.claim_number,
                    rank=rank,
                    document_key=hit.key,
                    score=float(hit.score),
                    bm25_rank=hit.bm25_rank,
                    dense_rank=hit.dense_rank,
                    document=document_snapshot(hit.record),
                    passages=_passages(hit.passages, PASSAGES_KEPT),
                    sentences=_passages(hit.sentences, SENTENCES_KEPT),
                )
            )
    return rows


def _finding_rows(version: CaseVersion, check: ClassificationCheck | None) -> list[Finding]:
    """The suggestion's findings: working notes of the center (center_only)."""
    if check is None:
        return []
    params = {
        "suggested": check.subclass,
        "group": check.group,
        "confidence": round(check.confidence, 4),
        "applicant_code": check.applicant_code,
    }
    rows = []
    if check.mismatch:
        severity = Severity.WARNING if check.confidence >= CONFIDENT else Severity.INFO
        rows.append(
            Finding(
                version=version,
                code=MISMATCH,
                severity=severity,
                location="IPC",
                params=params,
                center_only=True,
            )
        )
    if check.out_of_scope:
        rows.append(
            Finding(
                version=version,
                code=OUT_OF_SCOPE,
                severity=Severity.WARNING,
                location="IPC",
                params=params,
                center_only=True,
            )
        )
    return rows


def analysis_store(
    *, case: Case, version: CaseVersion, computed: Computed, actor: Any = None
) -> CaseAnalysis:
    """Replace the version's analysis, its prior-art hits and its suggestion findings."""
    cutoff, basis = prior_art_cutoff(case)
    check = computed.check
    with transaction.atomic():
        # Two runs (the job and a refresh) write one after the other.
        locked = CaseVersion.objects.select_for_update().get(pk=version.pk)
        analysis = CaseAnalysis.objects.filter(version=locked).first() or CaseAnalysis(
            version=locked
        )
        analysis.status = computed.status
        analysis.classifier_version = computed.classifier_version[:100]
        analysis.backend = computed.backend[:40]
        analysis.corpus_size = computed.corpus_size
        analysis.cutoff = cutoff if computed.status != AnalysisStatus.NOT_APPLICABLE else None
        analysis.cutoff_basis = basis if analysis.cutoff else ""
        analysis.applicant_code = case.main_code
        analysis.suggestions = computed.suggestions
        analysis.suggested_subclass = check.subclass if check else ""
        analysis.suggested_group = check.group if check else ""
        analysis.mismatch = bool(check and check.mismatch)
        analysis.out_of_scope = bool(check and check.out_of_scope)
        analysis.error = "\n".join(computed.errors)
        analysis.requested_by = actor if getattr(actor, "is_authenticated", False) else None
        analysis.computed_at = timezone.now()
        analysis.save()
        analysis.hits.all().delete()
        hits = PriorArtHit.objects.bulk_create(_hit_rows(analysis, computed.claims))
        Finding.objects.filter(version=locked, center_only=True).delete()
        findings = Finding.objects.bulk_create(_finding_rows(locked, check))
        audit_record(
            actor=actor,
            tag="preexam:analysis:computed",
            subject=case,
            new={
                "version": locked.number,
                "status": analysis.status,
                "classifier": analysis.classifier_version,
                "corpus_size": analysis.corpus_size,
                "cutoff": analysis.cutoff,
                "suggested": analysis.suggested_subclass,
                "findings": [f.code for f in findings],
                "hits": len(hits),
            },
            organization=case.organization,
            center=case.center,
        )
    return analysis


def case_analyse(*, case_version: CaseVersion, actor: Any = None) -> CaseAnalysis:
    """Compute and store the analysis of one version (the job after intake or an amendment;
    `case_analysis_refresh` for a person's request)."""
    case = Case.objects.select_related("center", "organization").get(pk=case_version.case_id)
    computed = analysis_compute(case, case_version)
    return analysis_store(case=case, version=case_version, computed=computed, actor=actor)


def case_analysis_refresh(*, case: Case, actor: Any) -> CaseAnalysis:
    """The examiner or a manager runs the analysis of the latest version again (the corpus or
    the classifier may have changed)."""
    _require_center_side(actor, case)
    _check_refresh_state(case)
    latest = case.versions.order_by("-number").first()
    if latest is None:  # pragma: no cover - every case has version 1
        raise Conflict(_("The case has no documents to analyse."))
    return case_analyse(case_version=latest, actor=actor)


# --- citations ---------------------------------------------------------------------------------


def _clean_claims(case: Case, claims: Sequence[int | str]) -> list[int]:
    latest = case.versions.order_by("-number").first()
    known = {int(c["number"]) for c in (latest.parsed.get("claims") or [])} if latest else set()
    numbers: set[int] = set()
    for value in claims:
        try:
            number = int(str(value).strip())
        except ValueError:
            number = -1
        if number not in known:
            message = _("The application has no claim %(n)s.") % {"n": value}
            raise InvalidInput(message, errors={"claims": str(message)})
        numbers.add(number)
    return sorted(numbers)


def _snapshot_for(case: Case, key: str) -> dict[str, Any]:
    """The document as the case's analysis found it, else as the corpus holds it now."""
    hit = (
        PriorArtHit.objects.filter(analysis__version__case=case, document_key=key)
        .order_by("-analysis__version__number", "rank")
        .first()
    )
    if hit is not None:
        return dict(hit.document)
    record = None
    try:
        record = _open_backend().get(key)
    except Exception:
        logger.exception("citation: the corpus index cannot be read")
    if record is None:
        message = _("There is no document %(key)s in the corpus.") % {"key": key}
        raise InvalidInput(message, errors={"document_key": str(message)})
    return document_snapshot(record)


def case_citation_mark(
    *,
    case: Case,
    actor: Any,
    document_key: str,
    category: str,
    claims: Sequence[int | str] = (),
    note: str = "",
) -> Citation:
    """Cite a document against the case as X, Y or A for the claims given (replacing what an
    earlier marking of the same document said)."""
    _require_examiner(actor, case)
    _check_citation_state(case)
    key = document_key.strip().upper()
    errors: dict[str, str] = {}
    if category not in CitationCategory.values:
        errors["category"] = str(_("Choose X, Y or A."))
    if not key:
        errors["document_key"] = str(_("Name the document."))
    if errors:
        raise InvalidInput(_("The citation is not valid."), errors=errors)
    numbers = _clean_claims(case, claims)
    snapshot = _snapshot_for(case, key)
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        _check_citation_state(locked)
        citation = Citation.objects.filter(case=locked, document_key=key).first()
        old = None
        if citation is None:
            citation = Citation(case=locked, document_key=key)
        else:
            old = {"category": citation.category, "claims": citation.claims, "note": citation.note}
        citation.document = snapshot
        citation.category = category
        citation.claims = numbers
        citation.note = note.strip()
        citation.examiner = actor
        citation.save()
        audit_record(
            actor=actor,
            tag="preexam:citation:marked",
            subject=locked,
            old=old,
            new={
                "document": key,
                "category": category,
                "claims": numbers,
                "note": citation.note,
            },
            organization=locked.organization,
            center=locked.center,
        )
    return citation


def case_citation_remove(*, citation: Citation, actor: Any) -> None:
    case = citation.case
    _require_examiner(actor, case)
    _check_citation_state(case)
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        _check_citation_state(locked)
        audit_record(
            actor=actor,
            tag="preexam:citation:removed",
            subject=locked,
            old={
                "document": citation.document_key,
                "category": citation.category,
                "claims": citation.claims,
            },
            organization=locked.organization,
            center=locked.center,
        )
        Citation.objects.filter(pk=citation.pk).delete()


def analysis_schedule(version: CaseVersion) -> None:
    """Record the job that analyses `version` (in the transaction that writes it) and run it
    after that transaction commits; the sweep re-queues it if its worker dies (analysis_jobs)."""
    AnalysisJob.objects.get_or_create(version=version)
    version_id = version.pk

    def enqueue() -> None:
        from ipcenter.preexam.tasks import preexam_analyse_version

        preexam_analyse_version(version_id)

    transaction.on_commit(enqueue)


def citations_attach(*, case: Case, opinion: Any) -> int:
    """The opinion takes over the case's citations (inside the opinion's transaction)."""
    return Citation.objects.filter(case=case, opinion__isnull=True).update(opinion=opinion)
