"""The benchmark harness runs end to end on a tiny corpus and prints every figure beside its
baseline. Nothing here is timed: the figures themselves come from ``make bench``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

TITLES = (
    "Machine",
    "IPC subclass suggestion, English",
    "IPC subclass suggestion, Chinese",
    "Phrase similarity",
    "Cross-lingual retrieval",
    "Indexing 200 resampled documents",
    "Query latency at 200 documents",
)


def test_a_tiny_run_prints_every_table(shared_data: Path, tmp_path: Path) -> None:
    report = tmp_path / "run.json"
    env = {
        **os.environ,
        "IPCENTER_SHARED_DATA": str(shared_data),
        "IPCENTER_BENCH_CACHE": str(tmp_path / "cache"),
        "PYTHONPATH": str(REPO),
    }
    arguments = ["--docs", "200", "--pool", "100", "--queries", "10", "--embed-docs", "10"]
    arguments += ["--quality-limit", "20", "--json", str(report)]
    done = subprocess.run(
        [sys.executable, "-m", "bench.run", *arguments],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]
    for title in TITLES:
        assert f"== {title}" in done.stdout, title

    run = json.loads(report.read_text())
    assert run["failures"] == []
    tables = {table["title"].split(":")[0].split(" (")[0]: table for table in run["tables"]}
    for lang in ("English", "Chinese"):
        rows = tables[f"IPC subclass suggestion, {lang}"]["rows"]
        kinds = [row[1] for row in rows]
        assert kinds[0] == "product" and "baseline" in kinds
        for row in rows:
            assert 0.0 <= row[2] <= row[3] <= 1.0  # P@1 never above R@5
    phrases = tables["Phrase similarity"]["rows"]
    assert [row[1] for row in phrases] == ["product", "baseline"]
    assert all(-1.0 <= row[2] <= 1.0 for row in phrases)
    crossing = tables["Cross-lingual retrieval"]
    assert crossing["rows"][-1][0] == "all" and crossing["rows"][-1][1] == 20
    assert all(0.0 <= value <= 1.0 for value in crossing["rows"][-1][2:])

    speed = run["speed"]["engines"]
    assert {"ipcenter", "bm25s", "fts5", "exact"} <= set(speed)
    assert speed["ipcenter"]["count"] == 200
    for engine, modes in (("ipcenter", ("bm25", "dense", "hybrid")), ("bm25s", ("bm25",))):
        for mode in modes:
            assert speed[engine][mode]["p95_ms"] >= speed[engine][mode]["p50_ms"] > 0
