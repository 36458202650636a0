"""Shared fixtures: a fixed cast of people in two centers and two enterprises.

Alice manages the Shanghai center and Bob examines there; Carol manages Pudong (the wrong
center for Shanghai's objects). Dave administers enterprise A where Erin is an applicant; Frank
administers enterprise B (the wrong organization). Grace is an agent, Ivan reads for the IP
office, Sam runs the installation, Nina has no role at all.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from ipcenter.accounts.models import Organization, User
from ipcenter.accounts.roles import OrgKind, Role
from ipcenter.accounts.services import api_token_create, membership_grant
from ipcenter.centers.models import Center, FieldEntry, FieldListVersion, FieldScheme, Workstation

PASSWORD = "correct-horse-battery-9"

# The real patent data set lies beside the clone (../shared/data), on developers' machines and
# in CI alike; IPCENTER_SHARED_DATA points elsewhere.
SHARED_DATA = Path(
    os.environ.get(
        "IPCENTER_SHARED_DATA", Path(__file__).resolve().parents[1].parent / "shared" / "data"
    )
)


@pytest.fixture
def shared_data() -> Path:
    """The shared data folder; a test that needs it fails (never skips) when it is missing."""
    if not SHARED_DATA.is_dir():
        pytest.fail(f"the shared patent data is missing at {SHARED_DATA}; set IPCENTER_SHARED_DATA")
    return SHARED_DATA


@pytest.fixture(autouse=True)
def _jobs_run_inline(settings: Any, tmp_path: Any) -> Any:
    """Jobs run in-process in tests; storage-specific tests build their own Huey instances."""
    from huey.contrib.djhuey import HUEY

    settings.MEDIA_ROOT = tmp_path / "media"
    # The cast's PBKDF2 hashes cost seconds per test; MD5 checks passwords just as well here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.IPCENTER_STAFF_TOTP = "optional"
    previous = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = previous


@pytest.fixture(autouse=True)
def _search_index_in_tmp(settings: Any, tmp_path: Any) -> Any:
    """Each test has its own, empty corpus index (opened only if the test searches)."""
    from ipcenter.navigation import engine
    from ipcenter.navigation.selectors import forget_corpus_facets

    forget_corpus_facets()
    settings.IPCENTER_SEARCH_BACKEND = "embedded"
    settings.IPCENTER_SEARCH_DIR = tmp_path / "search"
    settings.IPCENTER_MILVUS_URI = str(tmp_path / "milvus.db")
    engine.reset_backend()
    yield
    engine.reset_backend()


def make_center(code: str, name: str, name_en: str) -> Center:
    org = Organization.objects.create(kind=OrgKind.CENTER, name=name, name_en=name_en)
    center = Center.objects.create(
        code=code, name=name, name_en=name_en, area=name, organization=org
    )
    org.center = center
    org.save(update_fields=["center"])
    version = FieldListVersion.objects.create(center=center, effective_from=dt.date(2020, 1, 1))
    FieldEntry.objects.bulk_create(
        [
            FieldEntry(field_list=version, scheme=FieldScheme.IPC, symbol="A61K"),
            FieldEntry(field_list=version, scheme=FieldScheme.IPC, symbol="B25J"),
            FieldEntry(field_list=version, scheme=FieldScheme.LOCARNO, symbol="24"),
        ]
    )
    return center


def make_person(
    username: str, role: str, organization: Organization, language: str = "zh-hans"
) -> User:
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        email=f"{username}@example.test",
        full_name=username.title(),
        language=language,
    )
    membership_grant(actor=None, user=user, organization=organization, role=role, system=True)
    return user


@dataclass
class Cast:
    shanghai: Center
    pudong: Center
    ent_a: Organization
    ent_b: Organization
    agency: Organization
    ip_office: Organization
    workstation: Workstation
    alice: User  # center manager, Shanghai
    bob: User  # pre-examiner, Shanghai
    carol: User  # center manager, Pudong
    dave: User  # enterprise admin, A
    erin: User  # applicant, A
    frank: User  # enterprise admin, B
    grace: User  # agent
    ivan: User  # IP office viewer
    sam: User  # system admin
    walt: User  # workstation staff, Shanghai
    nina: User  # no role
    agency_b: Organization  # a second patent agency
    olga: User  # pre-examiner, Shanghai (a colleague of Bob's, not assigned to his cases)
    pete: User  # pre-examiner, Pudong
    gina: User  # agent of agency B
    nora: User  # navigation analyst, Shanghai

    def by_role(self, role: str) -> User:
        return {
            Role.CENTER_MANAGER: self.alice,
            Role.PRE_EXAMINER: self.bob,
            Role.ENTERPRISE_ADMIN: self.dave,
            Role.APPLICANT: self.erin,
            Role.AGENT: self.grace,
            Role.IP_OFFICE_VIEWER: self.ivan,
            Role.SYSTEM_ADMIN: self.sam,
            Role.WORKSTATION_STAFF: self.walt,
            Role.NAVIGATION_ANALYST: self.nora,
        }[role]


@pytest.fixture
def cast(db: Any) -> Cast:
    shanghai = make_center("shanghai", "中国（上海）知识产权保护中心", "Shanghai Center")
    pudong = make_center("pudong", "中国（浦东）知识产权保护中心", "Pudong Center")
    ent_a = Organization.objects.create(kind=OrgKind.ENTERPRISE, name="甲公司", name_en="A Co")
    ent_b = Organization.objects.create(kind=OrgKind.ENTERPRISE, name="乙公司", name_en="B Co")
    agency = Organization.objects.create(kind=OrgKind.AGENCY, name="代理所", name_en="Agency")
    agency_b = Organization.objects.create(kind=OrgKind.AGENCY, name="乙代理所", name_en="Agency B")
    ip_office = Organization.objects.create(kind=OrgKind.IP_OFFICE, name="知识产权局")
    ws_org = Organization.objects.create(kind=OrgKind.WORKSTATION, name="工作站", center=shanghai)
    workstation = Workstation.objects.create(center=shanghai, organization=ws_org, host="协会")
    return Cast(
        shanghai=shanghai,
        pudong=pudong,
        ent_a=ent_a,
        ent_b=ent_b,
        agency=agency,
        ip_office=ip_office,
        workstation=workstation,
        alice=make_person("alice", Role.CENTER_MANAGER, shanghai.organization, "en"),
        bob=make_person("bob", Role.PRE_EXAMINER, shanghai.organization),
        carol=make_person("carol", Role.CENTER_MANAGER, pudong.organization),
        dave=make_person("dave", Role.ENTERPRISE_ADMIN, ent_a),
        erin=make_person("erin", Role.APPLICANT, ent_a),
        frank=make_person("frank", Role.ENTERPRISE_ADMIN, ent_b),
        grace=make_person("grace", Role.AGENT, agency),
        ivan=make_person("ivan", Role.IP_OFFICE_VIEWER, ip_office),
        sam=make_person("sam", Role.SYSTEM_ADMIN, shanghai.organization, "en"),
        walt=make_person("walt", Role.WORKSTATION_STAFF, ws_org),
        nina=User.objects.create_user(username="nina", password=PASSWORD),
        agency_b=agency_b,
        olga=make_person("olga", Role.PRE_EXAMINER, shanghai.organization),
        pete=make_person("pete", Role.PRE_EXAMINER, pudong.organization),
        gina=make_person("gina", Role.AGENT, agency_b),
        nora=make_person("nora", Role.NAVIGATION_ANALYST, shanghai.organization),
    )


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def token_client(user: User) -> tuple[Client, dict[str, str]]:
    """A client without a session, and the Authorization header of a fresh API token."""
    _token, raw = api_token_create(user=user, name="test")
    return Client(), {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def in_english(cast: Cast) -> Iterator[Cast]:
    """For tests that read English messages: the cast reads the pages in English, and the
    services' messages are rendered in English."""
    User.objects.update(language="en")
    for person in vars(cast).values():
        if isinstance(person, User):
            person.language = "en"
    with translation.override("en"):
        yield cast
