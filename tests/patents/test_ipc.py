"""IPC symbols, the shipped 2020 scheme and field-list scope.

The symbols below are copied from real records of the shared data set (record ids in the
comments): us_patents_ipc.jsonl and the USPTO full-text samples in uspto_xml/. Tests that read
those files directly are skipped where the shared data set is not mounted.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path

import pytest

from ipcenter.patents.ipc import (
    IpcError,
    IpcFieldList,
    IpcScheme,
    IpcSymbol,
    IpcSyntaxError,
    IpcUnknownSymbolError,
    load_scheme,
    parse_ipc,
    symbol_in_field_list,
    validate_ipc,
)

SHARED = Path(
    os.environ.get(
        "IPCENTER_SHARED_DATA", Path(__file__).resolve().parents[2].parent / "shared" / "data"
    )
)
US_PATENTS = SHARED / "us_patents_ipc.jsonl"
USPTO_XML = SHARED / "uspto_xml"

needs_us_patents = pytest.mark.usefixtures("shared_data")
needs_uspto_xml = pytest.mark.usefixtures("shared_data")


@pytest.fixture(scope="module")
def scheme() -> IpcScheme:
    return load_scheme()


# -- parsing ---------------------------------------------------------------------------------

PARSE_CASES: list[tuple[str, str, str | None]] = [
    # (text as found, standard form, version)
    ("H03K 17/97", "H03K 17/97", None),  # US10917092, standard form
    ("G01D 5/14", "G01D 5/14", None),  # US10917092
    ("C12Q 1/6895", "C12Q 1/6895", None),  # US10881060, 4-digit subgroup
    ("C07D 271/107", "C07D 271/107", None),  # US10662164, 3-digit main group
    ("C12Q 001/37 ()", "C12Q 1/37", None),  # US6974678, zero-padded main group, empty "()"
    ("A61K 031/7012 ()", "A61K 31/7012", None),  # US6919172
    ("A46b 011/04 ()", "A46B 11/04", None),  # US3969028, lower-case subclass letter
    ("B08B ()", "B08B", None),  # US5389155, subclass alone
    ("A61K", "A61K", None),
    ("F16H 47/08", "F16H 47/08", None),
    ("F16H47/08", "F16H 47/08", None),  # compact, as in Lens exports ("A01K47/00")
    ("  f16h   47 / 08  ", "F16H 47/08", None),  # case and extra spaces
    ("A01B0001020000", "A01B 1/02", None),  # WIPO master-file form, as in the shipped scheme
    ("A01B0003421000", "A01B 3/421", None),
    ("A61K0031000000", "A61K 31/00", None),
    ("H04L 29/06 (20060101)", "H04L 29/06", "2006.01"),
    ("H04L 29/06(2006.01)", "H04L 29/06", "2006.01"),
    ("H04L 29/06 (2006.01)", "H04L 29/06", "2006.01"),
    ("G07F 9/10 20060101AFI20130528VHKR", "G07F 9/10", "2006.01"),  # Patentscope IPCR record
    ("G06F017/60", "G06F 17/60", None),  # pap__US20010000044A1.xml <ipc>
    ("H01J001/62", "H01J 1/62", None),  # pap__US20010000943A1.xml
    ("A61B005/00", "A61B 5/00", None),  # xmlApp2004__US20050004437A1.xml
    ("G06F 1516", "G06F 15/16", None),  # sgml__US06336130.xml <B511>
    ("G06F 1300", "G06F 13/00", None),  # sgml__US06336130.xml <B512>
    ("B32B  302", "B32B 3/02", None),  # sgml__US06337117.xml <B511>
    ("C07D41700", "C07D 417/00", None),  # ritonavir_804.csv packed form
    ("A61K031426", "A61K 31/426", None),  # ritonavir_804.csv
    ("A61K0317072", "A61K 31/7072", None),  # ritonavir_804.csv
    ("A61K000900", "A61K 9/00", None),  # ritonavir_804.csv, main group padded to 4 digits
    ("A61K00317064", "A61K 31/7064", None),  # ritonavir_804.csv, 4 + 4 digits
    ("G01N 2320008", "G01N 23/20008", None),  # SGML-style field with a 5-digit subgroup
    ("B60T1/10", "B60T 1/10", None),  # energy_abstracts_cpc.jsonl, CPC-style compact form
    ("A61K 31/00", "A61K 31/00", None),
    ("Ａ６１Ｋ　３１／００", "A61K 31/00", None),  # full-width input from a Chinese IME
    ("A61K 31/080", "A61K 31/08", None),  # insignificant trailing zero
]


@pytest.mark.parametrize(("text", "expected", "version"), PARSE_CASES)
def test_parse_forms(text: str, expected: str, version: str | None) -> None:
    symbol = parse_ipc(text)
    assert str(symbol) == expected
    assert symbol.version == version
    assert parse_ipc(str(symbol)) == symbol


def test_parsed_fields_and_properties() -> None:
    symbol = parse_ipc("F16H 47/08")
    assert symbol == IpcSymbol("F", "16", "H", "47", "08")
    assert symbol.class_code == "F16"
    assert symbol.subclass_code == "F16H"
    assert symbol.group == "F16H 47/08"
    assert symbol.main_group_code == "F16H 47/00"
    assert symbol.scheme_key == "F16H0047080000"
    assert not symbol.is_subclass_only
    assert not symbol.is_main_group
    assert symbol.to_main_group() == parse_ipc("F16H 47/00")
    assert symbol.to_subclass() == parse_ipc("F16H")

    subclass = parse_ipc("A61K")
    assert subclass.is_subclass_only
    assert subclass.group is None
    assert subclass.main_group_code is None
    assert subclass.scheme_key == "A61K"
    assert str(subclass) == "A61K"
    with pytest.raises(IpcSyntaxError):
        subclass.to_main_group()

    assert parse_ipc("A61K 31/00").is_main_group


def test_version_is_displayed_but_not_compared() -> None:
    with_version = parse_ipc("H04L 29/06 (20060101)")
    without = parse_ipc("H04L 29/06")
    assert with_version == without
    assert hash(with_version) == hash(without)
    assert len({with_version, without}) == 1
    assert str(with_version) == "H04L 29/06"
    assert with_version.display() == "H04L 29/06 (2006.01)"
    assert with_version.display(with_version=False) == "H04L 29/06"
    assert without.display() == "H04L 29/06"


def test_scheme_key_round_trip() -> None:
    for text in ("A01B 1/02", "A01B 3/421", "C12Q 1/6895", "A61K 2300/00", "H04B 10/2507"):
        symbol = parse_ipc(text)
        assert parse_ipc(symbol.scheme_key) == symbol


INVALID = [
    "",
    "   ",
    "128 ()",  # US4666451: a US national class in the IPC field
    "D",  # US4666451: a section alone
    "D24 ()",  # US4666451: a class alone
    "A61",  # a class alone
    "A21D 13/0",  # patentscope_pizza_10000.csv: truncated subgroup
    "A21D 8/2",  # patentscope_pizza_10000.csv: ambiguous (8/02 or 8/20)
    "A21D 13/",  # patentscope_pizza_10000.csv: subgroup missing
    "6A 61K 31:495 J",  # ritonavir_804.csv: pre-2006 linked indexing code
    "A61K003170641",  # 9 digits after the subclass: no reading fits
    "A61K000",
    "A61K31",  # main group without subgroup
    "F04B 000/00 ()",  # us_patents_ipc.jsonl: main group 0
    "Z01B 1/00",  # no section Z
    "I01B",
    "A61K 31/0000000",  # subgroup too long
    "A61K 12345/00",  # main group too long
    "A61K 31-00",
    "A61K 31/00 (2006.13)",  # month 13
    "A61K 31/00 (1899.01)",
    "14-02",  # a Locarno code
    "hello",
]


@pytest.mark.parametrize("text", INVALID)
def test_invalid_inputs_raise_syntax_error(text: str) -> None:
    with pytest.raises(IpcSyntaxError) as info:
        parse_ipc(text)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, IpcError)
    if text.strip():
        assert repr(text) in str(info.value)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("A61", "is an IPC class"),
        ("D", "is an IPC section"),
        ("A21D 13/0", "write '13/00'"),
        ("A21D 8/2", "'8/02' or '8/20'"),
        ("A21D 13/", "subgroup is missing"),
        ("Z01B 1/00", "sections are A-H"),
        ("A61K31", "'A61K 31/00'"),
        ("F04B 000/00 ()", "cannot be 0"),
    ],
)
def test_error_messages_say_what_is_wrong(text: str, fragment: str) -> None:
    with pytest.raises(IpcSyntaxError, match=re.escape(fragment)):
        parse_ipc(text)


def test_non_text_is_rejected() -> None:
    with pytest.raises(IpcSyntaxError):
        parse_ipc(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "fields",
    [
        ("I", "01", "B", None, None),
        ("A", "1", "B", None, None),
        ("A", "01", "b", None, None),
        ("A", "01", "B", "1", None),
        ("A", "01", "B", "01", "02"),
        ("A", "01", "B", "1", "020"),
        ("A", "01", "B", "1", "2"),
    ],
)
def test_dataclass_rejects_non_canonical_fields(
    fields: tuple[str, str, str, str | None, str | None],
) -> None:
    with pytest.raises(IpcSyntaxError):
        IpcSymbol(*fields)


# -- real files ------------------------------------------------------------------------------


@needs_us_patents
def test_every_form_in_us_patents_parses(scheme: IpcScheme) -> None:
    """Every symbol in the 9,906 US grants parses, except the known non-IPC junk."""
    junk: Counter[str] = Counter()
    parsed = in_scheme = 0
    with US_PATENTS.open(encoding="utf-8") as fh:
        for line in fh:
            for text in json.loads(line)["ipc"]:
                try:
                    symbol = parse_ipc(text)
                except IpcSyntaxError:
                    junk[text] += 1
                    continue
                parsed += 1
                in_scheme += scheme.exists(symbol)
    assert set(junk) <= {
        "128 ()",
        "D",
        "D24 ()",
        "F04B 000/00 ()",
        "C08B 000/00 ()",
        "F01C 000/63 ()",
    }
    assert parsed > 38_000
    # Older grants carry groups deleted before 2020; most symbols still exist.
    assert in_scheme / parsed > 0.95


@needs_uspto_xml
def test_uspto_xml_ipc_fields_parse(scheme: IpcScheme) -> None:
    expected = {
        "sgml__US06336130.xml": ["G06F 15/16", "G06F 13/00"],
        "sgml__US06337117.xml": ["B32B 3/02"],
        "pap__US20010000044A1.xml": ["G06F 17/60"],
        "pap__US20010000943A1.xml": ["H01J 1/62"],
        "xml2004__US06859910.xml": ["G06F 15/00", "G06F 17/00", "G06F 17/21", "G06F 17/24"],
        "xmlApp2004__US20050004437A1.xml": ["A61B 5/00"],
    }
    pattern = re.compile(
        r"<(?:B51[12])><PDAT>([^<]+)</PDAT>|<ipc>([^<]+)</ipc>"
        r"|<(?:main|further)-classification>([A-H][^<]+)</"
    )
    for name, symbols in expected.items():
        text = (USPTO_XML / name).read_text(encoding="utf-8", errors="replace")
        found = [str(parse_ipc(next(g for g in m.groups() if g))) for m in pattern.finditer(text)]
        assert found == symbols, name
    assert not scheme.exists("G06F 17/60")  # deleted in 2006, no longer in the 2020 scheme
    assert scheme.exists("G06F 15/16")


@needs_uspto_xml
def test_uspto_ipcr_elements_build_valid_symbols(scheme: IpcScheme) -> None:
    """The 2006+ <classification-ipcr> element splits the symbol into parts."""
    text = (USPTO_XML / "xml2014__US08926509.xml").read_text(encoding="utf-8")
    symbols = []
    for block in re.findall(r"<classification-ipcr>(.*?)</classification-ipcr>", text, re.S):
        part = dict(re.findall(r"<(section|class|subclass|main-group|subgroup)>([^<]*)<", block))
        date = re.search(r"<ipc-version-indicator><date>(\d{8})</date>", block)
        raw = f"{part['section']}{part['class']}{part['subclass']}"
        if part.get("main-group"):
            raw += f" {part['main-group']}/{part['subgroup']}"
        if date:
            raw += f" ({date.group(1)})"
        symbols.append(parse_ipc(raw))
    assert [str(s) for s in symbols[:4]] == ["A61B 5/00", "A61B 5/0205", "A61B 5/0404", "A61B 5/11"]
    assert symbols[0].version == "2006.01"
    assert all(scheme.exists(s.subclass_code) for s in symbols)


# -- the scheme ------------------------------------------------------------------------------


def test_scheme_is_loaded_once() -> None:
    assert load_scheme() is load_scheme()


def test_scheme_counts(scheme: IpcScheme) -> None:
    assert len(scheme) == 75_287  # 75,830 lines, less 3 continuation lines and 540 headings
    assert scheme.sections() == list("ABCDEFGH")
    assert len(scheme.classes()) == 131
    assert len(scheme.subclasses()) == 645
    assert scheme.subclasses()[0] == "A01B"
    assert scheme.subclasses("A61") == [
        "A61B", "A61C", "A61D", "A61F", "A61G", "A61H", "A61J", "A61K", "A61L", "A61M",
        "A61N", "A61P", "A61Q",
    ]  # fmt: skip
    assert scheme.classes("H")[:2] == ["H01", "H02"]


def test_exists(scheme: IpcScheme) -> None:
    assert scheme.exists("A61K")
    assert scheme.exists("A61K 31/00")
    assert scheme.exists(parse_ipc("H04L 29/06 (2006.01)"))
    assert scheme.exists("A01B0001020000")
    assert scheme.exists("F16")
    assert scheme.exists("F")
    assert "G06N 3/08" in scheme
    assert not scheme.exists("A61K 31/99")
    assert not scheme.exists("G06F 17/60")  # deleted group
    assert not scheme.exists("G06V")  # introduced in IPC 2022.01
    assert not scheme.exists("H10B")  # introduced in IPC 2023.01
    assert not scheme.exists("A63F 2009/241")  # CPC indexing code, not IPC
    with pytest.raises(IpcSyntaxError):
        scheme.exists("not a symbol")


def test_titles(scheme: IpcScheme) -> None:
    assert scheme.title("A") == "HUMAN NECESSITIES"
    assert scheme.title("A01B 1/02") == "Spades; Shovels"
    assert scheme.title("A01B0001040000") == "with teeth"
    assert scheme.title("F16H") == "GEARING"
    assert scheme.title("G06N") == "COMPUTER SYSTEMS BASED ON SPECIFIC COMPUTATIONAL MODELS"
    assert scheme.title("G06F 17/60") is None
    with pytest.raises(ValueError, match="lang"):
        scheme.title("A61K", lang="fr")  # type: ignore[arg-type]


def test_chinese_titles_with_english_fallback(scheme: IpcScheme) -> None:
    assert scheme.title("A", lang="zh") == "人类生活必需"
    assert scheme.title("A01", lang="zh") == "农业；林业；畜牧业；狩猎；诱捕；捕鱼"
    assert scheme.title("A01B 1/02", lang="zh") == "锹；铲"
    assert scheme.title("A01B 3/421", lang="zh") == "带有单体式悬挂架的"  # edition mark removed
    assert (scheme.title("A61K", lang="zh") or "").startswith("医用、牙科用或梳妆用的配制品")
    assert scheme.has_zh_title("A61K 31/00")
    # a title whose reference list wraps onto the next line in the source is joined
    assert scheme.title("A47H 1/102", lang="zh") == "安装帘架用的（A47H 1/12，A47H 1/14优先）"
    # below class level sections B-H have no Chinese text: English is returned
    assert not scheme.has_zh_title("F16H")
    assert scheme.title("F16H", lang="zh") == "GEARING"


def test_every_section_and_class_has_a_chinese_title(scheme: IpcScheme) -> None:
    """ipc_classes_zh.tsv.gz (CNIPA's titles of the sections and classes) covers B-H."""
    above_subclass = scheme.sections() + scheme.classes()
    assert len(above_subclass) == 8 + 131
    assert [code for code in above_subclass if not scheme.has_zh_title(code)] == []
    assert scheme.title("B", lang="zh") == "作业；运输"
    assert scheme.title("B64", lang="zh") == "飞行器；航空；宇宙航行"
    assert scheme.title("H04", lang="zh") == "电通信技术"
    assert scheme.title("H", lang="zh") == "电学"
    # Section A keeps the titles of the CNIPA edition that matches the 2020 scheme (the newer
    # class list adds "模拟吸烟装置" to A24, which IPC 2020.01 does not have).
    assert scheme.title("A24", lang="zh") == "烟草；雪茄烟；纸烟；吸烟者用品"
    # H10 (IPC 2023) is in the class list but not in the 2020 scheme: no title at all.
    assert not scheme.exists("H10")
    assert not scheme.has_zh_title("H10")


def test_guide_headings_and_continuation_lines(scheme: IpcScheme) -> None:
    assert scheme.guide_heading("A01B 3/00") == "Ploughs"
    assert scheme.title("A01B 3/00") == "Ploughs with fixed plough-shares"
    assert scheme.guide_heading("A01B 3/02") is None
    # titles broken over several lines in the source come back whole
    assert "door-operating mechanisms E05F" in (scheme.title("B61D 19/00") or "")
    assert (scheme.title("C01B 4/00") or "").endswith("NH3 + D2 → NH2D + HD")


def test_hierarchy(scheme: IpcScheme) -> None:
    assert scheme.parent("A01B 1/04") == "A01B 1/00"
    assert scheme.parent("A01B 1/00") == "A01B"
    assert scheme.parent("A01B") == "A01"
    assert scheme.parent("A01") == "A"
    assert scheme.parent("A") is None
    assert scheme.children("A")[:3] == ["A01", "A21", "A22"]
    assert scheme.children("A01")[:2] == ["A01B", "A01C"]
    assert scheme.children("A01B")[:2] == ["A01B 1/00", "A01B 3/00"]
    assert scheme.children("A01B 1/00") == [
        "A01B 1/02", "A01B 1/04", "A01B 1/06", "A01B 1/08", "A01B 1/10", "A01B 1/12",
        "A01B 1/14", "A01B 1/16", "A01B 1/18", "A01B 1/20", "A01B 1/22", "A01B 1/24",
    ]  # fmt: skip
    assert scheme.children("A01B 1/02") == []
    for child in scheme.children("F16H"):
        assert scheme.parent(child) == "F16H"
    with pytest.raises(IpcUnknownSymbolError):
        scheme.parent("G06F 17/60")
    with pytest.raises(IpcUnknownSymbolError):
        scheme.children("A61K 31/99")


def test_validate_uses_the_scheme(scheme: IpcScheme) -> None:
    assert validate_ipc("A61K 31/4015") == parse_ipc("A61K 31/4015")
    assert scheme.validate("H04L 29/06 (2006.01)").version == "2006.01"
    with pytest.raises(IpcUnknownSymbolError, match=r"not in the IPC 2020\.01 scheme"):
        validate_ipc("G06F 17/60")
    with pytest.raises(IpcUnknownSymbolError, match="there is no subclass H10B"):
        validate_ipc("H10B 41/35")
    with pytest.raises(IpcSyntaxError):
        validate_ipc("A61K 31")
    with pytest.raises(ValueError):
        validate_ipc("G06V 10/82")


def test_from_files_small_scheme(tmp_path: Path) -> None:
    en = tmp_path / "scheme.tsv"
    en.write_text(
        "A\tHUMAN NECESSITIES\n"
        "A01\tAGRICULTURE\n"
        "A01B\tSOIL WORKING\n"
        "A01B0003000000\tPloughs\n"
        "A01B0003000000\tPloughs with fixed plough-shares (locks E05B0077000000\n"
        "      E05B0085000000)\n"
        "A01B0003020000\tMan-driven ploughs\n",
        encoding="utf-8",
    )
    zh = tmp_path / "zh.tsv"
    zh.write_text("A01B0003020000\t人力犁\n", encoding="utf-8")
    small = IpcScheme.from_files(en, zh)
    assert len(small) == 5
    assert small.title("A01B 3/00") == (
        "Ploughs with fixed plough-shares (locks E05B0077000000 E05B0085000000)"
    )
    assert small.guide_heading("A01B 3/00") == "Ploughs"
    assert small.title("A01B 3/02", lang="zh") == "人力犁"
    assert small.children("A01B 3/00") == ["A01B 3/02"]
    assert small.subclasses() == ["A01B"]
    # Several Chinese files: the first that has a symbol gives its title; a header line and
    # symbols the English scheme does not hold are skipped.
    classes = tmp_path / "classes.tsv"
    classes.write_text(
        "symbol\ttitle_zh\nA\t人类生活必需\nA01\t农业\nA01B0003020000\t别的\nH10\t半导体器件\n",
        encoding="utf-8",
    )
    both = IpcScheme.from_files(en, [zh, classes])
    assert both.title("A01B 3/02", lang="zh") == "人力犁"
    assert (both.title("A", lang="zh"), both.title("A01", lang="zh")) == ("人类生活必需", "农业")
    assert not both.has_zh_title("H10") and not both.has_zh_title("A01B")


# -- field lists -----------------------------------------------------------------------------

FIELDS = ["A61K", "C07D", "G06N 3/00", "H04L 29/06", "A61B 5/02"]


@pytest.mark.parametrize(
    ("symbol", "in_scope"),
    [
        ("A61K 31/557", True),  # US10898432: subclass A61K listed
        ("A61K", True),
        ("C07D 271/107", True),  # US10662164
        ("G06N 3/08", True),  # main group G06N 3/00 listed
        ("G06N 3/00", True),
        ("G06N 5/04", False),  # another main group of G06N
        ("G06N", False),  # only part of G06N is listed
        ("H04L 29/06", True),  # subgroup listed
        ("H04L 29/06 (2006.01)", True),
        ("H04L 29/0602", True),  # digit-prefix rule: 29/06 covers 29/0602
        ("H04L 29/08", False),
        ("A61B 5/0205", True),  # xml2014__US08926509.xml, under A61B 5/02 by number prefix
        ("A61B 5/00", False),
        ("A61B 5/0404", False),  # xml2014__US08926509.xml
        ("H03K 17/97", False),  # US10917092
    ],
)
def test_symbol_in_field_list(symbol: str, in_scope: bool) -> None:
    assert symbol_in_field_list(symbol, FIELDS) is in_scope
    assert symbol_in_field_list(parse_ipc(symbol), FIELDS) is in_scope


def test_field_list_object() -> None:
    fields = IpcFieldList(FIELDS)
    assert len(fields) == 5
    assert "A61K 9/107" in fields
    assert parse_ipc("G06N 3/04") in fields
    assert "G06F 16/632" not in fields
    assert 42 not in fields
    assert not symbol_in_field_list("A61K 31/00", [])
    with pytest.raises(IpcSyntaxError):
        IpcFieldList(["A61K", "not ipc"])


@needs_us_patents
def test_field_list_on_real_main_codes() -> None:
    """Main codes (first IPC) of the US grants against a biomedicine-style list."""
    fields = IpcFieldList(["A61B", "A61K", "A61P", "C07D", "C07K", "C12N", "C12Q"])
    hits = total = 0
    with US_PATENTS.open(encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            try:
                main = parse_ipc(record["ipc"][0])
            except (IpcSyntaxError, IndexError):
                continue
            total += 1
            covered = main in fields
            assert covered == (main.subclass_code in {e.subclass_code for e in fields.entries})
            hits += covered
    assert total > 9_000
    assert 0 < hits < total
