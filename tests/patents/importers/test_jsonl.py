"""JSON Lines sets: counts, field mapping on real records, rejections, resume."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pytest

from ipcenter.patents.importers import ImportItem, open_source
from tests.patents.importers.support import SAMPLES, by_key, find, items

# (file, records, rejected): every line is one or the other.
COUNTS = [
    ("cn_patents_a01.jsonl", 9088, 0),
    ("energy_abstracts_cpc.jsonl", 13916, 1),  # FI128373B: abstract "null", no English
    ("gp_energy_patents_cpc.jsonl", 194, 0),
    ("green_aviation_ipc_zh_en.jsonl", 1358, 3),  # ID2020PID02266A, ID2020PID02277A, HRP...AA1
    ("patstat_c30b_b82y_ipc.jsonl", 1075, 0),
    ("us_grants_2007_01.jsonl", 3485, 1),  # line 1: ".Rapp.history", not a patent
    ("us_patents_ipc.jsonl", 9906, 0),
]


@pytest.mark.parametrize(("name", "records", "rejected"), COUNTS)
def test_counts(shared_data: Path, name: str, records: int, rejected: int) -> None:
    path = shared_data / name
    lines = sum(1 for line in path.open(encoding="utf-8") if line.strip())
    source = open_source(path)
    stream = source.iter_items()
    assert iter(stream) is stream  # a generator, not a list of the whole file
    counts: Counter[str] = Counter()
    for position, item in enumerate(stream):
        assert item.position == position
        assert (item.record is None) != (item.rejection is None)
        counts["records" if item.record else "rejected"] += 1
    assert (counts["records"], counts["rejected"]) == (records, rejected)
    assert records + rejected == lines == source.estimate_total()


def test_us_patents_ipc_mapping(shared_data: Path) -> None:
    path = shared_data / "us_patents_ipc.jsonl"
    first = items(path, limit=1)[0]
    record = first.record
    assert record is not None
    assert (record.key, record.office, record.kind) == ("US10917092", "US", "")
    assert record.title == "Magnetic field sensor with switching network"
    assert record.applicants == ["Allegro MicroSystems, LLC"]
    assert record.inventors == ["Hernan D. Romero"]  # "Romero; Hernan D. (Buenos Aires, AR)"
    assert record.ipc == ["H03K 17/97", "G01R 33/07", "G01D 5/14"]
    assert record.main_ipc == "H03K 17/97"
    assert record.language == "en"
    assert (record.source, record.source_id) == ("us_patents_ipc.jsonl", "US10917092")
    assert first.notes == ()
    # A name with a comma ("Navia, Sr.; Jose A.") stays one inventor.
    navia = find(path, lambda r: any("Navia" in name for name in r.inventors)).record
    assert navia is not None
    assert "Jose A. Navia, Sr." in navia.inventors


def test_us_patents_ipc_junk_is_noted_not_kept(shared_data: Path) -> None:
    path = shared_data / "us_patents_ipc.jsonl"
    dated = next(
        item
        for item in open_source(path).iter_items()
        if any(note.startswith("assignee 'May 24, 1977' is a date") for note in item.notes)
    )
    assert dated.record is not None
    assert dated.record.applicants == []
    assert dated.record.inventors == ["Michele Famiglietti", "Raul Betancourt Sucre"]
    remark = next(
        item
        for item in open_source(path).iter_items()
        if any(note.startswith("inventors '**Please see images") for note in item.notes)
    )
    assert remark.record is not None and remark.record.inventors == []
    # "128 ()", a US class in the IPC field, is dropped with a note; the record stays.
    us_class = next(
        item
        for item in open_source(path).iter_items()
        if any(note.startswith("IPC '128 ()' dropped") for note in item.notes)
    )
    assert us_class.record is not None and us_class.record.key == "US4666451"


def test_cn_patents_a01_mapping(shared_data: Path) -> None:
    path = shared_data / "cn_patents_a01.jsonl"
    first, second = (item.record for item in items(path, limit=2))
    assert first is not None and second is not None
    assert (first.key, first.application_number) == ("CNAPP85105156", "CN85105156")
    assert first.publication_number == ""
    assert first.title == "利用苕子根茬免耕种植法"
    assert first.ipc == ["A01B"]
    assert first.language == "zh"
    # The check digit is shown but is no part of the key.
    assert (second.key, second.application_number) == ("CNAPP00129265", "CN00129265.X")
    newer = by_key(path, "CNAPP200310102411")
    assert newer.application_number == "CN200310102411.3"


def test_energy_mapping(shared_data: Path) -> None:
    path = shared_data / "energy_abstracts_cpc.jsonl"
    us = items(path, limit=1)[0].record
    assert us is not None
    assert (us.key, us.kind, us.office) == ("US20210229646", "A1", "US")
    assert us.cpc == ["B60T 1/10"]  # "B60T1/10"
    assert us.ipc == []
    assert us.language == "en"
    assert us.translations == {}  # the English text is the original
    japanese = by_key(path, "JP2023525341")
    assert japanese.language == "ja"
    assert japanese.abstract.startswith("本発明は、列車の運転による補助的なエネルギー生成")
    assert japanese.translations["en"]["abstract"].startswith(
        "The present invention relates to the generation of auxiliary energy"
    )
    assert by_key(path, "KR20220008959").language == "ko"
    assert by_key(path, "DE102021102646").language == "de"
    assert by_key(path, "FR3106799").language == "fr"
    assert by_key(path, "RU208752").language == "ru"
    assert by_key(path, "CN113156910").language == "zh"
    assert by_key(path, "TW202208198").language == "zh"
    # Only the English survives: it is the record's own text.
    english_only = by_key(path, "US8630781")
    assert english_only.abstract.startswith("A regeneration energy shunt system")
    assert (english_only.language, english_only.translations) == ("en", {})
    assert by_key(path, "JPWO2020065846").kind == "A1"


def test_energy_rejection(shared_data: Path) -> None:
    path = shared_data / "energy_abstracts_cpc.jsonl"
    position = 5926  # line 5927: {"id": "FI128373B", ..., "abstract": "null", ...}
    item = items(path, start=position, limit=1)[0]
    assert item.position == position
    assert item.rejection is not None
    assert item.rejection.reason == "line 5927: the record has no title, abstract or claims"
    assert '"FI128373B"' in item.rejection.excerpt
    assert item.rejection.source == "energy_abstracts_cpc.jsonl"


def test_green_aviation_mapping(shared_data: Path) -> None:
    """Chinese and English of each family: the office's language is the record's own."""
    path = shared_data / "green_aviation_ipc_zh_en.jsonl"
    polish, chinese = (item.record for item in items(path, limit=2))
    assert polish is not None and chinese is not None
    assert (polish.key, polish.office, polish.kind) == ("PL2631174", "PL", "T3")
    assert polish.language == "en"
    assert polish.title == (
        "Rotary wing aircraft provided with a rear rotor, and method for optimising the "
        "operation of a rear rotor"
    )
    assert polish.abstract.startswith("The aircraft (1) has a control unit (30)")
    assert polish.translations["zh"]["title"] == "具有后旋翼的旋翼飞机,以及用于优化后旋翼操作的方法"
    assert polish.translations["zh"]["abstract"].startswith("飞行器(1)具有用于控制变桨装置(20)")
    assert polish.ipc == ["B64C 27/12", "B64C 27/82"]  # "B64C27/12", first = main
    assert polish.main_ipc == "B64C 27/12"
    assert polish.applicants == ["欧洲直升机公司"]
    assert polish.filing_date == polish.priority_date == dt.date(2013, 1, 21)
    assert (polish.source, polish.source_id) == ("green_aviation_ipc_zh_en.jsonl", "PL2631174T3")
    assert (chinese.key, chinese.kind, chinese.language) == ("CN103104575", "A", "zh")
    assert chinese.title == "电弧式放电等离子体涡流发生器"
    assert chinese.translations["en"]["title"] == (
        "Electric arc type discharging plasma vortex generator"
    )
    assert chinese.abstract.startswith("本发明设计了一种电弧式放电等离子体涡流发生器，")
    assert chinese.languages() == ["zh", "en"]
    # Applicants are separated by " | ".
    french = items(path, start=7, limit=1)[0].record
    assert french is not None and french.key == "FR3002360"
    assert french.applicants == ["空中客车集团简化股份公司", "空中客车运营简化股份公司"]
    # "-" stands for no IPC: the record has none, and nothing is noted.
    italian = items(path, start=87, limit=1)[0]
    assert italian.record is not None and italian.record.key == "IT202000109053"
    assert (italian.record.ipc, italian.notes) == ([], ())
    # Indian national-phase numbers name the branch with five letters.
    assert by_key(path, "IN1604DELNP2013").kind == "A"


def test_green_aviation_rejections(shared_data: Path) -> None:
    path = shared_data / "green_aviation_ipc_zh_en.jsonl"
    rejected = [item.rejection for item in items(path) if item.rejection]
    assert [(r.position, r.reason) for r in rejected] == [
        (947, "line 948: not a publication number: 'ID2020PID02266A'"),
        (949, "line 950: not a publication number: 'ID2020PID02277A'"),
        (1317, "line 1318: not a publication number: 'HRP20221010AA1'"),
    ]
    assert all(r.source == "green_aviation_ipc_zh_en.jsonl" for r in rejected)


def test_cpc_list_mapping(shared_data: Path) -> None:
    path = shared_data / "gp_energy_patents_cpc.jsonl"
    first = items(path, limit=1)[0]
    record = first.record
    assert record is not None
    assert (record.key, record.kind, record.office, record.language) == (
        "EP2123778", "B1", "EP", "en",
    )  # fmt: skip
    assert record.title == "Flue dust discharging method and system"
    # The whole list, in the source's order (not main-first), each symbol normalised.
    assert len(record.cpc) == 14
    assert record.cpc[:3] == ["C21B 7/00", "C21B 7/002", "C21B 7/22"]
    assert record.cpc[-1] == "Y02P 10/25"
    assert "C21B 2100/44" in record.cpc
    assert (record.ipc, record.translations, first.notes) == ([], {}, ())
    japanese = by_key(path, "JP2010031867")
    assert japanese.language == "ja"
    assert japanese.title == "複合サイクル発電プラント用排熱回収ボイラ"
    # The file's "lang" is wrong at times: the text decides, with a note.
    portuguese = find(path, lambda r: r.key == "WO2013033795")
    assert portuguese.record is not None and portuguese.record.language == "pt"
    assert portuguese.notes == ("lang 'de' does not match the text, which reads as 'pt'",)


def test_patstat_mapping(shared_data: Path) -> None:
    """Application numbers only: keys follow the CNAPP rule; escaped breaks and mangled
    characters are repaired, with notes."""
    path = shared_data / "patstat_c30b_b82y_ipc.jsonl"
    first, pct = items(path, limit=2)
    record = first.record
    assert record is not None
    assert (record.key, record.office) == ("EPAPP11830687", "EP")
    assert (record.application_number, record.publication_number) == ("EP11830687", "")
    assert record.title == ""
    assert "\\n" not in record.abstract
    assert "(Tb x R 1-x ) 2 O 3 (I) wherein x satisfies 0.4 ≤ x ≤ 1.0 and R" in record.abstract
    assert record.ipc == ["C30B 15/08", "C30B 29/22", "C30B 13/24"]
    assert (record.language, record.source_id) == ("en", "EP11830687")
    assert first.notes == (
        "abstract: escaped line breaks ('\\n') read as line breaks",
        "abstract: mis-decoded characters repaired ('€ƒ' -> '\\u2003', '‰¤' -> '≤')",
    )
    assert pct.record is not None
    assert (pct.record.key, pct.record.office) == ("WOAPPEP2012056739", "WO")
    # A CN number's check digit comes after a dot, and is no part of the key.
    chinese = items(path, start=91, limit=1)[0].record
    assert chinese is not None
    assert (chinese.key, chinese.application_number) == ("CNAPP201180011758", "CN201180011758.X")
    # French abstracts, marked "en" in the file, some read as Latin-9 once too often.
    french = items(path, start=511, limit=1)[0]
    assert french.record is not None and french.record.key == "FRAPP1759543"
    assert french.record.language == "fr"
    assert french.record.abstract.startswith(
        "Procédé de fabrication d'une hétérojonction comprenant au moins une couche épitaxiale"
    )
    assert "de l'oxygène moléculaire" in french.record.abstract
    assert "mis en œuvre par dépôt" in french.record.abstract
    assert "Ã" not in french.record.abstract
    assert french.notes == (
        "abstract: mis-decoded characters repaired "
        "('Ã©' -> 'é', 'Å“' -> 'œ', 'ÃŽ' -> 'ô', 'Ã' -> 'à')",
        "lang 'en' does not match the text, which reads as 'fr'",
    )
    # An English abstract from the French office stays English, without a note.
    english = items(path, start=68, limit=1)[0]
    assert english.record is not None and english.record.key == "FRAPP1250821"
    assert (english.record.language, english.notes) == ("en", ())


def test_new_sets_reject_bad_lines_alone(shared_data: Path, tmp_path: Path) -> None:
    green = (shared_data / "green_aviation_ipc_zh_en.jsonl").read_bytes().splitlines()
    patstat = (shared_data / "patstat_c30b_b82y_ipc.jsonl").read_bytes().splitlines()
    aviation = _write(
        tmp_path / "aviation.jsonl",
        [
            green[0],
            green[1][:300],  # cut short
            b'{"id": "CN103104575A", "title": "", "title_zh": "", "abstract": "", '
            b'"abstract_zh": "", "ipc": []}',
            b'{"id": "CN103104575A", "title": 5, "title_zh": "x", "abstract": "", '
            b'"abstract_zh": "", "ipc": []}',
            b'{"id": "CN103104575A", "title": "x", "title_zh": "", "abstract": "", '
            b'"abstract_zh": "", "ipc": "B64C27/12;B64", "filing_date": "2013-02-30"}',
            green[2],
        ],
    )
    found = list(open_source(aviation).iter_items())
    assert open_source(aviation).format == "jsonl-zh-en-ipc"
    assert [item.rejection.reason if item.rejection else None for item in found] == [
        None,
        "line 2: not JSON at column 273: Invalid control character",
        "line 3: the record has no title, abstract or claims",
        "line 4: field 'title' is not text but int",
        None,
        None,
    ]
    # Only the English survives for a CN family: it becomes the record's own text.
    survivor = found[4]
    assert survivor.record is not None
    assert (survivor.record.language, survivor.record.title) == ("en", "x")
    assert survivor.record.ipc == ["B64C 27/12"]
    assert survivor.notes == (
        "filing_date '2013-02-30' is not a date",
        "IPC 'B64' dropped: 'B64' is an IPC class; a subclass (class and a letter, e.g. "
        "'A61K') is needed",
    )
    applications = _write(
        tmp_path / "applications.jsonl",
        [
            patstat[0],
            b'{"id": "", "abstract": "x", "ipc": [], "patstat_appln_id": "1"}',
            b'{"id": "EP ABC", "abstract": "x", "ipc": [], "patstat_appln_id": "2"}',
            b'{"id": "EP11830687", "office": "FR", "abstract": "x", "ipc": [], '
            b'"patstat_appln_id": "3"}',
        ],
    )
    found = list(open_source(applications).iter_items())
    assert [item.rejection.reason if item.rejection else None for item in found] == [
        None,
        "line 2: the application number is empty",
        "line 3: not an application number: 'EP ABC'",
        None,
    ]
    assert found[3].notes == ("office 'FR' differs from the number's 'EP'",)


def test_us_grants_text(shared_data: Path) -> None:
    path = shared_data / "us_grants_2007_01.jsonl"
    junk, first = items(path, limit=2)
    assert junk.record is None and junk.rejection is not None
    assert junk.rejection.reason == (
        "line 1: file name '.Rapp.history' is not a patent text (patent<number>.txt)"
    )
    assert junk.rejection.position == 0
    assert first.record is not None
    assert first.record.key == "US7155746"
    assert first.record.title == (
        "Anti-wicking protective workwear and methods of making and using same"
    )
    assert first.record.abstract.startswith("The present invention relates to protective outerwear")
    assert first.record.source_id == "patent7155746.txt"


@pytest.mark.parametrize(
    "name",
    [
        "us_patents_ipc.jsonl",
        "energy_abstracts_cpc.jsonl",
        "us_grants_2007_01.jsonl",
        "green_aviation_ipc_zh_en.jsonl",
        "patstat_c30b_b82y_ipc.jsonl",
    ],
)
def test_resume_gives_the_same_items(shared_data: Path, name: str) -> None:
    path = shared_data / name
    head = items(path, limit=60)
    for start in (0, 1, 17, 59):
        assert items(path, start=start, limit=60 - start) == head[start:]


def test_cnipa_sample(shared_data: Path) -> None:
    path = SAMPLES / "cnipa_sample.jsonl"
    source = open_source(path)
    assert source.format == "cnipa-jsonl"
    found = list(source.iter_items())
    assert source.estimate_total() == len(found) == 7
    records = [item.record for item in found if item.record]
    assert [r.key for r in records] == [
        "CNAPP85105156", "CNAPP00129265", "CNAPP00104908", "CNAPP200310102411",
        "CNAPP200910098961", "CN113156910", "CN111572511",
    ]  # fmt: skip
    assert all(r.language == "zh" and r.office == "CN" for r in records)
    assert records[3].application_number == "CN200310102411.3"
    assert records[5].kind == "A" and records[5].cpc == ["B60T 1/10"]
    assert all(item.notes == () for item in found)
    # The sample is reshaped from real records: same keys, same text as the originals.
    original = by_key(shared_data / "cn_patents_a01.jsonl", "CNAPP00129265")
    assert (records[1].title, records[1].abstract) == (original.title, original.abstract)
    energy = by_key(shared_data / "energy_abstracts_cpc.jsonl", "CN113156910")
    assert records[5].abstract == energy.abstract


def _write(path: Path, lines: list[str | bytes]) -> Path:
    path.write_bytes(b"\n".join(x if isinstance(x, bytes) else x.encode() for x in lines) + b"\n")
    return path


def _one(data: dict[str, object], tmp_path: Path) -> ImportItem:
    path = _write(tmp_path / "one.jsonl", [json.dumps(data, ensure_ascii=False)])
    return next(open_source(path, "cnipa-jsonl").iter_items())


def test_cnipa_format_fields(tmp_path: Path, shared_data: Path) -> None:
    real = by_key(shared_data / "cn_patents_a01.jsonl", "CNAPP200910098961")
    item = _one(
        {
            "application_number": "200910098961.X",
            "application_date": "20090525",
            "title": real.title,
            "abstract": real.abstract,
            "claims": "1. 第一项\n2. 根据权利要求1所述的\n",
            "applicants": "甲；乙",
            "inventors": ["丙"],
            "ipc": "A01B 33/08;A01B0033000000;X99Z 1/00",
            "cpc": ["A01B33/08"],
            "title_en": "A locking mechanism",
            "priorities": [{"country": "CN", "number": "x", "date": "2009-01-02"}],
            "abstrct": "misspelt",
        },
        tmp_path,
    )
    record = item.record
    assert record is not None
    assert record.key == "CNAPP200910098961"
    assert record.application_number == "CN200910098961.X"
    assert record.filing_date == dt.date(2009, 5, 25)
    assert record.priority_date == dt.date(2009, 1, 2)
    assert record.claims == ["第一项", "根据权利要求1所述的"]
    assert (record.applicants, record.inventors) == (["甲", "乙"], ["丙"])
    assert record.ipc == ["A01B 33/08", "A01B 33/00"]
    assert record.cpc == ["A01B 33/08"]
    assert record.translations == {"en": {"title": "A locking mechanism"}}
    assert record.language == "zh"
    assert item.notes == (
        "unknown fields ignored: abstrct",
        "IPC 'X99Z 1/00' dropped: 'X99Z 1/00': IPC sections are A-H, not 'X'",
    )


def test_cnipa_reads_exported_records(tmp_path: Path, shared_data: Path) -> None:
    """What PatentRecord.to_dict() writes reads back as the same record."""
    record = items(shared_data / "uspto_xml" / "sgml__US06336130.xml")[0].record
    assert record is not None
    again = _one(record.to_dict(), tmp_path).record
    assert again == record


def test_broken_lines_are_rejected_alone(shared_data: Path, tmp_path: Path) -> None:
    real = (shared_data / "us_patents_ipc.jsonl").read_bytes().splitlines()[:6]
    path = _write(
        tmp_path / "broken.jsonl",
        [
            real[0],
            real[1][:100],  # cut short
            b"",  # blank lines are not items
            real[2][:50] + b"\xff" + real[2][50:],  # a byte that is not UTF-8
            b"[1, 2]",
            real[3],
            b'{"id": "US10917092", "title": "", "abstract": "", "ipc": []}',
            b'{"id": "not a number", "title": "x", "abstract": "", "ipc": []}',
            real[4],
        ],
    )
    source = open_source(path, "jsonl-us-ipc")
    found = list(source.iter_items())
    assert source.estimate_total() == len(found) == 8
    reasons = [item.rejection.reason if item.rejection else None for item in found]
    assert reasons == [
        None,
        "line 2: not JSON at column 101: Invalid control character",
        "line 4: not UTF-8 text (byte 51)",
        "line 5: not a JSON object but list",
        None,
        "line 7: the record has no title, abstract or claims",
        "line 8: not a publication number: 'not a number'",
        None,
    ]


def test_truncated_file(shared_data: Path, tmp_path: Path) -> None:
    data = (shared_data / "cn_patents_a01.jsonl").read_bytes()[:5000]
    path = tmp_path / "cut.jsonl"
    path.write_bytes(data)
    found = list(open_source(path).iter_items())
    assert all(item.record for item in found[:-1])
    last = found[-1].rejection
    assert last is not None
    assert last.reason.startswith(f"line {len(found)}: not JSON at column ")
