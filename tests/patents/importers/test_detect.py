"""Which files of the shared data are patent records, in which format, and why others are not."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from ipcenter.patents.importers import (
    FORMATS,
    ImportSource,
    NotPatentData,
    detect_format,
    expand_paths,
    open_source,
)
from tests.patents.importers.support import SAMPLES

EXPECTED_FORMATS = {
    "cn_patents_a01.jsonl": "jsonl-cn-a01",
    "energy_abstracts_cpc.jsonl": "jsonl-energy-cpc",
    "gp_energy_patents_cpc.jsonl": "jsonl-cpc-list",
    "green_aviation_ipc_zh_en.jsonl": "jsonl-zh-en-ipc",
    "patstat_c30b_b82y_ipc.jsonl": "jsonl-patstat-ipc",
    "us_grants_2007_01.jsonl": "jsonl-us-text",
    "us_patents_ipc.jsonl": "jsonl-us-ipc",
    "raw/lens_drones_5884.csv": "lens-csv",
    "raw/patentscope_pizza_10000.csv": "patentscope-csv",
    "raw/patentsview_baseball.csv": "patentsview-csv",
    "raw/patentsview_neural_network.csv": "patentsview-csv",
    "raw/ritonavir_804.csv": "families-csv",
    "uspto_xml/css_brs__css_brs_sample.txt": "uspto-brs",
    "uspto_xml/ipgb20221025_wk43.zip": "uspto-zip",
    "uspto_xml/ipgb20230404_wk14.zip": "uspto-zip",
    "uspto_xml/pap__US20010000044A1.xml": "uspto-xml",
    "uspto_xml/pap__US20010000943A1.xml": "uspto-xml",
    "uspto_xml/pap__US20010009014A1.xml": "uspto-xml",
    "uspto_xml/sgml__US06336130.xml": "uspto-xml",
    "uspto_xml/sgml__US06337117.xml": "uspto-xml",
    "uspto_xml/sgml__USD435854S1.xml": "uspto-xml",
    "uspto_xml/xml2004__US06859910.xml": "uspto-xml",
    "uspto_xml/xml2004__US06970935.xml": "uspto-xml",
    "uspto_xml/xml2006__US07272630B2.xml": "uspto-xml",
    "uspto_xml/xml2014__US08926509.xml": "uspto-xml",
    "uspto_xml/xml2014__US08927118.xml": "uspto-xml",
    "uspto_xml/xml2014__US08930553.xml": "uspto-xml",
    "uspto_xml/xmlApp2004__US20050004437A1.xml": "uspto-xml",
    "uspto_xml/xmlApp2004__US20050004974A1.xml": "uspto-xml",
}
REFERENCE_DATA = {
    "phrase_similarity.jsonl": "phrase pairs",
    "raw/ipc_classes_zh.tsv": "IPC section and class titles in Chinese",
    "raw/ipc_scheme_2020_en.tsv": "IPC scheme",
    "raw/ipc_section_a_titles_zh.txt": "IPC titles in Chinese",
    "raw/wipo_ipc_technology_concordance.xlsx": "Excel workbook",
    "uspto_xml/cpcMaster__cpcMaster.xml": "CPC master classification file",
    "uspto_xml/cpcScheme__cpc-scheme-A01L.xml": "CPC scheme",
}


def test_every_shared_file_is_classified(shared_data: Path) -> None:
    """Each file of the shared data is either imported in a known format or explained."""
    found = {
        path.relative_to(shared_data).as_posix(): reason
        for path, reason in expand_paths([shared_data])
    }
    expected = set(EXPECTED_FORMATS) | set(REFERENCE_DATA) | {"README.md"}
    assert set(found) == expected
    for name in EXPECTED_FORMATS:
        assert found[name] is None, name
    for name, what in REFERENCE_DATA.items():
        reason = found[name]
        assert reason is not None
        assert reason.startswith("not patent data: "), name
        assert what in reason, name
    assert "unknown format" in (found["README.md"] or "")


@pytest.mark.parametrize(("name", "format"), sorted(EXPECTED_FORMATS.items()))
def test_format_is_found_from_the_content(
    shared_data: Path, tmp_path: Path, name: str, format: str
) -> None:
    assert detect_format(shared_data / name) == format
    # The name plays no part: the same bytes under a meaningless name are found the same.
    anonymous = tmp_path / "upload.bin"
    anonymous.write_bytes((shared_data / name).read_bytes())
    assert detect_format(anonymous) == format
    source = open_source(anonymous)
    assert isinstance(source, ImportSource)
    assert source.format == format
    assert source.label == FORMATS[format].label


@pytest.mark.parametrize("name", sorted(REFERENCE_DATA))
def test_reference_data_is_refused_with_a_reason(shared_data: Path, name: str) -> None:
    with pytest.raises(NotPatentData, match="not patent records"):
        open_source(shared_data / name)


def test_the_shipped_scheme_is_reference_data() -> None:
    scheme = Path(__file__).parents[3] / "src/ipcenter/patents/data/ipc_scheme_2020_en.tsv.gz"
    titles = scheme.with_name("ipc_titles_zh.tsv.gz")
    classes = scheme.with_name("ipc_classes_zh.tsv.gz")
    with pytest.raises(NotPatentData, match=r"IPC scheme \(symbols and English titles\)"):
        detect_format(scheme)
    with pytest.raises(NotPatentData, match="Chinese titles"):
        detect_format(titles)
    with pytest.raises(NotPatentData, match="IPC section and class titles in Chinese"):
        detect_format(classes)


def test_a_headed_list_of_titles_is_told_apart(tmp_path: Path) -> None:
    """Under a "symbol<TAB>title" header: sections and classes in Chinese are the class list;
    anything longer is a scheme; a header over other lines is no IPC data at all."""
    longer = tmp_path / "longer.tsv"
    longer.write_text("symbol\ttitle_zh\nA\t人类生活必需\nA01B\t整地\n", encoding="utf-8")
    with pytest.raises(NotPatentData, match=r"IPC scheme \(symbols and Chinese titles\)"):
        detect_format(longer)
    english = tmp_path / "english.tsv"
    english.write_text("symbol\ttitle\nA\tHUMAN NECESSITIES\nA01\tAGRICULTURE\n")
    with pytest.raises(NotPatentData, match=r"IPC scheme \(symbols and English titles\)"):
        detect_format(english)
    other = tmp_path / "other.tsv"
    other.write_text("symbol\ttitle\nAAPL\tApple\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown format"):
        detect_format(other)


def test_unknown_empty_and_binary_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    blank = tmp_path / "blank.csv"
    blank.write_bytes(b"\n \r\n")
    binary = tmp_path / "junk.dat"
    binary.write_bytes(bytes(range(256)) * 8)
    text = tmp_path / "notes.txt"
    text.write_text("Some notes about patents\nnot a table\n", encoding="utf-8")
    json_lines = tmp_path / "other.jsonl"
    json_lines.write_text('{"name": "x", "value": 1}\n', encoding="utf-8")
    xml = tmp_path / "other.xml"
    xml.write_text('<?xml version="1.0"?>\n<catalog><item/></catalog>\n', encoding="utf-8")
    for path, message in [
        (empty, "the file is empty"),
        (blank, "the file is empty"),
        (binary, "unknown format: binary data"),
        (text, "unknown format"),
        (json_lines, "unknown format: JSON Lines with fields name, value"),
        (xml, "unknown format: XML with root element <catalog>"),
    ]:
        with pytest.raises(ValueError, match=message):
            detect_format(path)
    with pytest.raises(ValueError, match="is not a file"):
        detect_format(tmp_path)
    with pytest.raises(ValueError, match="unknown format 'pdf'; the formats are: cnipa-jsonl"):
        open_source(empty, "pdf")
    # A format given explicitly reads what there is: nothing in an empty file.
    assert list(open_source(empty, "cnipa-jsonl").iter_items()) == []


def test_expand_paths_sorts_recurses_and_explains(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "sample.jsonl").write_bytes((SAMPLES / "cnipa_sample.jsonl").read_bytes())
    (tmp_path / "a.txt").write_text("", encoding="utf-8")
    found = expand_paths([tmp_path, tmp_path / "missing.csv", SAMPLES / "cnipa_sample.jsonl"])
    assert found == [
        (tmp_path / "a.txt", "the file is empty"),
        (tmp_path / "b" / "sample.jsonl", None),
        (tmp_path / "missing.csv", "no such file or folder"),
        (SAMPLES / "cnipa_sample.jsonl", None),
    ]


def test_gzip_files_are_read_through(shared_data: Path, tmp_path: Path) -> None:
    for name, format in [
        ("raw/ritonavir_804.csv", "families-csv"),
        ("uspto_xml/sgml__US06336130.xml", "uspto-xml"),
        ("us_grants_2007_01.jsonl", "jsonl-us-text"),
    ]:
        packed = tmp_path / (Path(name).name + ".gz")
        packed.write_bytes(gzip.compress((shared_data / name).read_bytes()))
        source = open_source(packed)
        assert source.format == format
        plain = open_source(shared_data / name)
        first = next(source.iter_items()).record or next(source.iter_items(1)).record
        assert first is not None
        again = next(plain.iter_items()).record or next(plain.iter_items(1)).record
        assert again is not None
        assert (first.key, first.title) == (again.key, again.title)
        assert source.estimate_total() == plain.estimate_total()


@pytest.mark.parametrize(
    "name",
    ["raw/ritonavir_804.csv", "uspto_xml/css_brs__css_brs_sample.txt", "cn_patents_a01.jsonl"],
)
def test_damaged_gzip_ends_with_one_rejection(shared_data: Path, tmp_path: Path, name: str) -> None:
    packed = gzip.compress((shared_data / name).read_bytes())
    cut = tmp_path / "cut.gz"
    cut.write_bytes(packed[: len(packed) // 2])
    found = list(open_source(cut).iter_items())
    assert found[0].record is not None
    last = found[-1].rejection
    assert last is not None
    assert "the file ends unreadably" in last.reason
    assert sum(1 for item in found if item.rejection and "unreadably" in item.rejection.reason) == 1
