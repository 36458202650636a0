"""Formality rules: real granted patents pass, each hand-made defect trips exactly its rule."""

from __future__ import annotations

import copy
import io
import re
from pathlib import Path

import docx
import pytest

from ipcenter.patents.application import Claim, Paragraph, ParsedApplication
from ipcenter.patents.documents import parse_document
from ipcenter.patents.formality import (
    MESSAGES,
    RULES,
    FormalityFinding,
    check_formalities,
    format_finding,
)
from tests.patents.test_documents import PATENT_FILES, ZH_ROWS, build_docx

# The real defects in the shared USPTO files, read from the documents themselves.
REAL_ERRORS: dict[str, list[tuple[str, dict]]] = {
    # Abstracts of pre-2002 publications over today's 150-word limit.
    "pap__US20010000044A1.xml": [
        ("abstract_too_long", {"count": 154, "limit": 150, "unit": "words"})
    ],
    "pap__US20010000943A1.xml": [
        ("abstract_too_long", {"count": 155, "limit": 150, "unit": "words"})
    ],
    "xml2004__US06970935.xml": [
        ("abstract_too_long", {"count": 174, "limit": 150, "unit": "words"})
    ],
    # "... are shown in FIG. 41" in an application with 21 figures.
    "xmlApp2004__US20050004974A1.xml": [("figure_missing", {"figure": "41"})],
}


def errors(app: ParsedApplication, patent_type: str = "invention") -> list[tuple[str, dict]]:
    return [
        (f.code, f.params)
        for f in check_formalities(app, patent_type=patent_type)
        if f.severity == "error"
    ]


def codes(app: ParsedApplication, patent_type: str = "invention") -> list[str]:
    return [f.code for f in check_formalities(app, patent_type=patent_type)]


@pytest.mark.parametrize("name", PATENT_FILES)
def test_real_documents_have_only_their_known_errors(shared_data: Path, name: str) -> None:
    app = parse_document(name, (shared_data / "uspto_xml" / name).read_bytes())
    patent_type = "design" if "USD" in name else "invention"
    assert errors(app, patent_type) == REAL_ERRORS.get(name, [])


def test_real_warnings_are_about_missing_headings(shared_data: Path) -> None:
    app = parse_document("a.xml", (shared_data / "uspto_xml" / "sgml__US06336130.xml").read_bytes())
    findings = check_formalities(app, patent_type="invention")
    assert [(f.code, f.severity, f.params["kind"]) for f in findings] == [
        ("description_section_missing", "warning", "summary")
    ]
    assert (
        findings[0].message == "The description has no \u201cSummary of the invention\u201d part."
    )


# ---- a clean application, then one defect at a time --------------------------------------------


def clean_en() -> ParsedApplication:
    return ParsedApplication(
        language="en",
        title="Battery housing with cooling fin",
        abstract="A battery housing has a cooling fin, e.g. of aluminium, on its outer wall.",
        claims=[
            Claim(1, "A battery housing (10) comprising a cooling fin (20), e.g. of aluminium."),
            Claim(2, "The battery housing of claim 1, wherein the fin (20) is 1.5 mm thick.", [1]),
            Claim(3, "The battery housing of claim 1 or 2, further comprising a fan (30).", [1, 2]),
            Claim(4, "The battery housing of claim 3, wherein the fan is on the housing.", [3]),
        ],
        description=[
            Paragraph("The invention relates to batteries.", "0001", "technical_field"),
            Paragraph("Known housings run hot.", "0002", "background"),
            Paragraph("A fin cools the housing.", "0003", "summary"),
            Paragraph("FIG. 1 is a side view. FIG. 2 is a top view.", "0004", "drawings"),
            Paragraph(
                "In FIG. 1 the housing 10 carries a fin 20; FIG. 2 shows a fan 30.",
                "0005",
                "detailed_description",
            ),
        ],
        sections=["technical_field", "background", "summary", "drawings", "detailed_description"],
        figures=["1", "2"],
        figure_refs=["1", "2"],
        reference_signs={"10": "housing", "20": "fin", "30": "fan"},
        source_format="docx",
    )


def test_clean_application_passes_every_type() -> None:
    for patent_type in ("invention", "utility_model"):
        assert check_formalities(clean_en(), patent_type=patent_type) == []


def test_chinese_docx_application_passes() -> None:
    app = parse_document("申请.docx", build_docx(ZH_ROWS))
    assert check_formalities(app, patent_type="utility_model") == []


def changed(**changes: object) -> ParsedApplication:
    app = copy.deepcopy(clean_en())
    for key, value in changes.items():
        setattr(app, key, value)
    return app


def with_claim(number: int, text: str, depends_on: list[int] | None = None) -> ParsedApplication:
    app = clean_en()
    index = next(i for i, c in enumerate(app.claims) if c.number == number)
    old = app.claims[index]
    app.claims[index] = Claim(number, text, old.depends_on if depends_on is None else depends_on)
    return app


