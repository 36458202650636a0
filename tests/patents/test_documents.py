"""Parsing real office documents and hand-made broken ones; no database."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import docx
import pytest
from pypdf import PdfWriter

from ipcenter.patents.application import Claim, ParsedApplication, ParseError
from ipcenter.patents.documents import (
    bibliographic_data,
    classify_heading,
    extract_figure_labels,
    iter_uspto_zip,
    merge_parts,
    parse_claim_references,
    parse_document,
    safe_xml_root,
)
from tests.conftest import SHARED_DATA

USPTO = SHARED_DATA / "uspto_xml"
# Every patent document in the shared folder; the CPC scheme/master files are not patents.
PATENT_FILES = sorted(p.name for p in USPTO.glob("*.xml") if not p.name.startswith("cpc")) or [
    "missing-shared-data"
]


def uspto(shared_data: Path, name: str) -> ParsedApplication:
    path = shared_data / "uspto_xml" / name
    return parse_document(name, path.read_bytes())


# ---- every real USPTO file -------------------------------------------------------------------


@pytest.mark.parametrize("name", PATENT_FILES)
def test_every_real_uspto_document_parses(shared_data: Path, name: str) -> None:
    app = uspto(shared_data, name)
    assert app.source_format.startswith("uspto-")
    assert app.language == "en"
    assert app.title
    assert app.claims, "every full text has claims"
    assert [c.number for c in app.claims] == list(range(1, len(app.claims) + 1))
    assert all(c.text and c.text[0].isupper() for c in app.claims)
    assert app.claims[0].independent
    assert all(ref < c.number for c in app.claims for ref in c.depends_on)
    assert app.description
    assert ParsedApplication.from_dict(json.loads(json.dumps(app.to_dict()))) == app


@pytest.mark.parametrize(
    ("name", "source_format"),
    [
        ("pap__US20010000044A1.xml", "uspto-pap-1.5"),
        ("pap__US20010000943A1.xml", "uspto-pap-1.5"),
        ("sgml__US06336130.xml", "uspto-sgml-2.5"),
        ("sgml__USD435854S1.xml", "uspto-sgml-2.4"),
        ("xml2004__US06859910.xml", "uspto-grant-xml-2004"),
        ("xml2006__US07272630B2.xml", "uspto-grant-xml-2006"),
        ("xml2014__US08930553.xml", "uspto-grant-xml-2014"),
        ("xmlApp2004__US20050004437A1.xml", "uspto-app-xml-2004"),
    ],
)
def test_source_format_names_the_generation(
    shared_data: Path, name: str, source_format: str
) -> None:
    assert uspto(shared_data, name).source_format == source_format


def test_grant_2014_us8930553(shared_data: Path) -> None:
    app = uspto(shared_data, "xml2014__US08930553.xml")
    assert app.title == "Managing mid-dialog session initiation protocol (SIP) messages"
    assert len(app.claims) == 8
    assert [c.number for c in app.claims if c.independent] == [1, 8]
    assert app.claim(2).depends_on == [1]  # type: ignore[union-attr]
    assert app.claim(5).depends_on == [4]  # type: ignore[union-attr]
    assert app.claims[0].text.startswith("A system for processing mid-dialog SIP messages")
    assert app.sections == [
        "technical_field",
        "background",
        "summary",
        "drawings",
        "detailed_description",
    ]
    assert app.figures == ["1", "2A", "2B", "3", "4"]
    first = app.description[0]
    assert (first.number, first.section) == ("0001", "technical_field")
    assert first.text.startswith("The present invention relates to computer networks")
    assert app.reference_signs["102"] == "SIP container"
    assert app.reference_signs["410"] == "processor"
    assert app.claims_text().startswith("1. A system for processing")


def test_pap_2001_application_with_doctype_and_entities(shared_data: Path) -> None:
    app = uspto(shared_data, "pap__US20010009014A1.xml")
    assert app.title == "Facilitating real-time, multi-point communications over the internet"
    assert len(app.claims) == 55
    assert app.claim(2).depends_on == [1]  # type: ignore[union-attr]
    assert app.claim(38).depends_on == [37]  # type: ignore[union-attr]
    assert app.claim(39).independent  # type: ignore[union-attr]
    assert app.description[0].number == "0001"
    assert "[" not in app.description[0].text[:3]  # &lsqb;0001&rsqb; went into the number
    assert app.figures[:4] == ["1", "2A", "2B", "3"]


def test_pap_entities_become_characters(shared_data: Path) -> None:
    app = uspto(shared_data, "pap__US20010000943A1.xml")
    text = " ".join(p.text for p in app.description)
    assert "within ±20 nm" in text  # &plusmn;
    assert "&" not in app.claims_text()
    assert app.claim(13).depends_on == [11, 12]  # type: ignore[union-attr]  # "claim 11 or 12"
    numbered = {p.number: p.text for p in app.description}
    assert numbered["25"].startswith("This configuration")  # <number>25.</number> taken out


def test_sgml_2001_grant(shared_data: Path) -> None:
    app = uspto(shared_data, "sgml__US06336130.xml")
    assert (
        app.title == "Arrangement for improving availability of services in a communication system"
    )
    assert len(app.claims) == 22
    assert [c.number for c in app.claims if c.independent] == [1, 9, 18]
    assert app.claim(5).depends_on == [4]  # type: ignore[union-attr]
    assert app.figures == ["1", "2", "3", "4", "5"]
    greek = uspto(shared_data, "sgml__US06337117.xml")
    assert "wavelength λ" in " ".join(p.text for p in greek.description)  # &lgr;


def test_sgml_design_patent(shared_data: Path) -> None:
    app = uspto(shared_data, "sgml__USD435854S1.xml")
    assert app.title == "Disc cartridge"
    assert app.claims == [
        Claim(1, "The ornamental design for a disc cartridge, as shown and described.", [])
    ]
    assert app.figures == [str(n) for n in range(1, 15)]
    assert app.abstract == ""


def test_published_application_refers_to_a_figure_it_lacks(shared_data: Path) -> None:
    app = uspto(shared_data, "xmlApp2004__US20050004974A1.xml")
    assert app.figures == [str(n) for n in range(1, 22)]
    assert "41" in app.figure_refs  # "...are shown in FIG. 41" in a 21-figure application


def test_weekly_bibliographic_zips(shared_data: Path) -> None:
    first = list(iter_uspto_zip(shared_data / "uspto_xml" / "ipgb20221025_wk43.zip"))
    second = list(
        iter_uspto_zip((shared_data / "uspto_xml" / "ipgb20230404_wk14.zip").read_bytes())
    )
    assert len(first) == 11
    assert [a.title for a in second] == [
        "Support undergarment",
        "Garment",
        "Arthroscopic tunnel guide for rotator cuff repair",
    ]
    assert first[0].title == "Sensor inserter with disposal lockout state"
    assert all(a.source_format == "uspto-grant-xml-2022" and not a.claims for a in first)


def test_cpc_scheme_is_not_a_patent(shared_data: Path) -> None:
    data = (shared_data / "uspto_xml" / "cpcScheme__cpc-scheme-A01L.xml").read_bytes()
    with pytest.raises(ParseError) as caught:
        parse_document("cpc.xml", data)
    assert caught.value.code == "xml_unknown_root"
    assert caught.value.params["root"] == "class-scheme"


def test_bibliographic_data_of_each_generation(shared_data: Path) -> None:
    def bib(name: str) -> dict:
        return bibliographic_data((shared_data / "uspto_xml" / name).read_bytes())

    sgml = bib("sgml__US06336130.xml")
    assert (sgml["main_ipc"], sgml["further_ipc"]) == ("G06F 15/16", ["G06F 13/00"])
    assert sgml["assignees"] == ["Telefonaktiebolaget LM Ericsson (publ)"]
    assert sgml["inventors"] == ["Thanh Van Do"]
    assert sgml["priorities"] == [{"country": "NO", "number": "971605", "date": "1997-04-08"}]
    assert bib("sgml__US06337117.xml")["main_ipc"] == "B32B 3/02"  # "B32B  302"
    design = bib("sgml__USD435854S1.xml")
    assert (design["patent_type"], design["locarno"], design["main_ipc"]) == (
        "design",
        "1402",
        None,
    )
    pap = bib("pap__US20010000943A1.xml")
    assert pap["main_ipc"] == "H01J 1/62"
    assert pap["assignees"] == ["IDEMITSU KOSAN CO., LTD."]
    assert pap["priorities"] == [{"country": "JP", "number": "11-097727", "date": "1999-04-05"}]
    grant = bib("xml2014__US08926509.xml")
    assert grant["main_ipc"] == "A61B 5/00"
    assert "H04W 88/00" in grant["further_ipc"]
    assert grant["assignees"] == ["Hmicro, Inc."]
    assert grant["inventors"][0] == "Surendar Magar"
    app = bib("xmlApp2004__US20050004437A1.xml")
    assert app["priorities"] == [{"country": "CH", "number": "1974/01", "date": "2001-10-26"}]
    assert bib("xml2014__US08930553.xml")["applicants"] == [
        "International Business Machines Corporation"
    ]


# ---- safe XML --------------------------------------------------------------------------------

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
]>
<lolz>&lol2;</lolz>
"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE us-patent-grant [ <!ENTITY secret SYSTEM "file:///etc/passwd"> ]>
<us-patent-grant>&secret;</us-patent-grant>
"""


