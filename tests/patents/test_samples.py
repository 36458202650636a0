"""The bundled sample documents: real, small, parseable, with request data and seeded defects."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from ipcenter.patents.documents import parse_document
from ipcenter.patents.formality import check_formalities
from ipcenter.patents.samples import (
    DEFECTS,
    sample_bytes,
    sample_names,
    sample_request,
    seeded_defect,
)

ROOT = Path(__file__).resolve().parents[2]
SAMPLES_DIR = ROOT / "src" / "ipcenter" / "patents" / "samples"
FIELDS = ROOT / "src" / "ipcenter" / "centers" / "fields"
DOCX = [n for n in sample_names() if n.endswith(".docx")]


def test_names_and_size() -> None:
    assert sample_names() == [
        "US06336130.xml",
        "US07272630B2.docx",
        "US08926509.docx",
        "US08930553.docx",
        "US08930553.xml",
        "US20010009014A1.docx",
        "US20050004437A1.docx",
        "US20050004437A1.xml",
    ]
    assert sum(p.stat().st_size for p in SAMPLES_DIR.iterdir()) < 2_000_000
    with pytest.raises(KeyError, match="no sample named"):
        sample_bytes("US1.docx")


def test_package_data_ships_the_samples() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["*"]
    assert {"*.docx", "*.xml", "*.json", "*.md"} <= set(patterns)


@pytest.mark.parametrize("name", sample_names())
def test_each_sample_parses_and_passes_without_errors(name: str) -> None:
    app = parse_document(name, sample_bytes(name))
    request = sample_request(name)
    assert app.title == request["title"]
    assert len(app.claims) >= 5
    findings = check_formalities(app, patent_type="invention")
    assert [f for f in findings if f.severity == "error"] == []


def test_main_ipc_is_in_a_center_field_list() -> None:
    shanghai = set(json.loads((FIELDS / "shanghai.json").read_text(encoding="utf-8"))["ipc"])
    pudong = set(json.loads((FIELDS / "pudong.json").read_text(encoding="utf-8"))["ipc"])
    in_shanghai = [n for n in sample_names() if sample_request(n)["main_ipc"][:4] in shanghai]
    assert in_shanghai == ["US08926509.docx", "US20050004437A1.docx", "US20050004437A1.xml"]
    assert all(sample_request(n)["main_ipc"][:4] in shanghai | pudong for n in sample_names())


def test_request_data() -> None:
    request = sample_request("US08926509.docx")
    assert request["patent_number"] == "US8926509"
    assert request["main_ipc"] == "A61B 5/00"
    assert request["applicants"] == ["Hmicro, Inc."]
    assert request["inventors"][:2] == ["Surendar Magar", "Venkateswara Rao Sattiraju"]
    assert "H04W 52/00" in request["further_ipc"]
    assert sample_request("US20050004437A1.xml")["priorities"] == [
        {"country": "CH", "date": "2001-10-26", "number": "1974/01"}
    ]
    request["title"] = "changed"
    assert sample_request("US08926509.docx")["title"] != "changed"


def test_docx_says_what_the_office_xml_says() -> None:
    docx_app = parse_document("a.docx", sample_bytes("US08930553.docx"))
    xml_app = parse_document("a.xml", sample_bytes("US08930553.xml"))
    assert docx_app.source_format == "docx"
    for attribute in ("title", "abstract", "claims", "description", "sections", "figures"):
        assert getattr(docx_app, attribute) == getattr(xml_app, attribute), attribute


@pytest.mark.parametrize("name", DOCX)
@pytest.mark.parametrize("defect", sorted(DEFECTS))
def test_seeded_defect_is_flagged(name: str, defect: str) -> None:
    clean = {
        f.code
        for f in check_formalities(
            parse_document(name, sample_bytes(name)), patent_type="invention"
        )
    }
    broken = parse_document(name, seeded_defect(name, defect))
    found = {f.code for f in check_formalities(broken, patent_type="invention")}
    assert DEFECTS[defect] in found - clean


def test_forward_reference_defect_points_claim_3_at_claim_5() -> None:
    app = parse_document("a.docx", seeded_defect("US08930553.docx", "claim_forward_reference"))
    assert app.claim(3).depends_on == [5]  # type: ignore[union-attr]


def test_defects_only_in_docx() -> None:
    with pytest.raises(ValueError, match="DOCX"):
        seeded_defect("US08930553.xml", "claim_no_period")
    with pytest.raises(KeyError, match="unknown defect"):
        seeded_defect("US08930553.docx", "bad_drawing")
