"""Builders for pre-examination tests (also used by the tracking tests and the browser test).

- `active_filing(org, center)`: an ACTIVE EntityFiling and this year's Quota, straight through
  the ORM (the filing workflow has its own tests).
- `registered_agency(agency, center)`: a REGISTERED agency on the guarantee list.
- `engaged(enterprise, agency)`: an engagement in force (every center, both activities).
- `competent(user, "A61B")`: the examiner's IPC / Locarno competences.
- `sample_upload(name)`: a real USPTO sample document (ipcenter.patents.samples) as an upload.
- `case_request(...)`: a CaseRequest for a sample, naming the organization as first applicant.
- `ready(cast)`: Shanghai's field list covers the samples, enterprise A is filed with quota,
  the agency is registered and engaged by enterprise A, and Bob covers A61B (Olga and Pete
  cover nothing).
- `submitted_case(cast, ...)`: a case submitted through the real service (assigned to Bob).
- `accepted_case`, `opinion_case`, `amended_case`, `qualified_case_via_review`: the same case
  moved on through the real services.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ipcenter.accounts.models import Organization, StaffProfile, User
from ipcenter.centers.models import Center, FieldEntry, FieldScheme
from ipcenter.centers.selectors import field_list_in_force
from ipcenter.filings.models import (
    AgencyRegistration,
    AgencyState,
    Engagement,
    EntityFiling,
    FilingState,
    Quota,
)
from ipcenter.patents.samples import sample_bytes, sample_request
from ipcenter.preexam import services
from ipcenter.preexam.models import Case, PatentType
from ipcenter.preexam.services import REQUIRED_ASPECTS, CaseRequest, OpinionItemIn
from tests.conftest import Cast

# A short real invention (10 claims, IPC A61B 5/00) in DOCX, and its XML twin.
SAMPLE = "US20050004437A1.docx"
SAMPLE_XML = "US20050004437A1.xml"
# A second one in another field (G06F 15/16), for assignment by competence.
SAMPLE_G06F = "US08930553.docx"

MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xml": "application/xml",
    "pdf": "application/pdf",
    "png": "image/png",
}

_credit = iter(range(10_000, 99_999))


def active_filing(
    org: Organization,
    center: Center,
    *,
    quota: int = 20,
    year: int | None = None,
    legal_name: str | None = None,
) -> EntityFiling:
    """An ACTIVE filing of `org` with `center` and a quota of `quota` cases for `year`."""
    creator = User.objects.order_by("id").first()
    assert creator is not None, "build the cast first"
    filing = EntityFiling.objects.create(
        center=center,
        organization=org,
        state=FilingState.ACTIVE,
        legal_name=legal_name or org.name,
        credit_code=f"91310000MA1K{next(_credit):06d}",
        registered_area=center.area,
        founded_on=dt.date(2015, 6, 1),
        insured_staff=40,
        industry_codes=["A61B"],
        has_rd_team=True,
        has_ip_system=True,
        granted_inventions=2,
        contact_name="李文静",
        contact_phone="021-00000000",
        created_by=creator,
        active_from=dt.date(2025, 1, 1),
    )
    Quota.objects.update_or_create(
        center=center,
        organization=org,
        year=year or timezone.localdate().year,
        defaults={"base": quota},
    )
    return filing


def registered_agency(
    agency: Organization, center: Center, *, on_list: bool = True
) -> AgencyRegistration:
    creator = User.objects.order_by("id").first()
    assert creator is not None
    return AgencyRegistration.objects.create(
        center=center,
        organization=agency,
        state=AgencyState.REGISTERED,
        licence_number=f"31{next(_credit)}",
        on_guarantee_list=on_list,
        contact_name="王律",
        contact_phone="021-11111111",
        created_by=creator,
    )


def engaged(
    enterprise: Organization, agency: Organization, *, center: Center | None = None, **fields: Any
) -> Engagement:
    """The enterprise engages the agency (every center, filing and responses unless told)."""
    admin = User.objects.filter(
        memberships__organization=enterprise, memberships__role="enterprise_admin"
    ).first()
    assert admin is not None
    values: dict[str, Any] = {"valid_from": timezone.localdate() - dt.timedelta(days=30)}
    values.update(fields)
    return Engagement.objects.create(
        enterprise=enterprise, agency=agency, center=center, granted_by=admin, **values
    )


def competent(user: User, *codes: str) -> StaffProfile:
    profile, _created = StaffProfile.objects.update_or_create(
        user=user, defaults={"ipc_fields": list(codes)}
    )
    # A cached profile on the user object would hide the change.
    user.staff_profile = profile
    return profile


def cover_fields(
    center: Center, *, ipc: tuple[str, ...] = (), locarno: tuple[str, ...] = ()
) -> None:
    """Add entries to the field list in force (test set-up: versions are never edited live)."""
    version = field_list_in_force(center=center)
    assert version is not None
    for symbol in ipc:
        FieldEntry.objects.get_or_create(field_list=version, scheme=FieldScheme.IPC, symbol=symbol)
    for symbol in locarno:
        FieldEntry.objects.get_or_create(
            field_list=version, scheme=FieldScheme.LOCARNO, symbol=symbol
        )


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=MIME.get(name.rsplit(".", 1)[-1], ""))


def sample_upload(name: str = SAMPLE, data: bytes | None = None) -> SimpleUploadedFile:
    return upload(name, data if data is not None else sample_bytes(name))


def docx_bytes(
    *,
    title: str = "Gripper for a robot arm",
    abstract: str = "A gripper with two jaws (1, 2) driven by a motor (3).",
    claims: list[str] | None = None,
    description: list[tuple[str, list[str]]] | None = None,
) -> bytes:
    """A small application built with python-docx, laid out like the samples (Heading 1 parts)."""
    import docx

    document = docx.Document()
    document.add_heading(title, level=0)
    document.add_heading("Abstract", level=1)
    document.add_paragraph(abstract)
    document.add_heading("Description", level=1)
    for heading, paragraphs in description or [
        ("Technical Field", ["The invention relates to grippers for robot arms."]),
        ("Background", ["Known grippers hold parts poorly."]),
        ("Summary", ["A gripper with two jaws (1, 2) and a motor (3) holds parts well."]),
        ("Brief Description of the Drawings", ["FIG. 1 shows the gripper."]),
        ("Detailed Description", ["As shown in FIG. 1, jaws 1 and 2 are driven by motor 3."]),
    ]:
        document.add_heading(heading, level=2)
        for text in paragraphs:
            document.add_paragraph(text)
    document.add_heading("Claims", level=1)
    for number, text in enumerate(
        claims
        or [
            "A gripper comprising a first jaw (1), a second jaw (2) and a motor (3).",
            "The gripper of claim 1, wherein the motor (3) is electric.",
        ],
        start=1,
    ):
        document.add_paragraph(f"{number}. {text}")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def case_request(
    org: Organization,
    name: str = SAMPLE,
    *,
    agency_for: Organization | None = None,
    **changes: Any,
) -> CaseRequest:
    """A request for sample `name`: its title, inventors, IPC and priorities, with `org` first."""
    data = sample_request(name)
    values: dict[str, Any] = {
        "title": data["title"],
        "patent_type": data.get("patent_type") or PatentType.INVENTION,
        "applicants": [org.name],
        "inventors": data["inventors"] or ["A. Inventor"],
        "main_code": data["main_ipc"],
        "further_codes": [],
        "priority_claims": [],
        "applicant_organization_id": agency_for.pk if agency_for else None,
    }
    values.update(changes)
    return CaseRequest(**values)


def ready(cast: Cast) -> Cast:
    """Shanghai covers the samples' fields, enterprise A is filed there with quota, the agency is
    registered and on the guarantee list, and Bob is competent for A61B and G06F (unless a test
    already set his competences)."""
    cover_fields(cast.shanghai, ipc=("A61B", "G06F"))
    if not EntityFiling.objects.filter(organization=cast.ent_a, center=cast.shanghai).exists():
        active_filing(cast.ent_a, cast.shanghai)
    if not AgencyRegistration.objects.filter(
        organization=cast.agency, center=cast.shanghai
    ).exists():
        registered_agency(cast.agency, cast.shanghai)
    if not Engagement.objects.filter(enterprise=cast.ent_a, agency=cast.agency).exists():
        engaged(cast.ent_a, cast.agency)
    if not StaffProfile.objects.filter(user=cast.bob).exists():
        competent(cast.bob, "A61B", "G06F")
    return cast


def submitted_case(
    cast: Cast,
    *,
    name: str = SAMPLE,
    actor: User | None = None,
    data: bytes | None = None,
    by_agent: bool = False,
    **changes: Any,
) -> Case:
    """A case of enterprise A at Shanghai, submitted by Erin (or Grace, the agent)."""
    ready(cast)
    submitter = actor or (cast.grace if by_agent else cast.erin)
    return services.case_submit(
        actor=submitter,
        center=cast.shanghai,
        request=case_request(
            cast.ent_a, name, agency_for=cast.ent_a if by_agent else None, **changes
        ),
        files=[("full", sample_upload(name, data))],
    )


def opinion_items(
    patent_type: str = PatentType.INVENTION, *, unsatisfied: str = ""
) -> list[OpinionItemIn]:
    """Every aspect the type needs, the first (or `unsatisfied`) one to be answered."""
    aspects = REQUIRED_ASPECTS[patent_type]
    wrong = unsatisfied or aspects[0]
    return [
        OpinionItemIn(
            aspect=a,
            satisfied=a != wrong,
            claims="1" if a == wrong else "",
            text="Claim 1 lacks novelty over D1." if a == wrong else "",
        )
        for a in aspects
    ]


def accepted_case(cast: Cast, **kwargs: Any) -> Case:
    case = submitted_case(cast, **kwargs)
    return services.case_accept(case=case, actor=cast.bob)


def opinion_case(cast: Cast, **kwargs: Any) -> Case:
    case = accepted_case(cast, **kwargs)
    services.case_opinion_issue(
        case=case,
        actor=cast.bob,
        summary="Please amend claim 1.",
        items=opinion_items(case.patent_type),
    )
    case.refresh_from_db()
    return case


def amended_case(cast: Cast, **kwargs: Any) -> Case:
    case = opinion_case(cast, **kwargs)
    services.case_amend(
        case=case,
        actor=cast.erin,
        files=[("claims", sample_upload(SAMPLE))],
        note="Claim 1 narrowed.",
    )
    case.refresh_from_db()
    return case


def qualified_case_via_review(cast: Cast, **kwargs: Any) -> Case:
    case = accepted_case(cast, **kwargs)
    return services.case_qualify(case=case, actor=cast.bob)


def part_docx(part: str) -> bytes:
    """The claims, description or abstract of `docx_bytes()` as a document of its own."""
    import docx

    document = docx.Document()
    if part == "claims":
        document.add_paragraph(
            "1. A gripper comprising a first jaw (1), a second jaw (2) and a motor (3)."
        )
        document.add_paragraph("2. The gripper of claim 1, wherein the motor (3) is electric.")
    elif part == "abstract":
        document.add_paragraph("A gripper with two jaws (1, 2) driven by a motor (3).")
    else:
        for heading, text in (
            ("Technical Field", "The invention relates to grippers for robot arms."),
            ("Background", "Known grippers hold parts poorly."),
            ("Summary", "A gripper with two jaws (1, 2) and a motor (3) holds parts well."),
            ("Brief Description of the Drawings", "FIG. 1 shows the gripper."),
            ("Detailed Description", "As shown in FIG. 1, jaws 1 and 2 are driven by motor 3."),
        ):
            document.add_heading(heading, level=2)
            document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def png_upload(name: str = "drawing.png") -> SimpleUploadedFile:
    """A valid 1x1 PNG (drawings of a design, or a wrong type for text parts)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    data = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )
    return SimpleUploadedFile(name, data, content_type="image/png")
