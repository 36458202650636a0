"""Real US grants as PatentRecords, for the prior-art tests of the plain core and of
pre-examination: with dates (PatentsView, ../shared/data/raw/patentsview_neural_network.csv) and
with IPC codes (../shared/data/us_patents_ipc.jsonl)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

from ipcenter.patents.corpus import PatentRecord
from ipcenter.patents.ipc import parse_ipc

NEURAL_NETWORK = "raw/patentsview_neural_network.csv"


def _clean(text: str) -> str:
    # Some fields went through a second round of CSV quoting: wrapped in quotes, inner ones doubled.
    text = text.strip()
    if len(text) > 1 and text[0] == text[-1] == '"':
        text = text[1:-1].replace('""', '"')
    return " ".join(text.split())


def patentsview_records(shared_data: Path, *, limit: int = 300) -> list[PatentRecord]:
    """The first `limit` usable rows of the neural-network set, as the corpus would hold them."""
    records = []
    with (shared_data / NEURAL_NETWORK).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            number = row["patent_number"].strip()
            if not number.isdigit() or not row["patent_abstract"].strip():
                continue
            records.append(
                PatentRecord(
                    office="US",
                    publication_number=number,
                    publication_date=dt.date.fromisoformat(row["patent_date"]),
                    grant_date=dt.date.fromisoformat(row["patent_date"]),
                    title=_clean(row["patent_title"]),
                    abstract=_clean(row["patent_abstract"]),
                    language="en",
                    source="patentsview_neural_network",
                    source_id=number,
                )
            )
            if len(records) == limit:
                break
    return records


US_IPC = "us_patents_ipc.jsonl"


def labelled_records(
    shared_data: Path, *, subclasses: tuple[str, ...], limit: int = 40
) -> list[PatentRecord]:
    """US grants of the labelled set whose main IPC is in `subclasses` (no dates: they are never
    prior art here, but they are the corpus's labelled documents the classifier cites)."""
    records = []
    with (shared_data / US_IPC).open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if not row["ipc"] or row["ipc"][0][:4] not in subclasses:
                continue
            records.append(
                PatentRecord(
                    office="US",
                    publication_number=row["id"],
                    title=row["title"],
                    abstract=row["abstract"],
                    applicants=[row["assignee"]] if row.get("assignee") else [],
                    ipc=[str(parse_ipc(s)) for s in row["ipc"]],
                    language="en",
                    source="us_patents_ipc",
                    source_id=row["id"],
                )
            )
            if len(records) == limit:
                break
    return records
