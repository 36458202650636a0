"""The demo technical-field lists in src/ipcenter/centers/fields/*.json."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest

from ipcenter.patents.ipc import IpcFieldList, load_scheme, parse_ipc
from ipcenter.patents.locarno import is_locarno_class, parse_locarno

FIELDS_DIR = Path(__file__).resolve().parents[2] / "src" / "ipcenter" / "centers" / "fields"
CENTERS = ["shanghai", "pudong"]
KEYS = {"center", "effective_from", "note_en", "note_zh", "ipc", "locarno"}


def load(center: str) -> dict[str, Any]:
    with (FIELDS_DIR / f"{center}.json").open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


@pytest.mark.parametrize("center", CENTERS)
def test_shape(center: str) -> None:
    data = load(center)
    assert set(data) == KEYS
    assert data["center"] == center
    assert datetime.date.fromisoformat(data["effective_from"]) == datetime.date(2020, 1, 1)
    assert "demo" in data["note_en"].lower()
    assert "演示" in data["note_zh"]
    assert all(isinstance(code, str) for code in data["ipc"] + data["locarno"])


@pytest.mark.parametrize("center", CENTERS)
def test_entries_unique_sorted_and_canonical(center: str) -> None:
    data = load(center)
    assert len(set(data["ipc"])) == len(data["ipc"])
    assert len(set(data["locarno"])) == len(data["locarno"])
    assert data["ipc"] == sorted(data["ipc"])
    assert data["locarno"] == sorted(data["locarno"])
    for code in data["ipc"]:
        symbol = parse_ipc(code)
        assert symbol.is_subclass_only
        assert str(symbol) == code
    for code in data["locarno"]:
        assert str(parse_locarno(code)) == code


@pytest.mark.parametrize("center", CENTERS)
def test_every_ipc_subclass_exists_in_shipped_scheme(center: str) -> None:
    scheme = load_scheme()
    missing = [code for code in load(center)["ipc"] if not scheme.exists(code)]
    assert missing == []


@pytest.mark.parametrize("center", CENTERS)
def test_every_locarno_class_is_valid(center: str) -> None:
    codes = load(center)["locarno"]
    assert codes
    for code in codes:
        assert is_locarno_class(code)
        assert parse_locarno(code).is_class_only


def test_shanghai_counts() -> None:
    data = load("shanghai")
    assert len(data["ipc"]) == 115
    assert len(data["locarno"]) == 3
    assert data["locarno"] == ["12", "15", "24"]
    # both industries are represented
    for code in ("A61B", "A61K", "C07K", "C12N", "B25J", "B64C", "F16H", "G05B", "H02K"):
        assert code in data["ipc"]


def test_pudong_counts() -> None:
    data = load("pudong")
    assert 60 <= len(data["ipc"]) <= 90
    assert 1 <= len(data["locarno"]) <= 3
    for code in ("H01L", "G06N", "G06F", "G06T", "H04L", "A61K", "G11C", "G03F"):
        assert code in data["ipc"]
    # H10B (memory devices) and G06V (image recognition) post-date the 2020 scheme
    assert "H10B" not in data["ipc"]
    assert "G06V" not in data["ipc"]


def test_lists_work_with_the_matcher() -> None:
    shanghai = IpcFieldList(load("shanghai")["ipc"])
    pudong = IpcFieldList(load("pudong")["ipc"])
    assert "A61K 31/557" in shanghai  # US10898432
    assert "B64C 39/02" in shanghai
    assert "G06N 3/08" not in shanghai
    assert "G06N 3/08" in pudong
    assert "H01L 21/67" in pudong
    assert "A01B 1/02" not in pudong


def test_readme_says_lists_are_not_official() -> None:
    text = (FIELDS_DIR / "README.md").read_text(encoding="utf-8")
    assert "not the official" in text
    for center in CENTERS:
        assert f"{center}.json" in text
