"""Demo data of entity filing for `make run`: the demo enterprises' filings in every state,
agencies (one off the guarantee list), quotas, a finding, an extra-quota request and a sanction.

Everything goes through the services, as a person would have done it; the people acting are the
demo accounts, plus an administrator for each other demo enterprise and a Pudong manager (demo
accounts without a password). Running it again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from typing import TextIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from ipcenter.accounts.models import Membership, Organization, User
from ipcenter.accounts.roles import Role
from ipcenter.accounts.services import membership_grant
from ipcenter.centers.models import Center, today
from ipcenter.filings import services
from ipcenter.filings.eligibility import REQUIRED_PURPOSES
from ipcenter.filings.models import (
    EntityFiling,
    FilingState,
    QuotaRequest,
    Sanction,
    SanctionKind,
)

S = FilingState

# (organization name, center code, target state, entity kind, industry codes, founded, staff)
PLAN: tuple[tuple[str, str, str, str, list[str], dt.date, int], ...] = (
    (
        "示例精密医疗器械有限公司（演示）",
        "shanghai",
        S.ACTIVE,
        "enterprise",
        ["A61B", "A61M"],
        dt.date(2012, 5, 8),
        86,
    ),
    (
        "示例智能机器人科技有限公司（演示）",
        "shanghai",
        S.ACTIVE,
        "enterprise",
        ["B25J"],
        dt.date(2016, 9, 1),
        64,
    ),
    (
        "示例生物医药股份有限公司（演示）",
        "shanghai",
        S.SUBMITTED,
        "enterprise",
        ["A61K", "C07D"],
        dt.date(2010, 3, 18),
        240,
    ),
    (
        "示例理工大学（演示）",
        "shanghai",
        S.NEEDS_SUPPLEMENT,
        "university",
        ["B23K", "G01N"],
        dt.date(1952, 10, 1),
        3100,
    ),
    (
        "示例集成电路设计有限公司（演示）",
        "shanghai",
        S.APPROVED,
        "enterprise",
        ["A61B"],
        dt.date(2018, 1, 12),
        45,
    ),
    (
        "示例新能源汽车零部件有限公司（演示）",
        "shanghai",
        S.DRAFT,
        "enterprise",
        ["B60L"],
        dt.date(2019, 7, 30),
        120,
    ),
    (
        "示例新能源汽车零部件有限公司（演示）",
        "pudong",
        S.REJECTED,
        "enterprise",
        ["H01M"],
        dt.date(2019, 7, 30),
        120,
    ),
    (
        "示例生物医药股份有限公司（演示）",
        "pudong",
        S.SUSPENDED,
        "enterprise",
        ["A61K"],
        dt.date(2010, 3, 18),
        240,
    ),
    (
        "示例智能机器人科技有限公司（演示）",
        "pudong",
        S.CANCELLED,
        "enterprise",
        ["B25J"],
        dt.date(2016, 9, 1),
        64,
    ),
    (
        "示例精密医疗器械有限公司（演示）",
        "pudong",
        S.WITHDRAWN,
        "enterprise",
        ["A61B"],
        dt.date(2012, 5, 8),
        86,
    ),
)

DISTRICT = {
    "示例精密医疗器械有限公司（演示）": "上海市闵行区",
    "示例智能机器人科技有限公司（演示）": "上海市嘉定区",
    "示例生物医药股份有限公司（演示）": "上海市浦东新区",
    "示例集成电路设计有限公司（演示）": "上海市浦东新区",
    "示例新能源汽车零部件有限公司（演示）": "上海市嘉定区",
    "示例理工大学（演示）": "上海市杨浦区",
}


def demo_png(name: str) -> SimpleUploadedFile:
    """A 1x1 image standing in for a scanned certificate."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    body = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )
    return SimpleUploadedFile(name, body, content_type="image/png")


