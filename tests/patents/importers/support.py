"""Helpers for the importer tests: real files of the shared data set, read as items."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ipcenter.patents.corpus import PatentRecord
from ipcenter.patents.importers import ImportItem, open_source

SAMPLES = Path(__file__).parent / "data"


def items(path: Path, start: int = 0, limit: int | None = None) -> list[ImportItem]:
    source = open_source(path)
    stream: Iterator[ImportItem] = source.iter_items(start)
    return list(itertools.islice(stream, limit) if limit is not None else stream)


def find(path: Path, test: Callable[[PatentRecord], bool]) -> ImportItem:
    """The first item of a file whose record passes ``test`` (fails the test if none)."""
    for item in open_source(path).iter_items():
        if item.record is not None and test(item.record):
            return item
    pytest.fail(f"no record found in {path.name}")


def by_key(path: Path, key: str) -> PatentRecord:
    record = find(path, lambda r: r.key == key).record
    assert record is not None
    return record
