"""Demo data of pre-examination for `make run`: cases in every state, from real patent texts.

Each case is a real USPTO full text bundled in `ipcenter.patents.samples` (A61B ones at the
Shanghai center, G06F ones at Pudong, as their field lists allow), submitted and moved on through
the real services by the demo accounts: intake (parsing, formality findings, auto-assignment),
the review moves, the amendment with its new version, and the fast track (CNIPA filing, office
actions, leaving the fast track, grant with its certificate). Two cases carry a seeded formality
defect so that the checker has something to show; one of them was amended with the corrected
document, so its diff shows the fix. Each case then gets its IPC suggestion and prior art from
the demo corpus (which the navigation demo imports before the cases).

The services act "now". So that the history reads like months of work, each step is then dated
back to its day in the plan (working days before today, within the current year) by ORM updates
of the rows that step wrote: the case's timestamps, versions, history, opinions, clocks,
documents and, after commit, its notifications. National-office dates (CNIPA filing, office
actions, grant) are given to the services directly, in the past. The audit log is append-only
and keeps the real time of loading.

Running it again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from io import TextIOBase
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from ipcenter.accounts.models import Membership, Organization, StaffProfile, User
from ipcenter.accounts.roles import Role
from ipcenter.accounts.services import membership_grant
from ipcenter.calendar import add_workdays
from ipcenter.centers.models import Center
from ipcenter.documents.models import Document
from ipcenter.filings import services as filings
from ipcenter.filings.demo import demo_engagements
from ipcenter.filings.demo import demo_person as _person
from ipcenter.filings.demo import demo_png as _png
from ipcenter.filings.eligibility import REQUIRED_PURPOSES
from ipcenter.filings.models import AgencyRegistration, AgencyState, EntityFiling
from ipcenter.lib.errors import DomainError
from ipcenter.notifications.models import Notification
from ipcenter.patents.ipc import IpcError
from ipcenter.patents.samples import DEFECTS, sample_bytes, sample_request, seeded_defect
from ipcenter.preexam import services, tracking
from ipcenter.preexam.analysis import case_analyse
from ipcenter.preexam.clocks import clock_due_on
from ipcenter.preexam.models import (
    Aspect,
    Case,
    CaseAnalysis,
    CaseEvent,
    CaseState,
    CaseVersion,
    Clock,
    Finding,
    Opinion,
    PatentType,
    VersionDocument,
)
from ipcenter.preexam.services import CaseRequest, OpinionItemIn

S = CaseState

DEVICE = "示例精密医疗器械有限公司（演示）"  # Shanghai, active filing (filings demo)
ROBOT = "示例智能机器人科技有限公司（演示）"  # Shanghai, active filing (filings demo)
CHIP = "示例集成电路设计有限公司（演示）"  # Pudong: filed here (below)
AGENCY = "示例专利代理事务所（演示）"  # on the guarantee list in Shanghai; Pudong below

MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xml": "application/xml",
    "pdf": "application/pdf",
}


@dataclass(frozen=True)
class Plan:
    """One demo case: where, whose, which real text, and its steps.

    `start` is how many working days before today it was submitted; each step is
    (name, working days after the previous step).
    """

    state: str
    center: str
    organization: str
    submitter: str  # "applicant" (the enterprise's own person) or "agent"
    sample: str
    start: int
    steps: tuple[tuple[str, int], ...]
    defect: str = ""


# The fast track, as the centers report it: qualify, file with CNIPA within days, grant in ~3
# months of working days; one office action answered on the way.
PLANS: tuple[Plan, ...] = (
    Plan(
        S.GRANTED,
        "shanghai",
        DEVICE,
        "applicant",
        "US20050004437A1.xml",
        start=160,
        steps=(
            ("accept", 2),
            ("qualify", 4),
            ("file", 3),
            ("office_action", 24),
            ("respond", 6),
            ("grant", 21),
        ),
    ),
    Plan(
        S.GRANTED,
        "pudong",
        CHIP,
        "agent",
        "US08930553.xml",
        start=130,
        steps=(("accept", 1), ("qualify", 5), ("file", 2), ("grant", 38)),
    ),
    Plan(
        S.GRANTED,
        "shanghai",
        ROBOT,
        "agent",
        "US08926509.docx",
        start=95,
        steps=(("accept", 2), ("qualify", 5), ("file", 4), ("grant", 52)),
    ),
    Plan(
        S.OFF_TRACK,
        "pudong",
        CHIP,
        "applicant",
        "US20010009014A1.docx",
        start=70,
        steps=(("accept", 2), ("qualify", 6), ("file", 5), ("leave", 12)),
    ),
    Plan(
        S.FILED,
        "shanghai",
        DEVICE,
        "applicant",
        "US08926509.docx",
        start=30,
        steps=(("accept", 1), ("qualify", 5), ("file", 4), ("office_action", 17)),
    ),
    Plan(
        S.UNQUALIFIED,
        "pudong",
        CHIP,
        "applicant",
        "US07272630B2.docx",
        start=40,
        steps=(("accept", 2), ("opinion", 4), ("unqualify", 8)),
    ),
    Plan(
        S.WITHDRAWN,
        "shanghai",
        ROBOT,
        "agent",
        "US20050004437A1.docx",
        start=25,
        steps=(("accept", 2), ("withdraw", 3)),
    ),
    Plan(
        S.NOT_ACCEPTED,
        "pudong",
        CHIP,
        "agent",
        "US06336130.xml",
        start=15,
        steps=(("not_accept", 2),),
    ),
    Plan(
        S.QUALIFIED,
        "pudong",
        CHIP,
        "agent",
        "US08930553.docx",
        start=9,
        steps=(("accept", 1), ("qualify", 5)),
    ),
    Plan(
        S.AMENDED,
        "shanghai",
        DEVICE,
        "applicant",
        "US08926509.docx",
        start=8,
        steps=(("accept", 1), ("opinion", 3), ("amend", 3)),
        defect="claim_forward_reference",
    ),
    Plan(
        S.OPINION_ISSUED,
        "shanghai",
        ROBOT,
        "agent",
        "US20050004437A1.xml",
        start=6,
        steps=(("accept", 1), ("opinion", 3)),
    ),
    Plan(
        S.ACCEPTED,
        "shanghai",
        DEVICE,
        "applicant",
        "US20050004437A1.docx",
        start=3,
        steps=(("accept", 1),),
    ),
    Plan(
        S.SUBMITTED,
        "shanghai",
        DEVICE,
        "applicant",
        "US20050004437A1.docx",
        start=1,
        steps=(),
        defect="claim_forward_reference",
    ),
)

# Competences of the demo pre-examiners (IPC subclasses of their centers' field lists).
EXAMINER_FIELDS = {
    "examiner": ["A61B", "A61F", "B25J", "G01N"],
    "examiner-pudong": ["G06F", "G06N", "G06Q", "G06T"],
}


@dataclass
class Cast:
    centers: dict[str, Center]
    organizations: dict[str, Organization]
    managers: dict[str, User]
    applicants: dict[str, User]  # organization name -> its own person who submits
    agent: User


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=MIME[name.rsplit(".", 1)[-1]])


def _certificate_pdf(name: str) -> SimpleUploadedFile:
    """A one-page PDF standing in for the scanned grant certificate."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return _upload(name, out.getvalue())


