"""Demo data for `make run`: two centers with their field lists, 24 workstations, 80 mediators,
demo enterprises and agencies, and one account per role. Everything here is marked as demo.

Organizations and people are invented and marked `is_demo`; the field lists are plausible
selections of real IPC subclasses and Locarno classes (see centers/fields/README.md).
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass
from importlib import resources
from io import TextIOBase
from typing import Any

from django.db import transaction
from django.utils import timezone

from ipcenter.accounts.models import Organization, StaffProfile, User
from ipcenter.accounts.roles import OrgKind, Role
from ipcenter.accounts.services import bootstrap_user, membership_grant
from ipcenter.calendar import add_workdays
from ipcenter.centers.models import Center, FieldEntry, FieldListVersion, FieldScheme, Workstation
from ipcenter.filings.demo import load_filings_demo
from ipcenter.notifications.services import notify
from ipcenter.preexam.demo import load_preexam_demo


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    organization: str  # key into the organizations made below
    full_name: str
    language: str = "zh-hans"


CENTERS = {
    "shanghai": {
        "name": "中国（上海）知识产权保护中心",
        "name_en": "China (Shanghai) IP Protection Center",
        "area": "上海市",
        "area_en": "Shanghai",
        "address": "上海市（演示地址）",
        "phone": "021-0000-0001",
    },
    "pudong": {
        "name": "中国（浦东）知识产权保护中心",
        "name_en": "China (Pudong) IP Protection Center",
        "area": "上海市浦东新区",
        "area_en": "Pudong New Area, Shanghai",
        "address": "上海市浦东新区（演示地址）",
        "phone": "021-0000-0002",
    },
}

DISTRICTS = [
    ("黄浦区", "Huangpu"),
    ("徐汇区", "Xuhui"),
    ("长宁区", "Changning"),
    ("静安区", "Jing'an"),
    ("普陀区", "Putuo"),
    ("虹口区", "Hongkou"),
    ("杨浦区", "Yangpu"),
    ("闵行区", "Minhang"),
    ("宝山区", "Baoshan"),
    ("嘉定区", "Jiading"),
    ("浦东新区", "Pudong"),
    ("金山区", "Jinshan"),
    ("松江区", "Songjiang"),
    ("青浦区", "Qingpu"),
    ("奉贤区", "Fengxian"),
    ("崇明区", "Chongming"),
]
INDUSTRY_STATIONS = [
    ("生物医药产业", "Biomedicine industry", "行业协会", "浦东新区"),
    ("高端医疗器械", "Medical devices", "产业园区", "闵行区"),
    ("智能制造装备", "Intelligent manufacturing equipment", "行业协会", "嘉定区"),
    ("新能源汽车", "New-energy vehicles", "产业园区", "嘉定区"),
    ("航空航天装备", "Aerospace equipment", "高校", "闵行区"),
    ("海洋工程装备", "Marine engineering equipment", "产业园区", "浦东新区"),
    ("跨境电商", "Cross-border e-commerce", "行业协会", "长宁区"),
    ("会展知识产权", "Exhibition IP", "会展机构", "青浦区"),
]

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
    "许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红建文斌宇浩凯晨欣怡佳琳雪梅"
MEDIATOR_FIELDS = [
    "专利 · 机械",
    "专利 · 医药",
    "专利 · 电子",
    "商标",
    "著作权",
    "专利 · 化学",
    "电子商务",
]
MEDIATOR_LANGS = [["zh"], ["zh", "en"], ["zh", "en", "ja"], ["zh", "de"], ["zh", "en", "ko"]]

ENTERPRISES = [
    (
        "ent-device",
        "示例精密医疗器械有限公司（演示）",
        "Demo Precision Medical Devices Co., Ltd.",
        "闵行区",
    ),
    (
        "ent-robot",
        "示例智能机器人科技有限公司（演示）",
        "Demo Intelligent Robotics Co., Ltd.",
        "嘉定区",
    ),
    ("ent-pharma", "示例生物医药股份有限公司（演示）", "Demo Biopharma Co., Ltd.", "浦东新区"),
    ("ent-chip", "示例集成电路设计有限公司（演示）", "Demo IC Design Co., Ltd.", "浦东新区"),
    ("ent-auto", "示例新能源汽车零部件有限公司（演示）", "Demo EV Components Co., Ltd.", "嘉定区"),
    ("ent-uni", "示例理工大学（演示）", "Demo University of Technology", "杨浦区"),
]
AGENCIES = [
    ("agency-a", "示例专利代理事务所（演示）", "Demo Patent Agency", "黄浦区"),
    ("agency-b", "示例知识产权代理有限公司（演示）", "Demo IP Agency Co., Ltd.", "浦东新区"),
]
OTHER_ORGS = [
    ("court", OrgKind.COURT, "示例知识产权法庭（演示）", "Demo IP Tribunal"),
    (
        "enforcement",
        OrgKind.ENFORCEMENT,
        "示例市场监督管理执法队（演示）",
        "Demo Market Regulation Enforcement Team",
    ),
    ("ipoffice", OrgKind.IP_OFFICE, "示例知识产权局（演示）", "Demo IP Office"),
]

DEMO_ACCOUNTS = [
    DemoAccount("applicant", Role.APPLICANT, "ent-device", "陈晓明"),
    DemoAccount("entadmin", Role.ENTERPRISE_ADMIN, "ent-device", "李文静"),
    DemoAccount("agent", Role.AGENT, "agency-a", "王志强"),
    DemoAccount("examiner", Role.PRE_EXAMINER, "center:shanghai", "张海涛"),
    DemoAccount("mediator", Role.MEDIATOR, "center:shanghai", "刘佳琳"),
    DemoAccount("wsstaff", Role.WORKSTATION_STAFF, "ws:1", "赵凯"),
    DemoAccount("expert", Role.OVERSEAS_EXPERT, "center:shanghai", "Helen Zhou", "en"),
    DemoAccount("analyst", Role.NAVIGATION_ANALYST, "center:shanghai", "孙宇"),
    DemoAccount("reception", Role.RECEPTION_STAFF, "center:shanghai", "周芳"),
    DemoAccount("manager", Role.CENTER_MANAGER, "center:shanghai", "黄建华"),
    DemoAccount("ipoffice", Role.IP_OFFICE_VIEWER, "ipoffice", "郑平"),
    DemoAccount("sysadmin", Role.SYSTEM_ADMIN, "center:shanghai", "System Admin", "en"),
]


def field_list_data(code: str) -> dict[str, Any]:
    text = (resources.files("ipcenter.centers") / "fields" / f"{code}.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _organization(
    kind: str, name: str, name_en: str, region: str = "", center: Center | None = None
) -> Organization:
    org, _created = Organization.objects.get_or_create(
        kind=kind,
        name=name,
        defaults={"name_en": name_en, "region": region, "center": center, "is_demo": True},
    )
    return org


def _center(code: str) -> Center:
    existing = Center.objects.filter(code=code).first()
    if existing:
        return existing
    data = CENTERS[code]
    org = Organization.objects.create(
        kind=OrgKind.CENTER,
        name=data["name"],
        name_en=data["name_en"],
        region=data["area"],
        is_demo=True,
    )
    center = Center.objects.create(code=code, organization=org, is_demo=True, **data)
    org.center = center
    org.save(update_fields=["center"])
    fields = field_list_data(code)
    version = FieldListVersion.objects.create(
        center=center,
        effective_from=dt.date.fromisoformat(fields["effective_from"]),
        note=fields.get("note_zh", ""),
    )
    FieldEntry.objects.bulk_create(
        [FieldEntry(field_list=version, scheme=FieldScheme.IPC, symbol=s) for s in fields["ipc"]]
        + [
            FieldEntry(field_list=version, scheme=FieldScheme.LOCARNO, symbol=s)
            for s in fields["locarno"]
        ]
    )
    return center


def _workstations(center: Center) -> list[Workstation]:
    if center.workstations.exists():
        return list(center.workstations.order_by("pk"))
    made = []
    for number, (district, district_en) in enumerate(DISTRICTS, start=1):
        org = _organization(
            OrgKind.WORKSTATION,
            f"{district}知识产权维权援助工作站（演示）",
            f"{district_en} IP Rights Protection Workstation (demo)",
            district,
            center,
        )
        made.append(
            Workstation.objects.create(
                center=center,
                organization=org,
                host=f"{district}知识产权服务中心（演示）",
                district=district,
                focus="综合",
                phone=f"021-0000-1{number:03d}",
                opened_on=dt.date(2020, 4, 26),
            )
        )
    for number, (focus, focus_en, host_kind, district) in enumerate(INDUSTRY_STATIONS, start=17):
        org = _organization(
            OrgKind.WORKSTATION,
            f"{focus}知识产权维权援助工作站（演示）",
            f"{focus_en} IP Rights Protection Workstation (demo)",
            district,
            center,
        )
        made.append(
            Workstation.objects.create(
                center=center,
                organization=org,
                host=f"示例{host_kind}（演示）",
                district=district,
                focus=focus,
                phone=f"021-0000-1{number:03d}",
                opened_on=dt.date(2021, 4, 26),
            )
        )
    return made


def _mediators(center: Center, count: int) -> None:
    if User.objects.filter(username__startswith="mediator-").exists():
        return
    rng = random.Random(20200426)  # noqa: S311  # fixed seed: the same roster on every install
    for number in range(1, count + 1):
        name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice([1, 2])))
        # Roster members have no password: they are demo data, not sign-in accounts.
        user = User(username=f"mediator-{number:02d}", full_name=name, is_demo=True)
        user.set_unusable_password()
        user.save()
        membership_grant(
            actor=None,
            user=user,
            organization=center.organization,
            role=Role.MEDIATOR,
            system=True,
        )
        StaffProfile.objects.create(
            user=user,
            title="调解员",
            specialties=[rng.choice(MEDIATOR_FIELDS)],
            languages=rng.choice(MEDIATOR_LANGS),
        )


def _demo_notifications(user: User, role: str) -> None:
    today = timezone.localdate()
    due = add_workdays(today, 5)
    notify(
        recipient=user,
        tag="demo:welcome",
        email=False,
        subject=lambda: _welcome_subject(),
        body=lambda: _welcome_body(),
    )
    notify(
        recipient=user,
        tag="demo:task",
        email=False,
        due_on=due,
        subject=lambda: _task_subject(role),
        url="/accounts/profile/",
    )


def _welcome_subject() -> str:
    from django.utils.translation import gettext

    return gettext("Welcome to the IP protection center platform")


def _welcome_body() -> str:
    from django.utils.translation import gettext

    return gettext("This is a demo account. Its organization and data are marked as demo.")


def _task_subject(role: str) -> str:
    from django.utils.translation import gettext

    return gettext("Check your contact details and language (%(role)s)") % {
        "role": Role(role).label
    }


@transaction.atomic
def load_demo(*, password: str, stdout: TextIOBase | None = None) -> list[tuple[str, str, str]]:
    """Create the demo data if it is not there yet; return (username, role, organization)."""
    shanghai = _center("shanghai")
    pudong = _center("pudong")
    orgs: dict[str, Organization] = {
        "center:shanghai": shanghai.organization,
        "center:pudong": pudong.organization,
    }
    for index, ws in enumerate(_workstations(shanghai), start=1):
        orgs[f"ws:{index}"] = ws.organization
    for key, name, name_en, region in ENTERPRISES:
        orgs[key] = _organization(OrgKind.ENTERPRISE, name, name_en, region)
    for key, name, name_en, region in AGENCIES:
        orgs[key] = _organization(OrgKind.AGENCY, name, name_en, region)
    for key, kind, name, name_en in OTHER_ORGS:
        orgs[key] = _organization(kind, name, name_en, "上海市")
    _mediators(shanghai, 80 - 1)  # the demo "mediator" account is the 80th

    printed = []
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(username=account.username).first()
        organization = orgs[account.organization]
        if user is None:
            user = bootstrap_user(
                username=account.username,
                password=password,
                full_name=account.full_name,
                email=f"{account.username}@demo.ipcenter.invalid",
                language=account.language,
                is_demo=True,
            )
            membership_grant(
                actor=None, user=user, organization=organization, role=account.role, system=True
            )
            if account.role == Role.PRE_EXAMINER:
                StaffProfile.objects.create(
                    user=user,
                    title="专利预审员",
                    ipc_fields=["A61B", "A61F", "B25J", "G01N"],
                    languages=["zh", "en"],
                )
            _demo_notifications(user, account.role)
        printed.append((account.username, str(Role(account.role).label), organization.name))
    load_filings_demo()
    load_preexam_demo(stdout=stdout)
    return printed
