"""A small corpus of real patent documents from ../shared/data, parsed directly (json/csv).

- us_patents_ipc.jsonl: English US grants with applicants, inventors and IPC symbols.
- cn_patents_a01.jsonl: Chinese applications (application numbers, IPC subclass A01x).
- energy_abstracts_cpc.jsonl: abstracts in their original language (zh, ko, de, ja, ...) with
  CPC groups and offices; JP/WO/EP ones carry an English translation (kept in
  ``translations``, and used as cross-lingual queries).
- raw/patentsview_neural_network.csv: English US grants with publication dates.

Deterministic: the first rows of each file that qualify.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path

from ipcenter.patents.corpus import PatentRecord
from ipcenter.search.analysis import detect_language

US_IPC = 150
CN = 120
PATENTSVIEW = 100
# Energy abstracts by office: those with an English translation (JP, WO, EP) first.
ENERGY = {"JP": 16, "WO": 14, "EP": 10, "CN": 40, "KR": 15, "DE": 15, "US": 20}


@dataclass(frozen=True)
class TranslationPair:
    """An English translation (a query) and the key of the original-language document."""

    english: str
    key: str
    language: str


def _inventors(text: str) -> list[str]:
    # "Romero; Hernan D. (Buenos Aires, AR), Yoldes; Eduardo (Plaza Huincul, AR)"
    names = []
    for part in re.split(r"\),\s*", text):
        name = part.split("(")[0].strip().rstrip(",")
        if ";" in name:
            last, first = (piece.strip() for piece in name.split(";", 1))
            name = f"{first} {last}".strip()
        if name:
            names.append(name)
    return names


def _compact_cpc(group: str) -> str:
    # "B60T1/10" -> "B60T 1/10"
    match = re.fullmatch(r"([A-HY]\d\d[A-Z])\s*(\d+/\d+)", group.strip())
    return f"{match.group(1)} {match.group(2)}" if match else group.strip()


def _lines(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def us_ipc_records(data: Path, limit: int = US_IPC) -> list[PatentRecord]:
    records = []
    for row in _lines(data / "us_patents_ipc.jsonl")[:limit]:
        records.append(
            PatentRecord(
                office="US",
                publication_number=row["id"],
                title=row["title"],
                abstract=row["abstract"],
                applicants=[row["assignee"]] if row.get("assignee") else [],
                inventors=_inventors(row.get("inventors") or ""),
                ipc=list(row["ipc"]),
                language="en",
                source="us_patents_ipc",
                source_id=row["id"],
            )
        )
    return records


def cn_records(data: Path, limit: int = CN) -> list[PatentRecord]:
    records = []
    for row in _lines(data / "cn_patents_a01.jsonl")[:limit]:
        records.append(
            PatentRecord(
                office="CN",
                application_number=row["id"],
                title=row["title"],
                abstract=row["abstract"],
                ipc=[row["ipc_subclass"]],
                language="zh",
                source="cn_patents_a01",
                source_id=row["id"],
            )
        )
    return records


def energy_rows(data: Path) -> list[dict]:
    """The energy rows of the corpus: per office, the first ones (translated ones first)."""
    wanted = dict(ENERGY)
    chosen = []
    for row in _lines(data / "energy_abstracts_cpc.jsonl"):
        office = row["office"]
        if wanted.get(office, 0) <= 0:
            continue
        translated = row["abstract_en"] and row["abstract_en"].strip() != row["abstract"].strip()
        if office in ("JP", "WO", "EP") and not translated:
            continue
        wanted[office] -= 1
        chosen.append(row)
    return chosen


def energy_record(row: dict) -> PatentRecord:
    translations = {}
    english = (row.get("abstract_en") or "").strip()
    if english and english != row["abstract"].strip():
        translations = {"en": {"abstract": english}}
    return PatentRecord(
        office=row["office"],
        publication_number=row["id"],
        abstract=row["abstract"],
        cpc=[_compact_cpc(row["cpc_group"])],
        language=detect_language(row["abstract"]),
        translations=translations,
        source="energy_abstracts_cpc",
        source_id=row["id"],
    )


def _clean(text: str) -> str:
    # The export doubles the quotes inside fields and wraps some in stray quotes.
    return " ".join(text.replace('""', '"').strip().strip('"').split())


def patentsview_records(data: Path, limit: int = PATENTSVIEW) -> list[PatentRecord]:
    records = []
    path = data / "raw" / "patentsview_neural_network.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            number = row["patent_number"].strip()
            if not number.isdigit() or not row["patent_abstract"].strip():
                continue
            date = dt.date.fromisoformat(row["patent_date"])
            records.append(
                PatentRecord(
                    office="US",
                    publication_number=number,
                    publication_date=date,
                    grant_date=date,
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


def build_corpus(data: Path) -> list[PatentRecord]:
    """The whole fixture corpus, one record per key (the first wins)."""
    records = (
        us_ipc_records(data)
        + cn_records(data)
        + [energy_record(row) for row in energy_rows(data)]
        + patentsview_records(data)
    )
    unique: dict[str, PatentRecord] = {}
    for record in records:
        unique.setdefault(record.key, record)
    return list(unique.values())


def translation_pairs(records: list[PatentRecord]) -> list[TranslationPair]:
    """English translation -> original document, for every non-English translated record."""
    return [
        TranslationPair(record.translations["en"]["abstract"], record.key, record.language)
        for record in records
        if "en" in record.translations and record.language != "en"
    ]
