"""Who examines a case: competence, declared conflicts, workload (DOMAIN.md section 2).

The rule: among the active pre-examiners of the case's center whose competences
(`StaffProfile.ipc_fields`: IPC subclasses or groups, Locarno classes) cover the main
classification, and who declared no conflict with the applicant or its agency, the most specific
competence wins, then the lightest workload (cases in open review states), then the lowest id.
Nobody left: the case stays unassigned and the center's managers are told.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ipcenter.accounts.access import require
from ipcenter.accounts.models import Membership, Organization, User
from ipcenter.accounts.roles import Perm, Role
from ipcenter.audit.services import audit_record
from ipcenter.filings.selectors import center_managers
from ipcenter.lib.errors import Conflict, InvalidInput
from ipcenter.notifications.services import notify
from ipcenter.patents.ipc import IpcError, parse_ipc, symbol_in_field_list
from ipcenter.patents.locarno import LocarnoError, locarno_in_field_list, parse_locarno
from ipcenter.preexam.models import Case, CaseEvent, ExaminerConflict, PatentType
from ipcenter.preexam.workflow import OPEN_REVIEW_STATES


def competence_match(*, competences: list[str], patent_type: str, main_code: str) -> int:
    """How specific the examiner's best competence covering `main_code` is (0: none covers it).

    IPC entries ("A61K", "A61K 31/00", "A61K 31/40") cover as in a field list; Locarno entries
    ("14", "14-02") cover designs. The length of the entry's normalised form measures how
    specific it is, so "A61K 31/00" beats "A61K".
    """
    best = 0
    for raw in competences:
        entry = str(raw).strip()
        if not entry:
            continue
        try:
            if patent_type == PatentType.DESIGN:
                code = parse_locarno(entry)
                if locarno_in_field_list(main_code, [code]):
                    best = max(best, len(str(code)))
            else:
                symbol = parse_ipc(entry)
                if symbol_in_field_list(main_code, [symbol]):
                    best = max(best, len(str(symbol).replace(" ", "")))
        except (IpcError, LocarnoError):
            continue  # an entry of the other scheme, or a typo: it covers nothing
    return best


def center_examiners(center_id: int) -> list[User]:
    """Active pre-examiners of the center."""
    return list(
        User.objects.filter(
            is_active=True,
            memberships__role=Role.PRE_EXAMINER,
            memberships__center_id=center_id,
            memberships__is_active=True,
            memberships__organization__is_active=True,
        )
        .select_related("staff_profile")
        .distinct()
        .order_by("id")
    )


def is_center_examiner(user: User, center_id: int) -> bool:
    return Membership.objects.filter(
        user=user,
        role=Role.PRE_EXAMINER,
        center_id=center_id,
        is_active=True,
        organization__is_active=True,
        user__is_active=True,
    ).exists()


def conflicted_examiner_ids(case: Case) -> set[int]:
    parties = [case.organization_id] + ([case.agency_id] if case.agency_id else [])
    return set(
        ExaminerConflict.objects.filter(
            organization_id__in=parties, withdrawn_at__isnull=True
        ).values_list("examiner_id", flat=True)
    )


def workloads(examiner_ids: list[int]) -> dict[int, int]:
    """Cases in open review states per examiner id (one query for all candidates)."""
    rows = (
        Case.objects.filter(examiner_id__in=examiner_ids, state__in=OPEN_REVIEW_STATES)
        .values("examiner_id")
        .annotate(n=Count("id"))
    )
    return {row["examiner_id"]: row["n"] for row in rows}


def _competences(user: User) -> list[str]:
    profile = getattr(user, "staff_profile", None)
    return list(profile.ipc_fields) if profile is not None else []


@dataclass(frozen=True)
class Candidate:
    examiner: User
    match: int
    workload: int


def candidates_for(case: Case) -> list[Candidate]:
    """Competent, unconflicted examiners of the case's center, best first."""
    conflicted = conflicted_examiner_ids(case)
    matches = {
        user: competence_match(
            competences=_competences(user),
            patent_type=case.patent_type,
            main_code=case.main_code,
        )
        for user in center_examiners(case.center_id)
        if user.pk not in conflicted
    }
    load = workloads([user.pk for user, match in matches.items() if match])
    found = [
        Candidate(user, match, load.get(user.pk, 0)) for user, match in matches.items() if match
    ]
    return sorted(found, key=lambda c: (-c.match, c.workload, c.examiner.pk))


def _tell_examiner(case: Case) -> None:
    if case.examiner is None:
        return
    reference, title = case.reference, case.title
    notify(
        recipient=case.examiner,
        tag="preexam:case:assigned",
        subject=lambda: _("Case %(ref)s assigned to you") % {"ref": reference},
        body=lambda: _("Please review “%(title)s”.") % {"title": title},
        url=reverse("preexam:case_detail", args=[case.pk]),
    )


def _tell_managers_unassigned(case: Case) -> None:
    reference = case.reference
    for manager in center_managers(case.center):
        notify(
            recipient=manager,
            tag="preexam:case:unassigned",
            subject=lambda: _("No pre-examiner for case %(ref)s") % {"ref": reference},
            body=lambda: _(
                "No competent pre-examiner without a conflict was found; assign one by hand."
            ),
            url=reverse("preexam:case_detail", args=[case.pk]),
        )


