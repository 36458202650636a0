"""What the prior-art tests of pre-examination stand on: a small real corpus in an embedded index
(150 US grants on neural networks, with their dates, and 40 labelled US grants of G06N and A61B,
with their IPC codes), and cases whose claims are real texts.

`corpus_index` builds the index once per test session; `corpus` points this process's engine at
a fresh copy of it for one test. `neural_case()` submits, through the real intake, an application
whose two independent claims are the abstracts of two of those grants (A61B 5/00 as the
applicant's main code, so that the classifier's suggestion differs from it).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ipcenter.patents.corpus import PatentRecord
from ipcenter.preexam.models import Case
from tests.conftest import SHARED_DATA, Cast
from tests.preexam.factories import docx_bytes, submitted_case
from tests.search.priorart_records import labelled_records, patentsview_records


@dataclass
class Corpus:
    records: list[PatentRecord]
    first: PatentRecord  # claim 1 of neural_case() is its abstract
    second: PatentRecord  # claim 3 likewise

    def key(self, key: str) -> PatentRecord:
        return next(r for r in self.records if r.key == key)


def _pick(records: list[PatentRecord], year: int) -> PatentRecord:
    return next(
        r
        for r in records
        if r.publication_date
        and r.publication_date.year == year
        and 400 < len(r.abstract) < 1500
        and r.abstract.endswith(".")
    )


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Corpus]:
    from ipcenter.search.backends import open_backend

    if not SHARED_DATA.is_dir():
        pytest.fail(f"the shared patent data is missing at {SHARED_DATA}")
    dated = patentsview_records(SHARED_DATA, limit=150)
    records = dated + labelled_records(SHARED_DATA, subclasses=("G06N", "A61B"), limit=40)
    path = tmp_path_factory.mktemp("preexam-corpus") / "index"
    path.mkdir()
    backend = open_backend("embedded", str(path))
    backend.upsert(records)
    backend.commit()
    backend.close()
    return path, Corpus(records, _pick(dated, 1996), _pick(dated, 1998))


@pytest.fixture(scope="session")
def classifier() -> Any:
    """The IPC classifier shipped in the package (its model file is versioned with the code)."""
    from ipcenter.search.classify import IpcClassifier

    return IpcClassifier.load()


@pytest.fixture
def corpus(corpus_index: tuple[Path, Corpus], settings: Any, tmp_path: Path) -> Iterator[Corpus]:
    """This test's engine searches a copy of the small real corpus."""
    from ipcenter.navigation.engine import reset_backend

    built, data = corpus_index
    copy = tmp_path / "priorart-search"
    shutil.copytree(built, copy)
    settings.IPCENTER_SEARCH_BACKEND = "embedded"
    settings.IPCENTER_SEARCH_DIR = copy
    reset_backend()
    yield data
    reset_backend()


def neural_docx(corpus: Corpus) -> bytes:
    return docx_bytes(
        title=corpus.first.title,
        abstract=corpus.first.abstract,
        claims=[
            corpus.first.abstract,
            "The network of claim 1, wherein the network has three layers.",
            corpus.second.abstract,
        ],
    )


def neural_case(cast: Cast, corpus: Corpus, **changes: Any) -> Case:
    """A case of enterprise A at Shanghai (Bob examines it) claiming two real abstracts."""
    return submitted_case(
        cast,
        data=neural_docx(corpus),
        **({"title": corpus.first.title, "main_code": "A61B 5/00"} | changes),
    )