def test_declared_entities_are_refused() -> None:
    for data in (BOMB, XXE):
        with pytest.raises(ParseError) as caught:
            safe_xml_root(data)
        assert caught.value.code == "xml_forbidden"


def test_unparsed_image_entities_and_unknown_names_are_harmless() -> None:
    data = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE patent-application-publication SYSTEM "pap-v15-2001-01-31.dtd" [
<!ENTITY US1-D00001.TIF SYSTEM "US1-D00001.TIF" NDATA TIF>
]>
<root><p>5&deg;C &plus; 3&lgr; &nosuchname; &amp;</p></root>"""
    assert "".join(safe_xml_root(data).itertext()) == "5°C + 3λ \ufffd &"


def test_not_well_formed_xml_says_where() -> None:
    data = b"<?xml version='1.0'?>\n<us-patent-grant>\n<claims>\n</us-patent-grant>\n"
    with pytest.raises(ParseError) as caught:
        parse_document("broken.xml", data)
    assert caught.value.code == "xml_not_well_formed"
    assert caught.value.location == "line 4, column 3"
    assert "broken.xml" in caught.value.message


def test_gbk_encoded_xml_is_decoded() -> None:
    data = CNIPA_XML.replace('encoding="UTF-8"', 'encoding="GBK"').encode("gbk")
    assert parse_document("cn.xml", data).title == "一种电池壳体"


# ---- CNIPA (ST.36) XML ----------------------------------------------------------------------

CNIPA_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<cn-patent-document lang="zh" country="CN">
<cn-bibliographic-data>
<invention-title>一种电池壳体</invention-title>
<abstract><p>本实用新型公开了一种电池壳体，包括壳体和散热片，散热效果好。</p></abstract>
</cn-bibliographic-data>
<application-body>
<description>
<invention-title>一种电池壳体</invention-title>
<technical-field>
<p num="0001">本实用新型涉及电池技术领域，具体涉及一种电池壳体。</p>
</technical-field>
<background-art><p num="0002">现有的电池壳体散热效果差。</p></background-art>
<disclosure><p num="0003">本实用新型的目的是提供一种散热好的电池壳体。</p></disclosure>
<description-of-drawings>
<p num="0004">图1是本实用新型电池壳体的结构示意图；</p>
<p num="0005">图2是散热片的俯视图。</p>
</description-of-drawings>
<mode-for-invention>
<p num="0006">如图1所示，电池壳体包括壳体10和散热片20，散热片20设置在壳体10的外侧。</p>
<p num="0007">如图2所示，风扇30安装在壳体10上。</p>
</mode-for-invention>
</description>
{claims}
<drawings>
<figure num="1"><img file="1.tif"/></figure>
<figure num="2"><img file="2.tif"/></figure>
</drawings>
</application-body>
</cn-patent-document>
"""
CNIPA_CLAIMS = [
    "1.一种电池壳体，其特征在于，包括壳体（10）和散热片（20），"
    "所述散热片（20）设置在所述壳体（10）的外侧。",
    "2.根据权利要求1所述的电池壳体，其特征在于，所述散热片（20）为铝制。",
    "3.如权利要求1或2所述的电池壳体，其特征在于，还包括风扇（30）。",
    "4.如权利要求1-2任一项所述的电池壳体，其特征在于，所述壳体（10）为方形。",
]
CNIPA_XML = CNIPA_TEMPLATE.replace(
    "{claims}",
    "<claims>"
    + "".join(
        f'<claim num="{n}"><claim-text>{text}</claim-text></claim>'
        for n, text in enumerate(CNIPA_CLAIMS, start=1)
    )
    + "</claims>",
)


