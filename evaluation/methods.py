"""Recommenders under evaluation, each scoring every item for a batch of users.

Single methods return users x items score matrices. Hybrids take the content and CF score
matrices and, per user, build a candidate set the way `ranking.ranker.HybridRanker` does
(the first stage's best `candidates` plus `CF_CANDIDATES` of the other stage's best), then
score it with the product's own fusion functions from `ranking.fusion`; every other item
gets -inf. Items the user already interacted with are excluded before candidates are taken.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from cf.als import ALSConfig, fit_als
from evaluation.metrics import topk
from ranking.fusion import cascade, rrf, weighted
from ranking.ranker import CF_CANDIDATES

log = logging.getLogger("recs.evaluation")

# The hybrid strategies: name -> (which stage supplies the main candidates, description).
STRATEGIES = {
    "weighted": ("content", "weighted score fusion (parallel)"),
    "rrf": ("content", "reciprocal-rank fusion (parallel)"),
    "cascade": ("content", "cascade: content candidates re-ranked by CF"),
    "cascade-cf-first": ("cf", "cascade: CF candidates re-ranked by content"),
}


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "convrec"


def item_embeddings(catalog, cache_dir: Path, embedder=None) -> np.ndarray:
    """The (n_items, dim) unit embeddings the product's ChromaDB index holds (built on first use)."""
    from retrieval.embedder import Embedder
    from retrieval.index import ItemIndex

    return ItemIndex(catalog, embedder or Embedder(), Path(cache_dir)).embeddings


def popularity_scores(train: sp.csr_matrix, users: np.ndarray) -> np.ndarray:
    counts = np.asarray(train.sum(axis=0)).ravel().astype(np.float64)
    return np.broadcast_to(counts, (len(users), len(counts))).copy()


def recency_weights(interactions, mask: np.ndarray, n_items: int, half_life: float | None) -> sp.csr_matrix:
    """Users x items weights of the masked interactions: 0.5 ** (age / half_life), age = how many of the
    user's interactions came later (0 for the latest); all 1 when half_life is None (a plain mean)."""
    u, i, t = interactions.user[mask], interactions.item[mask], interactions.timestamp[mask]
    order = np.lexsort((t, u))
    u, i = u[order], i[order]
    starts = np.searchsorted(u, np.arange(interactions.n_users + 1))
    counts = np.diff(starts)
    position = np.arange(len(u)) - np.repeat(starts[:-1], counts)
    age = np.repeat(counts, counts) - 1 - position
    w = np.ones(len(u)) if half_life is None else 0.5 ** (age / half_life)
    m = sp.csr_matrix((w, (u, i)), shape=(interactions.n_users, n_items))
    m.sum_duplicates()
    return m


def content_scores(weights: sp.csr_matrix, emb: np.ndarray, users: np.ndarray) -> np.ndarray:
    """Cosine of every item with the (recency-weighted) mean embedding of the user's training items."""
    profile = np.asarray(weights[users] @ emb)
    profile /= np.linalg.norm(profile, axis=1, keepdims=True) + 1e-9
    return profile @ emb.T


@dataclass
class ALS:
    config: ALSConfig
    user_factors: np.ndarray
    item_factors: np.ndarray

    @classmethod
    def fit(cls, train: sp.csr_matrix, config: ALSConfig = ALSConfig()) -> "ALS":
        model = fit_als(train, config, progress=False)
        return cls(config, np.asarray(model.user_factors), np.asarray(model.item_factors))

    def scores(self, users: np.ndarray) -> np.ndarray:
        return self.user_factors[users] @ self.item_factors.T


@dataclass
class Hybrid:
    strategy: str
    candidates: int = 100
    cf_weight: float = 0.35  # weighted and rrf
    keep: int = 30  # cascades: how many first-stage items the second stage re-ranks
    params: dict = field(default_factory=dict)

    def describe(self) -> dict:
        d = {"strategy": self.strategy, "candidates": self.candidates}
        if self.strategy in ("weighted", "rrf"):
            d["cf_weight"] = self.cf_weight
        else:
            d["keep"] = self.keep
        return d

    def fuse(self, sem: np.ndarray, cf: np.ndarray) -> np.ndarray:
        if self.strategy == "weighted":
            return weighted(sem, cf, self.cf_weight)
        if self.strategy == "rrf":
            return rrf(sem, cf, self.cf_weight)
        if self.strategy == "cascade":
            return cascade(sem, cf, 0.0, keep=self.keep)
        if self.strategy == "cascade-cf-first":
            return cascade(cf, sem, 0.0, keep=self.keep)
        raise ValueError(f"Strategy '{self.strategy}' is unknown: choose one of {', '.join(STRATEGIES)}")


def candidate_sets(sem: np.ndarray, cf: np.ndarray, n_first: int, first: str = "content") -> np.ndarray:
    """Per user: the first stage's best n_first items plus the other stage's best CF_CANDIDATES not among them.

    Inputs already carry -inf on excluded items. Returns a users x (n_first + CF_CANDIDATES) id matrix.
    """
    a, b = (sem, cf) if first == "content" else (cf, sem)
    n_items = sem.shape[1]
    n_first = min(n_first, n_items)
    head = topk(a, n_first)
    b = b.copy()
    np.put_along_axis(b, head, -np.inf, axis=1)
    extra = topk(b, min(CF_CANDIDATES, n_items - n_first)) if n_items > n_first else head[:, :0]
    return np.concatenate([head, extra], axis=1)


def hybrid_lists(hybrid: Hybrid, sem: np.ndarray, cf: np.ndarray, k: int,
                 cands: np.ndarray | None = None) -> np.ndarray:
    """Top-k item ids per user under a hybrid (sem and cf carry -inf on excluded items)."""
    first = STRATEGIES[hybrid.strategy][0]
    if cands is None:
        cands = candidate_sets(sem, cf, hybrid.candidates, first)
    sem_c = np.take_along_axis(sem, cands, axis=1)
    cf_c = np.take_along_axis(cf, cands, axis=1)
    out = np.empty((len(cands), min(k, cands.shape[1])), dtype=np.int64)
    for u in range(len(cands)):
        valid = np.isfinite(sem_c[u]) & np.isfinite(cf_c[u])
        ids, s, c = cands[u][valid], sem_c[u][valid], cf_c[u][valid]
        score = hybrid.fuse(s, c)
        order = np.argsort(-score, kind="stable")[:out.shape[1]]
        row = ids[order]
        if len(row) < out.shape[1]:  # fewer candidates than k: pad with the best of the rest (never happens on ml-100k)
            rest = [i for i in np.argsort(-sem[u], kind="stable") if i not in set(row)]
            row = np.concatenate([row, rest[: out.shape[1] - len(row)]])
        out[u] = row
    return out


def masked(scores: np.ndarray, exclude: sp.csr_matrix) -> np.ndarray:
    """Scores with -inf on the items in `exclude` (users x items CSR aligned with the score rows)."""
    out = np.array(scores, dtype=np.float64, copy=True)
    coo = exclude.tocoo()
    out[coo.row, coo.col] = -np.inf
    return out
