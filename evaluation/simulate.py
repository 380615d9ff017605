"""`simulate`: conversations with simulated users built from held-out MovieLens data.

Per user, the target is the user's most recent item rated 4 or more; that one interaction is
held out (ALS, the popularity counts and the product's CF prior are trained without it). The
simulated user needs three more items rated 4 or more. Turns:

1. "I loved A (1977), B (1980) and C (1994)": the three most recent training items rated 4+.
2. a genre of the target (its rarest in the catalog), in words the dialogue understands.
3. the target's decade ("From the 1990s").
4. "Something like X": of the user's other training items rated 4+, the one whose embedding is
   closest to the target's.

The simulated user never says the target's title. A conversation stops at the first reply
that holds the target. Success@10 after turn t: the target was in one of the top-10 replies of
turns 1..t (the product never repeats an item it showed, and the baselines exclude shown items
too, so each turn shows 10 new items).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from tqdm import tqdm

from catalog.loading import ML100K
from catalog import Catalog, load_catalog
from catalog.model import Interactions
from evaluation.splits import subsample_users

METHODS = ("product", "retrieval", "als", "popularity")
K = 10
# Catalog genre -> words chat/understanding.py reads as that genre.
GENRE_WORDS = {"Sci-Fi": "sci-fi", "Children's": "family", "Film-Noir": "film noir"}


@dataclass
class Conversation:
    user: int
    target: int
    named: list[int]
    genre: str
    decade: int | None
    like: int | None  # the training item for "something like"

    def turns(self, catalog: Catalog) -> list[dict]:
        """Each turn: the text, and the same information as structured signals (for the baselines)."""
        names = [catalog[i].display for i in self.named]
        out = [{"text": f"I loved {', '.join(names[:-1])} and {names[-1]}", "liked": list(self.named)}]
        word = GENRE_WORDS.get(self.genre, self.genre.lower())
        out.append({"text": f"Something with {word}", "genre": self.genre})
        if self.decade is not None:
            out.append({"text": f"From the {self.decade}s", "years": (self.decade, self.decade + 9)})
        if self.like is not None:
            out.append({"text": f"Something like {catalog[self.like].display}", "liked": [self.like]})
        return out


def build_conversations(catalog: Catalog, emb: np.ndarray, users: np.ndarray) -> tuple[list[Conversation], np.ndarray]:
    """One conversation per user with a target and three other items rated 4+; and the held-out mask."""
    inter = catalog.interactions
    order = np.lexsort((inter.timestamp, inter.user))
    starts = np.searchsorted(inter.user[order], np.arange(inter.n_users + 1))
    genre_count = {g: 0 for g in catalog.genres}
    for it in catalog.items:
        for g in it.genres:
            genre_count[g] += 1
    keep = np.ones(len(inter), dtype=bool)
    convs = []
    for u in users:
        rows = order[starts[u]:starts[u + 1]]
        liked_rows = rows[inter.rating[rows] >= 4]
        if len(liked_rows) < 4:
            continue
        target_row = liked_rows[-1]
        target = int(inter.item[target_row])
        item = catalog[target]
        if not item.genres or not item.titled:
            continue
        keep[target_row] = False
        liked = [int(inter.item[r]) for r in liked_rows[:-1] if catalog[int(inter.item[r])].titled]  # named in text
        named = liked[-3:]
        others = [i for i in liked if i not in named]
        like = max(others, key=lambda i: float(emb[i] @ emb[target])) if others else None
        genre = min(item.genres, key=lambda g: genre_count[g])
        decade = (item.year // 10) * 10 if item.year else None
        convs.append(Conversation(int(u), target, named, genre, decade, like))
    return convs, keep


def training_catalog(catalog: Catalog, keep: np.ndarray) -> Catalog:
    i = catalog.interactions
    inter = Interactions(i.user[keep], i.item[keep], i.rating[keep], i.timestamp[keep], i.n_users)
    return replace(catalog, interactions=inter, name=f"{catalog.name}-simulate")  # same items, words and noun


class Baselines:
    """Retrieval-only, ALS-only and popularity, each ranking with the structured signals of the turns so far."""

    def __init__(self, catalog: Catalog, index, cf, embedder):
        self.catalog, self.index, self.cf, self.embedder = catalog, index, cf, embedder
        self.years = np.array([it.year or 0 for it in catalog.items])
        self.genre_sets = [set(it.genres) for it in catalog.items]
        self.popularity = catalog.popularity.astype(np.float64)
        self._text_vectors: dict[str, np.ndarray] = {}

    def _text_vector(self, genre: str) -> np.ndarray:
        # What the product embeds for a wanted genre (SessionState.retrieval_text).
        text = f"{genre} movies"
        if text not in self._text_vectors:
            self._text_vectors[text] = self.embedder.encode([text])[0]
        return self._text_vectors[text]

    def _allowed(self, genre, years, exclude) -> np.ndarray:
        ok = np.ones(len(self.catalog), dtype=bool)
        if genre:
            ok &= np.array([genre in g for g in self.genre_sets])
        if years:
            ok &= (self.years >= years[0]) & (self.years <= years[1])
        ok[list(exclude | self.catalog.untitled_ids)] = False  # as the product: an item without a name is never offered
        return ok

    def rank(self, method: str, liked: list[int], genre: str | None, years, exclude: set[int]) -> list[int]:
        if method == "retrieval":
            from retrieval.filters import Filters

            emb = self.index.embeddings
            parts = [self._text_vector(genre)] if genre else []
            parts.append(emb[liked].mean(axis=0))
            q = np.mean(parts, axis=0)
            q = (q / (np.linalg.norm(q) + 1e-9)).astype(np.float32)
            filters = Filters(exclude_ids=set(exclude) | self.catalog.untitled_ids, genres_any={genre} if genre else set(),
                              year_min=years[0] if years else None, year_max=years[1] if years else None)
            return [i for i, _ in self.index.search(q, K, filters)]
        scores = self.cf.scores(liked) if method == "als" else self.popularity
        scores = np.where(self._allowed(genre, years, exclude), scores, -np.inf)
        top = np.argsort(-scores, kind="stable")[:K]
        return [int(i) for i in top if np.isfinite(scores[i])]


def run(data=None, cache_dir=None, users=None, seed=0, methods=METHODS, max_turns=4, progress=True,
        product: dict | None = None) -> dict:
    """`product`: Settings overrides for the product pipeline (fusion, cf_weight, candidates)."""
    from chat.recommender import Recommender
    from chat.settings import Settings, cf_weight_for
    from chat.state import SessionState
    from evaluation.methods import default_cache_dir
    from retrieval.index import ItemIndex

    data = ML100K if data is None else data  # an evaluation of MovieLens-100K, whatever the default catalog
    started = time.perf_counter()
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(f"Method '{unknown[0]}' is unknown: choose from {', '.join(METHODS)}")
    cache_dir = Path(cache_dir or default_cache_dir())
    catalog = load_catalog(data)
    settings = Settings(data=data, cache_dir=cache_dir, use_llm=False, k=K,
                        **{k: v for k, v in (product or {}).items() if v is not None})
    rec = Recommender(settings)
    # The product pipeline, with its CF prior trained without the held-out targets. The index
    # is keyed by the full catalog (same item texts), so the product's cached collection is reused.
    index = ItemIndex(catalog, rec.embedder, cache_dir)
    sample = subsample_users(catalog.interactions.n_users, users, seed)
    convs, keep = build_conversations(catalog, index.embeddings, sample)
    train = training_catalog(catalog, keep)
    rec.__dict__["catalog"] = train
    rec.__dict__["index"] = index
    rec.cf.load()
    baselines = Baselines(train, index, rec.cf, rec.embedder)

    per_method = {}
    parse_ok = 0
    for method in methods:
        success_turn = []
        bar = tqdm(convs, desc=f"simulate {method}", disable=not progress, leave=False)
        for conv in bar:
            turns = conv.turns(catalog)[:max_turns]
            hit = None
            if method == "product":
                state = SessionState()
                for t, turn in enumerate(turns, 1):
                    result = rec.run_turn(state, turn["text"], k=K, use_llm=False)
                    if t == 1:
                        parse_ok += len(set(conv.named) & set(state.liked))
                    if conv.target in [item["id"] for item in result["items"]]:
                        hit = t
                        break
            else:
                liked, genre, years, shown = [], None, None, set()
                for t, turn in enumerate(turns, 1):
                    liked += turn.get("liked", [])
                    genre = turn.get("genre", genre)
                    years = turn.get("years", years)
                    items = baselines.rank(method, liked, genre, years, shown | set(liked))
                    shown |= set(items)
                    if conv.target in items:
                        hit = t
                        break
            success_turn.append(hit)
        per_method[method] = summarize(success_turn, max_turns)
    out = {
        "command": "simulate",
        "dataset": catalog.name,
        "seed": seed,
        "k": K,
        "n_users_sampled": int(len(sample)),
        "n_conversations": len(convs),
        "turns": max_turns,
        "methods": per_method,
        "product_settings": {"fusion": settings.fusion, "cf_weight": cf_weight_for(settings, catalog),
                             "candidates": settings.candidates, "diversity": settings.diversity},
    }
    if "product" in methods and convs:
        out["turn1_titles_understood"] = round(parse_ok / (3 * len(convs)), 4)
    out["seconds"] = round(time.perf_counter() - started, 1)
    return out


def summarize(success_turn: list[int | None], max_turns: int) -> dict:
    n = max(len(success_turn), 1)
    by_turn = [sum(1 for s in success_turn if s is not None and s <= t) / n for t in range(1, max_turns + 1)]
    hits = [s for s in success_turn if s is not None]
    return {
        "success_at_10_by_turn": [round(x, 4) for x in by_turn],
        "mean_turns_to_success": round(float(np.mean(hits)), 3) if hits else None,
        "n_success": len(hits),
        "n": len(success_turn),
    }


def format_table(result: dict) -> str:
    t = result["turns"]
    head = "method".ljust(12) + "".join(f"S@10 t{i}".rjust(10) for i in range(1, t + 1)) + "mean turns".rjust(12)
    lines = [f"{result['n_conversations']} simulated conversations (k={result['k']}, seed {result['seed']})", head]
    for name, m in result["methods"].items():
        mt = m["mean_turns_to_success"]
        lines.append(name.ljust(12) + "".join(f"{x:10.4f}" for x in m["success_at_10_by_turn"])
                     + (f"{mt:12.2f}" if mt is not None else "           -"))
    if "turn1_titles_understood" in result:
        lines.append(f"turn-1 titles the product understood: {result['turn1_titles_understood']:.1%}")
    return "\n".join(lines)
