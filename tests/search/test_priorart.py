"""Prior art per independent claim, on the real embedded backend over real US grants; and the
IPC suggestion checked against the applicant's code and a field list."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from ipcenter.patents.application import Claim, ParsedApplication
from ipcenter.patents.corpus import PatentRecord
from ipcenter.search.base import SearchBackend
from ipcenter.search.priorart import (
    claim_query,
    classification_check,
    independent_claims,
    prior_art,
)
from tests.search.priorart_records import patentsview_records


@pytest.fixture(scope="module")
def records() -> list[PatentRecord]:
    from tests.conftest import SHARED_DATA

    if not SHARED_DATA.is_dir():
        pytest.fail(f"the shared patent data is missing at {SHARED_DATA}")
    return patentsview_records(SHARED_DATA, limit=150)


@pytest.fixture(scope="module")
def backend(
    records: list[PatentRecord], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SearchBackend]:
    from ipcenter.search.backends import open_backend

    index = open_backend("embedded", str(tmp_path_factory.mktemp("priorart-index")))
    index.upsert(records)
    index.commit()
    yield index
    index.close()


def _pick(records: list[PatentRecord], year: int) -> PatentRecord:
    """A document of `year` whose abstract reads like a claim (long enough to be distinctive)."""
    return next(
        r
        for r in records
        if r.publication_date and r.publication_date.year == year and len(r.abstract) > 400
    )


def _application(first: PatentRecord, second: PatentRecord) -> ParsedApplication:
    """An application whose two independent claims are the abstracts of two real grants."""
    return ParsedApplication(
        title=first.title,
        claims=[
            Claim(1, first.abstract),
            Claim(2, "The system of claim 1, wherein the network has three layers.", [1]),
            Claim(3, second.abstract),
        ],
    )


def test_one_list_per_independent_claim_in_order(
    records: list[PatentRecord], backend: SearchBackend
) -> None:
    first, second = _pick(records, 1996), _pick(records, 1998)
    app = _application(first, second)
    assert [c.number for c in independent_claims(app)] == [1, 3]
    found = prior_art(app, backend=backend, cutoff=dt.date(2030, 1, 1), limit=5)
    assert [f.claim_number for f in found] == [1, 3]
    assert found[0].claim_text == first.abstract
    for claim in found:
        assert 0 < len(claim.hits) <= 5
        scores = [h.score for h in claim.hits]
        assert scores == sorted(scores, reverse=True)
    # Each claim finds the grant it was written from, first, with the words that matched.
    assert found[0].hits[0].key == first.key
    assert found[1].hits[0].key == second.key
    top = found[0].hits[0]
    assert top.bm25_rank == 1 and top.passages
    passage = top.passages[0]
    assert passage.spans and all(0 <= a < b <= len(passage.text) for a, b in passage.spans)


def test_only_documents_published_before_the_cutoff(
    records: list[PatentRecord], backend: SearchBackend
) -> None:
    first, second = _pick(records, 1996), _pick(records, 1998)
    app = _application(first, second)
    assert first.publication_date is not None
    cutoff = first.publication_date  # the grant itself is published on it: not prior
    found = prior_art(app, backend=backend, cutoff=cutoff, limit=10)
    keys = [h.key for claim in found for h in claim.hits]
    assert keys, "earlier documents exist and must be found"
    assert first.key not in keys and second.key not in keys
    for claim in found:
        for hit in claim.hits:
            assert hit.record.publication_date is not None
            assert hit.record.publication_date < cutoff
    # A day later it is prior art, and the most similar document.
    later = prior_art(app, backend=backend, cutoff=cutoff + dt.timedelta(days=1), limit=10)
    assert later[0].hits[0].key == first.key


def test_excluded_documents_and_today_as_default_cutoff(
    records: list[PatentRecord], backend: SearchBackend
) -> None:
    first, second = _pick(records, 1996), _pick(records, 1998)
    app = _application(first, second)
    found = prior_art(app, backend=backend, cutoff=None, exclude_keys=[first.key], limit=5)
    assert first.key not in [h.key for h in found[0].hits]
    assert found[1].hits[0].key == second.key


def test_the_query_is_never_written_to_the_index(
    records: list[PatentRecord], backend: SearchBackend
) -> None:
    before = backend.count()
    app = ParsedApplication(
        title="Simulation device for playful evaluation and display of blood sugar levels",
        claims=[Claim(1, "A simulation device whose evaluation is shown by a virtual creature.")],
    )
    prior_art(app, backend=backend, cutoff=None)
    assert backend.count() == before == len(records)


def test_an_application_without_claims_has_no_prior_art_list(backend: SearchBackend) -> None:
    app = ParsedApplication(title="Neural network", claims=[])
    assert prior_art(app, backend=backend, cutoff=None) == []


def test_the_claim_query_names_the_title_then_the_claim() -> None:
    app = ParsedApplication(title="Neural network chip", claims=[Claim(1, "A chip comprising x.")])
    assert claim_query(app, app.claims[0]) == "Neural network chip\nA chip comprising x."


# --- the suggestion against the applicant's code ------------------------------------------------


@dataclasses.dataclass
class Suggestion:
    symbol: str
    level: str
    confidence: float


SUGGESTED = [
    Suggestion("G06N", "subclass", 0.72),
    Suggestion("G06F", "subclass", 0.18),
    Suggestion("G06N 3/08", "group", 0.55),
    Suggestion("G06F 15/18", "group", 0.10),
]


def test_a_differing_subclass_is_a_mismatch() -> None:
    check = classification_check(SUGGESTED, applicant_code="A61B 5/00")
    assert check is not None
    assert (check.subclass, check.confidence) == ("G06N", 0.72)
    assert (check.group, check.group_confidence) == ("G06N 3/08", 0.55)
    assert check.applicant_subclass == "A61B"
    assert check.mismatch
    assert check.out_of_scope is None  # no field list given


def test_the_same_subclass_is_no_mismatch_whatever_the_group() -> None:
    check = classification_check(SUGGESTED, applicant_code="G06N 7/00")
    assert check is not None and not check.mismatch


@pytest.mark.parametrize(
    ("fields", "out"),
    [
        (["G06N"], False),  # the whole subclass
        (["G06N 3/00"], False),  # the suggested group's main group
        (["G06N 7/00"], True),  # another group of the subclass only
        (["A61B", "B25J"], True),
        ([], True),
    ],
)
def test_out_of_scope_against_the_field_list(fields: list[str], out: bool) -> None:
    check = classification_check(SUGGESTED, applicant_code="G06N 3/08", field_list=fields)
    assert check is not None and check.out_of_scope is out


def test_a_subclass_alone_is_in_scope_when_the_list_reaches_into_it() -> None:
    only_subclass = [Suggestion("A61B", "subclass", 0.9)]
    check = classification_check(
        only_subclass, applicant_code="A61B 5/00", field_list=["A61B 5/00"]
    )
    assert check is not None and check.out_of_scope is False and check.group == ""


def test_dicts_work_as_suggestions_and_nothing_suggested_is_no_check() -> None:
    stored: list[dict[str, Any]] = [dataclasses.asdict(s) for s in SUGGESTED]
    check = classification_check(stored, applicant_code="A61B 5/00")
    assert check is not None and check.subclass == "G06N"
    assert classification_check([], applicant_code="A61B 5/00") is None


def test_groups_alone_speak_for_their_subclass() -> None:
    groups = [Suggestion("H04L 29/06", "group", 0.4), Suggestion("H04L 12/28", "group", 0.3)]
    check = classification_check(groups, applicant_code="G06F 15/16")
    assert check is not None
    assert (check.subclass, check.group, check.mismatch) == ("H04L", "H04L 29/06", True)
