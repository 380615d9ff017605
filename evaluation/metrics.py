"""Top-k accuracy and beyond-accuracy metrics over full rankings, in numpy.

`topk(scores, k)` turns a users x items score matrix (with -inf on excluded items) into
the k best item ids per user; `evaluate` computes every metric from those lists and
the users x items CSR of held-out items.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

KS = (5, 10, 20)


def topk(scores: np.ndarray, k: int) -> np.ndarray:
    """Indexes of the k highest scores per row, best first (ties broken by lower item id)."""
    k = min(k, scores.shape[1])
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    part.sort(axis=1)  # lower id first, so the stable sort below breaks ties by id
    vals = np.take_along_axis(scores, part, axis=1)
    order = np.argsort(-vals, axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1)


def genre_matrix(item_genres: list[tuple[str, ...]], genres: list[str]) -> np.ndarray:
    col = {g: i for i, g in enumerate(genres)}
    g = np.zeros((len(item_genres), len(genres)), dtype=np.float32)
    for i, gs in enumerate(item_genres):
        for name in gs:
            g[i, col[name]] = 1.0
    return g


def intra_list_diversity(lists: np.ndarray, genres: np.ndarray) -> np.ndarray:
    """Mean pairwise genre distance (1 - Jaccard) within each list; one value per list."""
    g = genres[lists]  # users x k x n_genres
    inter = np.einsum("ukg,ujg->ukj", g, g)
    size = g.sum(axis=2)
    union = size[:, :, None] + size[:, None, :] - inter
    jac = np.where(union > 0, inter / np.maximum(union, 1e-9), 1.0)
    k = lists.shape[1]
    off = ~np.eye(k, dtype=bool)
    return (1.0 - jac)[:, off].mean(axis=1) if k > 1 else np.zeros(len(lists))


def evaluate(lists: np.ndarray, heldout: sp.csr_matrix, popularity: np.ndarray, genres: np.ndarray,
             ks: tuple[int, ...] = KS) -> dict[str, float]:
    """Metrics averaged over the rows of `lists` (one row per evaluated user, aligned with `heldout`).

    popularity: per item, the share of training users who interacted with it (0..1).
    """
    n_items = heldout.shape[1]
    n_rel = np.asarray(heldout.sum(axis=1)).ravel()
    hits = np.take_along_axis(heldout.toarray() > 0, lists, axis=1)
    discounts = 1.0 / np.log2(np.arange(2, lists.shape[1] + 2))
    out: dict[str, float] = {}
    for k in ks:
        h = hits[:, :k]
        n_hit = h.sum(axis=1)
        recall = n_hit / np.maximum(n_rel, 1)
        precision = n_hit / k
        dcg = (h * discounts[:k]).sum(axis=1)
        idcg = np.cumsum(discounts[:k])[np.minimum(n_rel, k).astype(int) - 1]
        f1 = np.where(recall + precision > 0, 2 * recall * precision / np.maximum(recall + precision, 1e-12), 0.0)
        out[f"recall@{k}"] = float(recall.mean())
        out[f"precision@{k}"] = float(precision.mean())
        out[f"ndcg@{k}"] = float((dcg / idcg).mean())
        out[f"hit@{k}"] = float((n_hit > 0).mean())
        out[f"f1@{k}"] = float(f1.mean())
    h10 = hits[:, :10]
    first = np.where(h10.any(axis=1), h10.argmax(axis=1) + 1, np.inf)
    out["mrr@10"] = float((1.0 / first).mean())
    top10 = lists[:, :10]
    out["coverage@10"] = float(len(np.unique(top10)) / n_items)
    out["popularity@10"] = float(popularity[top10].mean())
    out["diversity@10"] = float(intra_list_diversity(top10, genres).mean())
    return out


METRIC_ORDER = (
    [f"{m}@{k}" for k in KS for m in ("recall", "precision", "ndcg", "hit", "f1")]
    + ["mrr@10", "coverage@10", "popularity@10", "diversity@10"]
)
