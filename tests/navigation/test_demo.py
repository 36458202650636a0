"""The demo corpus shipped for `make run`: real samples, imported once through the service."""

from __future__ import annotations

from typing import Any

from ipcenter.navigation.demo import DEMO_FILES, demo_paths, load_corpus_demo
from ipcenter.navigation.models import ImportJob, ImportOrigin, PatentDocument


def test_the_samples_are_small_and_credited() -> None:
    paths = demo_paths()
    assert [p.name for p in paths] == list(DEMO_FILES)
    assert sum(p.stat().st_size for p in paths) < 2 * 1024 * 1024
    notice = (paths[0].parent / "NOTICE.md").read_text(encoding="utf-8")
    for credit in ("USPTO", "CNIPA", "WIPO", "EPO", "Lens", "PatentsView"):
        assert credit in notice


def test_the_demo_corpus_is_imported_once(db: Any) -> None:
    job = load_corpus_demo()
    assert job.origin == ImportOrigin.DEMO and job.state == "succeeded", job.error
    assert job.read == 300 * 3 + 200 * 2
    assert job.rejected == 0
    by_label = {s["label"]: s for s in job.sources}
    assert set(by_label) == set(DEMO_FILES)
    assert PatentDocument.objects.count() == job.created
    assert PatentDocument.objects.filter(office="CN", language="zh").count() >= 300
    assert PatentDocument.objects.exclude(publication_date=None).count() >= 400
    again = load_corpus_demo()
    assert again.pk == job.pk and ImportJob.objects.count() == 1
