"""USPTO formats: every XML generation, the weekly zips (whole and damaged), BRS text."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest

from ipcenter.patents.importers import open_source
from tests.patents.importers.support import items

XML_FILES = {
    "pap__US20010000044A1.xml": "US20010000044",
    "pap__US20010000943A1.xml": "US20010000943",
    "pap__US20010009014A1.xml": "US20010009014",
    "sgml__US06336130.xml": "US6336130",
    "sgml__US06337117.xml": "US6337117",
    "sgml__USD435854S1.xml": "USD435854",
    "xml2004__US06859910.xml": "US6859910",
    "xml2004__US06970935.xml": "US6970935",
    "xml2006__US07272630B2.xml": "US7272630",
    "xml2014__US08926509.xml": "US8926509",
    "xml2014__US08927118.xml": "US8927118",
    "xml2014__US08930553.xml": "US8930553",
    "xmlApp2004__US20050004437A1.xml": "US20050004437",
    "xmlApp2004__US20050004974A1.xml": "US20050004974",
}


@pytest.mark.parametrize(("name", "key"), sorted(XML_FILES.items()))
def test_every_xml_generation_gives_one_record(shared_data: Path, name: str, key: str) -> None:
    found = items(shared_data / "uspto_xml" / name)
    assert len(found) == 1
    record = found[0].record
    assert record is not None
    assert record.key == key
    assert record.office == "US"
    assert record.language == "en"
    assert record.title
    assert record.claims
    assert record.publication_date is not None
    assert record.filing_date is not None
    assert record.source == name
    # Applications are published, grants are granted on their publication day.
    granted = not name.startswith(("pap", "xmlApp"))
    assert (record.grant_date == record.publication_date) is granted
    assert (record.grant_date is None) is not granted
    # What a record holds survives its JSON form.
    assert type(record).from_dict(record.to_dict()) == record


def test_sgml_grant_fields(shared_data: Path) -> None:
    record = items(shared_data / "uspto_xml" / "sgml__US06336130.xml")[0].record
    assert record is not None
    assert (record.publication_number, record.kind) == ("US6336130", "B1")
    assert record.application_number == "US9413215"
    assert record.filing_date == dt.date(1999, 10, 5)
    assert record.priority_date == dt.date(1997, 4, 8)  # NO 971605
    assert record.grant_date == record.publication_date == dt.date(2002, 1, 1)
    assert record.ipc == ["G06F 15/16", "G06F 13/00"]  # <B511>G06F 1516, <B512>G06F 1300
    assert record.applicants == ["Telefonaktiebolaget LM Ericsson (publ)"]
    assert record.inventors == ["Thanh Van Do"]
    # US patents cited, and the PCT publication "96/25012" in today's spelling.
    assert record.citations == [
        "US5825759", "US5974441", "US6049819", "US6076099", "US6085086", "WO1996025012",
    ]  # fmt: skip
    assert record.title.startswith("Arrangement for improving availability of services")
    assert len(record.claims) == 22
    assert record.description.count("\n") > 10


def test_sgml_design_patent(shared_data: Path) -> None:
    record = items(shared_data / "uspto_xml" / "sgml__USD435854S1.xml")[0].record
    assert record is not None
    assert (record.key, record.kind) == ("USD435854", "S")
    assert record.ipc == []  # a design carries a Locarno class, not an IPC symbol
    assert record.citations[:2] == ["USD271298", "USD298251"]  # "D. 271298"


def test_grant_xml_2014_fields(shared_data: Path) -> None:
    record = items(shared_data / "uspto_xml" / "xml2014__US08926509.xml")[0].record
    assert record is not None
    assert record.ipc[:4] == ["A61B 5/00", "A61B 5/0205", "A61B 5/0404", "A61B 5/11"]
    assert record.cpc[0] == "A61B 5/0205"  # <main-cpc>
    assert len(record.cpc) == 19
    assert record.applicants == ["Hmicro, Inc."]
    assert record.inventors[0] == "Surendar Magar"
    assert len(record.claims) == 31
    assert record.citations[0] == "US4313443"


def test_application_xml_fields(shared_data: Path) -> None:
    pap = items(shared_data / "uspto_xml" / "pap__US20010000943A1.xml")[0].record
    assert pap is not None
    assert (pap.kind, pap.publication_date) == ("A1", dt.date(2001, 5, 10))
    assert pap.priority_date == dt.date(1999, 4, 5)  # JP 11-097727
    assert pap.ipc == ["H01J 1/62"]
    assert pap.applicants == ["IDEMITSU KOSAN CO., LTD."]
    app = items(shared_data / "uspto_xml" / "xmlApp2004__US20050004437A1.xml")[0].record
    assert app is not None
    assert app.priority_date == dt.date(2001, 10, 26)  # CH 1974/01
    assert app.filing_date == dt.date(2004, 4, 23)
    assert app.inventors == ["Heiner Kaufmann", "Thomas Vering"]


def test_weekly_zips(shared_data: Path) -> None:
    first = open_source(shared_data / "uspto_xml" / "ipgb20221025_wk43.zip")
    found = list(first.iter_items())
    assert first.estimate_total() == len(found) == 11
    assert all(item.record is not None for item in found)
    records = [item.record for item in found if item.record]
    assert [r.key for r in records[:6]] == [
        "US11617522", "USD967598", "USD967598", "USPP34694", "USRE49257", "USRE49258",
    ]  # fmt: skip
    assert [r.kind for r in records[:6]] == ["B2", "S1", "S1", "P2", "E1", "E1"]
    assert records[0].title == "Sensor inserter with disposal lockout state"
    assert records[0].cpc[0] == "A61B 5/14532"
    assert records[0].source_id == "US11617522-20230404.XML"  # the document's file attribute
    second = [i.record for i in items(shared_data / "uspto_xml" / "ipgb20230404_wk14.zip")]
    assert [r.title for r in second if r] == [
        "Support undergarment",
        "Garment",
        "Arthroscopic tunnel guide for rotator cuff repair",
    ]


def test_zip_resume(shared_data: Path) -> None:
    path = shared_data / "uspto_xml" / "ipgb20221025_wk43.zip"
    whole = items(path)
    for start in (0, 1, 7, 10, 11, 40):
        assert items(path, start=start) == whole[start:]
    with pytest.raises(ValueError, match="start"):
        items(path, start=-1)


def test_truncated_zip_keeps_what_it_holds(shared_data: Path, tmp_path: Path) -> None:
    """A download cut off inside the XML member: the documents before the cut are read, then
    one rejection says where the archive ends; nothing raises."""
    data = (shared_data / "uspto_xml" / "ipgb20221025_wk43.zip").read_bytes()
    cut = tmp_path / "ipgb20221025_wk43.zip"
    cut.write_bytes(data[:20_000])
    source = open_source(cut)
    assert source.format == "uspto-zip"
    found = list(source.iter_items())
    records = [i.record for i in found if i.record]
    rejections = [i.rejection for i in found if i.rejection]
    assert 1 <= len(records) < 11
    assert records[0].key == "US11617522"
    assert len(rejections) == 1
    assert rejections[0].position == len(found) - 1
    assert "the zip archive is damaged" in rejections[0].reason
    assert "ends inside this document" in rejections[0].reason
    assert source.estimate_total() is None
    # Resuming after the last good document gives the same end.
    assert list(source.iter_items(start=len(records))) == found[len(records) :]


def test_zip_with_damaged_member(shared_data: Path, tmp_path: Path) -> None:
    original = shared_data / "uspto_xml" / "ipgb20230404_wk14.zip"
    data = bytearray(original.read_bytes())
    with zipfile.ZipFile(original) as archive:
        info = archive.getinfo("ipgb20230404.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for offset in range(start + 3000, start + 3100):
        data[offset] ^= 0x5A
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(bytes(data))
    found = items(damaged)
    assert found, "a damaged member gives a rejection"
    last = found[-1].rejection
    assert last is not None
    assert "the archive member is damaged" in last.reason


def test_not_a_zip_at_all(tmp_path: Path) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"PK\x03\x04" + bytes(range(200)))
    found = list(open_source(junk, "uspto-zip").iter_items())
    assert len(found) == 1
    assert found[0].rejection is not None
    assert "not a readable zip archive" in found[0].rejection.reason


def test_concatenated_xml_with_a_broken_document(shared_data: Path, tmp_path: Path) -> None:
    """A weekly file unzipped: documents one after another; a broken one is rejected alone."""
    folder = shared_data / "uspto_xml"
    parts = [
        (folder / "xml2014__US08930553.xml").read_bytes(),
        (folder / "xml2004__US06859910.xml").read_bytes()[:5000],  # cut short
        (folder / "sgml__US06336130.xml").read_bytes(),
        (folder / "cpcScheme__cpc-scheme-A01L.xml").read_bytes(),  # not a patent
    ]
    weekly = tmp_path / "weekly.xml"
    weekly.write_bytes(b"\n".join(parts))
    source = open_source(weekly)
    assert source.format == "uspto-xml"
    assert source.estimate_total() == 4
    found = list(source.iter_items())
    assert [i.position for i in found] == [0, 1, 2, 3]
    assert found[0].record is not None and found[0].record.key == "US8930553"
    assert found[2].record is not None and found[2].record.key == "US6336130"
    broken, other = found[1].rejection, found[3].rejection
    assert broken is not None and other is not None
    assert broken.reason.startswith(
        "document 2: The XML file US06859910-20050222.XML is not well-formed: unclosed token"
    )
    assert broken.excerpt == "US06859910-20050222.XML"  # the name the document gives itself
    assert other.reason == (
        "document 4: The XML root element <class-scheme> is not a known patent document format."
    )
    assert list(source.iter_items(start=2)) == found[2:]


def test_binary_junk_read_as_xml(tmp_path: Path) -> None:
    junk = tmp_path / "junk.xml"
    junk.write_bytes(bytes(range(256)) * 4)
    found = list(open_source(junk, "uspto-xml").iter_items())
    assert len(found) == 1
    assert found[0].rejection is not None
    assert found[0].rejection.reason.startswith("document 1: ")


def test_brs_text(shared_data: Path) -> None:
    path = shared_data / "uspto_xml" / "css_brs__css_brs_sample.txt"
    source = open_source(path)
    found = list(source.iter_items())
    assert source.estimate_total() == len(found) == 6
    records = [i.record for i in found if i.record]
    assert [r.key for r in records] == [f"US920458{n}" for n in range(1, 7)]
    first = records[0]
    assert first.kind == "B2"
    assert first.title == (
        "Method for performing chip level electromagnetic interference reduction, and "
        "associated apparatus"
    )
    assert first.application_number == "US13676098"
    assert (first.filing_date, first.grant_date) == (dt.date(2012, 11, 14), dt.date(2015, 12, 1))
    assert first.publication_date == first.grant_date
    assert first.applicants == ["MEDIATEK INC."]
    assert first.inventors == ["Long-Kun Yu", "Kuo-Liang Deng"]
    assert first.ipc == ["H05K 9/00"]
    assert first.cpc == ["H05K 9/0066"]
    assert len(first.claims) == 20
    assert first.claims[0].startswith("A method for performing chip level electromagnetic")
    assert first.claims[1].startswith("The method of claim 1, wherein")
    assert first.abstract.startswith("A method for performing chip level electromagnetic")
    assert "US20030169838" in first.citations  # URPN 2003/0169838
    assert "CN1402605" in first.citations  # FRGP CN 1402605 A
    assert first.description.startswith("CROSS REFERENCE TO RELATED APPLICATIONS")
    second = records[1]
    assert second.ipc == ["H05K 9/00", "H01Q 15/00"]  # IPCP first, then IPCS
    assert second.cpc == ["H05K 9/0086", "H01Q 15/006", "H01Q 15/0013"]
    assert records[2].priority_date == dt.date(2011, 6, 9)  # PRAD, KR 10-2011-0055402
    assert list(source.iter_items(start=4)) == found[4:]
