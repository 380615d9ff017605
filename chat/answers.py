"""Replies that are not recommendations: a clarifying question, notes on what was understood, and
answers to "why did you pick X?".

A "why" answer is built only from the facts that ranked the item: what the user asked for (the
preference text), the liked movies it is close to in the CF model (`CFModel.similar`), the
genres it shares with them, and where it stood on each of the two scores the ranker fused
(meaning match from the embedder, collaborative filtering from ALS). No LLM writes it, and
nothing is re-ranked: the reply shows the same items as before.
"""

from __future__ import annotations

import string

import numpy as np

from catalog.model import Catalog
from chat.state import Clarification, SessionState
from chat.understanding import Question, Understanding
from retrieval.filters import Filters

NEIGHBOUR_MIN_SIMILARITY = 0.2  # as in the explainer: below this, "close to X" would be a stretch
MAX_NEIGHBOURS = 2


def clarifying_question(catalog: Catalog, pending: Clarification, again: bool = False) -> str:
    options = [f"{n}. {catalog[i].display}" for n, i in enumerate(pending.candidates, 1)]
    listing = ", ".join(options[:-1]) + " or " + options[-1] if len(options) > 1 else options[0]
    name = string.capwords(pending.text)
    start = "Sorry, I still don't know which one you mean. " if again else ""
    return (f"{start}Which {name} do you mean: {listing}? "
            "Answer with the number, the year or the title.")


def mention_notes(catalog: Catalog, u: Understanding) -> list[str]:
    """Say what a reference to the shown items ("the second one") or an answer to our question was taken as."""
    verbs = {"liked": "you liked", "disliked": "you didn't like", "seen": "you've seen", "unseen": "you haven't seen",
             "interested": "you're interested in"}
    last_word: dict[str, str] = {}  # the latest word about an item is the one that stands
    for m in u.mentions:
        if m.source in ("shown", "choice"):
            name = catalog[m.item_ids[0]].display
            last_word.pop(name, None)
            last_word[name] = m.sentiment
    by_verb: dict[str, list[str]] = {}
    for name, sentiment in last_word.items():
        by_verb.setdefault(sentiment, []).append(name)
    return [f"Noted: {verbs[s]} {', '.join(names)}." for s, names in by_verb.items()]


def answer_why(rec, state: SessionState, question: Question) -> str:
    """One paragraph (the app shows the first line of a reply above the cards)."""
    catalog = rec.catalog
    if not state.last_items:
        return (f"I haven't suggested anything yet, so there is nothing to explain. Tell me a {catalog.noun} you liked "
                "or what you're in the mood for.")
    parts = []
    if question.not_shown:
        names = ", ".join(question.not_shown)
        parts.append(f"{names} {'was' if len(question.not_shown) == 1 else 'were'} not in my last picks.")
    if question.item_ids:
        facts = _RankContext(rec, state)
        wanted = state.preference_text(catalog)
        if wanted:
            parts.append(f"You told me: {wanted}")
        brief = len(question.item_ids) > 1
        for item_id in question.item_ids:
            parts.append(facts.explain(item_id, brief))
    return " ".join(parts)


class _RankContext:
    """The ranking as it was for the last reply: the state has not changed since (a question changes nothing)."""

    def __init__(self, rec, state: SessionState):
        self.rec, self.state, self.catalog = rec, state, rec.catalog
        f = state.filters()
        # the pool the last reply was ranked from: its own items were not yet "shown" then
        f = Filters(exclude_ids=f.exclude_ids - set(state.last_items), genres_any=f.genres_any,
                    genres_none=f.genres_none, year_min=f.year_min, year_max=f.year_max, about_none=f.about_none)
        self.pool = np.array([it.id for it in self.catalog.items if it.titled and f.accepts(it)], dtype=np.int64)
        text = state.retrieval_text(self.catalog.nouns)
        text_vector = rec.embedder.encode([text])[0] if text else None
        emb = rec.index.embeddings
        q = rec.ranker.query_vector(text_vector, list(state.liked), list(state.disliked))
        self.semantic = emb @ q
        self.cf = rec.cf.scores(list(state.liked))

    def _rank(self, values: np.ndarray, item_id: int) -> int:
        pool = values[self.pool]
        return int((pool > values[item_id]).sum()) + 1

    def explain(self, item_id: int, brief: bool) -> str:
        catalog, state = self.catalog, self.state
        item = catalog[item_id]
        position = state.last_items.index(item_id) + 1
        bits: list[str] = []
        close = []
        if state.liked:
            close = [(catalog[j].display, s) for j, s in self.rec.cf.similar(item_id, list(state.liked))
                     if s >= NEIGHBOUR_MIN_SIMILARITY][:MAX_NEIGHBOURS]
        if close:
            if brief:
                bits.append("close in ratings to " + " and ".join(name for name, _ in close))
            else:
                names = " and ".join(f"{name} (similarity {s:.2f})" for name, s in close)
                bits.append(f"people who liked {names} also liked it")
        liked_genres = {g for i in state.liked for g in catalog[i].genres} | state.genres_wanted
        shared = [g for g in item.genres if g in liked_genres]
        if shared:
            source = "what you asked for and liked" if state.genres_wanted else "what you liked"
            bits.append(f"shares {', '.join(shared)} with {source}" if not brief else f"shares {', '.join(shared)}")
        fits = []
        if state.genres_excluded:
            fits.append("no " + ", ".join(sorted(state.genres_excluded)))
        if state.year_min or state.year_max:
            fits.append(f"years {state.year_min or 'any'} to {state.year_max or 'any'}")
        if fits and not brief:
            bits.append(f"fits your filters ({'; '.join(fits)})")
        sem_rank, cf_rank, n = self._rank(self.semantic, item_id), self._rank(self.cf, item_id), len(self.pool)
        noun, nouns = self.rec.catalog.noun, self.rec.catalog.nouns
        cf_name = f"collaborative filtering from your liked {nouns}" if state.liked else f"popularity (no liked {noun} yet)"
        if brief:
            bits.append(f"#{sem_rank} by meaning, #{cf_rank} by {'CF' if state.liked else 'popularity'}")
        else:
            cf_short = "collaborative filtering" if state.liked else "popularity"
            lead = ("both agreed" if sem_rank == cf_rank else
                    "the meaning match weighed most" if sem_rank < cf_rank else f"{cf_short} weighed most")
            weights = ""
            if self.rec.settings.fusion == "weighted":
                w = self.rec.ranker.cf_share(state.positives(), state.cf_context(), bool(state.premise))
                weights = f"; the score mixes {1 - w:.0%} meaning and {w:.0%} {'CF' if state.liked else 'popularity'}"
            bits.append(f"of {n:,} {nouns} that fit, it is #{sem_rank} by meaning match with your request and liked {nouns} "
                        f"and #{cf_rank} by {cf_name}, so {lead}{weights}")
        disliked_note = ""
        if state.disliked and not brief:
            emb = self.rec.index.embeddings
            sims = emb[state.disliked] @ emb[item_id]
            j = int(np.argmax(sims))
            disliked_note = (f" Its similarity to {catalog[state.disliked[j]].display}, which you didn't like, is "
                             f"{float(sims[j]):.2f}; {catalog.nouns} closer to it were pushed further down.")
        head = f"#{position} {item.display}"
        return f"{head}: {'; '.join(bits)}.{disliked_note}"
