"""The ranking stage: candidates from semantic search and the CF prior, fused, filtered, diversified."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from catalog.model import Catalog
from cf.als import CFModel
from ranking.fusion import fuse, mmr
from ranking.preferences import Preferences
from retrieval.filters import Filters, ItemFacts
from retrieval.index import ItemIndex

DISLIKE_QUERY_WEIGHT = 0.5  # how far the query moves away from disliked items
DISLIKE_PENALTY = 0.5  # score penalty per unit of similarity to the closest disliked item
CF_CANDIDATES = 50  # CF-only candidates added to the semantic ones (parallel hybrid)
FULL_EVIDENCE = 3  # liked titles at which the CF prior gets its whole weight
GENRE_WEIGHT = 0.6  # score added for a full match with the wanted genres (fused scores lie in 0..1)
PERIOD_WEIGHT = 0.4  # score added inside the preferred period
PERSON_WEIGHT = 0.8  # score added for an item of a person the user asked for ("anything with Tom Hanks")
# A premise with no title to fold the prior in from ("a movie about a man who loses his memory"): the prior is only
# popularity then, and at its usual share it buried the films whose descriptions tell that story (picks were Black
# Panther, It, Coco; at 0.3 they were Memento, Remember, Total Recall). Set by reading picks, not tuned on tests.
PREMISE_CF_WEIGHT = 0.3
TOPIC_WEIGHT = 0.5  # score added for an item whose catalog text states a wished-for topic ("a heist movie")


def evidence_weight(cf_weight: float, n_liked: int, full_evidence: int = FULL_EVIDENCE) -> float:
    """The CF prior's share grows with the titles it was folded in from.

    One liked title is a thin basis for collaborative filtering (it pulls in whatever is popular
    with that title's fans), three are a profile: with n titles the share is cf_weight x min(n, 3) / 3.
    A catalog whose interactions are conversations (ReDial) may give the whole share at one title
    (`full_evidence` in its catalog.toml's [ranking], tuned by `python -m evaluation redial-validate`).
    With none, the prior is how many people liked each item, and the text it is fused with holds only
    a few recognised wishes: the prior keeps the whole share (on recorded conversations, where most
    seekers name no catalog title, this finds what people recommend far more often).
    """
    if n_liked == 0:
        return cf_weight
    return cf_weight * min(n_liked, full_evidence) / full_evidence


@dataclass
class Ranked:
    item_id: int
    score: float
    semantic: float
    cf: float


@dataclass
class RankResult:
    items: list[Ranked]
    timings_ms: dict[str, float] = field(default_factory=dict)
    candidates: int = 0


@dataclass
class RankRequest:
    query_vector: np.ndarray | None  # unit vector from the preference text; None: no text signal
    liked: list[int]
    disliked: list[int]
    filters: Filters
    k: int = 5
    diversity: float | None = None  # None: the ranker's default
    preferences: Preferences = field(default_factory=Preferences)  # soft: genres and periods leaned towards
    context: list[int] = field(default_factory=list)  # more items the CF prior is folded in from (seen, talked about)
    premise: bool = False  # the text says what the item should be about (see PREMISE_CF_WEIGHT)


class HybridRanker:
    def __init__(self, catalog: Catalog, index: ItemIndex, cf: CFModel, fusion: str = "weighted",
                 cf_weight: float = 0.7, candidates: int = 100, diversity: float = 0.0):
        self.catalog, self.index, self.cf = catalog, index, cf
        self.fusion, self.cf_weight, self.candidates, self.diversity = fusion, cf_weight, candidates, diversity
        self.full_evidence = int(catalog.ranking.get("full_evidence", FULL_EVIDENCE))
        # Items seen or named by the other side join the CF fold-in with this weight (0: they do not). On ReDial's
        # conversations they help (redial-validate); on ML-100K's they cost a little, so it stays off there.
        self.context_weight = float(catalog.ranking.get("context_weight", 0.0))
        self.genre_weight = float(catalog.ranking.get("genre_weight", GENRE_WEIGHT))
        self.topic_weight = float(catalog.ranking.get("topic_weight", TOPIC_WEIGHT))
        self.untitled = catalog.untitled_ids  # never offered: nobody could tell what they are

    @cached_property
    def facts(self) -> ItemFacts:
        return ItemFacts(self.catalog.items, self.catalog.genres)

    @cached_property
    def _centre(self) -> np.ndarray:
        return self.index.embeddings.mean(axis=0)  # a pass over every vector: 150 ms at a million items

    def query_vector(self, text_vector: np.ndarray | None, liked: list[int], disliked: list[int]) -> np.ndarray:
        """Blend the preference text with the liked items' embeddings; step away from disliked ones."""
        emb = self.index.embeddings
        parts = []
        if text_vector is not None:
            parts.append(text_vector)
        if liked:
            parts.append(emb[liked].mean(axis=0))
        q = np.mean(parts, axis=0) if parts else self._centre
        if disliked:
            q = q - DISLIKE_QUERY_WEIGHT * emb[disliked].mean(axis=0)
        return (q / (np.linalg.norm(q) + 1e-9)).astype(np.float32)

    def rank(self, req: RankRequest) -> RankResult:
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        q = self.query_vector(req.query_vector, req.liked, req.disliked)
        hits = [(i, sim) for i, sim in self.index.search(q, self.candidates, req.filters) if i not in self.untitled]
        t1 = time.perf_counter()
        timings["retrieve"] = (t1 - t0) * 1000

        folded, context = self.folded_in(req.liked, req.context)
        all_cf = self.cf.scores(folded, weights=[1.0] * (len(folded) - len(context)) + [self.context_weight] * len(context))
        semantic = dict(hits)
        extra = self._cf_candidates(all_cf, semantic, req.filters)
        if req.preferences:  # the prior's best items that fit the preferences, however deep they sit
            extra += self._cf_candidates(all_cf, {**semantic, **dict.fromkeys(extra)}, _within(req.filters, req.preferences))
        if req.preferences.topic_items:  # and those about the wished-for topics
            about = dataclasses.replace(req.filters, only_ids=set(req.preferences.topic_items) if req.filters.only_ids is None
                                        else req.filters.only_ids & req.preferences.topic_items)
            extra += self._cf_candidates(all_cf, {**semantic, **dict.fromkeys(extra)}, about)
        ids = list(semantic) + extra
        emb = self.index.embeddings
        sem = np.array([semantic[i] if i in semantic else float(emb[i] @ q) for i in ids])
        cf = all_cf[ids] if ids else np.zeros(0)
        t2 = time.perf_counter()
        timings["cf"] = (t2 - t1) * 1000

        # With neither words nor liked titles, similarity to the catalog's centre means nothing: the prior decides.
        has_signal = req.query_vector is not None or folded
        cf_weight = self.cf_share(req.liked, req.context, req.premise and req.query_vector is not None) if has_signal else 1.0
        scores = fuse(self.fusion, sem, cf, cf_weight) if ids else np.zeros(0)
        if req.preferences and ids:
            items = [self.catalog[i] for i in ids]
            scores = scores + self.genre_weight * req.preferences.genre_match(items) + PERIOD_WEIGHT * req.preferences.year_match(items)
            scores = scores + PERSON_WEIGHT * req.preferences.person_match(items)
            scores = scores + self.topic_weight * req.preferences.topic_match(items)
        if req.disliked and ids:
            closeness = (emb[ids] @ emb[req.disliked].T).max(axis=1)
            scores = scores - DISLIKE_PENALTY * np.clip(closeness, 0, None)
        diversity = self.diversity if req.diversity is None else req.diversity
        picks = mmr(scores, emb[ids], req.k, diversity) if ids else []
        items = [Ranked(ids[p], float(scores[p]), float(sem[p]), float(cf[p])) for p in picks]
        timings["rank"] = (time.perf_counter() - t2) * 1000
        return RankResult(items=items, timings_ms=timings, candidates=len(ids))

    def folded_in(self, liked: list[int], context: list[int]) -> tuple[list[int], list[int]]:
        """(every item the CF prior is folded in from, the context part of them)."""
        extra = [i for i in dict.fromkeys(context) if i not in liked] if self.context_weight > 0 else []
        return list(dict.fromkeys(liked)) + extra, extra

    def cf_share(self, liked: list[int], context: list[int], premise: bool = False) -> float:
        """The CF prior's share in fusion for a user folded in from these items (see evidence_weight), or, with a
        premise and no item to fold in from, PREMISE_CF_WEIGHT at most."""
        n = len(self.folded_in(liked, context)[0])
        share = evidence_weight(self.cf_weight, n, self.full_evidence)
        return min(share, PREMISE_CF_WEIGHT) if premise and n == 0 else share

    def _cf_candidates(self, cf_scores: np.ndarray, taken: dict, filters: Filters) -> list[int]:
        """The CF prior's best items that pass the filters and are not taken, however deep in its order they sit.

        Filtering first matters under narrow constraints ("sci-fi from the 1970s"): the prior's
        favourites that fit them can rank far below its overall top. The order is looked at in
        blocks, each eight times the last, so a million-item catalog is rarely sorted whole.
        """
        taken_ids = np.fromiter([*taken, *self.untitled], dtype=np.int64, count=len(taken) + len(self.untitled))
        block = 4 * (CF_CANDIDATES + len(taken_ids) + len(filters.exclude_ids))
        while True:
            order = best_first(cf_scores, block)
            ok = filters.mask(self.facts, order) & ~np.isin(order, taken_ids)
            extra = order[ok][:CF_CANDIDATES]
            if len(extra) == CF_CANDIDATES or block >= len(cf_scores):
                return [int(i) for i in extra]
            block *= 8


def best_first(scores: np.ndarray, m: int) -> np.ndarray:
    """The first m of `np.argsort(-scores, kind="stable")` without sorting every score.

    A partition finds the m-th best score; only the scores at or above it (ties included) are
    sorted, by score and then by position, as the stable full sort would order them.
    """
    neg = -np.asarray(scores)
    if m >= len(neg):
        return np.argsort(neg, kind="stable")
    cut = np.partition(neg, m - 1)[m - 1]
    top = np.flatnonzero(neg <= cut)  # ascending positions, so the stable sort below breaks ties by position
    return top[np.argsort(neg[top], kind="stable")][:m]


def _within(filters: Filters, preferences: Preferences) -> Filters:
    """The hard filters narrowed to the soft preferences (to find candidates that fit them)."""
    lows = [v for v in (filters.year_min, preferences.year_min) if v is not None]
    highs = [v for v in (filters.year_max, preferences.year_max) if v is not None]
    only = filters.only_ids
    if preferences.people_items:
        only = set(preferences.people_items) if only is None else only & preferences.people_items
    return Filters(exclude_ids=filters.exclude_ids, genres_any=filters.genres_any or preferences.genres,
                   genres_none=filters.genres_none, year_min=max(lows, default=None), year_max=min(highs, default=None),
                   only_ids=only, about_none=filters.about_none)