def _further_codes(codes: list[str]) -> list[str]:
    """The sample's further IPC codes that the shipped scheme knows (old ones were retired)."""
    kept = []
    for code in codes:
        try:
            services.normalise_code(code, PatentType.INVENTION)
        except IpcError:
            continue
        kept.append(code)
    return kept


def _main_code(code: str) -> str:
    """The sample's main IPC code, or its main group where the shipped 2020.01 scheme no longer
    has the subgroup (US 7,272,630 was classified G06F 15/13 in 2006)."""
    try:
        services.normalise_code(code, PatentType.INVENTION)
    except IpcError:
        return code.split("/", 1)[0] + "/00"
    return code


def _opinion_items(plan: Plan) -> list[OpinionItemIn]:
    """The examiner's opinion: the seeded defect if there is one, else inventive step."""
    objection = (
        (Aspect.CLARITY_SUPPORT, "3", "权利要求3引用了在后的权利要求5，引用关系不清楚，请修改。")
        if plan.defect
        else (
            Aspect.INVENTIVE_STEP,
            "1",
            "权利要求1相对于对比文件1与公知常识的结合不具备创造性，请进一步限定技术特征。",
        )
    )
    return [
        OpinionItemIn(
            aspect=aspect,
            satisfied=aspect != objection[0],
            claims=objection[1] if aspect == objection[0] else "",
            text=objection[2] if aspect == objection[0] else "",
        )
        for aspect in services.REQUIRED_ASPECTS[PatentType.INVENTION]
    ]


