"""Reciprocal rank fusion."""

from __future__ import annotations

import pytest

from ipcenter.search.fusion import DEFAULT_K, reciprocal_rank_fusion


def test_scores_are_sums_of_reciprocal_ranks() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["c", "a", "d"]])
    scores = {item.key: item.score for item in fused}
    assert scores["a"] == pytest.approx(1 / 61 + 1 / 62)
    assert scores["c"] == pytest.approx(1 / 63 + 1 / 61)
    assert scores["b"] == pytest.approx(1 / 62)
    assert scores["d"] == pytest.approx(1 / 63)
    assert [item.key for item in fused] == ["a", "c", "b", "d"]
    assert {item.key: item.ranks for item in fused} == {
        "a": (1, 2),
        "c": (3, 1),
        "b": (2, None),
        "d": (None, 3),
    }
    assert DEFAULT_K == 60


def test_a_document_in_both_lists_beats_one_in_a_single_list() -> None:
    fused = reciprocal_rank_fusion([["x", "both"], ["y", "both"]])
    assert fused[0].key == "both"


def test_ties_break_by_best_rank_then_key() -> None:
    fused = reciprocal_rank_fusion([["b", "a"], ["a", "b"]])
    assert [item.key for item in fused] == ["a", "b"]
    fused = reciprocal_rank_fusion([["z"], ["y"]])
    assert [item.key for item in fused] == ["y", "z"]


def test_k_weights_and_repeated_keys() -> None:
    # A repeated key counts once, at its best place; the others keep their places.
    fused = reciprocal_rank_fusion([["a", "a", "b"]], k=0)
    assert [(item.key, item.score) for item in fused] == [("a", 1.0), ("b", pytest.approx(1 / 3))]
    weighted = reciprocal_rank_fusion([["a"], ["b"]], weights=[1.0, 2.0])
    assert weighted[0].key == "b"
    with pytest.raises(ValueError, match="one weight per ranking"):
        reciprocal_rank_fusion([["a"]], weights=[1.0, 1.0])
    with pytest.raises(ValueError, match="negative"):
        reciprocal_rank_fusion([["a"]], k=-1)
    assert reciprocal_rank_fusion([]) == []
