"""Pre-examination cases: intake, review, the clocks, and the fast track after qualification.

A case's state changes only through workflow.case_transition(), which follows the table in
workflow.py; everything else about a case is written by the services.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ipcenter.accounts.access import AccessScope


class PatentType(models.TextChoices):
    INVENTION = "invention", _("Invention")
    UTILITY_MODEL = "utility_model", _("Utility model")
    DESIGN = "design", _("Design")


class CaseState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    OPINION_ISSUED = "opinion_issued", _("Opinion issued")
    AMENDED = "amended", _("Amended")
    QUALIFIED = "qualified", _("Qualified")
    UNQUALIFIED = "unqualified", _("Unqualified")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    FILED = "filed", _("Filed with CNIPA (fast track)")
    OFF_TRACK = "off_track", _("Off the fast track")
    GRANTED = "granted", _("Granted")


class Case(models.Model):
    center = models.ForeignKey("centers.Center", on_delete=models.PROTECT, related_name="cases")
    reference = models.CharField(_("reference"), max_length=32, unique=True)
    patent_type = models.CharField(_("patent type"), max_length=20, choices=PatentType.choices)
    title = models.CharField(_("title"), max_length=300)
    # The first applicant: a filed entity of the center.
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="cases"
    )
    # The agency acting for the applicant, when there is one.
    agency = models.ForeignKey(
        "accounts.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agency_cases",
    )
    applicants = models.JSONField(_("applicants, in order"), default=list)
    inventors = models.JSONField(_("inventors"), default=list)
    # IPC symbol (inventions, utility models) or Locarno class (designs), normalised.
    main_code = models.CharField(_("main classification"), max_length=40)
    further_codes = models.JSONField(_("further classifications"), default=list, blank=True)
    # [{"country": "US", "number": "...", "date": "YYYY-MM-DD"}]; priority_date is the earliest.
    priority_claims = models.JSONField(_("priority claims"), default=list, blank=True)
    priority_date = models.DateField(_("priority date"), null=True, blank=True)
    is_pct = models.BooleanField(_("PCT application"), default=False)
    is_divisional = models.BooleanField(_("divisional application"), default=False)
    same_day_dual_filing = models.BooleanField(
        _("same-day invention and utility model filing"), default=False
    )
    state = models.CharField(
        _("state"), max_length=20, choices=CaseState.choices, default=CaseState.SUBMITTED
    )
    examiner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="examined_cases",
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    quota_year = models.PositiveIntegerField(_("quota year"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submitted_cases"
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now, db_index=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)  # qualified or unqualified
    qualified_on = models.DateField(null=True, blank=True)
    # After qualification: the national office's side.
    cnipa_application_number = models.CharField(
        _("CNIPA application number"), max_length=32, blank=True
    )
    cnipa_filing_date = models.DateField(_("CNIPA filing date"), null=True, blank=True)
    fast_track = models.BooleanField(_("on the fast track"), default=True)
    off_track_reason = models.TextField(_("reason for leaving the fast track"), blank=True)
    grant_number = models.CharField(_("grant number"), max_length=32, blank=True)
    grant_date = models.DateField(_("grant date"), null=True, blank=True)
    # Working days from the CNIPA filing date to the grant, computed when the grant is recorded.
    grant_workdays = models.PositiveIntegerField(_("grant time (working days)"), null=True)
    certificate = models.ForeignKey(
        "documents.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["center", "state"], name="case_center_state"),
            models.Index(fields=["organization", "quota_year"], name="case_org_year"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def access_scope(self) -> AccessScope:
        return AccessScope(
            center_id=self.center_id,
            organization_id=self.organization_id,
            also_organization_ids=self.engaged_agency_ids(),
            assignee_id=self.examiner_id,
        )

    def engaged_agency_ids(self) -> frozenset[int]:
        """The case's agency holds it only while an engagement of the enterprise is in force for
        the case's center (asked on every read and act; see filings.models.Engagement)."""
        from ipcenter.filings.selectors import engagements_covering

        if (
            not self.agency_id
            or not engagements_covering(
                enterprise=self.organization_id, agency=self.agency_id, center=self.center_id
            ).exists()
        ):
            return frozenset()
        return frozenset({self.agency_id})


class DocumentPart(models.TextChoices):
    FULL = "full", _("Complete application")
    REQUEST = "request", _("Request")
    CLAIMS = "claims", _("Claims")
    DESCRIPTION = "description", _("Description")
    ABSTRACT = "abstract", _("Abstract")
    DRAWINGS = "drawings", _("Drawings")