# --- dating the steps back ----------------------------------------------------------------------


def _step_days(plan: Plan) -> list[dt.date]:
    """The day of the submission and of each step: working days, never after today, and not
    before the year's first working day (the statistics count the current year)."""
    today = timezone.localdate()
    first = add_workdays(dt.date(today.year, 1, 1), 0)
    day = max(add_workdays(today, -plan.start), first)
    days = [min(day, today)]
    for _name, gap in plan.steps:
        day = add_workdays(day, gap)
        days.append(min(day, today))
    return days


class Stamper:
    """Dates the rows a service call has just written back to the day of that step.

    Rows written by this run carry a time at or after `started` (or, for dates, today); rows
    already dated back do not, so each call touches only what the last step wrote.
    """

    def __init__(self) -> None:
        self.started = timezone.now()
        self.today = timezone.localdate()

    def when(self, day: dt.date, index: int) -> dt.datetime:
        tz = timezone.get_current_timezone()
        return dt.datetime.combine(day, dt.time(9 + index % 8, (17 * index) % 60), tzinfo=tz)

    def stamp(self, case: Case, day: dt.date, index: int, *, last: bool) -> None:
        when = self.when(day, index) if day < self.today else None
        due = self._rows(case, day, when) if when is not None else None
        url = tracking.case_url(case)
        started = self.started
        # Notifications are written after commit, in the order of the steps: date them then.
        transaction.on_commit(
            lambda: _date_notifications(url=url, started=started, when=when, due=due, read=not last)
        )

    def _rows(self, case: Case, day: dt.date, when: dt.datetime) -> dt.date | None:
        since = self.started
        row = Case.objects.get(pk=case.pk)
        changes: dict[str, Any] = {
            name: when
            for name in ("submitted_at", "created_at", "assigned_at", "accepted_at", "decided_at")
            if getattr(row, name) is not None and getattr(row, name) >= since
        }
        if row.qualified_on == self.today:
            changes["qualified_on"] = day
        if changes:
            Case.objects.filter(pk=case.pk).update(**changes)
        CaseVersion.objects.filter(case=case, created_at__gte=since).update(created_at=when)
        CaseEvent.objects.filter(case=case, at__gte=since).update(at=when)
        Opinion.objects.filter(case=case, issued_at__gte=since).update(issued_at=when)
        Clock.objects.filter(case=case, stopped_at__gte=since).update(stopped_at=when)
        documents = list(
            VersionDocument.objects.filter(version__case=case).values_list("document", flat=True)
        )
        if row.certificate_id:
            documents.append(row.certificate_id)
        Document.objects.filter(pk__in=documents, created_at__gte=since).update(created_at=when)
        fresh_due = None
        # Clocks the step started today (office-action clocks start on their own date).
        for clock in Clock.objects.filter(
            case=case, started_on=self.today, office_action__isnull=True
        ):
            due, provisional = clock_due_on(case=row, kind=clock.kind, start=day)
            Clock.objects.filter(pk=clock.pk).update(
                started_on=day, due_on=due, provisional=provisional
            )
            fresh_due = due
        return fresh_due


def _date_notifications(
    *, url: str, started: dt.datetime, when: dt.datetime | None, due: dt.date | None, read: bool
) -> None:
    """The step's notifications (written after commit) get the step's time and deadline; those
    of steps the case has moved past are read. Rows dated already are older than `started`."""
    rows = Notification.objects.filter(url=url, created_at__gte=started)
    if due is not None:
        rows.filter(due_on__isnull=False).update(due_on=due)
    changes: dict[str, Any] = {}
    if read:
        changes["read_at"] = when or timezone.now()
    if when is not None:
        changes["created_at"] = when
    if changes:
        rows.update(**changes)