def test_cnipa_xml() -> None:
    app = parse_document("cn.xml", CNIPA_XML.encode())
    assert (app.language, app.source_format, app.title) == ("zh", "cnipa-xml", "一种电池壳体")
    assert app.abstract.startswith("本实用新型公开了")
    assert [(c.number, c.depends_on) for c in app.claims] == [
        (1, []),
        (2, [1]),
        (3, [1, 2]),
        (4, [1, 2]),
    ]
    assert app.claims[0].text.startswith("一种电池壳体")
    assert app.sections == [
        "technical_field",
        "background",
        "summary",
        "drawings",
        "detailed_description",
    ]
    assert app.figures == ["1", "2"]
    assert app.figure_refs == ["1", "2"]
    assert app.reference_signs == {"10": "壳体", "20": "散热片", "30": "风扇"}
    assert [p.number for p in app.description] == [
        "0001",
        "0002",
        "0003",
        "0004",
        "0005",
        "0006",
        "0007",
    ]


# ---- DOCX ------------------------------------------------------------------------------------


def build_docx(rows: list[tuple[str, str]]) -> bytes:
    """rows of (style, text); style "" is a plain paragraph."""
    document = docx.Document()
    for style, text in rows:
        if style == "title":
            document.add_heading(text, level=0)
        elif style.startswith("h"):
            document.add_heading(text, level=int(style[1:]))
        else:
            document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