def demo_person(username: str, full_name: str, organization: Organization, role: str) -> User:
    """The organization's demo person in `role` (an existing one first; else a new demo account
    without a password)."""
    existing = (
        Membership.objects.filter(organization=organization, role=role, is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if existing is not None:
        return existing.user
    user = User(username=username, full_name=full_name, is_demo=True)
    user.set_unusable_password()
    user.save()
    membership_grant(actor=None, user=user, organization=organization, role=role, system=True)
    return user


def _bring(filing: EntityFiling, state: str, *, admin: User, manager: User) -> EntityFiling:
    day = today()
    if state == S.DRAFT:
        return filing
    services.filing_submit(actor=admin, filing=filing)
    if state == S.SUBMITTED:
        return filing
    if state == S.NEEDS_SUPPLEMENT:
        return services.filing_request_supplement(
            actor=manager, filing=filing, reason="请补充产学研合作证明材料。"
        )
    if state == S.REJECTED:
        return services.filing_reject(
            actor=manager, filing=filing, reason="主营业务（H01M）不在本中心的技术领域内。"
        )
    override = "演示：材料经人工核实。"
    if state == S.APPROVED:
        return services.filing_approve(
            actor=manager,
            filing=filing,
            active_from=day + dt.timedelta(days=14),
            override_reason=override,
        )
    services.filing_approve(actor=manager, filing=filing, override_reason=override)
    if state == S.SUSPENDED:
        return _sanctioned(filing)
    if state == S.CANCELLED:
        return services.filing_cancel(
            actor=manager, filing=filing, reason="年度复核：两次非正常专利申请认定。"
        )
    if state == S.WITHDRAWN:
        return services.filing_withdraw(actor=admin, filing=filing, reason="业务调整，主动撤回。")
    return filing


def _sanctioned(filing: EntityFiling) -> EntityFiling:
    """Last year's figures crossed the suspension threshold: the sanction and the suspension,
    as the new-year assessment records them."""
    day = today()
    until = services.add_months(day, 6)
    reason = "上年度预审不合格率 58.3%（7/12），超过 50%。"
    with transaction.atomic():
        Sanction.objects.create(
            filing=filing,
            kind=SanctionKind.SUSPEND,
            year=day.year - 1,
            accepted=12,
            failed=7,
            reason=reason,
            starts_on=day,
            ends_on=until,
        )
        return services.filing_suspend(actor=None, filing=filing, until=until, reason=reason)


def _agencies(shanghai: Center, pudong: Center, manager: User, pudong_manager: User) -> None:
    from ipcenter.filings.models import AgencyRegistration

    a = Organization.objects.filter(name=DEMO_AGENCY).first()
    b = Organization.objects.filter(name="示例知识产权代理有限公司（演示）").first()
    if a is None or b is None or AgencyRegistration.objects.filter(organization=a).exists():
        return
    agent_a = demo_person("agent", "王志强", a, Role.AGENT)
    agent_b = demo_person("agent-b", "钱立", b, Role.AGENT)
    on_list = services.agency_register(
        actor=agent_a,
        organization=a,
        center=shanghai,
        licence_number="31201",
        contact_name="王志强",
        contact_phone="021-0000-3001",
    )
    services.agency_decide(actor=manager, registration=on_list, decision="registered")
    services.agency_set_guarantee(actor=manager, registration=on_list, on_list=True)
    off_list = services.agency_register(
        actor=agent_b,
        organization=b,
        center=shanghai,
        licence_number="31288",
        contact_name="钱立",
        contact_phone="021-0000-3002",
    )
    services.agency_decide(actor=manager, registration=off_list, decision="registered")
    services.agency_register(
        actor=agent_a,
        organization=a,
        center=pudong,
        licence_number="31201",
        contact_name="王志强",
        contact_phone="021-0000-3001",
    )


DEMO_AGENCY = "示例专利代理事务所（演示）"


def demo_engagements() -> int:
    """Every demo enterprise engages the demo agency (every center, filing and responses), so
    that the demo agent files and answers for them; granted by the enterprise's administrator.
    Run again, it adds only what is missing."""
    from ipcenter.accounts.roles import OrgKind
    from ipcenter.filings.models import Engagement

    agency = Organization.objects.filter(name=DEMO_AGENCY, kind=OrgKind.AGENCY).first()
    if agency is None:
        return 0
    made = 0
    enterprises = Organization.objects.filter(is_demo=True, kind=OrgKind.ENTERPRISE).order_by("pk")
    for enterprise in enterprises:
        if Engagement.objects.filter(enterprise=enterprise, agency=agency).exists():
            continue
        admin = (
            Membership.objects.filter(
                organization=enterprise, role=Role.ENTERPRISE_ADMIN, is_active=True
            )
            .select_related("user")
            .order_by("pk")
            .first()
        )
        if admin is None:
            continue
        services.engagement_grant(actor=admin.user, enterprise=enterprise, agency=agency)
        made += 1
    return made


@transaction.atomic
def load_filings_demo(stdout: TextIO | None = None) -> None:
    shanghai = Center.objects.filter(code="shanghai").first()
    pudong = Center.objects.filter(code="pudong").first()
    if shanghai is None or pudong is None:
        return
    manager = demo_person("manager", "黄建华", shanghai.organization, Role.CENTER_MANAGER)
    pudong_manager = demo_person(
        "manager-pudong", "吴晓东", pudong.organization, Role.CENTER_MANAGER
    )
    centers = {"shanghai": shanghai, "pudong": pudong}
    made = 0
    if not EntityFiling.objects.filter(organization__is_demo=True).exists():
        for index, (name, code, state, kind, codes, founded, staff) in enumerate(PLAN, start=1):
            organization = Organization.objects.filter(name=name).first()
            if organization is None:
                continue
            admin = demo_person(
                f"entadmin-{organization.pk}", "演示管理员", organization, Role.ENTERPRISE_ADMIN
            )
            center = centers[code]
            filing = services.filing_create(
                actor=admin,
                organization=organization,
                center=center,
                data={
                    "entity_kind": kind,
                    "legal_name": name.removesuffix("（演示）"),
                    "credit_code": f"91310000MA1D{organization.pk % 1000000:06d}",
                    "registered_area": DISTRICT.get(name, "上海市"),
                    "founded_on": founded,
                    "insured_staff": staff,
                    "industry_codes": codes,
                    "has_rd_team": True,
                    "has_ip_system": True,
                    "granted_inventions": 3 + index,
                    "granted_utility_designs": 5,
                    "contact_name": admin.display_name(),
                    "contact_phone": f"021-0000-2{index:03d}",
                },
            )
            purposes = REQUIRED_PURPOSES if state != S.DRAFT else REQUIRED_PURPOSES[:2]
            for purpose in purposes:
                services.filing_attach_document(
                    actor=admin, filing=filing, purpose=purpose, upload=demo_png(f"{purpose}.png")
                )
            _bring(
                filing,
                state,
                admin=admin,
                manager=manager if code == "shanghai" else pudong_manager,
            )
            made += 1
        _extras(shanghai, manager)
    _agencies(shanghai, pudong, manager, pudong_manager)
    demo_engagements()
    if stdout is not None and made:
        stdout.write(f"Entity filing: {made} demo filings, agencies, quotas and a sanction.\n")


def _extras(shanghai: Center, manager: User) -> None:
    """A finding on record and an extra-quota request waiting for the manager."""
    pharma = EntityFiling.objects.filter(center=shanghai, state=S.SUBMITTED).first()
    if pharma is not None:
        services.finding_record(
            actor=manager,
            organization=pharma.organization,
            center=shanghai,
            kind="abnormal_filing",
            found_on=today() - dt.timedelta(days=400),
            source="国家知识产权局非正常专利申请通知书（演示）",
        )
    robot = (
        EntityFiling.objects.filter(center=shanghai, state=S.ACTIVE)
        .order_by("-pk")
        .select_related("organization")
        .first()
    )
    if robot is not None and not QuotaRequest.objects.filter(organization=robot.organization):
        # The demo has no year of cases behind it: the request is recorded as the entity made
        # it once its quota was used up.
        QuotaRequest.objects.create(
            center=shanghai,
            organization=robot.organization,
            year=today().year,
            requested=10,
            reason="新产品线集中申报，年度额度已用完。",
            requested_by=demo_person(
                f"entadmin-{robot.organization_id}",
                "演示管理员",
                robot.organization,
                Role.ENTERPRISE_ADMIN,
            ),
        )
