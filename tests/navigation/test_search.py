"""Searching the corpus from the page and the API: English, Chinese and across them, filters,
pages, CSV, documents, and queries the parser cannot read (a message, never an error page)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from ipcenter.navigation.display import highlight
from ipcenter.navigation.models import PatentDocument
from tests.conftest import Cast, client_for, token_client

# The US grants of the search corpus whose titles name a magnetic field sensor.
MAGNETIC = {"US10917092", "US10884092", "US10852161", "US10837943", "US10794936"}


def _keys(page: Any) -> list[str]:
    return [row.key for row in page.context["rows"]]


@pytest.fixture
def nora_en(searchable: list[Path], in_english: Cast) -> Any:
    return client_for(in_english.nora)


def test_english_keywords_find_english_documents_with_highlights(nora_en: Any) -> None:
    page = nora_en.get("/navigation/", {"q": "magnetic field sensor", "mode": "bm25"})
    assert page.status_code == 200
    keys = _keys(page)
    assert set(keys[:5]) == MAGNETIC
    body = page.content.decode()
    assert "<mark>" in body and 'data-testid="passage"' in body
    assert "BM25 #1" in body
    assert "documents found" in body


def test_chinese_keywords_find_chinese_documents(nora_en: Any) -> None:
    page = nora_en.get("/navigation/", {"q": "免耕", "mode": "bm25"})
    keys = _keys(page)
    titles = dict(PatentDocument.objects.filter(key__in=keys).values_list("key", "title"))
    assert keys and all("免耕" in titles[k] or k.startswith("CN") for k in keys)
    assert keys[0] in {"CNAPP85105156", *titles}
    assert "<mark>免耕</mark>" in page.content.decode()


def test_an_english_query_finds_a_chinese_document_by_meaning(nora_en: Any) -> None:
    page = nora_en.get(
        "/navigation/", {"q": "no-tillage planting with vetch root stubble", "mode": "dense"}
    )
    rows = page.context["rows"]
    chinese = [r for r in rows[:5] if r.language == "zh"]
    assert chinese, [r.key for r in rows[:5]]
    assert "CNAPP85105156" in [r.key for r in rows[:5]]
    body = page.content.decode()
    assert "semantic #" in body and 'data-testid="sentence"' in body


def test_mixed_chinese_and_english_query_finds_both(nora_en: Any) -> None:
    page = nora_en.get("/navigation/", {"q": "免耕 magnetic sensor", "mode": "bm25"})
    rows = page.context["rows"]
    assert {r.language for r in rows[:10]} == {"zh", "en"}
    assert "CNAPP85105156" in [r.key for r in rows[:10]]


def test_find_documents_like_a_text(nora_en: Any) -> None:
    abstract = PatentDocument.objects.get(key="US10914161").abstract
    page = nora_en.get("/navigation/", {"like": abstract})
    assert _keys(page)[0] == "US10914161"


def test_filters_apply_to_every_retriever(nora_en: Any) -> None:
    for mode in ("bm25", "dense", "hybrid"):
        page = nora_en.get("/navigation/", {"q": "sensor 传感器", "mode": mode, "office": "US"})
        assert page.context["rows"] and all(r.office == "US" for r in page.context["rows"])
        ipc = nora_en.get("/navigation/", {"q": "well", "mode": mode, "ipc": "e21b"})
        rows = ipc.context["rows"]
        assert rows and all(any(s.startswith("E21B") for s, _t in r.ipc) for r in rows), mode
        lang = nora_en.get("/navigation/", {"q": "method 方法", "mode": mode, "lang": "zh"})
        assert lang.context["rows"] and all(r.language == "zh" for r in lang.context["rows"])


def test_publication_dates_filter(nora_en: Any) -> None:
    client = nora_en
    page = client.get(
        "/navigation/",
        {"q": "neural network", "published_from": "1995-01-01", "published_to": "1999-12-31"},
    )
    dates = [r.date for r in page.context["rows"]]
    assert dates and all(d and 1995 <= d.year <= 1999 for d in dates)
    wrong = client.get(
        "/navigation/", {"q": "x", "published_from": "2000-01-01", "published_to": "1990-01-01"}
    )
    assert b"The end date is before the start date." in wrong.content


def test_results_come_in_pages(nora_en: Any) -> None:
    first = nora_en.get("/navigation/", {"q": "method system 方法", "mode": "bm25"})
    total = first.context["total"]
    assert total > 20
    assert len(first.context["rows"]) == 20
    second = nora_en.get("/navigation/", {"q": "method system 方法", "mode": "bm25", "page": 2})
    assert second.context["rows"][0].rank == 21
    assert not set(_keys(first)) & set(_keys(second))
    assert "Page 2 of" in second.content.decode()
    beyond = nora_en.get("/navigation/", {"q": "method system 方法", "mode": "bm25", "page": 99})
    assert beyond.status_code == 200 and beyond.context["rows"]


def test_the_result_list_exports_as_csv(nora_en: Any) -> None:
    query = {"q": "magnetic field sensor", "mode": "bm25"}
    page = nora_en.get("/navigation/", query)
    assert 'data-testid="export-csv"' in page.content.decode()
    export = nora_en.get("/navigation/export.csv", query)
    assert export["Content-Type"].startswith("text/csv")
    text = b"".join(export.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["rank", "key", "publication_number"]
    assert [r[1] for r in rows[1:21]] == _keys(page)[:20]
    assert len(rows) - 1 == min(page.context["total"], 1000)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("title:(drone", "The brackets do not match."),
        ('"regenerative braking', "The quotation mark is never closed."),
        ("colour:blue", "There is no field “colour”"),
        ("battery pd:2020..2015", "ends before it starts"),
    ],
)
def test_a_query_the_parser_cannot_read_is_a_message(
    nora_en: Any, in_english: Cast, query: str, message: str
) -> None:
    page = nora_en.get("/navigation/", {"q": query})
    assert page.status_code == 200
    error = page.context["error"]
    assert message in error and "The query cannot be read" in error
    assert 'data-testid="query-error"' in page.content.decode()
    client, headers = token_client(in_english.nora)
    answer = client.get("/api/v1/navigation/search", {"q": query}, **headers)
    assert answer.status_code == 422 and message in answer.json()["detail"]
    export = nora_en.get("/navigation/export.csv", {"q": query})
    assert export.status_code == 302


def test_the_search_api(searchable: list[Path], cast: Cast) -> None:
    client, headers = token_client(cast.dave)  # an applicant's administrator searches too
    answer = client.get(
        "/api/v1/navigation/search",
        {"q": "magnetic field sensor", "mode": "bm25", "limit": 3},
        **headers,
    )
    assert answer.status_code == 200
    data = answer.json()
    assert data["total"] >= 4 and len(data["hits"]) == 3
    hit = data["hits"][0]
    assert hit["key"] in MAGNETIC and hit["bm25_rank"] == 1
    passage = hit["passages"][0]
    start, end = passage["spans"][0]
    assert passage["text"][start:end].lower() in {"magnetic", "field", "sensor", "sensors"}
    page2 = client.get(
        "/api/v1/navigation/search",
        {"q": "magnetic field sensor", "mode": "bm25", "limit": 3, "offset": 3},
        **headers,
    ).json()
    assert page2["hits"][0]["key"] not in {h["key"] for h in data["hits"]}
    filtered = client.get(
        "/api/v1/navigation/search",
        {"q": "传感器 sensor", "office": ["CN"], "lang": ["zh"], "mode": "dense"},
        **headers,
    ).json()
    assert filtered["hits"] and all(h["office"] == "CN" for h in filtered["hits"])
    assert (
        client.get("/api/v1/navigation/search", {"q": "x", "limit": 101}, **headers).status_code
        == 422
    )
    bad_ipc = client.get("/api/v1/navigation/search", {"q": "x", "ipc": "12"}, **headers)
    assert bad_ipc.status_code == 422
    empty = client.get("/api/v1/navigation/search", **headers).json()
    assert empty == {"total": 0, "offset": 0, "limit": 20, "took_ms": 0.0, "hits": []}


def test_a_document_page_and_its_api(searchable: list[Path], cast: Cast) -> None:
    page = client_for(cast.alice).get("/navigation/documents/US10917092/").content.decode()
    assert "Magnetic field sensor with switching network" in page
    assert 'href="/navigation/ipc/H03K0017970000/"' in page
    assert "Allegro MicroSystems, LLC" in page
    assert 'data-testid="document-source">us_patents_ipc.jsonl' in page
    chinese = client_for(cast.bob).get("/navigation/documents/CNAPP85105156/").content.decode()
    assert "利用苕子根茬免耕种植法" in chinese
    client, headers = token_client(cast.erin)
    data = client.get("/api/v1/navigation/documents/US10917092", **headers).json()
    assert data["title"] == "Magnetic field sensor with switching network"
    assert data["ipc"][0] == "H03K 17/97" and data["indexed"] is True
    assert data["applicants"] == ["Allegro MicroSystems, LLC"]


def test_highlights_escape_everything_but_the_marks() -> None:
    html = highlight("a <b>sensor</b> & co", [(5, 11), (100, 120)])
    assert str(html) == "a &lt;b&gt;<mark>sensor</mark>&lt;/b&gt; &amp; co"
    assert str(highlight("电池 battery", [(0, 2), (1, 2), (3, 10)])) == (
        "<mark>电池</mark> <mark>battery</mark>"
    )
