"""Hybrid fusion strategies from the design: weighted (parallel), rank fusion, and cascade (sequential).

All take aligned arrays over the same candidates and return one score per candidate,
higher is better. Scores from different strategies are not comparable with each other.
"""

from __future__ import annotations

import numpy as np


def minmax(x: np.ndarray) -> np.ndarray:
    """Scale to 0..1; a constant vector becomes all zeros (it carries no preference)."""
    x = np.asarray(x, dtype=np.float64)
    if x.size == 0:
        return x
    span = x.max() - x.min()
    return np.zeros_like(x) if span <= 1e-12 else (x - x.min()) / span


def weighted(semantic: np.ndarray, cf: np.ndarray, cf_weight: float) -> np.ndarray:
    """Parallel hybrid: a convex mix of min-max normalized scores."""
    return (1.0 - cf_weight) * minmax(semantic) + cf_weight * minmax(cf)


def _ranks(x: np.ndarray) -> np.ndarray:
    order = np.argsort(-x, kind="stable")
    ranks = np.empty(len(x), dtype=np.float64)
    ranks[order] = np.arange(1, len(x) + 1)
    return ranks


def rrf(semantic: np.ndarray, cf: np.ndarray, cf_weight: float, k: float = 60.0) -> np.ndarray:
    """Reciprocal-rank fusion: robust to score scales, uses only each list's order."""
    return (1.0 - cf_weight) / (k + _ranks(semantic)) + cf_weight / (k + _ranks(cf))


def cascade(semantic: np.ndarray, cf: np.ndarray, cf_weight: float, keep: int = 30) -> np.ndarray:
    """Sequential hybrid: the `keep` best by semantic similarity, re-ranked by the CF prior.

    `cf_weight` is unused: the order is semantic first, CF second (a weight would blur the stages).
    """
    score = np.full(len(semantic), -np.inf)
    if len(semantic) == 0:
        return score
    top = np.argsort(-semantic, kind="stable")[:keep]
    score[top] = 1.0 + minmax(cf[top])  # every kept item beats every dropped one
    rest = np.setdiff1d(np.arange(len(semantic)), top)
    score[rest] = minmax(semantic[rest]) * 0.5 if len(rest) else score[rest]
    return score


FUSIONS = {"weighted": weighted, "rrf": rrf, "cascade": cascade}


def fuse(strategy: str, semantic: np.ndarray, cf: np.ndarray, cf_weight: float) -> np.ndarray:
    try:
        fn = FUSIONS[strategy]
    except KeyError:
        raise ValueError(f"Fusion '{strategy}' is unknown: choose one of {', '.join(FUSIONS)}") from None
    return fn(np.asarray(semantic, dtype=np.float64), np.asarray(cf, dtype=np.float64), cf_weight)


def mmr(scores: np.ndarray, embeddings: np.ndarray, k: int, diversity: float) -> list[int]:
    """Maximal marginal relevance: indexes of k picks trading relevance against similarity to earlier picks.

    diversity 0 is plain top-k by score; 1 ignores relevance after the first pick.
    """
    n = len(scores)
    if n == 0:
        return []
    relevance = minmax(scores)
    if diversity <= 0:
        return list(np.argsort(-relevance, kind="stable")[:k])
    picked: list[int] = [int(np.argmax(relevance))]
    max_sim = embeddings @ embeddings[picked[0]]
    while len(picked) < min(k, n):
        gain = (1 - diversity) * relevance - diversity * max_sim
        gain[picked] = -np.inf
        nxt = int(np.argmax(gain))
        picked.append(nxt)
        max_sim = np.maximum(max_sim, embeddings @ embeddings[nxt])
    return picked
