"""Entity filing (备案) with a center, agencies' registration, annual quota and sanctions.

The allowed moves of a filing are data (workflow.py); only services change a filing's state.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ipcenter.accounts.access import AccessScope


class EntityKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    UNIVERSITY = "university", _("University or research institute")


class FilingState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    NEEDS_SUPPLEMENT = "needs_supplement", _("Needs supplement")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    CANCELLED = "cancelled", _("Cancelled")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# States in which an organization's filing with a center is still open: at most one per pair.
OPEN_FILING_STATES = (
    FilingState.DRAFT,
    FilingState.SUBMITTED,
    FilingState.NEEDS_SUPPLEMENT,
    FilingState.APPROVED,
    FilingState.ACTIVE,
    FilingState.SUSPENDED,
)


class EntityFiling(models.Model):
    center = models.ForeignKey("centers.Center", on_delete=models.PROTECT, related_name="filings")
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="filings"
    )
    state = models.CharField(
        _("state"), max_length=20, choices=FilingState.choices, default=FilingState.DRAFT
    )
    entity_kind = models.CharField(
        _("kind of entity"),
        max_length=20,
        choices=EntityKind.choices,
        default=EntityKind.ENTERPRISE,
    )
    # What the entity declares (checked against its documents by the reviewer).
    legal_name = models.CharField(_("legal name"), max_length=200)
    credit_code = models.CharField(_("unified social credit code"), max_length=18)
    registered_area = models.CharField(_("registered area"), max_length=200)
    founded_on = models.DateField(_("founded on"))
    insured_staff = models.PositiveIntegerField(_("insured staff"))
    # The entity's business as IPC codes, checked against the center's field list.
    industry_codes = models.JSONField(_("industry (IPC codes)"), default=list)
    has_rd_team = models.BooleanField(_("has an R&D team"), default=False)
    has_ip_system = models.BooleanField(_("has an IP management system"), default=False)
    granted_inventions = models.PositiveIntegerField(
        _("granted inventions as first applicant"), default=0
    )
    granted_utility_designs = models.PositiveIntegerField(
        _("granted utility models and designs as first applicant"), default=0
    )
    contact_name = models.CharField(_("contact person"), max_length=100)
    contact_phone = models.CharField(_("contact phone"), max_length=40)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    # The last automatic eligibility check: [{"rule", "passed", "params", "detail"}], see
    # eligibility.py; pages render each reason again in the reader's language.
    eligibility = models.JSONField(default=list, blank=True)
    eligibility_checked_at = models.DateTimeField(null=True, blank=True)
    # A manager who approves a filing that fails a rule must say why (see services.filing_approve).
    override_reason = models.TextField(_("reason for approving despite failed rules"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    active_from = models.DateField(null=True, blank=True)
    suspended_until = models.DateField(null=True, blank=True)
    # The annual re-check is a deadline like any other: claimed by a periodic job.
    recheck_due_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["center", "organization"],
                condition=Q(state__in=[s.value for s in OPEN_FILING_STATES]),
                name="filing_one_open_per_center",
            )
        ]
        indexes = [
            models.Index(
                fields=["recheck_due_on"],
                condition=Q(state="active"),
                name="filing_recheck_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.legal_name} @ {self.center.code}"

    def access_scope(self) -> AccessScope:
        return AccessScope(center_id=self.center_id, organization_id=self.organization_id)

    @property
    def is_editable(self) -> bool:
        return self.state in (FilingState.DRAFT, FilingState.NEEDS_SUPPLEMENT)


class FilingDocumentPurpose(models.TextChoices):
    """What a document proves for the filing; the first five are DocumentKind values too."""

    BUSINESS_LICENCE = "business_licence", _("Business licence")
    IP_RULES = "ip_rules", _("IP management rules")
    STAFF_PROOF = "staff_proof", _("Staff and insurance proof")
    INTEGRITY_PLEDGE = "integrity_pledge", _("Integrity pledge")
    AUTHORISATION = "authorisation", _("Contact-person authorisation")
    COOPERATION_PROOF = "cooperation_proof", _("Industry-cooperation proof (universities)")
    OTHER = "other", _("Other supporting document")


class FilingDocument(models.Model):
    """A document attached to a filing, with what it is meant to prove."""

    filing = models.ForeignKey(EntityFiling, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(_("purpose"), max_length=30, choices=FilingDocumentPurpose.choices)
    attached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    attached_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["purpose", "attached_at"]
        constraints = [
            models.UniqueConstraint(fields=["filing", "document"], name="filing_document_once")
        ]

    def __str__(self) -> str:
        return f"{self.filing_id}: {self.purpose}"


class FilingEvent(models.Model):
    """One move of a filing: its history, shown to the entity and the center."""

    filing = models.ForeignKey(EntityFiling, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.filing_id}: {self.from_state} -> {self.to_state}"

    @property
    def from_label(self) -> str:
        return str(FilingState(self.from_state).label) if self.from_state else ""

    @property
    def to_label(self) -> str:
        return str(FilingState(self.to_state).label)


class FindingKind(models.TextChoices):
    CREDIT_LOSS = "credit_loss", _("Credit-loss finding")
    ABNORMAL_FILING = "abnormal_filing", _("Abnormal patent filing finding")
    WILFUL_INFRINGEMENT = "wilful_infringement", _("Wilful infringement finding")


class EntityFinding(models.Model):
    """An adverse finding against an entity, recorded by a center manager from official sources."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="findings"
    )
    center = models.ForeignKey("centers.Center", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=30, choices=FindingKind.choices)
    found_on = models.DateField(_("found on"))
    source = models.CharField(_("source"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-found_on"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.found_on}"

    def access_scope(self) -> AccessScope:
        return AccessScope(center_id=self.center_id, organization_id=self.organization_id)


class AgencyState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    REGISTERED = "registered", _("Registered")
    REJECTED = "rejected", _("Rejected")
    REVOKED = "revoked", _("Revoked")


class AgencyRegistration(models.Model):
    """A patent agency registered with a center; only registered agencies on the guarantee list
    may submit cases."""

    center = models.ForeignKey(
        "centers.Center", on_delete=models.PROTECT, related_name="agency_registrations"
    )
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="agency_registrations"
    )
    state = models.CharField(
        _("state"), max_length=20, choices=AgencyState.choices, default=AgencyState.SUBMITTED
    )
    licence_number = models.CharField(_("agency licence number"), max_length=50)
    # On the agents' association's guarantee list: kept current by the center's managers.
    on_guarantee_list = models.BooleanField(_("on the guarantee list"), default=False)
    guarantee_checked_on = models.DateField(_("guarantee list checked on"), null=True, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=100)
    contact_phone = models.CharField(_("contact phone"), max_length=40)
    documents = models.ManyToManyField("documents.Document", blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["center", "organization"],
                condition=Q(state__in=["submitted", "registered"]),
                name="agency_one_open_per_center",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} @ {self.center.code}"

    def access_scope(self) -> AccessScope:
        return AccessScope(center_id=self.center_id, organization_id=self.organization_id)


class Quota(models.Model):
    """An entity's pre-examination quota at a center for one year."""

    center = models.ForeignKey("centers.Center", on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="quotas"
    )
    year = models.PositiveIntegerField(_("year"))
    base = models.PositiveIntegerField(_("annual quota"))
    extra = models.PositiveIntegerField(_("extra quota granted"), default=0)
    # How `base` was set: last year's accepted and qualified counts, pass rate, the rule used.
    basis = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["center", "organization", "year"], name="quota_one_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.year}: {self.total}"

    @property
    def total(self) -> int:
        return self.base + self.extra

    def access_scope(self) -> AccessScope:
        return AccessScope(center_id=self.center_id, organization_id=self.organization_id)


class QuotaRequestState(models.TextChoices):
    PENDING = "pending", _("Pending")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")


class QuotaRequest(models.Model):
    center = models.ForeignKey("centers.Center", on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="quota_requests"
    )
    year = models.PositiveIntegerField(_("year"))
    requested = models.PositiveIntegerField(_("extra cases requested"))
    reason = models.TextField(_("reason"))
    state = models.CharField(
        max_length=10, choices=QuotaRequestState.choices, default=QuotaRequestState.PENDING
    )
    granted = models.PositiveIntegerField(_("extra cases granted"), default=0)
    decision_reason = models.TextField(_("decision reason"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["center", "organization", "year"],
                condition=Q(state="pending"),
                name="quota_request_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.year} +{self.requested}"

    def access_scope(self) -> AccessScope:
        return AccessScope(center_id=self.center_id, organization_id=self.organization_id)


class SanctionKind(models.TextChoices):
    SUSPEND = "suspend", _("Suspension")
    CANCEL = "cancel", _("Cancellation")


class Sanction(models.Model):
    """An automatic sanction: why it was imposed is kept with the figures that triggered it."""

    filing = models.ForeignKey(EntityFiling, on_delete=models.PROTECT, related_name="sanctions")
    kind = models.CharField(_("kind"), max_length=10, choices=SanctionKind.choices)
    year = models.PositiveIntegerField(_("year assessed"))
    accepted = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    abnormal_findings = models.PositiveIntegerField(default=0)
    reason = models.TextField(_("reason"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["filing", "year", "kind"], name="sanction_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}"

    def access_scope(self) -> AccessScope:
        return AccessScope(
            center_id=self.filing.center_id, organization_id=self.filing.organization_id
        )


class EngagementActivity(models.TextChoices):
    """What an engagement lets the agency do in the enterprise's name."""

    FILING = "filing", _("Pre-examination filing")
    RESPONSES = "responses", _("Amendments and responses")


class Engagement(models.Model):
    """An enterprise's mandate to a patent agency (委托). The agency acts in the enterprise's name
    only while an engagement is in force for the case's center and the activity: at intake, on
    amendments and responses, and on every read of the enterprise's cases (see
    selectors.engagement_in_force). Granted and revoked by the enterprise's administrator."""

    enterprise = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="engagements_granted"
    )
    agency = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="engagements_held"
    )
    # None: every center.
    center = models.ForeignKey(
        "centers.Center", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    may_file = models.BooleanField(_("pre-examination filing"), default=True)
    may_respond = models.BooleanField(_("amendments and responses"), default=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-granted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(may_file=True) | Q(may_respond=True),
                name="engagement_some_activity",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="engagement_valid_range",
            ),
        ]
        indexes = [
            models.Index(
                fields=["agency", "enterprise"],
                condition=Q(revoked_at__isnull=True),
                name="engagement_unrevoked",
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} -> {self.agency_id}"

    def access_scope(self) -> AccessScope:
        return AccessScope(
            organization_id=self.enterprise_id, also_organization_ids=frozenset({self.agency_id})
        )

    def ends_at(self) -> dt.datetime | None:
        """The moment the engagement ends by itself (None: open-ended): it is in force through
        `valid_until`, in the installation's time."""
        if self.valid_until is None:
            return None
        next_day = self.valid_until + dt.timedelta(days=1)
        return timezone.make_aware(dt.datetime.combine(next_day, dt.time.min))

    def activities(self) -> list[str]:
        return [
            a
            for a, allowed in (
                (EngagementActivity.FILING, self.may_file),
                (EngagementActivity.RESPONSES, self.may_respond),
            )
            if allowed
        ]
