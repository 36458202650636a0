"""CSV exports: Lens, Patentscope (CR line ends, legacy bytes), PatentsView, family export."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from ipcenter.patents.importers import open_source
from tests.patents.importers.support import by_key, items

# (file, records, rejected): every data row is one or the other.
COUNTS = [
    ("raw/lens_drones_5884.csv", 5884, 0),
    ("raw/patentscope_pizza_10000.csv", 9998, 2),  # two rows without a title ("NA")
    ("raw/patentsview_baseball.csv", 2664, 0),
    ("raw/patentsview_neural_network.csv", 3522, 0),
    ("raw/ritonavir_804.csv", 804, 0),
]


@pytest.mark.parametrize(("name", "records", "rejected"), COUNTS)
def test_counts(shared_data: Path, name: str, records: int, rejected: int) -> None:
    source = open_source(shared_data / name)
    counts: Counter[str] = Counter()
    for position, item in enumerate(source.iter_items()):
        assert item.position == position
        counts["records" if item.record else "rejected"] += 1
    assert (counts["records"], counts["rejected"]) == (records, rejected)
    assert source.estimate_total() == records + rejected


def test_lens_row_mapping(shared_data: Path) -> None:
    first, second, third = (
        i.record for i in items(shared_data / "raw/lens_drones_5884.csv", limit=3)
    )
    assert first is not None and second is not None and third is not None
    assert (second.key, second.kind, second.office) == ("AT556755", "T", "AT")
    assert second.application_number == "AT11153172"
    assert second.filing_date == dt.date(2011, 2, 3)
    assert second.publication_date == dt.date(2012, 5, 15)
    assert second.priority_date == dt.date(2010, 3, 11)  # FR 1051751 A 20100311
    assert second.grant_date is None  # Type "unknown"
    assert second.applicants == ["PARROT"]
    assert second.inventors == ["SEYDOUX HENRI", "D HAEYER FREDERIC"]
    assert second.ipc[0] == "A63H 30/04"
    assert "A63F 2009/241" in second.cpc  # a CPC indexing code
    assert second.language == "de"  # "Verfahren Und Gerät Zur Fernbedienung Einer Drohne..."
    assert second.source_id == "005-506-993-736-485"  # Lens ID
    assert third.applicants == ["SANDERS PROBEL BIOTECHNOLOGY S", "FLORIDIENNE SA"]
    assert third.grant_date == third.publication_date == dt.date(1987, 4, 17)  # Granted Patent
    assert first.priority_date == first.filing_date == dt.date(1985, 2, 6)
    assert first.ipc == first.cpc == ["A01K 47/00"]


def test_lens_number_forms(shared_data: Path) -> None:
    path = shared_data / "raw/lens_drones_5884.csv"
    corrected = by_key(path, "EP259054")  # "EP 0259054 B9 20031217": a date after the kind
    assert corrected.kind == "B9"
    indian = by_key(path, "IN1442CH2015")  # "IN 1442CH2015 A"
    assert indian.office == "IN"
    pct = next(
        i.record
        for i in open_source(path).iter_items()
        if i.record and i.record.office == "WO" and i.record.application_number
    )
    assert pct.application_number.startswith("PCT/")


def test_patentscope_rows(shared_data: Path) -> None:
    path = shared_data / "raw/patentscope_pizza_10000.csv"
    first = items(path, limit=1)[0].record
    assert first is not None
    assert first.key == "US20090208610"
    assert first.publication_date == dt.date(2009, 8, 21)  # "21.08.2009"
    assert first.priority_date == dt.date(2004, 10, 1)  # "[200402236U 2004-10-01T23:59:59.000Z ES]"
    assert first.ipc == ["A21D 13/00", "A23L 1/16"]  # repeated symbols once each
    assert first.applicants == []  # "NA"
    assert first.inventors == ["Sanchez Zarzoso Maria Isabel"]
    separator = by_key(path, "WO2002014184")
    assert separator.priority_date == dt.date(2000, 8, 14)  # "[60/225,166 14.08.2000 US]"
    assert separator.applicants == ["DEPOORTERE, Thomas"]  # ";" separates, "," does not
    vending = by_key(path, "KR101326617")  # "kr101326617", an IPCR record with its version
    assert vending.ipc == ["G07F 9/10", "G07F 11/70"]
    assert vending.language == "en"  # mangled letters are no evidence of another language


def test_patentscope_line_ends_and_legacy_bytes(shared_data: Path) -> None:
    """CR-only line ends (the records only look glued together) and stray single bytes."""
    path = shared_data / "raw/patentscope_pizza_10000.csv"
    raw = path.read_bytes()
    assert raw.count(b"\r") == 10_001 and b"\n" not in raw
    assert b"Fran\x8dois" in raw
    welh = by_key(path, "WO2011020965")
    assert "WELH, Yannick Antoine, François" in welh.inventors  # 0x8D, Mac Roman
    pagen = by_key(path, "WO2012044242")
    assert "PÅGEN AB" in pagen.applicants  # 0x81, Mac Roman


def test_patentscope_bad_ipc_is_noted(shared_data: Path) -> None:
    path = shared_data / "raw/patentscope_pizza_10000.csv"
    notes = Counter(
        note.split(":")[0]
        for item in open_source(path).iter_items()
        for note in item.notes
        if note.startswith("IPC ")
    )
    assert notes["IPC 'A21D 13/0' dropped"] > 0  # a truncated subgroup
    assert notes["IPC 'A21D 13/' dropped"] > 0
    untitled = items(path, start=5414, limit=1)[0]
    assert untitled.rejection is not None
    assert untitled.rejection.reason == "row 5415: the record has no title, abstract or claims"
    assert untitled.rejection.excerpt.startswith("US20130110593,03.05.2013,NA,NA,G06Q 30/02")


def test_patentsview_rows(shared_data: Path) -> None:
    baseball = items(shared_data / "raw/patentsview_baseball.csv", limit=1)[0].record
    assert baseball is not None
    assert baseball.key == "US5269177"
    assert baseball.grant_date == baseball.publication_date == dt.date(1993, 12, 14)
    # Quoted twice in the export: '"""Apparatus ... (""""sweet spot"""") ..."""'
    assert baseball.title == (
        'Apparatus and method for determining the center of percussion ("sweet spot") for '
        "baseball bats and other objects"
    )
    nn = items(shared_data / "raw/patentsview_neural_network.csv", limit=1)[0].record
    assert nn is not None
    assert nn.title == '"Barometer" neuron for a neural network'
    assert nn.abstract.startswith('A "Barometer" Neuron enhances stability')
    design = by_key(shared_data / "raw/patentsview_baseball.csv", "USD349814")
    assert design.abstract == ""  # "NULL" / "None" in the export
    reissue = by_key(shared_data / "raw/patentsview_neural_network.csv", "USRE36823")
    assert reissue.office == "US"
    sir = by_key(shared_data / "raw/patentsview_neural_network.csv", "USH2215")  # "H002215"
    assert sir.title


def test_family_export_rows(shared_data: Path) -> None:
    path = shared_data / "raw/ritonavir_804.csv"
    first, second = (i.record for i in items(path, limit=2))
    assert first is not None and second is not None
    assert (first.key, first.kind) == ("AU2007202956", "B2")
    assert first.priority_date == dt.date(1999, 7, 19)
    assert first.filing_date == dt.date(2007, 6, 27)
    assert first.grant_date == first.publication_date == dt.date(2007, 7, 19)  # granted: Yes
    assert first.applicants == ["ABBOTT LAB"]
    assert first.inventors[:2] == ["SALEKI-GERHARDT AZITA", "ALLEN KIMBERLY A"]
    assert len(first.inventors) == 8
    assert first.ipc == ["C07D 417/00"]  # "C07D41700"
    assert second.inventors == ["SOLDIN STEVEN J"]  # "SOLDIN STEVEN J    US"
    assert second.ipc == ["H01J 49/00", "G01N 30/72"]  # "H01J04900 | G01N03072"
    assert second.grant_date is None
    assert by_key(path, "IN496MUM2008").office == "IN"  # "IN00496MUM2008"


def test_resume(shared_data: Path) -> None:
    for name in ("raw/lens_drones_5884.csv", "raw/patentscope_pizza_10000.csv"):
        head = items(shared_data / name, limit=40)
        for start in (1, 13, 39):
            assert items(shared_data / name, start=start, limit=40 - start) == head[start:]


def test_broken_rows(shared_data: Path, tmp_path: Path) -> None:
    lines = (shared_data / "raw/lens_drones_5884.csv").read_text(encoding="utf-8").splitlines()
    broken = tmp_path / "lens.csv"
    broken.write_text(
        "\n".join(
            [
                lines[0],
                lines[1],
                lines[2].rsplit(",", 3)[0],  # fields missing
                "",  # blank rows are skipped
                lines[3].replace("BE 905621 A1", "no number"),
                lines[4],
                lines[5][:40] + '"unterminated',
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    found = list(open_source(broken).iter_items())
    reasons = [i.rejection.reason if i.rejection else None for i in found]
    assert reasons[:4] == [
        None,
        "row 2: 23 fields where the header has 26",
        "row 4: not a publication number: 'no number'",  # row 3 is blank
        None,
    ]
    assert found[4].rejection is not None  # the unterminated quote runs to the end
    assert len(found) == 5


def test_header_only_and_unreadable(tmp_path: Path) -> None:
    header = tmp_path / "header.csv"
    header.write_text("patent_abstract,patent_date,patent_number,patent_title\n", encoding="utf-8")
    source = open_source(header)
    assert (source.format, source.estimate_total(), list(source.iter_items())) == (
        "patentsview-csv",
        0,
        [],
    )
