"""One invention case from entity filing to grant, through the real pages, in the browser.

Dave files enterprise A with the Shanghai center, Alice approves the filing, Grace (agent of a
registered agency on the guarantee list) submits a real USPTO application with a seeded defect,
the checker flags it, Bob (auto-assigned by competence) accepts and issues an opinion, Erin amends
with the corrected document and sees the diff, Bob qualifies, Grace records the CNIPA filing and
the grant with its certificate, and Alice's statistics count the case.

Everything happens today: the CNIPA filing cannot precede the qualification and no date may lie
in the future, so the filing and the grant are both dated today.
"""

from __future__ import annotations

import io
import itertools
import re
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ipcenter.centers.models import Center
from ipcenter.filings.models import EntityFiling, FilingState, Quota
from ipcenter.filings.services import agency_decide, agency_register, agency_set_guarantee
from ipcenter.patents.samples import sample_bytes, sample_request, seeded_defect
from ipcenter.preexam.models import Case, CaseState
from ipcenter.preexam.tracking import cn_check_digit
from tests.browser.conftest import Console
from tests.browser.test_home_pages import log_in
from tests.conftest import Cast
from tests.preexam.factories import competent, cover_fields

pytestmark = pytest.mark.browser

OpenPage = Callable[..., Any]

# A short real invention: 10 claims, main IPC A61B 5/00 (in Shanghai's fields once covered).
SAMPLE = "US20050004437A1.docx"
DEFECT = "claim_forward_reference"  # claim 3 refers to claim 5: "claim_reference_forward"
FILING_DOCUMENTS = {
    "business_licence": "licence.pdf",
    "ip_rules": "ip-rules.pdf",
    "staff_proof": "insurance.png",
    "integrity_pledge": "pledge.pdf",
    "authorisation": "authorisation.png",
}


def pdf_bytes() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def flow_cast(cast: Cast) -> Cast:
    """The set-up that is not part of the walk: Shanghai's area and A61B among its fields, Bob
    competent for A61B (Olga for nothing), and Grace's agency registered and on the guarantee
    list, through the services."""
    Center.objects.filter(pk=cast.shanghai.pk).update(area="上海市")
    cover_fields(cast.shanghai, ipc=("A61B",))
    competent(cast.bob, "A61B")
    registration = agency_register(
        actor=cast.grace,
        organization=cast.agency,
        center=cast.shanghai,
        licence_number="31999",
        contact_name="Grace",
        contact_phone="021-5555-0101",
    )
    agency_decide(actor=cast.alice, registration=registration, decision="registered")
    agency_set_guarantee(actor=cast.alice, registration=registration, on_list=True)
    return cast


