"""One conformance suite, run against every backend (embedded tantivy + HNSW, Milvus Lite).

Expected sets are computed here from the fixture records with the shared analyzer, never
hard-coded; ranks are only compared between backends or with the document itself."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Callable

import numpy as np
import pytest

from ipcenter.patents.corpus import PatentRecord, RecordError
from ipcenter.search.analysis import analyze, split_sentences
from ipcenter.search.base import DateRange, Filters, SearchBackend, SearchRequest
from ipcenter.search.explain import record_values
from ipcenter.search.retrieval import RetrievalBackend
from tests.search.conftest import BackendFactory, fill, location_of
from tests.search.fixture_corpus import translation_pairs

ALL = 1000


def terms_of(*texts: str) -> set[str]:
    return {term for text in texts for term in analyze(text)}


def title_terms(record: PatentRecord) -> set[str]:
    return terms_of(record.title)


def all_terms(record: PatentRecord) -> set[str]:
    texts = [record.title, record.abstract, *record.claims, *record.applicants, *record.inventors]
    texts += [text for fields in record.translations.values() for text in fields.values()]
    return terms_of(*texts)


def keys_where(corpus: list[PatentRecord], test: Callable[[PatentRecord], bool]) -> set[str]:
    return {record.key for record in corpus if test(record)}


def found(index: SearchBackend, query: str = "", mode: str = "bm25", **options: object) -> set[str]:
    request = SearchRequest(query=query, mode=mode, limit=ALL, explain=False, **options)  # type: ignore[arg-type]
    results = index.search(request)
    keys = {hit.key for hit in results.hits}
    assert len(keys) == len(results.hits)
    if mode == "bm25":
        assert results.total == len(keys)
    return keys


# --- writing ----------------------------------------------------------------------------------


def test_upsert_commit_get_count(
    kind: str, make_backend: BackendFactory, corpus: list[PatentRecord], vectors: dict
) -> None:
    backend = make_backend(kind)
    records = corpus[:4]
    written = backend.upsert_with_vectors(records, np.vstack([vectors[r.key] for r in records]))  # type: ignore[attr-defined]
    assert written == 4
    # Nothing is visible before the commit.
    assert backend.count() == 0
    assert backend.get(records[0].key) is None
    assert found(backend, records[0].title) == set()
    backend.commit()
    assert backend.count() == 4
    for record in records:
        assert backend.get(record.key) == record
    assert backend.get("US1") is None
    assert records[1].key in found(backend, records[1].title)


def test_upsert_computes_vectors_itself(
    kind: str, make_backend: BackendFactory, corpus: list[PatentRecord]
) -> None:
    backend = make_backend(kind)
    record = next(r for r in corpus if r.language == "zh")
    assert backend.upsert([record]) == 1
    backend.commit()
    hits = backend.search(SearchRequest(like_text=record.abstract, mode="dense", limit=1)).hits
    assert [hit.key for hit in hits] == [record.key]
    assert hits[0].dense_score == pytest.approx(1.0, abs=0.1)


def test_reupsert_keeps_one_document_with_the_new_content(
    kind: str, make_backend: BackendFactory, corpus: list[PatentRecord], vectors: dict
) -> None:
    backend = make_backend(kind)
    fill(backend, corpus[:3], vectors)
    old = corpus[0]
    new = dataclasses.replace(old, title="Hovercraft propulsion lattice", abstract="A hovercraft.")
    backend.upsert([new])
    backend.commit()
    assert backend.count() == 3
    assert backend.get(old.key) == new
    assert found(backend, "hovercraft") == {old.key}
    assert old.key not in found(backend, old.title.split()[0] + " " + old.title.split()[-1])
    dense = backend.search(SearchRequest(query="hovercraft", mode="dense", limit=10)).hits
    assert [hit.key for hit in dense].count(old.key) == 1
    # The same key twice in one batch: the last one wins.
    last = dataclasses.replace(new, title="Submarine ballast")
    backend.upsert([new, last])
    backend.commit()
    assert backend.count() == 3
    assert backend.get(old.key) == last


def test_delete(
    kind: str, make_backend: BackendFactory, corpus: list[PatentRecord], vectors: dict
) -> None:
    backend = make_backend(kind)
    records = corpus[:3]
    fill(backend, records, vectors)
    gone = records[1]
    assert backend.delete([gone.key, "US123456789"]) == 1
    assert backend.get(gone.key) == gone  # still there until the commit
    backend.commit()
    assert backend.count() == 2
    assert backend.get(gone.key) is None
    assert gone.key not in found(backend, gone.title)
    dense = backend.search(SearchRequest(like_text=gone.abstract, mode="dense", limit=10))
    assert gone.key not in {hit.key for hit in dense.hits}
    assert dense.total == 2


def test_persistence(
    kind: str, make_backend: BackendFactory, corpus: list[PatentRecord], vectors: dict
) -> None:
    backend = make_backend(kind)
    records = corpus[150:155]
    fill(backend, records, vectors)
    location = location_of(backend)
    backend.close()
    again = make_backend(kind, location)
    assert again.count() == 5
    assert again.get(records[2].key) == records[2]
    assert records[2].key in found(again, records[2].title)
    hits = again.search(SearchRequest(like_text=records[3].abstract, mode="dense", limit=1)).hits
    assert hits[0].key == records[3].key


def test_a_second_instance_sees_commits(
    kind: str, make_backend: BackendFactory, corpus: list[PatentRecord], vectors: dict
) -> None:
    writer = make_backend(kind)
    fill(writer, corpus[:2], vectors)
    reader = make_backend(kind, location_of(writer))
    assert reader.count() == 2
    fill(writer, corpus[2:4], vectors)
    assert reader.count() == 4
    assert reader.get(corpus[3].key) == corpus[3]
    assert corpus[3].key in found(reader, corpus[3].title)
    hits = reader.search(SearchRequest(like_text=corpus[2].abstract, mode="dense", limit=1)).hits
    assert hits[0].key == corpus[2].key


def test_a_malformed_record_stops_its_batch_and_nothing_of_it_is_written(
    kind: str, make_backend: BackendFactory, corpus: list[PatentRecord], vectors: dict
) -> None:
    backend = make_backend(kind)
    fill(backend, corpus[:2], vectors)
    good = corpus[2]
    no_number = PatentRecord(office="US", title="A record without any number")
    with pytest.raises(RecordError, match="record 2 of the batch"):
        backend.upsert([good, no_number, corpus[3]])
    wrong_type = dataclasses.replace(corpus[3], applicants="Acme Corp")  # type: ignore[arg-type]
    with pytest.raises(RecordError, match="applicants"):
        backend.upsert([good, wrong_type])
    backend.commit()
    assert backend.count() == 2
    assert backend.get(good.key) is None
    assert backend.get(corpus[3].key) is None
    assert corpus[0].key in found(backend, corpus[0].title)


# --- BM25 -------------------------------------------------------------------------------------


def test_bm25_finds_english_documents_by_a_stemmed_variant(
    index: SearchBackend, corpus: list[PatentRecord]
) -> None:
    expected = keys_where(corpus, lambda r: "batteri" in all_terms(r))
    singular = keys_where(
        corpus, lambda r: "battery" in r.text().lower() and "batteries" not in r.text().lower()
    )
    assert expected and singular
    assert found(index, "batteries") == expected
    assert singular <= found(index, "batteries")


def test_bm25_finds_chinese_documents_by_a_word(
    index: SearchBackend, corpus: list[PatentRecord]
) -> None:
    for word in ("播种", "秸秆", "拖拉机", "制动"):
        expected = keys_where(corpus, lambda r, w=word: w in r.text())  # type: ignore[misc]
        assert expected, word
        assert found(index, word) >= expected
        # As a constraint (fielded), the word must occur as written.
        titled = keys_where(corpus, lambda r, w=word: w in r.title)  # type: ignore[misc]
        assert found(index, f"title:{word}") == titled


FIELDED: list[tuple[str, Callable[[PatentRecord], bool]]] = [
    ("title:sensor AND title:magnetic", lambda r: {"sensor", "magnet"} <= title_terms(r)),
    ("title:sensor OR title:network", lambda r: bool({"sensor", "network"} & title_terms(r))),
    (
        "title:network NOT title:neural",
        lambda r: "network" in title_terms(r) and "neural" not in title_terms(r),
    ),
    (
        "(title:sensor OR title:circuit) -abstract:magnetic",
        lambda r: (
            bool({"sensor", "circuit"} & title_terms(r)) and "magnet" not in terms_of(r.abstract)
        ),
    ),
    (
        'applicant:"Allegro MicroSystems"',
        lambda r: any("allegro microsystems" in a.lower() for a in r.applicants),
    ),
    ("ipc:G01R", lambda r: any(s.startswith("G01R") for s in r.ipc)),
    ("ipc:G01R33/", lambda r: any(s.startswith("G01R 33/") for s in r.ipc)),
    ("ipc:A01C,A01D", lambda r: any(s[:4] in ("A01C", "A01D") for s in r.ipc)),
    ("cpc:B60T", lambda r: any(s.startswith("B60T") for s in r.cpc)),
    ("office:DE", lambda r: r.office == "DE"),
    ("office:KR,DE", lambda r: r.office in ("KR", "DE")),
    ("lang:ja", lambda r: r.language == "ja"),
    (
        "pd:1995..1996",
        lambda r: r.publication_date is not None and 1995 <= r.publication_date.year <= 1996,
    ),
    (
        "pd:1995-07-01..1995-08-31",
        lambda r: (
            r.publication_date is not None
            and dt.date(1995, 7, 1) <= r.publication_date <= dt.date(1995, 8, 31)
        ),
    ),
    ("gd:<1992", lambda r: r.grant_date is not None and r.grant_date.year < 1992),
    (
        "title:network pd:1990..1995",
        lambda r: (
            "network" in title_terms(r)
            and r.publication_date is not None
            and 1990 <= r.publication_date.year <= 1995
        ),
    ),
    (
        "-title:neural pd:1996",
        lambda r: (
            "neural" not in title_terms(r)
            and r.publication_date is not None
            and r.publication_date.year == 1996
        ),
    ),
    ("制动 office:CN", lambda r: r.office == "CN" and "制动" in r.text()),
    (
        '"magnetic field" ipc:G01R',
        lambda r: (
            "magnetic field" in " ".join(r.text().lower().split())
            and any(s.startswith("G01R") for s in r.ipc)
        ),
    ),
]


@pytest.mark.parametrize(("query", "test"), FIELDED, ids=[query for query, _ in FIELDED])
def test_fielded_and_boolean_queries_find_exactly_the_expected_set(
    index: SearchBackend,
    corpus: list[PatentRecord],
    query: str,
    test: Callable[[PatentRecord], bool],
) -> None:
    expected = keys_where(corpus, test)
    assert expected, f"the fixture corpus has nothing for {query}"
    assert found(index, query) == expected


def test_request_filters_join_the_query_filters(
    index: SearchBackend, corpus: list[PatentRecord]
) -> None:
    filters = Filters(
        offices=("US",),
        dates=(DateRange("publication_date", dt.date(1990, 1, 1), dt.date(1996, 1, 1)),),
    )
    expected = keys_where(
        corpus,
        lambda r: (
            r.office == "US"
            and r.publication_date is not None
            and dt.date(1990, 1, 1) <= r.publication_date < dt.date(1996, 1, 1)
            and "network" in all_terms(r)
        ),
    )
    assert expected
    assert found(index, "network", filters=filters) == expected
    excluded = sorted(expected)[0]
    narrower = dataclasses.replace(filters, exclude_keys=(excluded,))
    assert found(index, "network", filters=narrower) == expected - {excluded}
    assert found(index, "network pd:1990", filters=filters) == {
        key for key in expected if corpus_date(corpus, key).year == 1990
    }


def corpus_date(corpus: list[PatentRecord], key: str) -> dt.date:
    date = next(r.publication_date for r in corpus if r.key == key)
    assert date is not None
    return date


# --- dense and hybrid -------------------------------------------------------------------------


def test_dense_retrieval_is_cross_lingual(index: SearchBackend, corpus: list[PatentRecord]) -> None:
    pairs = translation_pairs(corpus)[:20]
    assert len(pairs) == 20
    assert {pair.language for pair in pairs} >= {"ja", "de"}
    hits = 0
    for pair in pairs:
        results = index.search(
            SearchRequest(like_text=pair.english, mode="dense", limit=10, explain=False)
        )
        hits += pair.key in [hit.key for hit in results.hits]
    # The model finds all 20 here; 0.8 leaves room for a corpus change.
    assert hits / len(pairs) >= 0.8


def test_hybrid_fuses_bm25_only_and_dense_only_documents(index: SearchBackend) -> None:
    query = "neural network"
    bm25 = [
        h.key
        for h in index.search(
            SearchRequest(query=query, mode="bm25", limit=100, explain=False)
        ).hits
    ]
    dense = [
        h.key
        for h in index.search(
            SearchRequest(query=query, mode="dense", limit=100, explain=False)
        ).hits
    ]
    only_bm25, only_dense = set(bm25) - set(dense), set(dense) - set(bm25)
    assert only_bm25 and only_dense
    # The same depth (100) as the runs above.
    hybrid = index.search(SearchRequest(query=query, mode="hybrid", limit=100, explain=False))
    by_key = {hit.key: hit for hit in hybrid.hits}
    assert only_bm25 & set(by_key) and only_dense & set(by_key)
    for key in only_bm25 & set(by_key):
        assert by_key[key].dense_rank is None and by_key[key].bm25_rank is not None
    for key in only_dense & set(by_key):
        assert by_key[key].bm25_rank is None and by_key[key].dense_rank is not None
    both = by_key[bm25[0]]
    assert both.bm25_rank == 1
    scores = [hit.score for hit in hybrid.hits]
    assert scores == sorted(scores, reverse=True)
    assert hybrid.total >= len(bm25)


@pytest.mark.parametrize("mode", ["dense", "hybrid"])
def test_filters_apply_inside_the_retrievers(
    index: SearchBackend, corpus: list[PatentRecord], mode: str
) -> None:
    korean = keys_where(corpus, lambda r: r.office == "KR")
    assert 5 <= len(korean) < 20  # about 3% of the corpus
    results = index.search(
        SearchRequest(
            query="vehicle braking energy",
            mode=mode,
            limit=20,
            explain=False,
            filters=Filters(offices=("KR",)),
        )  # type: ignore[arg-type]
    )
    assert {hit.key for hit in results.hits} == korean  # min(k, matching), all of them KR
    results = index.search(
        SearchRequest(
            query="vehicle braking energy",
            mode=mode,
            limit=5,
            explain=False,
            filters=Filters(offices=("KR",)),
        )  # type: ignore[arg-type]
    )
    assert len(results.hits) == 5 and {hit.key for hit in results.hits} <= korean
    dated = index.search(
        SearchRequest(
            query="neural network learning pd:1995..1996", mode=mode, limit=50, explain=False
        )  # type: ignore[arg-type]
    )
    expected = keys_where(
        corpus, lambda r: r.publication_date is not None and 1995 <= r.publication_date.year <= 1996
    )
    assert {hit.key for hit in dated.hits} == expected


def test_constraints_restrict_the_dense_retriever(
    index: SearchBackend, corpus: list[PatentRecord]
) -> None:
    expected = keys_where(corpus, lambda r: "sensor" in title_terms(r))
    results = index.search(
        SearchRequest(query="title:sensor", mode="dense", limit=ALL, explain=False)
    )
    assert {hit.key for hit in results.hits} == expected


def test_like_text_finds_its_own_document_first(
    index: SearchBackend, corpus: list[PatentRecord]
) -> None:
    # A continuation can share its parent's abstract word for word (US10902058 and US10678851):
    # both then score the same, in an order that depends on the index's segments. The samples
    # are documents whose abstract no other document has.
    abstracts = Counter(record.abstract for record in corpus)

    def unique_from(start: int) -> PatentRecord:
        return next(r for r in corpus[start:] if abstracts[r.abstract] == 1)

    kr = next(r for r in corpus if r.office == "KR" and abstracts[r.abstract] == 1)
    samples = [unique_from(5), unique_from(160), kr]
    for record in samples:
        passage = " ".join(split_sentences(record.abstract)[:2])
        for mode in ("hybrid", "bm25", "dense"):
            hits = index.search(
                SearchRequest(like_text=passage, mode=mode, limit=3, explain=False)
            ).hits  # type: ignore[arg-type]
            if mode != "hybrid":
                assert hits[0].key == record.key, (record.key, mode)
                continue
            # Fusion can tie the document with a neighbour that one retriever placed first and
            # the other second (dense scores of near neighbours differ in the last bits between
            # runs); the document must then share the top fused score.
            own = next((hit for hit in hits if hit.key == record.key), None)
            assert own is not None, (record.key, mode)
            assert own.score == pytest.approx(hits[0].score), (record.key, mode)


# --- explanations -----------------------------------------------------------------------------


def field_value(record: PatentRecord, field: str, item: int) -> str:
    for value in record_values(record):
        if value.field == field and value.item == item:
            return value.text
    raise AssertionError(f"{record.key} has no {field}[{item}]")


@pytest.mark.parametrize(
    ("query", "marked"),
    [("batteries charging", ("batter", "charg")), ("播种 电池", ("播种", "电池"))],
)
def test_bm25_passages_mark_the_query_terms_in_the_original_text(
    index: SearchBackend, query: str, marked: tuple[str, ...]
) -> None:
    hits = index.search(SearchRequest(query=query, mode="bm25", limit=5)).hits
    assert hits
    for hit in hits:
        assert hit.passages, hit.key
        for passage in hit.passages:
            value = field_value(hit.record, passage.field, passage.item)
            assert value[passage.offset : passage.offset + len(passage.text)] == passage.text
            assert passage.spans
            for start, end in passage.spans:
                word = passage.text[start:end].lower()
                assert word.startswith(marked), (hit.key, word)


def test_dense_sentences_come_from_the_hit(
    index: SearchBackend, corpus: list[PatentRecord]
) -> None:
    pair = translation_pairs(corpus)[0]
    hits = index.search(SearchRequest(like_text=pair.english, mode="dense", limit=3)).hits
    assert hits[0].key == pair.key
    for hit in hits:
        assert hit.sentences
        scores = [sentence.score for sentence in hit.sentences]
        assert scores == sorted(scores, reverse=True)
        for sentence in hit.sentences:
            value = field_value(hit.record, sentence.field, sentence.item)
            assert value[sentence.offset : sentence.offset + len(sentence.text)] == sentence.text
    # The original-language document explains itself with its own sentences or its translation.
    assert {s.field for s in hits[0].sentences} <= {"abstract", "abstract_en"}


# --- paging and agreement ---------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["bm25", "hybrid", "dense"])
def test_pagination_is_consistent(index: SearchBackend, mode: str) -> None:
    def page(offset: int, limit: int) -> list[str]:
        request = SearchRequest(
            query="neural network", mode=mode, offset=offset, limit=limit, explain=False
        )  # type: ignore[arg-type]
        return [hit.key for hit in index.search(request).hits]

    first, second, both = page(0, 5), page(5, 5), page(0, 10)
    assert len(both) == 10
    assert first + second == both


UNAMBIGUOUS = [
    "magnetic field sensor switching network",
    "corrosion oil well coupon",
    "barometer neuron",
    "利用苕子根茬免耕种植法",
    "regenerative braking auxiliary drive wheel disconnector",
    "乘坐式水田作业机",
    "traveling salesman neural network processor",
]


def test_both_backends_agree_on_the_best_document(built: dict[str, RetrievalBackend]) -> None:
    for query in UNAMBIGUOUS:
        for mode in ("bm25", "hybrid"):
            tops = {
                kind: [
                    hit.key
                    for hit in backend.search(
                        SearchRequest(query=query, mode=mode, limit=1, explain=False)
                    ).hits
                ]  # type: ignore[arg-type]
                for kind, backend in built.items()
            }
            assert tops["embedded"] and tops["embedded"] == tops["milvus"], (query, mode, tops)
