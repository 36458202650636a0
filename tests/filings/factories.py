"""Building filings in each state through the real services, and cases for the figures."""

from __future__ import annotations

import datetime as dt
import itertools
import struct
import zlib
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ipcenter.accounts.models import Organization, User
from ipcenter.centers.models import Center
from ipcenter.filings import services
from ipcenter.filings.eligibility import REQUIRED_PURPOSES
from ipcenter.filings.models import EntityFiling, FilingState
from tests.conftest import Cast

SHANGHAI_TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=SHANGHAI_TZ)
TODAY = NOW.date()
LAST_YEAR = 2025

CREDIT_A = "91310000MA1K000001"
CREDIT_B = "91310000MA1K000002"


def set_areas(cast: Cast) -> None:
    """The centers' areas as in the demo: Shanghai serves 上海市, Pudong 上海市浦东新区."""
    if cast.shanghai.area != "上海市":
        Center.objects.filter(pk=cast.shanghai.pk).update(area="上海市")
        Center.objects.filter(pk=cast.pudong.pk).update(area="上海市浦东新区")
        cast.shanghai.refresh_from_db()
        cast.pudong.refresh_from_db()


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


def png(name: str = "scan.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def filing_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "entity_kind": "enterprise",
        "legal_name": "甲医疗器械有限公司",
        "credit_code": CREDIT_A,
        "registered_area": "上海市闵行区",
        "founded_on": dt.date(2015, 6, 1),
        "insured_staff": 40,
        "industry_codes": ["A61K 31/00"],
        "has_rd_team": True,
        "has_ip_system": True,
        "granted_inventions": 2,
        "granted_utility_designs": 0,
        "contact_name": "李文静",
        "contact_phone": "021-1234-5678",
        "contact_email": "ip@a.example.test",
    }
    data.update(changes)
    return data


def draft(
    cast: Cast,
    *,
    organization: Organization | None = None,
    actor: User | None = None,
    center: Center | None = None,
    documents: bool = True,
    **changes: Any,
) -> EntityFiling:
    set_areas(cast)
    organization = organization or cast.ent_a
    actor = actor or (cast.dave if organization == cast.ent_a else cast.frank)
    if organization == cast.ent_b and "credit_code" not in changes:
        changes["credit_code"] = CREDIT_B
        changes.setdefault("legal_name", "乙公司")
    filing = services.filing_create(
        actor=actor,
        organization=organization,
        center=center or cast.shanghai,
        data=filing_data(**changes),
    )
    if documents:
        for purpose in REQUIRED_PURPOSES:
            services.filing_attach_document(
                actor=actor, filing=filing, purpose=purpose, upload=png(f"{purpose}.png")
            )
    return filing


def submitted(cast: Cast, **kwargs: Any) -> EntityFiling:
    filing = draft(cast, **kwargs)
    actor = kwargs.get("actor") or (
        cast.frank if kwargs.get("organization") == cast.ent_b else cast.dave
    )
    return services.filing_submit(actor=actor, filing=filing)


def manager_of(cast: Cast, filing: EntityFiling) -> User:
    return cast.alice if filing.center_id == cast.shanghai.pk else cast.carol


def active(cast: Cast, **kwargs: Any) -> EntityFiling:
    filing = submitted(cast, **kwargs)
    return services.filing_approve(actor=manager_of(cast, filing), filing=filing)


def in_state(cast: Cast, state: str, **kwargs: Any) -> EntityFiling:
    """A filing brought to `state` through the services."""
    today = timezone.localdate()
    if state == FilingState.DRAFT:
        return draft(cast, **kwargs)
    if state == FilingState.SUBMITTED:
        return submitted(cast, **kwargs)
    filing = submitted(cast, **kwargs)
    m = manager_of(cast, filing)
    if state == FilingState.NEEDS_SUPPLEMENT:
        return services.filing_request_supplement(actor=m, filing=filing, reason="licence blurred")
    if state == FilingState.REJECTED:
        return services.filing_reject(actor=m, filing=filing, reason="not in the area")
    if state == FilingState.APPROVED:
        return services.filing_approve(
            actor=m, filing=filing, active_from=today + dt.timedelta(days=10)
        )
    filing = services.filing_approve(actor=m, filing=filing)
    if state == FilingState.ACTIVE:
        return filing
    if state == FilingState.SUSPENDED:
        return services.filing_suspend(
            actor=m, filing=filing, until=today + dt.timedelta(days=30), reason="review"
        )
    if state == FilingState.CANCELLED:
        return services.filing_cancel(actor=m, filing=filing, reason="fraud")
    if state == FilingState.WITHDRAWN:
        return services.filing_withdraw(actor=cast.dave, filing=filing)
    raise ValueError(state)


_refs = itertools.count(1)


def make_cases(
    *,
    organization: Organization,
    center: Center,
    submitter: User,
    year: int,
    qualified: int = 0,
    unqualified: int = 0,
    pending: int = 0,
) -> None:
    """Cases accepted (and decided) in `year`, only to set up the figures."""
    from ipcenter.preexam.models import Case, CaseState

    at = timezone.make_aware(dt.datetime(year, 6, 1, 10, 0))
    for state, count in (
        (CaseState.QUALIFIED, qualified),
        (CaseState.UNQUALIFIED, unqualified),
        (CaseState.ACCEPTED, pending),
    ):
        for _ in range(count):
            Case.objects.create(
                center=center,
                reference=f"T{year}-{next(_refs):05d}",
                patent_type="invention",
                title="test case",
                organization=organization,
                main_code="A61K 31/00",
                quota_year=year,
                submitted_by=submitter,
                state=state,
                submitted_at=at,
                accepted_at=at,
                decided_at=at if state != CaseState.ACCEPTED else None,
            )


def use_quota(*, organization: Organization, center: Center, submitter: User, count: int) -> None:
    """Submitted cases of this year that count against the quota."""
    make_cases(
        organization=organization,
        center=center,
        submitter=submitter,
        year=timezone.localdate().year,
        pending=count,
    )
