"""People, organizations, the roles they hold, and machine tokens."""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ipcenter.accounts.roles import OrgKind, Role

if TYPE_CHECKING:
    from ipcenter.accounts.access import AccessScope


class Language(models.TextChoices):
    ZH_HANS = "zh-hans", "简体中文"
    EN = "en", "English"


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=Language.choices, default=Language.ZH_HANS
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    is_demo = models.BooleanField(_("demo account"), default=False)

    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username


class Organization(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=OrgKind.choices, db_index=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    # The unified social credit code (统一社会信用代码) of a legal person, where it has one.
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    region = models.CharField(_("registered area"), max_length=100, blank=True)
    # Center staff organizations and workstations belong to one center.
    center = models.ForeignKey(
        "centers.Center",
        verbose_name=_("center"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organizations",
    )
    is_demo = models.BooleanField(_("demo organization"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~models.Q(credit_code=""),
                name="organization_unique_credit_code",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def localized_name(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name


class Membership(models.Model):
    """A role held by a person in an organization (and, for staff, in a center)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    center = models.ForeignKey(
        "centers.Center",
        verbose_name=_("center"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role} @ {self.organization}"


class StaffProfile(models.Model):
    """What a staff member can work on: technical fields and languages."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="staff_profile")
    title = models.CharField(_("title"), max_length=100, blank=True)
    ipc_fields = models.JSONField(_("IPC competences"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    specialties = models.JSONField(_("specialties"), default=list, blank=True)

    def __str__(self) -> str:
        return f"{self.user} ({self.title})"


TOKEN_PREFIX = "ipc_"  # noqa: S105  (a public prefix, not a secret)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_raw_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class ApiToken(models.Model):
    """A machine client's bearer token. Only its SHA-256 is stored; the raw value is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    # The first characters let a person recognise a token in a list without revealing it.
    hint = models.CharField(max_length=12)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Tokens are made in a browser session only. Tokens from before that rule may have been made
    # with another token: revoking a token revokes those it made.
    created_by_token = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="created_tokens"
    )
    # Made in a session that had passed the TOTP check. With IPCENTER_STAFF_TOTP=required a staff
    # member's token works only if so, or it would be a way around the second factor.
    second_factor = models.BooleanField(_("made after the TOTP check"), default=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    def access_scope(self) -> AccessScope:
        from ipcenter.accounts.access import AccessScope  # access.py imports this module

        return AccessScope(user_id=self.user_id)


class RoleRequestState(models.TextChoices):
    REQUESTED = "requested", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class RoleGrantRequest(models.Model):
    """A role that needs a second person (roles.TWO_PERSON_ROLES), asked for by one
    administrator and in force only once another administrator, or a manager of the role's
    center, approves it. Moves go through services.role_request_transition()."""

    user = models.ForeignKey(
        User, verbose_name=_("person"), on_delete=models.CASCADE, related_name="role_requests"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    # The center a center-bound role is held in: its managers may approve.
    center = models.ForeignKey(
        "centers.Center",
        verbose_name=_("center"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=RoleRequestState.choices,
        default=RoleRequestState.REQUESTED,
        db_index=True,
    )
    note = models.CharField(_("why"), max_length=500, blank=True)
    requested_by = models.ForeignKey(
        User, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(
        User,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role"],
                condition=models.Q(state="requested"),
                name="role_request_one_open",
            ),
            # Nobody asks for a role for themselves, nor decides a request they made or that
            # would give them the role.
            models.CheckConstraint(
                condition=~models.Q(user=models.F("requested_by")),
                name="role_request_not_for_oneself",
            ),
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True)
                | (
                    ~models.Q(decided_by=models.F("user"))
                    & (~models.Q(decided_by=models.F("requested_by")) | models.Q(state="cancelled"))
                ),
                name="role_request_second_person_decides",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role} @ {self.organization} ({self.state})"

    def access_scope(self) -> AccessScope:
        from ipcenter.accounts.access import AccessScope  # access.py imports this module

        return AccessScope(center_id=self.center_id)
