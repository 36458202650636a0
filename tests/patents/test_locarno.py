"""Locarno classes and subclass codes."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from ipcenter.patents.locarno import (
    LOCARNO_CLASSES,
    LocarnoCode,
    LocarnoError,
    LocarnoSyntaxError,
    is_locarno_class,
    locarno_in_field_list,
    locarno_title,
    parse_locarno,
)

SHARED = Path(
    os.environ.get(
        "IPCENTER_SHARED_DATA", Path(__file__).resolve().parents[2].parent / "shared" / "data"
    )
)
DESIGN_SGML = SHARED / "uspto_xml" / "sgml__USD435854S1.xml"


def test_thirty_two_classes_with_titles() -> None:
    assert list(LOCARNO_CLASSES) == [f"{n:02d}" for n in range(1, 33)]
    for number, info in LOCARNO_CLASSES.items():
        assert info.number == number
        assert info.title_en and info.title_en[0].isupper()
        assert info.title_zh and not info.title_zh.isascii()
    assert LOCARNO_CLASSES["01"].title_en == "Foodstuffs"
    assert LOCARNO_CLASSES["01"].title_zh == "食品"
    assert LOCARNO_CLASSES["24"].title_en == "Medical and laboratory equipment"
    assert LOCARNO_CLASSES["32"].title_en == (
        "Graphic symbols and logos, surface patterns, ornamentation"
    )


@pytest.mark.parametrize(
    ("text", "expected", "edition"),
    [
        ("14-02", "14-02", None),
        ("14 - 02", "14-02", None),
        ("14.02", "14-02", None),
        ("1402", "14-02", None),  # USPTO SGML <B511> of design patent USD435854S1
        ("LOC (13) Cl. 14-02", "14-02", 13),
        ("loc(12)cl.24-01", "24-01", 12),
        ("Cl. 32-00", "32-00", None),
        ("24-99", "24-99", None),
        ("14", "14", None),
        ("4", "04", None),
        ("  10  ", "10", None),
        ("１４－０２", "14-02", None),  # full-width
    ],
)
def test_parse_forms(text: str, expected: str, edition: int | None) -> None:
    code = parse_locarno(text)
    assert str(code) == expected
    assert code.edition == edition
    assert parse_locarno(str(code)) == code


def test_code_properties() -> None:
    code = parse_locarno("LOC (13) Cl. 14-02")
    assert code == LocarnoCode("14", "02")  # edition is not compared
    assert code.class_ == "14"
    assert code.subclass == "02"
    assert not code.is_class_only
    assert code.class_code == LocarnoCode("14")
    assert code.class_code.is_class_only
    assert code.display() == "LOC (13) Cl. 14-02"
    assert code.display(with_edition=False) == "14-02"
    assert code.title() == "Recording, telecommunication or data processing equipment"
    assert code.title("zh") == "记录、电信或数据处理设备"
    assert code.class_info.number == "14"


@pytest.mark.parametrize(
    "text",
    ["", "0", "00", "33", "99", "14-2", "14-002", "14-02-01", "D14", "14A", "LOC", "A61K", "1-4"],
)
def test_invalid_codes(text: str) -> None:
    with pytest.raises(LocarnoSyntaxError) as info:
        parse_locarno(text)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, LocarnoError)


def test_error_messages() -> None:
    with pytest.raises(LocarnoSyntaxError, match="01 to 32, not 33"):
        parse_locarno("33-01")
    with pytest.raises(LocarnoSyntaxError, match="two digits"):
        parse_locarno("14-2")
    with pytest.raises(LocarnoSyntaxError, match="must be text"):
        parse_locarno(14)  # type: ignore[arg-type]


def test_dataclass_validation() -> None:
    with pytest.raises(LocarnoSyntaxError):
        LocarnoCode("33")
    with pytest.raises(LocarnoSyntaxError):
        LocarnoCode("4")
    with pytest.raises(LocarnoSyntaxError):
        LocarnoCode("14", "2")
    with pytest.raises(LocarnoSyntaxError):
        LocarnoCode("14", "02", edition=0)


def test_is_locarno_class_and_titles() -> None:
    assert is_locarno_class("01")
    assert is_locarno_class("32")
    assert not is_locarno_class("1")
    assert not is_locarno_class("33")
    assert locarno_title("12") == "Means of transport or hoisting"
    assert locarno_title("12-16", "zh") == "运输或提升工具"
    assert locarno_title(LocarnoCode("24"), "zh") == "医疗设备和实验室设备"
    with pytest.raises(ValueError, match="lang"):
        locarno_title("24", "fr")  # type: ignore[arg-type]


def test_field_list() -> None:
    fields = ["12", "15", "24-01"]
    assert locarno_in_field_list("12-16", fields)
    assert locarno_in_field_list("12", fields)
    assert locarno_in_field_list(LocarnoCode("15", "09"), fields)
    assert locarno_in_field_list("24-01", fields)
    assert not locarno_in_field_list("24-02", fields)
    assert not locarno_in_field_list("24", fields)  # only one subclass of 24 is listed
    assert not locarno_in_field_list("14-02", fields)
    assert not locarno_in_field_list("14-02", [])
    with pytest.raises(LocarnoSyntaxError):
        locarno_in_field_list("14-02", ["14", "40"])


@pytest.mark.usefixtures("shared_data")
def test_design_patent_sgml_classification() -> None:
    """USPTO SGML design patents put the Locarno subclass in <B511>, packed as "1402"."""
    text = DESIGN_SGML.read_text(encoding="utf-8", errors="replace")
    match = re.search(r"<B511><PDAT>([^<]+)</PDAT>", text)
    assert match is not None
    code = parse_locarno(match.group(1))
    assert code == LocarnoCode("14", "02")
    assert code.title() == "Recording, telecommunication or data processing equipment"
