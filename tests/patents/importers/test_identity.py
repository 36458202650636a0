"""The same publication from two sources has one key; a record carries no whole file."""

from __future__ import annotations

import inspect
import tracemalloc
from pathlib import Path

import pytest

from ipcenter.patents.corpus import PatentRecord
from ipcenter.patents.importers import open_source
from tests.patents.importers.support import SAMPLES, by_key

# Publications that the shared data holds twice, in different formats.
OVERLAPS = [
    ("us_patents_ipc.jsonl", "us_grants_2007_01.jsonl", "US7156016"),
    ("us_patents_ipc.jsonl", "raw/lens_drones_5884.csv", "US9017123"),
    ("us_patents_ipc.jsonl", "raw/patentsview_neural_network.csv", "US5572030"),
    ("us_patents_ipc.jsonl", "raw/patentscope_pizza_10000.csv", "US4051646"),
    ("energy_abstracts_cpc.jsonl", "raw/lens_drones_5884.csv", "US20150143806"),
    ("raw/lens_drones_5884.csv", "raw/patentscope_pizza_10000.csv", "US20080221992"),
    ("raw/patentsview_neural_network.csv", "raw/lens_drones_5884.csv", "US6084510"),
]


@pytest.fixture(scope="module")
def overlapping(shared_data_path: Path) -> dict[tuple[str, str], PatentRecord]:
    """The records of OVERLAPS by (file, key), each file read once."""
    wanted: dict[str, set[str]] = {}
    for first, second, key in OVERLAPS:
        wanted.setdefault(first, set()).add(key)
        wanted.setdefault(second, set()).add(key)
    found: dict[tuple[str, str], PatentRecord] = {}
    for name, keys in wanted.items():
        for item in open_source(shared_data_path / name).iter_items():
            if item.record and item.record.key in keys:
                found.setdefault((name, item.record.key), item.record)
    return found


@pytest.mark.parametrize(("first", "second", "key"), OVERLAPS)
def test_same_publication_same_key(
    overlapping: dict[tuple[str, str], PatentRecord], first: str, second: str, key: str
) -> None:
    one, other = overlapping[(first, key)], overlapping[(second, key)]
    assert one.source != other.source
    assert one.office == other.office == "US"
    if one.title and other.title:
        assert one.title.lower().split()[:3] == other.title.lower().split()[:3]
    # Dates are not compared: Patentscope gives US20080221992 2008-09-12, Lens 2008-09-11.


def test_written_differently_same_key(overlapping: dict[tuple[str, str], PatentRecord]) -> None:
    """Lens writes "US 2015/0143806 A1", the energy set "US20150143806A1"."""
    lens = overlapping[("raw/lens_drones_5884.csv", "US20150143806")]
    energy = overlapping[("energy_abstracts_cpc.jsonl", "US20150143806")]
    assert (lens.source_id, energy.source_id) == ("135-066-445-719-091", "US20150143806A1")
    assert lens.kind == energy.kind == "A1"


def test_cnipa_sample_matches_its_originals(shared_data: Path) -> None:
    sample = [i.record for i in open_source(SAMPLES / "cnipa_sample.jsonl").iter_items()]
    keys = {r.key for r in sample if r}
    originals = {
        r.key
        for path in ("cn_patents_a01.jsonl", "energy_abstracts_cpc.jsonl")
        for r in (i.record for i in open_source(shared_data / path).iter_items())
        if r and r.key in keys
    }
    assert originals == keys


def test_zip_and_csv_of_one_design(shared_data: Path, tmp_path: Path) -> None:
    """USD967598 from the weekly zip, and as a PatentsView row would write it ("D967598")."""
    zipped = by_key(shared_data / "uspto_xml/ipgb20221025_wk43.zip", "USD967598")
    row = tmp_path / "patentsview.csv"
    row.write_text(
        "patent_abstract,patent_date,patent_number,patent_title\n"
        f"NULL,2022-10-25,D967598,{zipped.title}\n",
        encoding="utf-8",
    )
    csv_record = next(open_source(row).iter_items()).record
    assert csv_record is not None
    assert csv_record.key == zipped.key
    assert csv_record.grant_date == zipped.grant_date


def test_sgml_design_number_keeps_its_key(shared_data: Path) -> None:
    """SGML writes "D0435854", the key has no padding: the same as "USD435854S1"."""
    record = by_key(shared_data / "uspto_xml/sgml__USD435854S1.xml", "USD435854")
    assert PatentRecord(office="US", publication_number="USD435854S1", title="x").key == record.key


def test_iteration_is_streamed_in_constant_memory(shared_data: Path) -> None:
    path = shared_data / "cn_patents_a01.jsonl"  # 7.8 MB
    source = open_source(path)
    stream = source.iter_items()
    assert inspect.isgenerator(stream)
    tracemalloc.start()
    try:
        count = sum(1 for _ in stream)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 9088
    assert peak < 1_000_000, f"peak {peak} bytes while reading a {path.stat().st_size} byte file"
