"""``python -m bench.run --size small|large``: every figure of docs/benchmarks.md, each beside its
baseline, printed as tables and written as JSON under .cache/bench/runs/.

small (``make bench``): 100,000 resampled documents from a seeded pool of 10,000 real ones;
large (``make bench-large``): 1,000,000 from every real document. The quality figures are the
same at both sizes (they use the labelled sets as they are).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import data
from bench.report import Table, machine, machine_table, write_run

SIZES: dict[str, dict[str, Any]] = {
    "small": {"docs": 100_000, "pool": 10_000},
    "large": {"docs": 1_000_000, "pool": None},
}


def _open_embedded(folder: Path) -> Any:
    from ipcenter.search.backends import open_backend

    return open_backend("embedded", str(folder))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--docs", type=int, help="resampled documents (default: by size)")
    parser.add_argument("--pool", type=int, help="real documents to resample from (0: all)")
    parser.add_argument("--queries", type=int, default=200, help="speed queries (en + zh)")
    parser.add_argument("--embed-docs", type=int, default=2000, help="docs for the embedding rate")
    parser.add_argument("--quality-limit", type=int, help="test documents per quality set")
    parser.add_argument("--phrase-sample", type=int, help="phrase pairs (default: all)")
    parser.add_argument("--only", choices=("quality", "speed"), help="run one part only")
    parser.add_argument("--seed", type=int, default=data.DEFAULT_SEED)
    parser.add_argument("--json", type=Path, help="where to write the run's JSON")
    args = parser.parse_args(argv)

    try:
        data_dir = data.shared_data_dir()
    except data.DataMissing as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    size = args.docs or SIZES[args.size]["docs"]
    pool = SIZES[args.size]["pool"] if args.pool is None else (args.pool or None)
    info = machine()
    tables: list[Table] = [machine_table(info)]
    extra: dict[str, Any] = {
        "size": args.size,
        "docs": size,
        "pool": pool,
        "seed": args.seed,
        "data_dir": str(data_dir),
        "seconds": {},
    }
    failures: list[str] = []
    print(tables[0].render(), "\n", flush=True)

    def step(name: str, produce: Callable[[], list[Table]]) -> None:
        started = time.perf_counter()
        try:
            produced = produce()
        except Exception:
            failures.append(name)
            print(f"== {name}: FAILED", file=sys.stderr)
            traceback.print_exc()
            return
        finally:
            extra["seconds"][name] = round(time.perf_counter() - started, 1)
        for table in produced:
            tables.append(table)
            print(table.render(), "\n", flush=True)

    if args.only in (None, "quality"):
        from bench import quality
        from bench.encoders import CachedEncoder, VectorCache, product_encoder

        cache = VectorCache(data.cache_dir() / "vectors.sqlite")
        encoder = CachedEncoder(product_encoder(), cache)
        limit = args.quality_limit
        for lang in ("en", "zh"):

            def ipc(lang: str = lang) -> list[Table]:
                return [quality.ipc_suggestion(data_dir, lang, cache, limit)]

            step(f"ipc-{lang}", ipc)
        sample = args.phrase_sample or (limit * 10 if limit else None)
        step("phrases", lambda: [quality.phrase_similarity(data_dir, encoder, sample)])
        step(
            "cross-lingual",
            lambda: [quality.cross_lingual(data_dir, encoder, _open_embedded, limit)],
        )
        cache.close()

    if args.only in (None, "speed"):
        from bench import speed

        def run_speed() -> list[Table]:
            produced, details = speed.run_speed(
                data_dir, size, pool, args.queries, args.embed_docs, args.seed
            )
            extra["speed"] = details
            return produced

        step("speed", run_speed)

    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    path = args.json or data.cache_dir() / "runs" / f"{args.size}-{size}-{stamp}.json"
    extra["failures"] = failures
    write_run(path, info, tables, extra)
    timing = ", ".join(f"{k} {v:.0f} s" for k, v in extra["seconds"].items())
    print(f"run written to {path} (tables in Markdown: {path.with_suffix('.md')}); {timing}")
    if failures:
        print(f"bench: FAILED: {', '.join(failures)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