@pytest.mark.parametrize(
    ("app", "expected"),
    [
        (lambda: changed(claims=[]), [("claims_missing", "error", "claims", {})]),
        (
            lambda: changed(claims=[Claim(n, f"A housing number {n}.") for n in (2, 3)]),
            [("claims_numbering_start", "error", "claim 2", {"found": 2})],
        ),
        (
            lambda: changed(claims=[Claim(n, f"A housing number {n}.") for n in (1, 2, 4)]),
            [("claims_numbering_gap", "error", "claim 4", {"expected": 3, "found": 4})],
        ),
        (
            lambda: changed(claims=[Claim(n, f"A housing number {n}.") for n in (1, 2, 2, 3)]),
            [("claims_numbering_duplicate", "error", "claim 2", {"claim": 2, "count": 2})],
        ),
        (
            lambda: with_claim(4, "The battery housing of claim 4, wherein a fan.", [4]),
            [("claim_reference_self", "error", "claim 4", {"claim": 4, "ref": 4})],
        ),
        (
            lambda: with_claim(2, "The battery housing of claim 3, wherein a fan.", [3]),
            [("claim_reference_forward", "error", "claim 2", {"claim": 2, "ref": 3})],
        ),
        (
            lambda: with_claim(4, "The battery housing of claim 9, wherein a fan.", [9]),
            [("claim_reference_missing", "error", "claim 4", {"claim": 4, "ref": 9})],
        ),
        (
            lambda: with_claim(4, "The battery housing of claim 2 or 3, wherein a fan.", [2, 3]),
            [("claim_multiple_dependency_chain", "error", "claim 4", {"claim": 4, "ref": 3})],
        ),
        (
            lambda: with_claim(4, "The battery housing of claim 3, wherein the fan is on top"),
            [("claim_no_period", "error", "claim 4", {"claim": 4})],
        ),
        (
            lambda: with_claim(4, "The battery housing of claim 3. The fan is on the housing."),
            [
                (
                    "claim_several_sentences",
                    "error",
                    "claim 4",
                    {"claim": 4, "context": "The fan is on the housing."},
                )
            ],
        ),
        (
            lambda: with_claim(1, "A battery housing (10) comprising a cooling fin (40)."),
            [("claim_reference_sign_unknown", "warning", "claim 1", {"claim": 1, "sign": "40"})],
        ),
        (lambda: changed(abstract=""), [("abstract_missing", "error", "abstract", {})]),
        (
            lambda: changed(abstract="word " * 151),
            [
                (
                    "abstract_too_long",
                    "error",
                    "abstract",
                    {"count": 151, "limit": 150, "unit": "words"},
                )
            ],
        ),
        (
            lambda: changed(description=[], sections=[]),
            [("description_missing", "error", "description", {})],
        ),
        (
            lambda: changed(
                sections=["technical_field", "summary", "drawings", "detailed_description"]
            ),
            [
                (
                    "description_section_missing",
                    "warning",
                    "description",
                    {"section": "Background art", "kind": "background"},
                )
            ],
        ),
        (
            lambda: changed(figure_refs=["1", "2", "3"]),
            [("figure_missing", "error", "description", {"figure": "3"})],
        ),
        (lambda: changed(title=""), [("title_missing", "error", "title", {})]),
        (
            lambda: changed(title="A" * 151),
            [
                (
                    "title_too_long",
                    "warning",
                    "title",
                    {"count": 151, "limit": 150, "unit": "characters"},
                )
            ],
        ),
    ],
)
def test_each_defect_trips_exactly_its_rule(app, expected) -> None:
    found = [
        (f.code, f.severity, f.location, f.params)
        for f in check_formalities(app(), patent_type="invention")
    ]
    assert found == expected


def test_unreferenced_figure_is_a_warning() -> None:
    app = clean_en()
    app.description[4] = Paragraph(
        "The housing 10 carries a fin 20 and a fan 30 (FIG. 1).", "0005", "detailed_description"
    )
    found = check_formalities(app, patent_type="invention")
    assert [(f.code, f.severity, f.params) for f in found] == [
        ("figure_unreferenced", "warning", {"figure": "2"})
    ]


def test_drawings_description_required_when_there_are_figures() -> None:
    app = changed(sections=["technical_field", "background", "summary", "detailed_description"])
    assert codes(app) == ["description_section_missing"]
    assert check_formalities(app, patent_type="invention")[0].params["kind"] == "drawings"
    without_figures = changed(
        sections=["technical_field", "background", "summary", "detailed_description"],
        figures=[],
        figure_refs=[],
        description=clean_en().description[:3],
    )
    assert codes(without_figures) == []


