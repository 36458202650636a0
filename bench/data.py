"""The benchmark data: the real sets in ../shared/data, the fixed split, the resampled corpora.

Everything here is deterministic: the same data folder and seed give the same documents, the
same split and the same queries on every machine (``random.Random`` seeded with a string is
stable across Python runs and processes).
"""

from __future__ import annotations

import csv
import json
import os
import random
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ipcenter.patents.corpus import PatentRecord
from ipcenter.search.analysis import detect_language, split_sentences
from ipcenter.search.embedding import document_text

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SEED = 20240401
SYNTHETIC_OFFICE = "ZZ"  # ISO 3166 user-assigned: never a real office, so never a real patent


class DataMissing(RuntimeError):
    """The shared data folder is not where the benchmarks look for it."""


def shared_data_dir() -> Path:
    """``$IPCENTER_SHARED_DATA``, else ``../shared/data`` beside the clone (as the tests do)."""
    path = Path(os.environ.get("IPCENTER_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))
    if not (path / "us_patents_ipc.jsonl").is_file():
        raise DataMissing(
            f"the shared patent data is missing at {path}: put it at ../shared/data beside the "
            "clone or point IPCENTER_SHARED_DATA at it"
        )
    return path


def cache_dir() -> Path:
    """Where vectors, corpora and run reports are kept between runs (git-ignored)."""
    path = Path(os.environ.get("IPCENTER_BENCH_CACHE", REPO_ROOT / ".cache" / "bench"))
    path.mkdir(parents=True, exist_ok=True)
    return path


# --- sentences ---------------------------------------------------------------------------------


def join_sentences(sentences: Sequence[str]) -> str:
    """One sentence a line, so that the product's splitter finds exactly these sentences again
    (it always cuts at a line break; a lower-case word after a full stop would not be cut)."""
    return "\n".join(sentences)


# --- the real documents ------------------------------------------------------------------------


@dataclass(frozen=True)
class RealDoc:
    """One real document of the shared data: its title and the sentences of its text as the
    product's splitter cuts them (a title-only record: the sentences of its title)."""

    source: str
    id: str
    lang: str
    title: str
    sentences: tuple[str, ...]
    ipc: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return "\n".join(part for part in (self.title, join_sentences(self.sentences)) if part)


_NO_TEXT = {"None", "NULL", "NA", "N/A"}


def _real_doc(source: str, id_: str, title: str, body: str, ipc: Sequence[str] = ()) -> RealDoc:
    title = " ".join(title.split())
    body = body.strip().strip('"').strip()
    if body in _NO_TEXT:
        body = ""
    lang = detect_language(f"{title} {body}") or "en"
    sentences = split_sentences(body or title)
    return RealDoc(source, id_, lang, title, tuple(sentences), tuple(ipc))


def _jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def _csv(path: Path, encoding: str = "utf-8-sig") -> Iterator[dict[str, str]]:
    csv.field_size_limit(1 << 30)
    with path.open(newline="", encoding=encoding) as handle:
        yield from csv.DictReader(handle)


def _us_grant_2007(record: dict) -> tuple[str, str] | None:
    """(title, abstract) of a ``patentNNN.txt`` record; other files in the set are not patents."""
    if not record.get("file", "").startswith("patent"):
        return None
    match = re.match(r"\s*title:(.*?)\n\s*abstract:(.*)", record.get("text", ""), re.S)
    if match is None:
        return None
    return match.group(1).strip(), match.group(2).strip()


@lru_cache(maxsize=4)
def load_real_docs(data_dir: Path) -> tuple[RealDoc, ...]:
    """Every real document of the shared data with text, in a fixed order (set, then file)."""
    docs: list[RealDoc] = []
    for r in _jsonl(data_dir / "us_patents_ipc.jsonl"):
        docs.append(_real_doc("us_patents_ipc", r["id"], r["title"], r["abstract"], r["ipc"]))
    for r in _jsonl(data_dir / "cn_patents_a01.jsonl"):
        ipc = [r["ipc_subclass"]]
        docs.append(_real_doc("cn_patents_a01", r["id"], r["title"], r["abstract"], ipc))
    for r in _jsonl(data_dir / "energy_abstracts_cpc.jsonl"):
        body = r.get("abstract") or r.get("abstract_en") or ""
        if body:
            docs.append(_real_doc("energy_abstracts_cpc", r["id"], "", body))
    for r in _jsonl(data_dir / "us_grants_2007_01.jsonl"):
        parsed = _us_grant_2007(r)
        if parsed and parsed[1]:
            docs.append(_real_doc("us_grants_2007_01", r["file"], *parsed))
    raw = data_dir / "raw"
    for name in ("patentsview_neural_network", "patentsview_baseball"):
        for r in _csv(raw / f"{name}.csv"):
            if r.get("patent_abstract") or r.get("patent_title"):
                docs.append(
                    _real_doc(name, r["patent_number"], r["patent_title"], r["patent_abstract"])
                )
    titled = (
        ("lens_drones_5884", "Publication Number", "Title", "utf-8-sig"),
        ("patentscope_pizza_10000", "Publication Number", "Title", "latin-1"),
        ("ritonavir_804", "publication number", "title", "utf-8-sig"),
    )
    for name, number, title, encoding in titled:
        for r in _csv(raw / f"{name}.csv", encoding):
            if r.get(title, "").strip():
                docs.append(_real_doc(name, r[number], r[title], ""))
    return tuple(docs)


# --- the cross-lingual set ---------------------------------------------------------------------


@dataclass(frozen=True)
class CrossLingualPair:
    id: str
    lang: str  # the original language
    original: str
    english: str


def load_energy(data_dir: Path) -> tuple[list[tuple[str, str, str]], list[CrossLingualPair]]:
    """The energy set: (id, language, original abstract) for every record with an original
    abstract (the index), and the cross-lingual pairs: records whose original language is not
    English and whose English translation differs from the original (the queries)."""
    documents: list[tuple[str, str, str]] = []
    pairs: list[CrossLingualPair] = []
    for r in _jsonl(data_dir / "energy_abstracts_cpc.jsonl"):
        original, english = r.get("abstract") or "", r.get("abstract_en") or ""
        if not original:
            continue
        lang = detect_language(original) or "en"
        documents.append((r["id"], lang, original))
        if english and english.strip() != original.strip() and lang != "en":
            pairs.append(CrossLingualPair(r["id"], lang, original, english))
    return documents, pairs


# --- the resampled corpora ---------------------------------------------------------------------


@dataclass(frozen=True)
class SyntheticDoc:
    key: str  # publication number, office ZZ
    lang: str
    title: str
    abstract: str
    source: str
    source_id: str
    ipc: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return "\n".join(part for part in (self.title, self.abstract) if part)

    def record(self) -> PatentRecord:
        return PatentRecord(
            office=SYNTHETIC_OFFICE,
            publication_number=self.key,
            title=self.title,
            abstract=self.abstract,
            ipc=list(self.ipc),
            language=self.lang,
            source="bench-synthetic",
            source_id=f"{self.source}:{self.source_id}",
        )


def corpus_pool(data_dir: Path, pool_size: int | None, seed: int = DEFAULT_SEED) -> list[RealDoc]:
    """The real documents a corpus is resampled from: all of them, or the first ``pool_size``
    of a seeded shuffle."""
    docs = list(load_real_docs(data_dir))
    if pool_size is None or pool_size >= len(docs):
        return docs
    order = list(range(len(docs)))
    random.Random(f"pool:{seed}").shuffle(order)  # a smaller pool is part of a larger one
    return [docs[i] for i in sorted(order[:pool_size])]


def synthetic_corpus(
    pool: Sequence[RealDoc], size: int, seed: int = DEFAULT_SEED, start: int = 0
) -> Iterator[SyntheticDoc]:
    """Documents ``start`` to ``size - 1`` of the resampled corpus.

    Document ``i`` draws from ``random.Random(f"doc:{seed}:{i}")``: a real document of the
    pool chosen uniformly, its sentences shuffled, then one sentence of another real document of
    the same language (chosen uniformly) appended, one sentence a line; it keeps the source's
    title, language and IPC, and gets the key ``ZZ<i+1>`` (office ZZ: no real office). Any
    slice can be made alone, in any order.
    """
    by_lang: dict[str, list[int]] = {}
    for index, doc in enumerate(pool):
        by_lang.setdefault(doc.lang, []).append(index)
    for i in range(start, size):
        rng = random.Random(f"doc:{seed}:{i}")
        source_index = rng.randrange(len(pool))
        source = pool[source_index]
        sentences = list(source.sentences)
        rng.shuffle(sentences)
        same = by_lang[source.lang]
        donor_index = same[rng.randrange(len(same))]
        if donor_index == source_index and len(same) > 1:
            donor_index = same[(same.index(donor_index) + 1) % len(same)]
        donor = pool[donor_index]
        sentences.append(donor.sentences[rng.randrange(len(donor.sentences))])
        yield SyntheticDoc(
            key=f"{SYNTHETIC_OFFICE}{i + 1}",
            lang=source.lang,
            title=source.title,
            abstract=join_sentences(sentences),
            source=source.source,
            source_id=source.id,
            ipc=source.ipc,
        )


def corpus_pieces(docs: Iterable[SyntheticDoc]) -> list[str]:
    """Every distinct sentence of the text the product embeds for each document (its
    ``document_text``, as the product's splitter cuts it): what the composed vectors are made
    of."""
    seen: dict[str, None] = {}
    for doc in docs:
        for piece in split_sentences(document_text(doc.record())):
            seen.setdefault(piece, None)
    return list(seen)


@dataclass(frozen=True)
class Query:
    text: str
    lang: str
    source_id: str


def speed_queries(data_dir: Path, count: int = 200, seed: int = DEFAULT_SEED) -> list[Query]:
    """Half English titles (us_patents_ipc), half Chinese (cn_patents_a01), from the test split
    (ipcenter.search.classify.split_of), chosen with the seed: the same queries for every
    engine."""
    from ipcenter.search.classify import load_labelled

    test = load_labelled(data_dir, split="test")
    out: list[Query] = []
    for lang in ("en", "zh"):
        titles = [(x.id, x.title) for x in test if x.language == lang and x.title]
        wanted = count // 2 if lang == "en" else count - count // 2
        for id_, title in random.Random(f"queries:{seed}:{lang}").sample(titles, wanted):
            out.append(Query(title, lang, id_))
    return out
