"""Small real corpora for the navigation tests, cut from the shared data set.

- `corpus`: the first lines of three labelled sets in the test's folder: 20 US grants (English),
  20 Chinese agricultural applications, 15 multilingual energy publications. `imported` imports
  files as the command line does and indexes after each batch's commit; `stored` only writes
  the table (the rows wait for the index, as when it was down).
- `searchable`: a larger corpus for the search pages (adding 60 PatentsView grants with dates),
  its index built once per session (embedding is the slow part) and copied for each test, its
  table imported through the real service.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from ipcenter.navigation import engine, services
from ipcenter.navigation.models import ImportJob, PatentDocument
from tests.conftest import SHARED_DATA

US, CN, ENERGY = "us_patents_ipc.jsonl", "cn_patents_a01.jsonl", "energy_abstracts_cpc.jsonl"
PATENTSVIEW = "patentsview_neural_network.csv"
SIZES = {US: 20, CN: 20, ENERGY: 15}
SEARCH_SIZES = {US: 60, CN: 60, ENERGY: 40, PATENTSVIEW: 60}


def head_lines(source: Path, target: Path, count: int, skip: int = 0) -> Path:
    with source.open(encoding="utf-8") as lines:
        chosen = [line for i, line in enumerate(lines) if skip <= i < skip + count]
    target.write_text("".join(chosen), encoding="utf-8")
    return target


def head_rows(source: Path, target: Path, count: int) -> Path:
    """The header and the first `count` rows of a CSV file (rows may span lines)."""
    with source.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        rows = [row for _, row in zip(range(count + 1), reader, strict=False)]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    target.write_text(out.getvalue(), encoding="utf-8")
    return target


def _cut(folder: Path, sizes: dict[str, int]) -> list[Path]:
    paths = []
    for name, count in sizes.items():
        source = SHARED_DATA / ("raw" if name.endswith(".csv") else "") / name
        cut = head_rows if name.endswith(".csv") else head_lines
        paths.append(cut(source, folder / name, count))
    return paths


@dataclass
class Corpus:
    folder: Path

    @property
    def us(self) -> Path:
        return self.folder / US

    @property
    def cn(self) -> Path:
        return self.folder / CN

    @property
    def energy(self) -> Path:
        return self.folder / ENERGY

    @property
    def files(self) -> list[Path]:
        return [self.us, self.cn, self.energy]


@pytest.fixture
def corpus(shared_data: Path, tmp_path: Path) -> Corpus:
    folder = tmp_path / "corpus"
    folder.mkdir()
    _cut(folder, SIZES)
    return Corpus(folder)


Importer = Callable[..., ImportJob]


@pytest.fixture
def imported(db: Any, django_capture_on_commit_callbacks: Any) -> Importer:
    """Import files as the command line does, indexing after each batch's commit."""

    def run(*paths: Path) -> ImportJob:
        with django_capture_on_commit_callbacks(execute=True):
            job = services.corpus_import_create(actor=None, paths=list(paths), enqueue=False)
            return services.corpus_import_run(job_id=job.pk)

    return run


@pytest.fixture
def stored(db: Any) -> Importer:
    """Import files into the table only (the commit callbacks that index do not run)."""

    def run(*paths: Path) -> ImportJob:
        job = services.corpus_import_create(actor=None, paths=list(paths), enqueue=False)
        return services.corpus_import_run(job_id=job.pk)

    return run


@pytest.fixture(scope="session")
def search_corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], Path]:
    """The search corpus's files and their index, built once (straight from the importers)."""
    from ipcenter.patents.importers import open_source
    from ipcenter.search.backends import open_backend

    if not SHARED_DATA.is_dir():
        pytest.fail(f"the shared patent data is missing at {SHARED_DATA}")
    folder = tmp_path_factory.mktemp("navigation-search")
    (folder / "files").mkdir()
    paths = _cut(folder / "files", SEARCH_SIZES)
    records = [
        item.record for path in paths for item in open_source(path).iter_items() if item.record
    ]
    backend = open_backend("embedded", str(folder / "index"))
    backend.upsert(records)
    backend.commit()
    backend.close()
    return paths, folder / "index"


@pytest.fixture
def searchable(
    search_corpus: tuple[list[Path], Path], stored: Importer, settings: Any, tmp_path: Path
) -> list[Path]:
    """The search corpus in this test's table and (a copy of) its index."""
    paths, index = search_corpus
    job = stored(*paths)
    assert job.state == "succeeded" and job.rejected == 0, job.error
    PatentDocument.objects.update(indexed_at=timezone.now())
    copy = tmp_path / "search-index"
    shutil.copytree(index, copy)
    settings.IPCENTER_SEARCH_DIR = copy
    engine.reset_backend()
    assert engine.get_backend().count() == PatentDocument.objects.count()
    return paths