class CaseVersion(models.Model):
    """The application's documents as submitted (number 1) or amended (2, ...), parsed."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    # The structured parts (ipcenter.patents parse result, as a dict): claims, description, ...
    parsed = models.JSONField(default=dict)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["case", "number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="version_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.case.reference} v{self.number}"


class VersionDocument(models.Model):
    version = models.ForeignKey(CaseVersion, on_delete=models.CASCADE, related_name="documents")
    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="+")
    part = models.CharField(_("part"), max_length=20, choices=DocumentPart.choices)

    class Meta:
        ordering = ["version", "part"]

    def __str__(self) -> str:
        return f"{self.version_id} {self.part}"


class Severity(models.TextChoices):
    ERROR = "error", _("Error")
    WARNING = "warning", _("Warning")
    INFO = "info", _("Note")


class Finding(models.Model):
    """One automatic formality finding on one version: a rule code, where, and how serious."""

    version = models.ForeignKey(CaseVersion, on_delete=models.CASCADE, related_name="findings")
    code = models.CharField(max_length=50)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    location = models.CharField(max_length=100, blank=True)
    params = models.JSONField(default=dict, blank=True)
    # The center's working notes (the IPC suggestion's findings): shown to the examiner and the
    # center's managers, never to the applicant side.
    center_only = models.BooleanField(default=False)

    class Meta:
        ordering = ["version", "id"]

    def __str__(self) -> str:
        return f"{self.code} @ {self.location}"


class CaseEvent(models.Model):
    """The case's history: every state move, assignment and recorded event, in order."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=50)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"


class Aspect(models.TextChoices):
    NOVELTY = "novelty", _("Novelty")
    INVENTIVE_STEP = "inventive_step", _("Inventive step")
    CLARITY_SUPPORT = "clarity_support", _("Clarity and support")
    UNITY = "unity", _("Unity")
    OBVIOUS_DEFECTS = "obvious_defects", _("Obvious substantive defects")


class Opinion(models.Model):
    """The examiner's opinion on one version: structured items plus a summary."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="opinions")
    version = models.ForeignKey(CaseVersion, on_delete=models.PROTECT, related_name="opinions")
    examiner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    summary = models.TextField(_("summary"))
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["issued_at"]

    def __str__(self) -> str:
        return f"{self.case_id} opinion {self.issued_at:%Y-%m-%d}"


class OpinionItem(models.Model):
    opinion = models.ForeignKey(Opinion, on_delete=models.CASCADE, related_name="items")
    aspect = models.CharField(_("aspect"), max_length=20, choices=Aspect.choices)
    # True: no objection on this aspect; False: a defect the applicant must answer.
    satisfied = models.BooleanField(_("satisfied"))
    claims = models.CharField(_("claims concerned"), max_length=100, blank=True)
    text = models.TextField(_("reasoning"), blank=True)

    class Meta:
        ordering = ["opinion", "id"]

    def __str__(self) -> str:
        return f"{self.aspect}: {self.satisfied}"


class OfficeAction(models.Model):
    """An office action of the national office during fast examination."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="office_actions")
    received_on = models.DateField(_("received on"))
    response_due_on = models.DateField(_("response due on"))
    responded_on = models.DateField(_("responded on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["received_on", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} office action {self.received_on}"


class ClockKind(models.TextChoices):
    DECISION = "decision", _("Center decision")
    AMENDMENT = "amendment", _("Applicant's amendment")
    CNIPA_FILING = "cnipa_filing", _("Filing with CNIPA")
    OFFICE_ACTION = "office_action", _("Office-action response")


class Clock(models.Model):
    """A running deadline in working days. The periodic job claims due rows (reminder before,
    escalation after) with conditional updates, so two workers never act twice."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="clocks")
    kind = models.CharField(max_length=20, choices=ClockKind.choices)
    office_action = models.ForeignKey(
        OfficeAction, null=True, blank=True, on_delete=models.CASCADE, related_name="clocks"
    )
    started_on = models.DateField()
    due_on = models.DateField(_("due on"))
    # Provisional when a day counted lies in a year whose holiday schedule is not yet published.
    provisional = models.BooleanField(default=False)
    stopped_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(
                fields=["due_on"], condition=Q(stopped_at__isnull=True), name="clock_running_due"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case.reference} {self.kind} {self.due_on}"


class ExaminerConflict(models.Model):
    """A pre-examiner's declared conflict with an organization: none of its cases go to them."""

    examiner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conflicts"
    )
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+"
    )
    reason = models.TextField(_("reason"))
    declared_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-declared_at"]

    def __str__(self) -> str:
        return f"{self.examiner_id} / {self.organization_id}"

    def access_scope(self) -> AccessScope:
        return AccessScope(user_id=self.examiner_id)


# --- IPC suggestion, prior art and citations (the center's working material) -----------------


class AnalysisStatus(models.TextChoices):
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")  # designs: no IPC, no claims


