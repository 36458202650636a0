"""Cases ready for the fast track, built through the ORM (test set-up only).

A qualified case is what the review workflow leaves behind: state "qualified", its
qualification date, and a running CNIPA_FILING clock (the qualify step starts it). The moves after
that are made by the services under test.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from ipcenter.accounts.models import Organization, User
from ipcenter.centers.models import Center
from ipcenter.preexam.clocks import clock_start
from ipcenter.preexam.models import Case, CaseState, CaseVersion, ClockKind, PatentType
from ipcenter.preexam.tracking import cn_check_digit
from tests.conftest import Cast

_serial = itertools.count(1)

TYPE_DIGIT = {PatentType.INVENTION: "1", PatentType.UTILITY_MODEL: "2", PatentType.DESIGN: "3"}


def cn_number(
    *, year: int = 2025, patent_type: str = PatentType.INVENTION, serial: int | None = None
) -> str:
    """A valid CN application number ("202510000001.X"), with its check digit."""
    body = f"{year}{TYPE_DIGIT[patent_type]}{serial if serial is not None else next(_serial):07d}"
    return f"{body}.{cn_check_digit(body)}"


def make_case(
    *,
    center: Center,
    organization: Organization,
    submitted_by: User,
    state: str = CaseState.QUALIFIED,
    agency: Organization | None = None,
    patent_type: str = PatentType.INVENTION,
    main_code: str = "A61K 31/00",
    **fields: Any,
) -> Case:
    number = next(_serial)
    case = Case.objects.create(
        center=center,
        reference=f"T{number:06d}",
        patent_type=patent_type,
        title=fields.pop("title", f"Test case {number}"),
        organization=organization,
        agency=agency,
        applicants=[organization.name],
        main_code=main_code,
        quota_year=fields.pop("quota_year", timezone.localdate().year),
        submitted_by=submitted_by,
        state=state,
        **fields,
    )
    CaseVersion.objects.create(case=case, number=1, created_by=submitted_by)
    return case


def qualified_case(
    cast: Cast,
    *,
    qualified_on: dt.date | None = None,
    agency: Organization | None = None,
    center: Center | None = None,
    organization: Organization | None = None,
    **fields: Any,
) -> Case:
    """A case of enterprise A at Shanghai (by default), qualified on `qualified_on` (today)."""
    qualified_on = qualified_on or timezone.localdate()
    case = make_case(
        center=center or cast.shanghai,
        organization=organization or cast.ent_a,
        submitted_by=cast.erin,
        agency=agency if agency is not None else cast.agency,
        examiner=fields.pop("examiner", cast.bob),
        qualified_on=qualified_on,
        **fields,
    )
    if case.agency is not None:
        ensure_engaged(case.organization, case.agency)
    with transaction.atomic():
        clock_start(case=case, kind=ClockKind.CNIPA_FILING, start=qualified_on)
    return case


def ensure_engaged(enterprise: Organization, agency: Organization) -> None:
    """The agency acting on the case is engaged by the enterprise (whatever day a test travels
    to), unless the test already set an engagement up."""
    from ipcenter.filings.models import Engagement
    from tests.preexam.factories import engaged

    if not Engagement.objects.filter(enterprise=enterprise, agency=agency).exists():
        engaged(enterprise, agency, valid_from=dt.date(2000, 1, 1))


def pdf_upload(name: str = "certificate.pdf") -> SimpleUploadedFile:
    """A one-page PDF the upload check accepts."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    buffer = io.BytesIO()
    writer.write(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/pdf")
