"""The IPC browser: the hierarchy with titles in the reader's language and corpus counts."""

from __future__ import annotations

from typing import Any

from ipcenter.navigation.models import PatentDocument
from ipcenter.navigation.selectors import ipc_code, ipc_node, ipc_prefix
from tests.conftest import Cast, client_for, token_client
from tests.navigation.conftest import Corpus, Importer


def test_codes_are_read_in_every_form(db: Any) -> None:
    assert ipc_code("a01b") == "A01B"
    assert ipc_code("A01B0001020000") == "A01B 1/02"
    assert ipc_code("A01B 1/02") == "A01B 1/02"
    assert ipc_code("H04L 29/06 (2006.01)") == "H04L 29/06"
    assert ipc_code("A01") == "A01" and ipc_code("A") == "A"
    assert ipc_code("Z99Z") is None
    assert ipc_code("A01B 9999/00") is None
    assert ipc_prefix("a01b1/") == "A01B 1/"


def test_counts_follow_the_main_ipc_down_the_hierarchy(
    corpus: Corpus, stored: Importer, in_english: Cast
) -> None:
    stored(corpus.us, corpus.cn)
    # The first 20 Chinese applications are all in A01B; the US grants spread over sections.
    a01b = PatentDocument.objects.filter(main_ipc__startswith="A01B").count()
    assert a01b >= 20
    section = ipc_node("A")
    assert section.count == PatentDocument.objects.filter(main_ipc__startswith="A").count()
    a01 = next(c for c in section.children if c.code == "A01")
    assert a01.count == PatentDocument.objects.filter(main_ipc__startswith="A01").count()
    node = ipc_node("A01B")
    assert node.count == a01b and node.parent == "A01"
    assert node.title_en.startswith("SOIL WORKING IN AGRICULTURE OR FORESTRY")
    assert node.title_zh  # section A has Chinese titles
    assert (
        sum(c.count for c in node.children)
        == PatentDocument.objects.filter(main_ipc__startswith="A01B ").count()
    )
    h03k = ipc_node("H03K 17/00")  # the main group of US10917092's H03K 17/97
    assert h03k.count >= 1
    assert any(c.code == "H03K 17/97" and c.count >= 1 for c in h03k.children)


def test_the_browser_pages(corpus: Corpus, stored: Importer, cast: Cast) -> None:
    stored(corpus.cn)
    english = client_for(cast.alice)  # reads English
    sections = english.get("/navigation/ipc/").content.decode()
    assert sections.count('data-testid="ipc-child"') == 8
    assert 'data-code="A"' in sections and "HUMAN NECESSITIES" in sections
    page = english.get("/navigation/ipc/A01B/").content.decode()
    assert "SOIL WORKING IN AGRICULTURE OR FORESTRY" in page
    assert "20 documents in the corpus have their main IPC here" in page
    assert 'href="/navigation/?ipc=A01B"' in page
    assert 'href="/navigation/ipc/A01B0001000000/"' in page  # a child, in the URL-safe form
    assert 'href="/navigation/ipc/A01/"' in page  # the breadcrumb
    group = english.get("/navigation/ipc/A01B0001000000/").content.decode()
    assert 'data-testid="ipc-code">A01B 1/00<' in group
    assert 'href="/navigation/?ipc=A01B+1%2F"' in group
    assert english.get("/navigation/ipc/A01B 1/02/").status_code == 200
    chinese = client_for(cast.bob).get("/navigation/ipc/A01B/").content.decode()  # reads Chinese
    title_zh = ipc_node("A01B", with_children=False).title_zh
    assert title_zh and f'data-testid="ipc-title">{title_zh}<' in chinese


def test_the_ipc_api(corpus: Corpus, stored: Importer, cast: Cast) -> None:
    stored(corpus.cn)
    client, headers = token_client(cast.erin)
    answer = client.get("/api/v1/navigation/ipc/A01B", **headers).json()
    assert answer["symbol"] == "A01B" and answer["parent"] == "A01"
    assert answer["count"] == 20 and answer["title_zh"]
    assert answer["title_en"].startswith("SOIL WORKING")
    # The Chinese set classifies at subclass level only: no document under any main group.
    assert len(answer["children"]) > 10 and sum(c["count"] for c in answer["children"]) == 0
    group = client.get("/api/v1/navigation/ipc/A01B 1/02", **headers).json()
    assert group["symbol"] == "A01B 1/02" and group["parent"] == "A01B 1/00"
    assert group["children"] == []
    assert client.get("/api/v1/navigation/ipc/H04L", **headers).json()["title_zh"] is None
    assert client.get("/api/v1/navigation/ipc/nonsense", **headers).status_code == 404