# --- the people and the filings the cases need --------------------------------------------------


def _examiners(pudong: Center, password_from: User | None) -> None:
    """Competences for the demo pre-examiners; a Pudong pre-examiner (same password as the
    Shanghai demo examiner, so a newcomer can sign in as either)."""
    if not User.objects.filter(username="examiner-pudong").exists():
        user = User(
            username="examiner-pudong",
            full_name="钱思远",
            email="examiner-pudong@demo.ipcenter.invalid",
            is_demo=True,
        )
        if password_from is not None and password_from.has_usable_password():
            user.password = password_from.password
        else:
            user.set_unusable_password()
        user.save()
        membership_grant(
            actor=None,
            user=user,
            organization=pudong.organization,
            role=Role.PRE_EXAMINER,
            system=True,
        )
    for username, fields in EXAMINER_FIELDS.items():
        examiner = User.objects.filter(username=username).first()
        if examiner is None:
            continue
        profile, _created = StaffProfile.objects.get_or_create(
            user=examiner, defaults={"title": "专利预审员", "languages": ["zh", "en"]}
        )
        if not profile.ipc_fields:
            profile.ipc_fields = fields
            profile.save(update_fields=["ipc_fields"])


def _pudong_filing(chip: Organization, pudong: Center, manager: User) -> None:
    """The IC design company files with Pudong (G06F) and is approved: active, with a quota."""
    if EntityFiling.objects.filter(organization=chip, center=pudong).exists():
        return
    admin = _person(f"entadmin-{chip.pk}", "演示管理员", chip, Role.ENTERPRISE_ADMIN)
    filing = filings.filing_create(
        actor=admin,
        organization=chip,
        center=pudong,
        data={
            "entity_kind": "enterprise",
            "legal_name": chip.name.removesuffix("（演示）"),
            "credit_code": f"91310000MA1D{chip.pk % 1000000:06d}",
            "registered_area": "上海市浦东新区",
            "founded_on": dt.date(2018, 1, 12),
            "insured_staff": 45,
            "industry_codes": ["G06F"],
            "has_rd_team": True,
            "has_ip_system": True,
            "granted_inventions": 4,
            "granted_utility_designs": 6,
            "contact_name": admin.display_name(),
            "contact_phone": "021-0000-2101",
        },
    )
    for purpose in REQUIRED_PURPOSES:
        filings.filing_attach_document(
            actor=admin, filing=filing, purpose=purpose, upload=_png(f"{purpose}.png")
        )
    filings.filing_submit(actor=admin, filing=filing)
    filings.filing_approve(actor=manager, filing=filing, override_reason="演示：材料经人工核实。")


def _pudong_agency(agency: Organization, pudong: Center, manager: User) -> None:
    """The demo agency's Pudong registration (left waiting by the filings demo) is decided."""
    registration = (
        AgencyRegistration.objects.filter(organization=agency, center=pudong)
        .order_by("-pk")
        .first()
    )
    if registration is None or registration.state != AgencyState.SUBMITTED:
        return
    filings.agency_decide(actor=manager, registration=registration, decision="registered")
    filings.agency_set_guarantee(actor=manager, registration=registration, on_list=True)


def _cast() -> Cast | None:
    centers = {c.code: c for c in Center.objects.filter(code__in=("shanghai", "pudong"))}
    names = (DEVICE, ROBOT, CHIP, AGENCY)
    organizations = {o.name: o for o in Organization.objects.filter(name__in=names)}
    agent = User.objects.filter(username="agent").first()
    if len(centers) < 2 or len(organizations) < len(names) or agent is None:
        return None
    managers = {
        code: _person(
            "manager" if code == "shanghai" else "manager-pudong",
            "黄建华" if code == "shanghai" else "吴晓东",
            center.organization,
            Role.CENTER_MANAGER,
        )
        for code, center in centers.items()
    }
    applicant = User.objects.filter(username="applicant").first()
    applicants: dict[str, User] = {}
    for name in (DEVICE, ROBOT, CHIP):
        org = organizations[name]
        own = applicant if applicant is not None and _member(applicant, org) else None
        applicants[name] = own or _person(
            f"entadmin-{org.pk}", "演示管理员", org, Role.ENTERPRISE_ADMIN
        )
    return Cast(centers, organizations, managers, applicants, agent)


