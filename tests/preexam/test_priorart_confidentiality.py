"""An application under pre-examination is unpublished: its text never enters the corpus index,
never comes back from anyone's search, and the prior-art queries made from it leave nothing
behind. The analysis itself is for the examiner and the managers only."""

from __future__ import annotations

from typing import Any

import pytest

from ipcenter.navigation.engine import get_backend
from ipcenter.patents.samples import sample_bytes
from ipcenter.preexam.models import Case, CaseAnalysis
from ipcenter.search.base import SearchRequest
from tests.conftest import Cast, client_for
from tests.preexam.factories import SAMPLE, submitted_case
from tests.preexam.priorart_support import Corpus, corpus, corpus_index

__all__ = ["corpus", "corpus_index"]  # fixtures

# Words of the sample application (US20050004437A1, a blood-sugar device shown by a "virtual
# creature") that none of the corpus's neural-network grants contains.
PHRASE = "virtual creature"
# A longer piece of its claim 1, which no page may show unless a document contained it.
FRAGMENT = "displayed by means of a virtual creature"


def _texts(hit: Any) -> str:
    record = hit.record
    return " ".join([record.title, record.abstract, *record.claims, record.description]).lower()


@pytest.fixture
def case(cast: Cast, corpus: Corpus, django_capture_on_commit_callbacks: Any) -> Case:
    with django_capture_on_commit_callbacks(execute=True):
        case = submitted_case(cast, data=sample_bytes(SAMPLE))
    analysis = CaseAnalysis.objects.get(version__case=case)
    assert analysis.hits.exists(), analysis.error  # the prior-art search did run
    return case


def test_the_case_text_is_in_no_index_and_no_result(case: Case, corpus: Corpus, cast: Cast) -> None:
    claim = case.versions.get().parsed["claims"][0]["text"]
    assert PHRASE in claim.lower()
    backend = get_backend()
    assert backend.count() == len(corpus.records)  # the analysis wrote nothing
    assert backend.get(case.reference) is None
    words = SearchRequest(query=f'"{PHRASE}"', mode="bm25", limit=50)
    assert backend.search(words).hits == []
    for mode in ("bm25", "dense", "hybrid"):
        like = SearchRequest(like_text=claim, mode=mode, limit=50)  # type: ignore[arg-type]
        for hit in backend.search(like).hits:
            assert PHRASE not in _texts(hit), (mode, hit.key)
            assert hit.key in {r.key for r in corpus.records}
    # Nor in the corpus's table of documents, which the index is built from.
    from ipcenter.navigation.models import PatentDocument

    assert not PatentDocument.objects.filter(abstract__icontains=PHRASE).exists()
    assert not PatentDocument.objects.filter(title__icontains=case.title[:40]).exists()


@pytest.mark.parametrize("who", ["nora", "bob", "alice", "erin"])
def test_the_navigation_search_never_shows_it(case: Case, cast: Cast, who: str) -> None:
    client = client_for(getattr(cast, who))
    claim = case.versions.get().parsed["claims"][0]["text"]
    for params in ({"q": PHRASE}, {"q": case.title}, {"like": claim}):
        response = client.get("/api/v1/navigation/search", params)
        assert response.status_code == 200, response.content
        body = response.content.decode().lower()
        assert PHRASE not in body and case.reference.lower() not in body
        page = client.get("/navigation/", params)
        assert page.status_code == 200
        assert FRAGMENT not in page.content.decode().lower().replace(claim.lower(), "")


@pytest.mark.parametrize("who", ["erin", "dave", "grace", "frank", "olga", "carol", "pete", "nora"])
def test_only_the_examiner_and_the_managers_read_the_analysis(
    case: Case, cast: Cast, who: str
) -> None:
    client = client_for(getattr(cast, who))
    for suffix in ("analysis", "citations"):
        refused = client.get(f"/api/v1/preexam/cases/{case.pk}/{suffix}")
        missing = client.get(f"/api/v1/preexam/cases/999999999/{suffix}")
        assert refused.status_code in (403, 404)
        if refused.status_code == 404:
            assert refused.content == missing.content
    for who_reads in (cast.bob, cast.alice):
        response = client_for(who_reads).get(f"/api/v1/preexam/cases/{case.pk}/analysis")
        assert response.status_code == 200
