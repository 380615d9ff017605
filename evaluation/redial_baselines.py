"""Baselines for recorded ReDial conversations, scored on the same cases as the chat in the same run.

    popularity  the catalog's interaction count per item (for the movies catalog: in how many training
                dialogues a movie is mentioned)
    cooc        item co-occurrence in the catalog's interactions (training dialogues for the movies catalog):
                score(j) = sum over the context's movies i of cooc(i, j) / popularity(j) ** COOC_ALPHA
    text        MiniLM similarity of the seeker's whole text to each item's text
    als         ALS fold-in of the movies the context names
    rrf         reciprocal-rank fusion of text and als

Published format: nothing is excluded (a movie named earlier is a target there too: a repeat), the
context is every message (the movies both people named). ml100k format, as it always was: every movie
named in the conversation is excluded and ALS folds in the seeker's titles only; no co-occurrence row.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from evaluation.redial_protocol import ML100K, PUBLISHED, Case

RRF_K = 60.0
# Co-occurrence normalisation, chosen by reasoning (never tuned on the test cases). alpha = 0 ranks by raw
# co-occurrence, which is mostly popularity (a blockbuster co-occurs with everything); alpha = 1 is P(i | j),
# which crowns movies seen once, next to i, in a few thousand dialogues (pure noise). alpha = 0.5 is the middle: for one
# context movie it orders candidates exactly as cosine similarity of the two movies' dialogue sets does
# (cooc / sqrt(pop_i * pop_j), pop_i being fixed), the standard item-kNN measure.
COOC_ALPHA = 0.5
BASELINES = {PUBLISHED: ("popularity", "cooc", "text", "als", "rrf"),
             ML100K: ("popularity", "text", "als", "rrf")}
EXCLUDES = {
    PUBLISHED: "baselines exclude nothing but untitled items, as the chat (repeats are targets in the published protocol)",
    ML100K: "baselines exclude every movie named in the conversation",
}


def top(scores: np.ndarray, exclude: set[int], k: int, tiebreak: np.ndarray | None = None) -> list[int]:
    """The k best items; ties in the order of `tiebreak` (higher first), else of the item index."""
    scores = scores.astype(np.float64).copy()
    if exclude:
        scores[list(exclude)] = -np.inf
    order = np.argsort(-scores, kind="stable") if tiebreak is None else np.lexsort((-tiebreak, -scores))
    return [int(i) for i in order[:k]]


class Baselines:
    def __init__(self, rec, alpha: float = COOC_ALPHA):
        self.rec = rec
        self.alpha = alpha
        self._mentions: dict[str, list[int]] = {}
        self._cooc: sp.csr_matrix | None = None
        self._norm: np.ndarray | None = None

    def mentioned(self, text: str) -> list[int]:
        """The catalog items a message names (memoised: consecutive cases of a dialogue repeat its messages)."""
        if text not in self._mentions:
            self._mentions[text] = self.rec.linker.mentioned_items(text)
        return self._mentions[text]

    def context_items(self, case: Case, roles=("user", "assistant")) -> list[int]:
        return list(dict.fromkeys(i for t in case.turns if t.role in roles for i in self.mentioned(t.text)))

    def _cooc_matrix(self) -> tuple[sp.csr_matrix, np.ndarray]:
        if self._cooc is None:
            inter, n = self.rec.catalog.interactions, len(self.rec.catalog)
            x = sp.csr_matrix((np.ones(len(inter), np.float32), (inter.user, inter.item)), shape=(inter.n_users, n))
            x.data[:] = 1.0  # a user (dialogue) counts once per item, however many rows name it
            cooc = (x.T @ x).tocsr()
            cooc.setdiag(0.0)  # an item does not co-occur with itself
            cooc.eliminate_zeros()
            users_per_item = np.asarray(x.sum(axis=0)).ravel()
            self._cooc, self._norm = cooc, np.maximum(users_per_item, 1.0) ** self.alpha
        return self._cooc, self._norm

    def cooc_scores(self, items: list[int]) -> np.ndarray:
        cooc, norm = self._cooc_matrix()
        if not items:
            return np.zeros(len(self.rec.catalog))
        return np.asarray(cooc[items].sum(axis=0)).ravel() / norm

    def lists(self, case: Case, k: int) -> dict[str, list[int]]:
        """Top-k of each baseline for one case."""
        rec = self.rec
        old = case.format == ML100K
        seeker = [t.text for t in case.turns if t.role == "user"]
        named = self.context_items(case, ("user",) if old else ("user", "assistant"))
        exclude: set[int] = set(rec.catalog.untitled_ids)  # as the chat: an item without a name is never offered
        if old:
            named_before = set(self.context_items(case))
            exclude |= named_before | {j for i in named_before for j in rec.linker.same_movie[i]}
        text = " ".join(seeker).strip()
        text_scores = rec.index.embeddings @ rec.embedder.encode([text])[0] if text else rec.catalog.popularity
        als_scores = rec.cf.scores(named)
        lists = {"popularity": top(rec.catalog.popularity, exclude, k)}
        if not old:
            lists["cooc"] = top(self.cooc_scores(named), exclude, k, tiebreak=rec.catalog.popularity)
        lists["text"] = top(text_scores, exclude, k)
        lists["als"] = top(als_scores, exclude, k)
        n = len(rec.catalog)
        fused = np.zeros(n)
        for scores in (text_scores, als_scores):
            order = top(scores, exclude, n)
            fused[order] += 1.0 / (RRF_K + np.arange(1, len(order) + 1))
        lists["rrf"] = top(fused, exclude, k)
        return lists