def test_utility_model_needs_drawings() -> None:
    app = changed(
        figures=[],
        figure_refs=[],
        sections=["technical_field", "background", "summary", "detailed_description"],
        description=clean_en().description[:3],
    )
    assert codes(app, "invention") == []
    assert [(f.code, f.severity) for f in check_formalities(app, patent_type="utility_model")] == [
        ("utility_model_no_drawings", "error")
    ]


def test_design_checks_title_and_figures_only() -> None:
    app = ParsedApplication(title="Disc cartridge", figures=["1"], figure_refs=["1", "2"])
    assert [(f.code, f.params) for f in check_formalities(app, patent_type="design")] == [
        ("figure_missing", {"figure": "2"})
    ]


# ---- Chinese text rules -------------------------------------------------------------------------


def clean_zh() -> ParsedApplication:
    return parse_document("申请.docx", build_docx(ZH_ROWS))


def test_chinese_abstract_counts_characters_without_spaces() -> None:
    app = clean_zh()
    app.abstract = "散热 " * 150  # 300 characters without the spaces: at the limit
    assert codes(app, "utility_model") == []
    app.abstract += "好"
    found = check_formalities(app, patent_type="utility_model")
    assert [(f.code, f.params) for f in found] == [
        ("abstract_too_long", {"count": 301, "limit": 300, "unit": "characters"})
    ]
    assert check_formalities(app, patent_type="utility_model", abstract_max_chars=400) == []


def test_chinese_title_over_25_characters_is_a_warning() -> None:
    app = clean_zh()
    app.title = "一种" + "带有散热结构" * 4  # 26 characters
    assert [
        (f.code, f.severity, f.params["count"])
        for f in check_formalities(app, patent_type="utility_model")
    ] == [("title_too_long", "warning", 26)]


def test_chinese_claim_with_two_sentences_and_no_full_stop() -> None:
    app = clean_zh()
    app.claims[1] = Claim(
        2, "根据权利要求1所述的电池壳体，其特征在于，散热片为铝制。散热片很薄", [1]
    )
    assert codes(app, "utility_model") == ["claim_no_period", "claim_several_sentences"]


def test_chinese_reference_sign_not_in_description() -> None:
    app = clean_zh()
    app.claims[0] = Claim(1, "一种电池壳体，其特征在于，包括壳体（10）和底座（40）。")
    found = check_formalities(app, patent_type="utility_model")
    assert [(f.code, f.params["sign"]) for f in found] == [("claim_reference_sign_unknown", "40")]


def test_chinese_docx_with_forward_reference() -> None:
    rows = [
        row if not row[1].startswith("2、") else ("", "2、根据权利要求3所述的电池壳体。")
        for row in ZH_ROWS
    ]
    app = parse_document("申请.docx", build_docx(rows))
    assert [(f.code, f.params) for f in check_formalities(app, patent_type="utility_model")] == [
        ("claim_reference_forward", {"claim": 2, "ref": 3})
    ]


def test_abbreviations_and_numbers_are_not_sentence_ends() -> None:
    app = with_claim(
        1,
        "A battery housing (10) as in Fig. 1, i.e. a box of approx. 1.5 kg per U.S. Pat. "
        "No. 5,000,000, comprising a fin (20).",
    )
    assert codes(app) == []


# ---- the catalogue ------------------------------------------------------------------------------


def test_every_code_has_a_message_and_a_rule() -> None:
    registered = {code for r in RULES for code in r.codes}
    assert registered == set(MESSAGES)
    finding = FormalityFinding(
        "claim_reference_forward", "error", "claim 2", {"claim": 2, "ref": 3}
    )
    assert finding.message == (
        "Claim 2 refers to claim 3, which comes after it; a dependent claim may refer only "
        "to earlier claims."
    )
    in_chinese = format_finding(
        finding, lambda s: s.replace("Claim {claim} refers", "权利要求{claim}引用")
    )
    assert in_chinese.startswith("权利要求2引用")


def test_messages_are_marked_for_makemessages() -> None:
    source = Path(__file__).resolve().parents[2] / "src/ipcenter/patents/formality.py"
    text = source.read_text(encoding="utf-8")
    for code in MESSAGES:
        assert re.search(rf'"{code}": _\(', text), code


def test_unknown_patent_type_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown patent type"):
        check_formalities(clean_en(), patent_type="trademark")


def test_seeded_docx_defect_is_found() -> None:
    document = docx.Document(io.BytesIO(build_docx(ZH_ROWS)))
    for paragraph in document.paragraphs:
        if paragraph.text.startswith("1、"):
            paragraph.runs[0].text = paragraph.text.rstrip("。")
    buffer = io.BytesIO()
    document.save(buffer)
    app = parse_document("申请.docx", buffer.getvalue())
    assert codes(app, "utility_model") == ["claim_no_period"]