def _member(user: User, organization: Organization) -> bool:
    return Membership.objects.filter(user=user, organization=organization, is_active=True).exists()


# --- the cases ----------------------------------------------------------------------------------


def _submit(plan: Plan, cast: Cast) -> Case:
    data = sample_request(plan.sample)
    organization = cast.organizations[plan.organization]
    by_agent = plan.submitter == "agent"
    document = seeded_defect(plan.sample, plan.defect) if plan.defect else sample_bytes(plan.sample)
    return services.case_submit(
        actor=cast.agent if by_agent else cast.applicants[plan.organization],
        center=cast.centers[plan.center],
        request=CaseRequest(
            title=data["title"],
            patent_type=data.get("patent_type") or PatentType.INVENTION,
            # The demo enterprise files the invention as its own (first applicant).
            applicants=[organization.name],
            inventors=data["inventors"],
            main_code=_main_code(data["main_ipc"]),
            further_codes=_further_codes(data["further_ipc"]),
            applicant_organization_id=organization.pk if by_agent else None,
        ),
        files=[("full", _upload(plan.sample, document))],
    )


def _cn_number(case: Case, day: dt.date) -> str:
    body = f"{day.year}1{(case.pk * 7919) % 10_000_000:07d}"
    return f"{body}.{tracking.cn_check_digit(body)}"


def _walk(plan: Plan, cast: Cast, stamper: Stamper) -> Case:
    """Submit the case and take it through its steps, each dated back to its day."""
    days = _step_days(plan)
    case = _submit(plan, cast)
    stamper.stamp(case, days[0], 0, last=not plan.steps)
    for index, ((name, _gap), day) in enumerate(zip(plan.steps, days[1:], strict=True), start=1):
        case.refresh_from_db()
        _step(name, plan=plan, case=case, day=day, cast=cast)
        stamper.stamp(case, day, index, last=index == len(plan.steps))
    case.refresh_from_db()
    return case


def _step(name: str, *, plan: Plan, case: Case, day: dt.date, cast: Cast) -> None:
    """One step of a case's plan, by the person who takes it, through the service."""
    examiner = case.examiner or cast.managers[plan.center]
    side = cast.agent if plan.submitter == "agent" else cast.applicants[plan.organization]
    if name == "accept":
        services.case_accept(case=case, actor=examiner)
    elif name == "not_accept":
        services.case_not_accept(
            case=case,
            actor=examiner,
            reason="申请文件为早期SGML格式，说明书缺少规定的部分，请补正后重新提交。",
        )
    elif name == "opinion":
        services.case_opinion_issue(
            case=case,
            actor=examiner,
            summary="经预审，申请文件存在以下需要修改的问题，请在期限内提交修改文件。",
            items=_opinion_items(plan),
        )
    elif name == "amend":
        # The corrected document: the sample as shipped, without the seeded defect.
        services.case_amend(
            case=case,
            actor=side,
            files=[("full", _upload(plan.sample, sample_bytes(plan.sample)))],
            note="已修改权利要求3的引用关系。",
        )
    elif name == "qualify":
        services.case_qualify(case=case, actor=examiner)
    elif name == "unqualify":
        services.case_unqualify(
            case=case,
            actor=examiner,
            reason="申请人未在答复期限内提交修改文件，创造性缺陷未克服。",
        )
    elif name == "withdraw":
        services.case_withdraw(
            case=case, actor=side, reason="申请人决定调整专利布局，主动撤回预审请求。"
        )
    elif name == "file":
        tracking.case_record_cnipa_filing(
            case=case, actor=side, application_number=_cn_number(case, day), filing_date=day
        )
    elif name == "office_action":
        tracking.office_action_record(
            case=case,
            actor=side,
            received_on=day,
            note="第一次审查意见通知书：权利要求2的附加技术特征不清楚。",
        )
    elif name == "respond":
        tracking.office_action_respond(
            office_action=case.office_actions.get(responded_on__isnull=True),
            actor=side,
            responded_on=day,
        )
    elif name == "leave":
        tracking.case_leave_fast_track(
            case=case,
            actor=side,
            reason="申请人在授权前提出主动修改，增加从属权利要求。",
            kind=tracking.LeaveKind.VOLUNTARY_AMENDMENT,
        )
    elif name == "grant":
        tracking.case_record_grant(
            case=case,
            actor=side,
            grant_number=f"ZL{case.cnipa_application_number}",
            grant_date=day,
            certificate=_certificate_pdf("certificate.pdf"),
        )
    else:
        raise ValueError(f"unknown demo step {name!r}")


