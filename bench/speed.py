"""Indexing rate, query latency and memory at 100k and 1M resampled documents.

The parent process prepares everything the engines share (the corpus's sentence vectors, its
composed document vectors, its analysed text, the queries), then runs each engine in a child
process of its own, so that each one's memory is measured alone:

- ipcenter's embedded backend (tantivy BM25 + HNSW), given the records and their composed
  vectors (``upsert_with_vectors``: the normalised mean of each document's cached sentence
  vectors), 1,000 documents a call, a commit every 10,000; queries embedded by the model;
- bm25s and SQLite FTS5 on the text analysed by the product's analyser (analysis timed once in
  the parent and added to their build time);
- exact dense search (NumPy) over the same composed vectors, for the HNSW's recall;
- the USE encoder embedding one query at a time with one thread and with two.

The embedding rate is measured apart: real documents embedded end to end.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from bench import data
from bench.encoders import CachedEncoder, ComposedEncoder, VectorCache, product_encoder
from bench.report import Table

WARM_UP = 10
BATCH = 1000  # documents a call to upsert
COMMIT_EVERY = 10_000  # documents a commit


# --- measuring ---------------------------------------------------------------------------------


def _status_mib(field: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def rss_mib() -> float:
    """The resident set size now."""
    found = _status_mib("VmRSS")
    return found if found is not None else float("nan")


def peak_rss_mib() -> float:
    """The process's peak resident set size (VmHWM: getrusage's ru_maxrss would carry the
    parent's peak over a fork)."""
    found = _status_mib("VmHWM")
    return found if found is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def folder_mib(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 2**20
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def time_queries(search: Callable[[int], list[str]], count: int) -> dict[str, Any]:
    """Run every query once to warm up the first few, then time each; keep the top-10 keys."""
    for i in range(min(WARM_UP, count)):
        search(i)
    latencies, results = [], []
    for i in range(count):
        started = time.perf_counter()
        keys = search(i)
        latencies.append((time.perf_counter() - started) * 1000)
        results.append(keys)
    return {
        "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95),
        "mean_ms": statistics.fmean(latencies),
        "top10": results,
    }


# --- preparing the shared inputs ---------------------------------------------------------------


def workdir_for(size: int, pool_size: int | None, seed: int) -> Path:
    return data.cache_dir() / f"corpus-{size}-pool{pool_size or 'all'}-seed{seed}"


def _progress(iterable: Any, total: int, desc: str, unit: str = "doc") -> Any:
    from tqdm import tqdm

    return tqdm(iterable, total=total, desc=desc, unit=unit, leave=False, mininterval=2)


def prepare(spec: dict[str, Any]) -> dict[str, Any]:
    """Embed the corpus's missing sentences, compose its document vectors, analyse its text
    (timed: the baselines' build time includes it)."""
    from ipcenter.search.analysis import analyze, analyze_query
    from ipcenter.search.embedding import document_text

    data_dir, size, seed = Path(spec["data_dir"]), spec["size"], spec["seed"]
    workdir = Path(spec["workdir"])
    workdir.mkdir(parents=True, exist_ok=True)
    pool = data.corpus_pool(data_dir, spec["pool_size"], seed)
    facts: dict[str, Any] = {"pool": len(pool)}

    cache = VectorCache(Path(spec["cache_path"]))
    cached = CachedEncoder(product_encoder(), cache)
    pieces = data.corpus_pieces(data.synthetic_corpus(pool, size, seed))
    facts["sentences"] = len(pieces)
    chunks = range(0, len(pieces), 1024)
    for start in _progress(chunks, len(chunks), "embed sentences", "1k sentences"):
        cached.encode(pieces[start : start + 1024])
    facts["sentences_embedded_now"] = cached.embedded
    facts["sentence_embedding_s"] = cached.embed_seconds

    composed = ComposedEncoder(cached)
    vectors_path = workdir / "vectors.npy"
    vectors = np.lib.format.open_memmap(vectors_path, "w+", np.float32, (size, cached.dimension))
    analysis_s = 0.0
    with (workdir / "tokens.txt").open("w", encoding="utf-8") as out:
        batch: list[data.SyntheticDoc] = []
        row = 0
        for doc in _progress(data.synthetic_corpus(pool, size, seed), size, "analyse"):
            started = time.perf_counter()
            out.write(" ".join(analyze(doc.text)) + "\n")
            analysis_s += time.perf_counter() - started
            batch.append(doc)
            if len(batch) == BATCH or row + len(batch) == size:
                texts = [document_text(d.record()) for d in batch]
                vectors[row : row + len(batch)] = composed.encode(texts)
                row += len(batch)
                batch = []
    vectors.flush()
    del vectors
    facts["analysis_s"] = analysis_s

    queries = [asdict(q) for q in data.speed_queries(data_dir, spec["queries"], seed)]
    for query in queries:
        query["tokens"] = analyze_query(query["text"])
    (workdir / "queries.json").write_text(json.dumps(queries, ensure_ascii=False))
    cache.close()
    return facts


def embedding_rate(data_dir: Path, count: int) -> dict[str, Any]:
    """Real documents (title and abstract) embedded end to end, no cache: documents per second."""
    docs = [d for d in data.load_real_docs(data_dir) if len(d.sentences) > 1]
    import random

    chosen = random.Random(f"embed:{data.DEFAULT_SEED}").sample(docs, min(count, len(docs)))
    encoder = product_encoder()
    texts = [d.text for d in chosen]
    encoder.encode(texts[:8])  # load the model
    started = time.perf_counter()
    for start in range(0, len(texts), 64):
        encoder.encode(texts[start : start + 64])
    seconds = time.perf_counter() - started
    return {
        "encoder": encoder.name,
        "documents": len(texts),
        "seconds": seconds,
        "docs_per_s": len(texts) / seconds,
        "mean_chars": statistics.fmean(len(t) for t in texts),
    }


# --- the engines, each in a process of its own -------------------------------------------------


def _read_tokens(path: Path) -> Iterator[list[str]]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            yield line.split()


class _VectorRows:
    """Rows of the prepared ``vectors.npy`` read with plain file reads: no memory map, so the
    input does not count in the reading process's resident memory."""

    def __init__(self, path: Path) -> None:
        mapped = np.load(path, mmap_mode="r")
        self.path, self.shape, self.dtype = path, mapped.shape, mapped.dtype
        self.offset = int(mapped.offset)
        del mapped

    def read(self, start: int, count: int) -> np.ndarray:
        width = self.shape[1]
        offset = self.offset + start * width * self.dtype.itemsize
        flat = np.fromfile(self.path, self.dtype, count=count * width, offset=offset)
        return flat.reshape(count, width)


def _vector_state(folder: Path) -> dict[str, int]:
    """How many vectors the embedded index's HNSW graph holds and how many wait in segments
    (searched exactly until a commit merges them: see ipcenter.search.embedded)."""
    manifest = json.loads(sorted(folder.glob("manifest-*.json"))[-1].read_text())

    def rows(name: str) -> int:
        with np.load(folder / f"{name}.npz") as arrays:
            return len(arrays["vids"])

    return {
        "hnsw": rows(manifest["base"]) if manifest.get("base") else 0,
        "segments": sum(rows(name) for name in manifest.get("segments") or []),
    }


def _worker_product(spec: dict[str, Any], queries: list[dict]) -> dict[str, Any]:
    from ipcenter.search.backends import open_backend
    from ipcenter.search.base import Mode, SearchRequest
    from ipcenter.search.query import QuerySyntaxError, parse_query

    data_dir, size, seed = Path(spec["data_dir"]), spec["size"], spec["seed"]
    pool = data.corpus_pool(data_dir, spec["pool_size"], seed)
    rows = _VectorRows(Path(spec["workdir"]) / "vectors.npy")
    folder = Path(spec["workdir"]) / "ipcenter-index"
    if folder.exists():
        shutil.rmtree(folder)
    out: dict[str, Any] = {"rss_before_mib": rss_mib()}
    backend: Any = open_backend("embedded", str(folder))
    started = time.perf_counter()
    done = 0
    batch = []
    for doc in data.synthetic_corpus(pool, size, seed):
        batch.append(doc.record())
        if len(batch) == BATCH or done + len(batch) == size:
            backend.upsert_with_vectors(batch, rows.read(done, len(batch)))
            done += len(batch)
            batch = []
            if done % COMMIT_EVERY == 0 or done == size:
                backend.commit()
    out["build_s"] = time.perf_counter() - started
    out["rss_after_mib"] = rss_mib()
    out["peak_mib"] = peak_rss_mib()
    out["disk_mib"] = folder_mib(folder)
    out["count"] = backend.count()
    out["vector_state"] = _vector_state(folder / "vectors")
    # Free-text queries as a user types them; a title the query syntax refuses (a stray
    # quote or bracket) is searched as "documents like this text" instead.
    requests = []
    for query in queries:
        try:
            parse_query(query["text"])
            requests.append({"query": query["text"]})
        except QuerySyntaxError:
            requests.append({"like_text": query["text"]})
    out["queries_as_like_text"] = sum("like_text" in r for r in requests)
    modes: tuple[Mode, ...] = ("bm25", "dense", "hybrid")
    for mode in modes:

        def search(i: int, mode: Mode = mode) -> list[str]:
            request = SearchRequest(**requests[i], mode=mode, limit=10, explain=False)
            return [hit.key for hit in backend.search(request).hits]

        out[mode] = time_queries(search, len(queries))
    out["peak_after_queries_mib"] = peak_rss_mib()
    backend.close()
    return out


def _worker_bm25s(spec: dict[str, Any], queries: list[dict]) -> dict[str, Any]:
    from bench.baselines import Bm25sIndex

    out: dict[str, Any] = {"rss_before_mib": rss_mib()}
    index = Bm25sIndex()
    started = time.perf_counter()
    index.build(_read_tokens(Path(spec["workdir"]) / "tokens.txt"))
    out["build_s"] = time.perf_counter() - started
    out["rss_after_mib"] = rss_mib()
    out["peak_mib"] = peak_rss_mib()
    folder = Path(spec["workdir"]) / "bm25s-index"
    index._retriever.save(str(folder))
    out["disk_mib"] = folder_mib(folder)

    def search(i: int) -> list[str]:
        return [f"{data.SYNTHETIC_OFFICE}{j + 1}" for j in index.search(queries[i]["tokens"])]

    out["bm25"] = time_queries(search, len(queries))
    return out


def _worker_fts5(spec: dict[str, Any], queries: list[dict]) -> dict[str, Any]:
    from bench.baselines import Fts5Index

    out: dict[str, Any] = {"rss_before_mib": rss_mib()}
    path = Path(spec["workdir"]) / "fts5.sqlite"
    index = Fts5Index(path)
    started = time.perf_counter()
    index.build(_read_tokens(Path(spec["workdir"]) / "tokens.txt"))
    out["build_s"] = time.perf_counter() - started
    out["rss_after_mib"] = rss_mib()
    out["peak_mib"] = peak_rss_mib()
    out["disk_mib"] = folder_mib(path)

    def search(i: int) -> list[str]:
        return [f"{data.SYNTHETIC_OFFICE}{j + 1}" for j in index.search(queries[i]["tokens"])]

    out["bm25"] = time_queries(search, len(queries))
    index.close()
    return out


def _worker_exact(spec: dict[str, Any], queries: list[dict]) -> dict[str, Any]:
    from bench.baselines import ExactDense
    from ipcenter.search.embedding import encode_queries

    out: dict[str, Any] = {"rss_before_mib": rss_mib()}
    encoder = product_encoder()
    started = time.perf_counter()
    index = ExactDense(np.load(Path(spec["workdir"]) / "vectors.npy"))
    out["build_s"] = time.perf_counter() - started
    out["rss_after_mib"] = rss_mib()
    out["peak_mib"] = peak_rss_mib()
    out["disk_mib"] = folder_mib(Path(spec["workdir"]) / "vectors.npy")
    encode_ms: list[float] = []

    def search(i: int) -> list[str]:
        started = time.perf_counter()
        vector = encode_queries(encoder, [queries[i]["text"]])[0]
        encode_ms.append((time.perf_counter() - started) * 1000)
        return [f"{data.SYNTHETIC_OFFICE}{j + 1}" for j in index.search(vector)]

    out["dense"] = time_queries(search, len(queries))
    out["query_encode_p50_ms"] = percentile(encode_ms, 50)
    return out


def _worker_query_embedding(threads: int) -> Callable[[dict[str, Any], list[dict]], dict]:
    """One query at a time through the USE encoder with ``threads`` threads (the product reads
    IPCENTER_ENCODER_THREADS, 2 by default), in a process of its own."""

    def run(spec: dict[str, Any], queries: list[dict]) -> dict[str, Any]:
        from ipcenter.search.embedding import UseEncoder

        encoder = UseEncoder(threads=threads)

        def search(i: int) -> list[str]:
            encoder.encode([queries[i]["text"]])
            return []

        return {"embed": time_queries(search, len(queries))}

    return run


WORKERS = {
    "ipcenter": _worker_product,
    "bm25s": _worker_bm25s,
    "fts5": _worker_fts5,
    "exact": _worker_exact,
    "use-1-thread": _worker_query_embedding(1),
    "use-2-threads": _worker_query_embedding(2),
}


def run_worker(engine: str, spec: dict[str, Any]) -> dict[str, Any]:
    """Run one engine in a fresh Python process; its result comes back as JSON."""
    spec_path = Path(spec["workdir"]) / "spec.json"
    spec_path.write_text(json.dumps(spec))
    result_path = Path(spec["workdir"]) / f"result-{engine}.json"
    result_path.unlink(missing_ok=True)
    path = [str(data.REPO_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
    subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bench.speed", engine, str(spec_path), str(result_path)],
        check=True,
        cwd=data.REPO_ROOT,
        env=env,
    )
    return dict(json.loads(result_path.read_text()))


def _overlap(a: list[list[str]], b: list[list[str]]) -> float:
    shared = [len(set(x) & set(y)) / max(len(y), 1) for x, y in zip(a, b, strict=True) if y]
    return statistics.fmean(shared) if shared else float("nan")


# --- the figures -------------------------------------------------------------------------------


def run_speed(
    data_dir: Path,
    size: int,
    pool_size: int | None,
    queries: int,
    embed_docs: int,
    seed: int = data.DEFAULT_SEED,
    log: Callable[[str], None] = print,
) -> tuple[list[Table], dict[str, Any]]:
    workdir = workdir_for(size, pool_size, seed)
    spec = {
        "data_dir": str(data_dir),
        "size": size,
        "pool_size": pool_size,
        "seed": seed,
        "workdir": str(workdir),
        "cache_path": str(data.cache_dir() / "vectors.sqlite"),
        "queries": queries,
    }
    started = time.perf_counter()
    facts = prepare(spec)
    facts["prepare_s"] = time.perf_counter() - started
    log(
        f"prepared {size:,} documents from {facts['pool']:,} real ones in "
        f"{facts['prepare_s']:.0f} s ({facts['sentences_embedded_now']:,} of "
        f"{facts['sentences']:,} sentences embedded now)"
    )
    embedding = embedding_rate(data_dir, embed_docs)
    engines = list(WORKERS)
    if product_encoder().name != "use-multilingual-v3":
        engines = [e for e in engines if not e.startswith("use-")]
    results: dict[str, Any] = {}
    for engine in engines:
        log(f"running {engine} ...")
        results[engine] = run_worker(engine, spec)
    count = len(json.loads((workdir / "queries.json").read_text()))
    analysis_s = facts["analysis_s"]

    build = Table(
        f"Indexing {size:,} resampled documents (from {facts['pool']:,} real ones)",
        ["engine", "kind", "docs/s", "build s", "RSS before MiB", "RSS after MiB", "peak MiB",
         "on disk MiB"],
    )  # fmt: skip
    product = results["ipcenter"]
    build.add(
        "ipcenter embedded: BM25 + HNSW (composed vectors)",
        "product",
        size / product["build_s"],
        product["build_s"],
        product["rss_before_mib"],
        product["rss_after_mib"],
        product["peak_mib"],
        product["disk_mib"],
    )
    baselines = (("bm25s", "bm25s (analysis + index)"), ("fts5", "SQLite FTS5 (analysis + index)"))
    for engine, name in baselines:
        r = results[engine]
        total = r["build_s"] + analysis_s
        build.add(name, "baseline", size / total, total, r["rss_before_mib"],
                  r["rss_after_mib"], r["peak_mib"], r["disk_mib"])  # fmt: skip
    r = results["exact"]
    build.add("exact dense (NumPy, load vectors)", "baseline", None, r["build_s"],
              r["rss_before_mib"], r["rss_after_mib"], r["peak_mib"], r["disk_mib"])  # fmt: skip
    build.add("product analyser alone", "-", size / analysis_s, analysis_s, None, None, None, None)
    build.add(
        f"embedding end to end ({embedding['encoder']}, {embedding['documents']:,} real docs)",
        "product",
        embedding["docs_per_s"],
        embedding["seconds"],
        None,
        None,
        None,
        None,
    )
    build.notes += [
        "the product's index holds composed vectors (the normalised mean of each document's "
        "sentence vectors, embedded once and cached), so its build rate leaves out embedding; "
        "the embedding row is real documents embedded end to end, no cache",
        f"the product's build: {BATCH:,} documents an upsert, a commit every "
        f"{COMMIT_EVERY:,}; then {product['vector_state']['hnsw']:,} vectors in the HNSW graph "
        f"and {product['vector_state']['segments']:,} in segments (scanned exactly until a "
        f"commit merges them); {product['queries_as_like_text']} queries the query syntax "
        "refused were searched as like_text",
        "bm25s and FTS5 index the product analyser's terms; its time "
        f"({analysis_s:.0f} s) is added to theirs; RSS of each engine in its own process",
    ]

    latency = Table(
        f"Query latency at {size:,} documents: {count} queries (half English, half Chinese "
        "titles of the test split), top 10, one at a time",
        ["engine", "mode", "kind", "p50 ms", "p95 ms", "mean ms", "top-10 overlap"],
    )
    exact_top = results["exact"]["dense"]["top10"]
    bm25s_top = results["bm25s"]["bm25"]["top10"]
    for mode, reference in (("bm25", bm25s_top), ("dense", exact_top), ("hybrid", None)):
        q = product[mode]
        overlap = _overlap(q["top10"], reference) if reference else None
        latency.add("ipcenter embedded", mode, "product", q["p50_ms"], q["p95_ms"],
                    q["mean_ms"], overlap)  # fmt: skip
    for engine, name, mode in (("bm25s", "bm25s", "bm25"), ("fts5", "SQLite FTS5", "bm25"),
                               ("exact", "exact dense (NumPy)", "dense")):  # fmt: skip
        q = results[engine][mode]
        reference = exact_top if mode == "dense" else bm25s_top
        latency.add(name, mode, "baseline", q["p50_ms"], q["p95_ms"], q["mean_ms"],
                    _overlap(q["top10"], reference))  # fmt: skip
    for engine in ("use-1-thread", "use-2-threads"):
        if engine in results:
            q = results[engine]["embed"]
            name = f"query embedding alone, USE, {engine.split('-', 1)[1].replace('-', ' ')}"
            latency.add(name, "-", "-", q["p50_ms"], q["p95_ms"], q["mean_ms"], None)
    latency.notes += [
        "dense and hybrid times include embedding the query "
        f"(p50 {results['exact']['query_encode_p50_ms']:.1f} ms alone); top-10 overlap: "
        "with bm25s for BM25 engines, with exact dense for dense (the HNSW's recall@10)",
    ]
    for result in results.values():
        for mode in ("bm25", "dense", "hybrid", "embed"):
            if mode in result:
                result[mode].pop("top10", None)
    if not os.environ.get("IPCENTER_BENCH_KEEP"):  # indexes and inputs: ~10 GB at 1M documents
        shutil.rmtree(workdir, ignore_errors=True)
    return [build, latency], {"facts": facts, "embedding": embedding, "engines": results}


def main() -> None:
    parser = argparse.ArgumentParser(description="one engine of the speed benchmark (internal)")
    parser.add_argument("engine", choices=sorted(WORKERS))
    parser.add_argument("spec", type=Path)
    parser.add_argument("result", type=Path)
    args = parser.parse_args()
    spec = json.loads(args.spec.read_text())
    queries = json.loads((Path(spec["workdir"]) / "queries.json").read_text())
    result = WORKERS[args.engine](spec, queries)
    args.result.write_text(json.dumps(result))


if __name__ == "__main__":
    main()