ZH_ROWS = [
    ("title", "一种电池壳体"),
    ("h1", "说明书摘要"),
    ("", "本实用新型公开了一种电池壳体，包括壳体和散热片，散热效果好。"),
    ("h1", "权利要求书"),
    ("", "1、一种电池壳体，其特征在于，包括壳体（10）和散热片（20）。"),
    ("", "2、根据权利要求1所述的电池壳体，其特征在于，所述散热片（20）为铝制。"),
    ("", "3、如权利要求1-2任一项所述的电池壳体，其特征在于，还包括风扇（30）。"),
    ("h1", "说明书"),
    ("", "技术领域"),
    ("", "[0001] 本实用新型涉及电池技术领域。"),
    ("", "背景技术"),
    ("", "[0002] 现有的电池壳体散热效果差。"),
    ("", "实用新型内容"),
    ("", "[0003] 本实用新型的目的是提供一种散热好的电池壳体。"),
    ("", "附图说明"),
    ("", "[0004] 图1是电池壳体的结构示意图。"),
    ("", "具体实施方式"),
    ("", "[0005] 如图1所示，电池壳体包括壳体10、散热片20和风扇30。"),
]


def test_chinese_docx_with_unstyled_section_headings() -> None:
    app = parse_document("申请.docx", build_docx(ZH_ROWS))
    assert (app.language, app.source_format, app.title) == ("zh", "docx", "一种电池壳体")
    assert [(c.number, c.depends_on) for c in app.claims] == [(1, []), (2, [1]), (3, [1, 2])]
    assert app.sections == [
        "technical_field",
        "background",
        "summary",
        "drawings",
        "detailed_description",
    ]
    assert app.figures == ["1"]
    assert set(app.reference_signs) == {"10", "20", "30"}
    assert app.description[4].number == "0005"