@transaction.atomic
def load_preexam_demo(stdout: TextIOBase | None = None) -> None:
    """Create the demo cases once (after the centers' and the filings' demo data); print them."""
    cast = _cast()
    if cast is None:
        return
    pudong = cast.centers["pudong"]
    _examiners(pudong, password_from=User.objects.filter(username="examiner").first())
    _pudong_filing(cast.organizations[CHIP], pudong, cast.managers["pudong"])
    _pudong_agency(cast.organizations[AGENCY], pudong, cast.managers["pudong"])
    demo_engagements()  # the agent files and answers for the demo enterprises
    demo_cases = Case.objects.filter(organization__is_demo=True)
    if not demo_cases.exists():
        stamper = Stamper()
        for plan in PLANS:
            try:
                _walk(plan, cast, stamper)
            except DomainError as exc:  # a broken demo must say which case and why
                raise RuntimeError(
                    f"demo case {plan.state} ({plan.sample}): {exc} {exc.errors}"
                ) from exc
    _analyse(demo_cases)
    if stdout is not None:
        _print_summary(stdout)


def _analyse(cases: Any) -> None:
    """Each demo case's IPC suggestion and prior art, through the service the intake job calls,
    now rather than in the worker: once, and again after the corpus was first loaded (the
    navigation demo imports it before the cases)."""
    from ipcenter.navigation.engine import get_backend

    try:
        corpus_size = get_backend().count()
    except Exception:  # the analysis reports a broken index itself
        corpus_size = 0
    for case in cases.order_by("pk"):
        latest = case.versions.order_by("-number").first()
        if latest is None:
            continue
        done = CaseAnalysis.objects.filter(version=latest).first()
        if done is None or (done.corpus_size == 0 and corpus_size > 0):
            case_analyse(case_version=latest)


def _print_summary(stdout: TextIOBase) -> None:
    """One line per demo case: its state, reference, who submitted and who examines it."""
    cases = Case.objects.filter(organization__is_demo=True).select_related(
        "center", "examiner", "submitted_by"
    )
    seeded = set(DEFECTS.values())
    defects = dict(
        Finding.objects.filter(version__case__in=cases, version__number=1, code__in=seeded)
        .values_list("version__case", "code")
        .distinct()
    )
    order = {state: i for i, state in enumerate(S.values)}
    stdout.write("\n")
    stdout.write("Demo pre-examination cases (real USPTO texts), at /preexam/cases/\n")
    stdout.write("-" * 72 + "\n")
    stdout.write(f"  {'state':<15} {'case':<14} {'submitter / examiner':<30} title\n")
    for case in sorted(cases, key=lambda c: (order[c.state], c.reference)):
        examiner = case.examiner.username if case.examiner else "-"
        who = f"{case.submitted_by.username} / {examiner}"
        note = f"  [seeded defect: {defects[case.pk]}]" if case.pk in defects else ""
        stdout.write(f"  {case.state:<15} {case.reference:<14} {who:<30} {case.title[:32]}{note}\n")
    stdout.write("-" * 72 + "\n")
    amended = cases.filter(state=S.AMENDED).first()
    if amended is not None:
        stdout.write(f"  The amendment's diff: /preexam/cases/{amended.pk}/diff/\n")
    stdout.write(
        "  IPC suggestion and prior art: on each case page, for the examiner and the managers.\n"
    )
    stdout.write(
        "  Statistics: /preexam/stats/ as manager or ipoffice. examiner-pudong has the demo "
        "password; entadmin-* accounts have none (sign in as agent or the examiners).\n"
    )