class Shots:
    """Numbered screenshots of the walk, in test-output/screenshots/."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.numbers = itertools.count(1)

    def __call__(self, page: Any, name: str) -> None:
        path = self.folder / f"preexam-flow-{next(self.numbers):02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)


def test_an_invention_goes_from_entity_filing_to_grant(
    open_page: OpenPage,
    flow_cast: Cast,
    browser_console: Console,
    screenshot_dir: Path,
    tmp_path: Path,
) -> None:
    cast = flow_cast
    shot = Shots(screenshot_dir)
    today = timezone.localdate()
    for name in FILING_DOCUMENTS.values():
        (tmp_path / name).write_bytes(pdf_bytes() if name.endswith(".pdf") else png_bytes())
    defective = tmp_path / "application-v1.docx"
    defective.write_bytes(seeded_defect(SAMPLE, DEFECT))
    corrected = tmp_path / "application-v2.docx"
    corrected.write_bytes(sample_bytes(SAMPLE))
    certificate = tmp_path / "certificate.pdf"
    certificate.write_bytes(pdf_bytes())
    request = sample_request(SAMPLE)

    # 1. The enterprise administrator files with the center and submits the filing.
    dave = open_page(locale="en-US")
    log_in(dave, "dave")
    dave.goto("/filings/new/")
    form = dave.get_by_test_id("filing-form")
    form.locator("#id_center").select_option(str(cast.shanghai.pk))
    form.locator("#id_organization").select_option(str(cast.ent_a.pk))
    form.locator("#id_entity_kind").select_option("enterprise")
    form.locator("#id_legal_name").fill(cast.ent_a.name)
    form.locator("#id_credit_code").fill("91310115MA1K4AB12X")
    form.locator("#id_registered_area").fill("上海市浦东新区")
    form.locator("#id_founded_on").fill("2015-06-01")
    form.locator("#id_insured_staff").fill("48")
    form.locator("#id_industry_codes").fill("A61B")
    form.locator("#id_has_rd_team").check()
    form.locator("#id_has_ip_system").check()
    form.locator("#id_granted_inventions").fill("2")
    form.locator("#id_granted_utility_designs").fill("3")
    form.locator("#id_contact_name").fill("Dave")
    form.locator("#id_contact_phone").fill("021-5555-0100")
    for purpose, name in FILING_DOCUMENTS.items():
        form.locator(f"#id_file_{purpose}").set_input_files(str(tmp_path / name))
    shot(dave, "filing-form")
    dave.get_by_test_id("filing-save").click()
    expect(dave).to_have_url(re.compile(r"/filings/\d+/$"))
    expect(dave.get_by_test_id("filing-documents").locator("tbody tr")).to_have_count(5)
    dave.get_by_test_id("filing-submit").click()
    eligibility = dave.get_by_test_id("eligibility")
    expect(eligibility.locator("tr[data-passed='no']")).to_have_count(0)
    expect(eligibility.locator("tr[data-passed='yes']").first).to_be_visible()
    shot(dave, "filing-submitted")
    filing = EntityFiling.objects.get(organization=cast.ent_a, center=cast.shanghai)
    assert filing.state == FilingState.SUBMITTED

    # 2. The center manager approves it: active from today, with this year's quota.
    alice = open_page(locale="en-US")
    log_in(alice, "alice")
    alice.goto("/filings/review/")
    alice.get_by_test_id("filing-link").filter(has_text=cast.ent_a.name).click()
    expect(alice).to_have_url(re.compile(rf"/filings/{filing.pk}/$"))
    alice.get_by_test_id("filing-approve").click()
    expect(alice.get_by_test_id("quota-left")).to_be_visible()
    shot(alice, "filing-approved")
    filing.refresh_from_db()
    assert filing.state == FilingState.ACTIVE
    quota = Quota.objects.get(organization=cast.ent_a, center=cast.shanghai, year=today.year)
    expect(alice.get_by_test_id("quota-left")).to_have_text(str(quota.total))

    # 3. The enterprise administrator engages Grace's agency for the Shanghai center (without
    # an engagement the enterprise is not even offered to the agent).
    dave.goto("/filings/engagements/")
    form = dave.get_by_test_id("engagement-form")
    form.locator("#id_agency").select_option(str(cast.agency.pk))
    form.locator("#id_center").select_option(str(cast.shanghai.pk))
    form.locator("button").click()
    expect(dave.get_by_test_id("engagements").locator("tbody tr")).to_have_count(1)
    expect(dave.get_by_test_id("engagement-revoke")).to_be_visible()
    shot(dave, "engagement-granted")

    # 4. The agent submits the real application (with a seeded defect) for the enterprise.
    grace = open_page(locale="en-US")
    log_in(grace, "grace")
    grace.goto("/preexam/cases/")
    grace.get_by_test_id("case-new").click()
    form = grace.get_by_test_id("case-form")
    form.locator("#id_center").select_option(str(cast.shanghai.pk))
    form.locator("#id_applicant_organization").select_option(str(cast.ent_a.pk))
    form.locator("#id_patent_type").select_option("invention")
    form.locator("#id_title").fill(request["title"])
    form.locator("#id_applicants").fill(cast.ent_a.name)
    form.locator("#id_inventors").fill("\n".join(request["inventors"]))
    form.locator("#id_main_code").fill(request["main_ipc"])
    form.locator("#id_full").set_input_files(str(defective))
    grace.get_by_test_id("check-eligibility").click()
    passed = grace.get_by_test_id("eligibility-passed")
    expect(passed).to_be_visible()
    shot(grace, "case-eligibility")
    # The browser does not keep a chosen file across the round trip: choose it again.
    grace.get_by_test_id("case-form").locator("#id_full").set_input_files(str(defective))
    grace.get_by_test_id("submit-case").click()
    expect(grace).to_have_url(re.compile(r"/preexam/cases/\d+/$"))
    case = Case.objects.get(organization=cast.ent_a)
    assert case.agency_id == cast.agency.pk
    assert case.state == CaseState.SUBMITTED

    # 5. The case page shows the checker's finding for the seeded defect, and who examines it.
    finding = grace.locator("[data-testid='finding'][data-code='claim_reference_forward']")
    expect(finding).to_have_count(1)
    expect(finding).to_contain_text("claim 3")
    expect(grace.get_by_test_id("case-examiner")).to_contain_text(cast.bob.display_name())
    shot(grace, "case-submitted-finding")

    # 6. The auto-assigned examiner accepts the case and issues an opinion.
    bob = open_page(locale="en-US")
    log_in(bob, "bob")
    bob.goto("/preexam/queue/")
    bob.get_by_test_id("case-link").filter(has_text=case.reference).click()
    expect(bob.get_by_test_id("case-reference")).to_have_text(case.reference)
    expect(
        bob.locator("[data-testid='finding'][data-code='claim_reference_forward']")
    ).to_be_visible()
    bob.get_by_test_id("move-accepted").click()
    expect(bob.get_by_test_id("move-opinion_issued")).to_be_visible()
    bob.get_by_test_id("move-opinion_issued").click()
    opinion = bob.get_by_test_id("opinion-form")
    opinion.locator("#id_summary").fill("Claim 3 refers to a later claim; please correct it.")
    for aspect in ("novelty", "inventive_step", "unity"):
        opinion.locator(f"#id_{aspect}_satisfied").check()
    opinion.locator("#id_clarity_support_claims").fill("3")
    opinion.locator("#id_clarity_support_text").fill(
        "Claim 3 refers to claim 5, which comes after it; the reference is unclear."
    )
    shot(bob, "opinion-form")
    bob.get_by_test_id("issue-opinion").click()
    expect(bob).to_have_url(re.compile(rf"/preexam/cases/{case.pk}/$"))
    expect(bob.get_by_test_id("opinions")).to_contain_text("Claim 3 refers to claim 5")
    case.refresh_from_db()
    assert case.state == CaseState.OPINION_ISSUED

    # 7. The applicant amends with the corrected document; the diff shows claim 3 changed.
    erin = open_page(locale="en-US")
    log_in(erin, "erin")
    erin.goto(f"/preexam/cases/{case.pk}/")
    erin.get_by_test_id("move-amended").click()
    amend = erin.get_by_test_id("amend-form")
    amend.locator("#id_full").set_input_files(str(corrected))
    amend.locator("#id_note").fill("Claim 3 now refers to claim 1.")
    erin.get_by_test_id("submit-amendment").click()
    expect(erin).to_have_url(re.compile(rf"/preexam/cases/{case.pk}/$"))
    expect(erin.get_by_test_id("versions").locator("tbody tr")).to_have_count(2)
    expect(
        erin.locator("[data-testid='finding'][data-code='claim_reference_forward']")
    ).to_have_count(0)
    shot(erin, "case-amended")
    erin.get_by_test_id("diff-link").click()
    changed = erin.locator("[data-testid='claim-diff-row'][data-status='changed']")
    expect(changed).to_have_count(1)
    expect(changed).to_have_attribute("data-number", "3")
    expect(changed.locator("del")).to_have_text("5")
    expect(changed.locator("ins")).to_have_text("1")
    shot(erin, "diff")

    # 8. The examiner qualifies the amended case (confirming the dialog).
    bob.goto(f"/preexam/cases/{case.pk}/")
    bob.once("dialog", lambda dialog: dialog.accept())
    bob.get_by_test_id("move-qualified").click()
    expect(bob.get_by_test_id("tracking")).to_be_visible()
    case.refresh_from_db()
    assert case.state == CaseState.QUALIFIED
    assert case.qualified_on == today
    shot(bob, "case-qualified")

    # 9. The agent records the filing with CNIPA and the grant, with its certificate.
    body = f"{today.year}1{case.pk % 10_000_000:07d}"
    number = f"{body}.{cn_check_digit(body)}"
    grace.goto(f"/preexam/cases/{case.pk}/")
    filing_form = grace.get_by_test_id("filing-form")
    filing_form.locator("[name='application_number']").fill(number)
    filing_form.locator("[name='filing_date']").fill(today.isoformat())
    filing_form.locator("button").click()
    expect(grace.get_by_test_id("filed")).to_contain_text(number)
    expect(grace.get_by_test_id("fast-track-badge")).to_be_visible()
    grant_form = grace.get_by_test_id("grant-form")
    grant_form.locator("[name='grant_number']").fill(f"ZL{number}")
    grant_form.locator("[name='grant_date']").fill(today.isoformat())
    grant_form.locator("[name='certificate']").set_input_files(str(certificate))
    grant_form.locator("button").click()
    granted = grace.get_by_test_id("granted")
    expect(granted).to_contain_text(f"ZL{number}")
    expect(grace.get_by_test_id("certificate-link")).to_be_visible()
    expect(grace.get_by_test_id("grant-workdays")).to_be_visible()
    shot(grace, "case-granted")
    case.refresh_from_db()
    assert case.state == CaseState.GRANTED
    assert case.cnipa_application_number == number
    assert case.cnipa_filing_date == today == case.grant_date
    assert case.grant_workdays == 0
    assert case.certificate is not None
    history = list(case.events.values_list("to_state", flat=True).exclude(to_state=""))
    assert history == [
        CaseState.SUBMITTED,
        CaseState.ACCEPTED,
        CaseState.OPINION_ISSUED,
        CaseState.AMENDED,
        CaseState.QUALIFIED,
        CaseState.FILED,
        CaseState.GRANTED,
    ]

    # 10. The manager's statistics count the case: received, accepted, qualified, granted.
    alice.goto(f"/preexam/stats/?center=shanghai&start={today.year}-01-01&end={today}")
    summary = alice.get_by_test_id("summary")
    for figure in ("received", "accepted", "qualified", "fast-tracked", "granted"):
        expect(summary.get_by_test_id(f"figure-{figure}")).to_have_text("1")
    expect(summary.get_by_test_id("figure-pass-rate")).to_contain_text("100")
    expect(alice.get_by_test_id("by-entity")).to_contain_text(
        re.compile(f"{cast.ent_a.name}|{cast.ent_a.name_en}")
    )
    shot(alice, "statistics")

    browser_console.assert_no_csp_violations()
    assert not browser_console.errors, "console errors:\n" + "\n".join(browser_console.errors)
