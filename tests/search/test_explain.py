"""Explanations: highlighted passages (spans into the original text) and closest sentences."""

from __future__ import annotations

import numpy as np

from ipcenter.patents.corpus import PatentRecord
from ipcenter.search.analysis import analyze_query
from ipcenter.search.base import Encoder
from ipcenter.search.explain import closest_sentences, highlight_passages

RECORD = PatentRecord(
    office="CN",
    publication_number="CN113156910A",
    title="锂电池充电装置",
    abstract=(
        "本发明涉及新能源车辆技术领域。一种锂电池的充电方法，包括检测电池温度。"
        "The Batteries are charged at low temperature."
    ),
    claims=[
        "1. A charging device for a battery, comprising a charger.",
        "2. 如权利要求1所述的装置。",
    ],
    language="zh",
    translations={"en": {"abstract": "A method of charging lithium batteries."}},
)


def test_passages_mark_matched_words_at_their_original_spans() -> None:
    passages = highlight_passages(RECORD, analyze_query("电池 battery"))
    assert passages
    for passage in passages:
        value = {
            "title": RECORD.title,
            "abstract": RECORD.abstract,
            "claims": RECORD.claims[passage.item],
            "abstract_en": RECORD.translations["en"]["abstract"],
        }[passage.field]
        assert value[passage.offset : passage.offset + len(passage.text)] == passage.text
        marked = [passage.text[start:end] for start, end in passage.spans]
        assert marked and all(
            word in ("电池", "Batteries", "battery", "batteries") for word in marked
        )
    # The sentence matching most often comes first.
    assert (passages[0].field, passages[0].text) == (
        "abstract",
        "一种锂电池的充电方法，包括检测电池温度。",
    )
    assert passages[0].spans == ((3, 5), (15, 17))


def test_overlapping_matches_merge_into_one_span() -> None:
    passages = highlight_passages(RECORD, analyze_query("锂电池"))
    title = next(p for p in passages if p.field == "title")
    assert title.spans == ((0, 3),)
    assert title.text[0:3] == "锂电池"


def test_claims_carry_their_index_and_nothing_matches_nothing() -> None:
    passages = highlight_passages(RECORD, analyze_query("charger"))
    claim = next(p for p in passages if p.field == "claims")
    assert claim.item == 0 and claim.text.endswith("comprising a charger.")
    assert highlight_passages(RECORD, analyze_query("hovercraft")) == []
    assert highlight_passages(RECORD, []) == []


def test_closest_sentences_are_the_hits_own_sentences(encoder: Encoder) -> None:
    other = PatentRecord(
        office="US",
        publication_number="US5535303",
        title="Barometer neuron for a neural network",
        abstract="A neuron enhances stability. It assigns sensor plots to tracks.",
    )
    query = encoder.encode(["charging a lithium battery"])[0]
    found = closest_sentences([RECORD, other], query, encoder, limit=2)
    assert len(found) == 2 and all(len(sentences) == 2 for sentences in found)
    first = found[0]
    assert first[0].score >= first[1].score
    assert any("电池" in s.text or "batter" in s.text.lower() for s in first)
    for sentence in found[1]:
        assert sentence.text in {
            other.title,
            "A neuron enhances stability.",
            "It assigns sensor plots to tracks.",
        }
    assert closest_sentences([], query, encoder) == []
    assert np.isfinite([s.score for s in first]).all()