class CutoffBasis(models.TextChoices):
    PRIORITY = "priority", _("priority date")
    FILING = "filing", _("CNIPA filing date")
    SUBMISSION = "submission", _("submission date")


class CaseAnalysis(models.Model):
    """The automatic IPC suggestion and prior-art search of one version, as last computed.

    Computed after intake and after an amendment (a job), again when the examiner or a manager
    asks; each run replaces the previous one. The prior-art hits keep a snapshot of each
    document so that the list reads the same after the corpus changes.
    """

    version = models.OneToOneField(CaseVersion, on_delete=models.CASCADE, related_name="analysis")
    status = models.CharField(max_length=20, choices=AnalysisStatus.choices)
    classifier_version = models.CharField(max_length=100, blank=True)
    backend = models.CharField(max_length=40, blank=True)
    corpus_size = models.PositiveIntegerField(default=0)
    # Documents published before this date are prior art.
    cutoff = models.DateField(null=True, blank=True)
    cutoff_basis = models.CharField(max_length=20, choices=CutoffBasis.choices, blank=True)
    applicant_code = models.CharField(max_length=40, blank=True)
    # [{"symbol", "level", "confidence", "reasons": [{"key", "title", "ipc", "similarity"}]}]
    suggestions = models.JSONField(default=list, blank=True)
    suggested_subclass = models.CharField(max_length=10, blank=True)
    suggested_group = models.CharField(max_length=40, blank=True)
    mismatch = models.BooleanField(default=False)
    out_of_scope = models.BooleanField(default=False)
    # What could not be computed, for the page (English, from the exception).
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    computed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"analysis of {self.version_id}"


class AnalysisJobState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")


class AnalysisJob(models.Model):
    """The job that analyses a version after intake or an amendment (see analysis_jobs.py).

    Written in the transaction that writes the version, so a job lost with its worker is still
    known: while it runs it beats (``heartbeat_at``) under its claim (``attempt``), and the
    sweep queues again one whose heartbeat stopped.
    """

    version = models.OneToOneField(
        CaseVersion, on_delete=models.CASCADE, related_name="analysis_job"
    )
    state = models.CharField(
        max_length=10, choices=AnalysisJobState.choices, default=AnalysisJobState.QUEUED
    )
    # Claims by a worker so far; the running worker's lease (see ipcenter.lib.jobs).
    attempt = models.PositiveIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["heartbeat_at"], condition=Q(state="running"), name="analysisjob_running"
            )
        ]

    def __str__(self) -> str:
        return f"analysis job of {self.version_id} ({self.state})"


class PriorArtHit(models.Model):
    """One document found for one independent claim: rank, score, and why it matched."""

    analysis = models.ForeignKey(CaseAnalysis, on_delete=models.CASCADE, related_name="hits")
    claim_number = models.PositiveIntegerField()
    rank = models.PositiveIntegerField()
    document_key = models.CharField(max_length=40)
    score = models.FloatField()
    bm25_rank = models.PositiveIntegerField(null=True, blank=True)
    dense_rank = models.PositiveIntegerField(null=True, blank=True)
    # {"key", "publication_number", "kind", "office", "title", "publication_date", "ipc", ...}
    document = models.JSONField(default=dict)
    # [{"field", "text", "spans": [[start, end], ...], "score"}]
    passages = models.JSONField(default=list, blank=True)
    sentences = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["analysis", "claim_number", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["analysis", "claim_number", "rank"], name="prior_art_rank_unique"
            )
        ]

    def __str__(self) -> str:
        return f"claim {self.claim_number} #{self.rank} {self.document_key}"


class CitationCategory(models.TextChoices):
    X = "X", _("X: relevant taken alone")
    Y = "Y", _("Y: relevant combined with another document")
    A = "A", _("A: background art")


class Citation(models.Model):
    """A document the examiner cites against the case, for the opinion. Once the opinion is
    issued the citation belongs to it and no longer changes."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="citations")
    document_key = models.CharField(max_length=40)
    document = models.JSONField(default=dict)  # the same snapshot as PriorArtHit.document
    category = models.CharField(_("category"), max_length=1, choices=CitationCategory.choices)
    claims = models.JSONField(_("claims concerned"), default=list, blank=True)  # claim numbers
    note = models.TextField(_("passage or note"), blank=True)
    examiner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opinion = models.ForeignKey(
        Opinion, null=True, blank=True, on_delete=models.PROTECT, related_name="citations"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["case", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "document_key"], name="citation_unique"),
            models.CheckConstraint(
                condition=Q(category__in=["X", "Y", "A"]), name="citation_category_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.category} {self.document_key}"

    @property
    def claims_display(self) -> str:
        return ", ".join(str(n) for n in self.claims)
