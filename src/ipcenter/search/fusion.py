"""Reciprocal rank fusion: one ranking from several, by rank alone (Cormack et al., 2009).

A document's fused score is the sum over the rankings that contain it of ``1 / (k + rank)``
(rank 1-based). Only ranks count, so BM25 scores and cosine similarities need no common scale;
``k`` (60, the paper's value) damps the weight of the very first places.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["DEFAULT_K", "Fused", "reciprocal_rank_fusion"]

DEFAULT_K = 60


@dataclass(frozen=True)
class Fused:
    """A document of the fused ranking: its key, fused score, and its 1-based rank in each
    input ranking (None where that ranking missed it)."""

    key: str
    score: float
    ranks: tuple[int | None, ...]


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[str]],
    *,
    k: int = DEFAULT_K,
    weights: Sequence[float] | None = None,
) -> list[Fused]:
    """Fuse rankings (each a list of keys, best first; a key repeated in one list counts once,
    at its best place). Ties are broken by the best single rank, then by key, so the order is
    the same on every backend."""
    if k < 0:
        raise ValueError("k must not be negative")
    if weights is None:
        weights = [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError("one weight per ranking")
    scores: dict[str, float] = {}
    ranks: dict[str, list[int | None]] = {}
    for index, (ranking, weight) in enumerate(zip(rankings, weights, strict=True)):
        for position, key in enumerate(ranking, start=1):
            places = ranks.setdefault(key, [None] * len(rankings))
            if places[index] is not None:
                continue
            places[index] = position
            scores[key] = scores.get(key, 0.0) + weight / (k + position)
    fused = [Fused(key, scores[key], tuple(ranks[key])) for key in scores]
    fused.sort(
        key=lambda item: (
            -item.score,
            min(rank for rank in item.ranks if rank is not None),
            item.key,
        )
    )
    return fused