EN_ROWS = [
    ("title", "Battery housing"),
    ("h1", "Abstract"),
    ("", "A battery housing with a cooling fin."),
    ("h1", "Description"),
    ("h2", "TECHNICAL FIELD"),
    ("", "The invention relates to batteries."),
    ("h2", "BACKGROUND"),
    ("", "Known housings run hot."),
    ("h2", "SUMMARY"),
    ("", "The housing is cooled by a fin."),
    ("h2", "BRIEF DESCRIPTION OF THE DRAWINGS"),
    ("", "FIG. 1 is a side view."),
    ("h2", "DETAILED DESCRIPTION"),
    ("", "As shown in FIG. 1, the housing 10 carries a fin 20."),
    ("h1", "Claims"),
    ("", "What is claimed is:"),
    ("", "1. A battery housing (10) comprising a fin (20)."),
    ("", "2. The battery housing of claim 1, wherein the fin is made of aluminium."),
]


def test_english_docx() -> None:
    app = parse_document("application.docx", build_docx(EN_ROWS))
    assert (app.language, app.title, app.abstract) == (
        "en",
        "Battery housing",
        "A battery housing with a cooling fin.",
    )
    assert [(c.number, c.depends_on) for c in app.claims] == [(1, []), (2, [1])]
    assert app.reference_signs == {"10": "housing", "20": "fin"}
    assert app.figures == ["1"] and app.figure_refs == ["1"]


def test_claims_only_docx_and_merge() -> None:
    claims = parse_document("claims.docx", build_docx(EN_ROWS[-3:]), part="claims")
    assert [c.number for c in claims.claims] == [1, 2]
    assert claims.description == [] and claims.abstract == ""
    description = parse_document("description.docx", build_docx(EN_ROWS[:14]), part="description")
    assert description.claims == []
    abstract = parse_document("abstract.docx", build_docx(EN_ROWS[1:3]), part="abstract")
    assert abstract.abstract == "A battery housing with a cooling fin."
    merged = merge_parts({"claims": claims, "description": description, "abstract": abstract})
    whole = parse_document("application.docx", build_docx(EN_ROWS))
    assert merged.claims == whole.claims
    assert merged.description == whole.description
    assert (merged.title, merged.abstract, merged.figures) == (
        whole.title,
        whole.abstract,
        whole.figures,
    )
    assert merged.source_format == "docx"


def test_claims_part_without_claims_is_refused() -> None:
    with pytest.raises(ParseError) as caught:
        parse_document("claims.docx", build_docx([("", "")]), part="claims")
    assert caught.value.code == "no_claims"


def test_unreadable_claim_number_says_where() -> None:
    rows = [("h1", "Claims"), ("", "l. A battery housing comprising a fin.")]  # letter l, not 1
    with pytest.raises(ParseError) as caught:
        parse_document("claims.docx", build_docx(rows))
    assert caught.value.code == "claim_number_unreadable"
    assert caught.value.location == "paragraph 2"
    assert "l. A battery housing" in caught.value.message


# ---- PDF, corrupt and unknown files -----------------------------------------------------------


def text_pdf(lines: list[str]) -> bytes:
    """A minimal one-page PDF with a Helvetica text layer, written by hand."""
    ops = ["BT", "/F1 11 Tf", "14 TL", "50 800 Td"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"({escaped}) Tj T*")
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def test_pdf_with_text_layer() -> None:
    data = text_pdf(
        [
            "Claims",
            "1. A battery housing comprising",
            "a fin.",
            "2. The battery housing of claim 1, wherein the fin is aluminium.",
        ]
    )
    app = parse_document("claims.pdf", data, part="claims")
    assert app.source_format == "pdf"
    assert [(c.number, c.text, c.depends_on) for c in app.claims] == [
        (1, "A battery housing comprising a fin.", []),
        (2, "The battery housing of claim 1, wherein the fin is aluminium.", [1]),
    ]