def case_assign_auto(case: Case) -> Case:
    """Assign the case by the rule above (inside the caller's transaction, or its own)."""
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        best = next(iter(candidates_for(locked)), None)
        if best is None:
            CaseEvent.objects.create(case=locked, action="unassigned")
            audit_record(
                actor=None,
                tag="preexam:case:unassigned",
                subject=locked,
                organization=locked.organization,
                center=locked.center,
            )
            transaction.on_commit(lambda: _tell_managers_unassigned(locked))
        else:
            locked.examiner = best.examiner
            locked.assigned_at = timezone.now()
            locked.save(update_fields=["examiner", "assigned_at", "updated_at"])
            CaseEvent.objects.create(
                case=locked,
                action="assigned",
                data={
                    "examiner": best.examiner.pk,
                    "match": best.match,
                    "workload": best.workload,
                },
            )
            audit_record(
                actor=None,
                tag="preexam:case:assigned",
                subject=locked,
                new={"examiner": best.examiner.get_username()},
                organization=locked.organization,
                center=locked.center,
            )
            transaction.on_commit(lambda: _tell_examiner(locked))
    case.refresh_from_db()
    return case


def case_reassign(
    *, case: Case, examiner: User, actor: Any, reason: str, confirmed: bool = False
) -> Case:
    """A manager gives the case to another examiner of its center, saying why.

    The examiner must cover the main classification, unless the manager confirms their
    competence (`confirmed`), and must have no declared conflict with the parties. The clocks
    keep running.
    """
    require(actor, Perm.CASE_MANAGE, case)
    reason = reason.strip()
    if not reason:
        message = gettext_lazy("Give the reason for the reassignment.")
        raise InvalidInput(message, errors={"reason": str(message)})
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.state not in OPEN_REVIEW_STATES:
            raise Conflict(gettext_lazy("Only a case under review can be reassigned."))
        problem = _reassign_problem(locked, examiner, confirmed)
        if problem is not None:
            raise InvalidInput(problem, errors={"examiner": str(problem)})
        previous = locked.examiner
        if previous is not None and previous.pk == examiner.pk:
            message = gettext_lazy("The case is already assigned to this examiner.")
            raise InvalidInput(message, errors={"examiner": str(message)})
        locked.examiner = examiner
        locked.assigned_at = timezone.now()
        locked.save(update_fields=["examiner", "assigned_at", "updated_at"])
        CaseEvent.objects.create(
            case=locked,
            action="reassigned",
            actor=actor,
            reason=reason,
            data={
                "from": previous.pk if previous else None,
                "to": examiner.pk,
                "confirmed": confirmed,
            },
        )
        audit_record(
            actor=actor,
            tag="preexam:case:reassigned",
            subject=locked,
            old={"examiner": previous.get_username() if previous else None},
            new={"examiner": examiner.get_username(), "reason": reason},
            organization=locked.organization,
            center=locked.center,
        )
        transaction.on_commit(lambda: _tell_examiner(locked))
    case.refresh_from_db()
    return case


def _reassign_problem(case: Case, examiner: User, confirmed: bool) -> Any:
    if not is_center_examiner(examiner, case.center_id):
        return gettext_lazy("This person is not a pre-examiner of the case's center.")
    if examiner.pk in conflicted_examiner_ids(case):
        return gettext_lazy("This examiner declared a conflict with the applicant or its agency.")
    competent = competence_match(
        competences=_competences(examiner),
        patent_type=case.patent_type,
        main_code=case.main_code,
    )
    if not competent and not confirmed:
        return gettext_lazy(
            "This examiner's competences do not cover %(code)s; confirm their competence to "
            "assign anyway."
        ) % {"code": case.main_code}
    return None


# --- declared conflicts ----------------------------------------------------------------------


def conflict_declare(
    *, examiner: User, organization: Organization, reason: str
) -> ExaminerConflict:
    """An examiner declares a conflict of interest with an organization (applicant or agency)."""
    require(examiner, Perm.EXAMINER_CONFLICT_DECLARE)
    reason = reason.strip()
    if not reason:
        message = gettext_lazy("Say what the conflict is.")
        raise InvalidInput(message, errors={"reason": str(message)})
    with transaction.atomic():
        existing = ExaminerConflict.objects.filter(
            examiner=examiner, organization=organization, withdrawn_at__isnull=True
        ).exists()
        if existing:
            message = gettext_lazy("You already declared a conflict with this organization.")
            raise InvalidInput(message, errors={"organization": str(message)})
        conflict = ExaminerConflict.objects.create(
            examiner=examiner, organization=organization, reason=reason
        )
        audit_record(
            actor=examiner,
            tag="preexam:conflict:declared",
            subject=conflict,
            new={"organization": organization.pk, "reason": reason},
            organization=organization,
        )
    return conflict


def conflict_withdraw(*, conflict: ExaminerConflict, actor: User) -> ExaminerConflict:
    require(actor, Perm.EXAMINER_CONFLICT_DECLARE, conflict)
    with transaction.atomic():
        locked = ExaminerConflict.objects.select_for_update().get(pk=conflict.pk)
        if locked.withdrawn_at is not None:
            raise Conflict(gettext_lazy("This conflict was already withdrawn."))
        locked.withdrawn_at = timezone.now()
        locked.save(update_fields=["withdrawn_at"])
        audit_record(
            actor=actor,
            tag="preexam:conflict:withdrawn",
            subject=locked,
            organization=locked.organization,
        )
    conflict.refresh_from_db()
    return conflict