def test_pdf_without_text_layer() -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(ParseError) as caught:
        parse_document("scan.pdf", buffer.getvalue())
    assert (caught.value.code, caught.value.location) == ("pdf_no_text", "pages 1-2")
    assert "no text layer" in caught.value.message


def test_truncated_pdf() -> None:
    with pytest.raises(ParseError) as caught:
        parse_document("half.pdf", text_pdf(["1. A claim."])[:60])
    assert caught.value.code in ("pdf_unreadable", "pdf_no_text")


def test_corrupt_docx() -> None:
    good = build_docx(EN_ROWS)
    with pytest.raises(ParseError) as caught:
        parse_document("application.docx", good[: len(good) // 2])
    assert caught.value.code == "corrupt_zip"
    with pytest.raises(ParseError) as caught:
        parse_document("application.docx", b"this is not a zip at all")
    assert caught.value.code == "corrupt_zip"


def test_zip_that_is_not_a_document() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ParseError) as caught:
        parse_document("bundle.zip", buffer.getvalue())
    assert caught.value.code == "unknown_format"


def test_empty_and_unknown_files() -> None:
    with pytest.raises(ParseError) as caught:
        parse_document("empty.docx", b"")
    assert caught.value.code == "empty_file"
    with pytest.raises(ParseError) as caught:
        parse_document("tool.bin", b"\x7fELF\x02\x01\x01\x00" + bytes(64))
    assert caught.value.code == "unknown_format"
    with pytest.raises(ParseError) as caught:
        parse_document("x.docx", build_docx(EN_ROWS), part="drawings")
    assert caught.value.code == "unknown_part"


# ---- text rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number", "refs"),
    [
        ("The device of claim 1, wherein", 2, [1]),
        ("The device of claims 1 or 2, wherein", 3, [1, 2]),
        ("The device of any one of claims 1 to 3, wherein", 4, [1, 2, 3]),
        ("The method as claimed in claim 2 or claim 4", 5, [2, 4]),
        ("The device according to any preceding claim", 4, [1, 2, 3]),
        ("A device comprising a housing.", 1, []),
        ("根据权利要求1所述的装置", 2, [1]),
        ("如权利要求1-3任一项所述的装置", 4, [1, 2, 3]),
        ("如权利要求1至3中任一项所述的装置", 4, [1, 2, 3]),
        ("根据权利要求1、2或4所述的装置", 5, [1, 2, 4]),
    ],
)
def test_claim_references(text: str, number: int, refs: list[int]) -> None:
    assert parse_claim_references(text, number) == refs


@pytest.mark.parametrize(
    ("text", "labels"),
    [
        ("FIG. 1 is a view; FIGS. 2A-2C show details", ["1", "2A", "2B", "2C"]),
        ("FIGS. 3 and 4 show", ["3", "4"]),
        ("Figures 5 through 7", ["5", "6", "7"]),
        ("FIG. 1is a flow chart", ["1"]),
        ("图1是结构示意图，图2至图4是剖视图", ["1", "2", "3", "4"]),
        ("the configuration of the device", []),
    ],
)
def test_figure_labels(text: str, labels: list[str]) -> None:
    assert extract_figure_labels(text) == labels


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("技术领域", "technical_field"),
        ("背景技术", "background"),
        ("发明内容", "summary"),
        ("附图说明", "drawings"),
        ("具体实施方式", "detailed_description"),
        ("FIELD OF THE INVENTION", "technical_field"),
        ("1. Field of the Invention", "technical_field"),
        ("2. Description of the Related Art", "background"),
        ("BACKGROUND OF THE INVENTION", "background"),
        ("SUMMARY OF THE INVENTION", "summary"),
        ("BRIEF DESCRIPTION OF THE DRAWINGS", "drawings"),
        ("DETAILED DESCRIPTION OF THE PREFERRED EMBODIMENTS", "detailed_description"),
        ("CROSS-REFERENCE TO RELATED APPLICATIONS", "other"),
        ("Example 3", None),
    ],
)
def test_headings(heading: str, kind: str | None) -> None:
    assert classify_heading(heading) == kind
