"""The conversational recommender: one turn in, a stream of events out.

    message -> understand -> update state -> rank (retrieve + CF + fuse) -> explain (LLM) -> reply

Models are created on first use and shared by every session of the process; all
per-user data lives in the `SessionState` the caller passes in, so sessions never mix.
Nothing the user says is logged.
"""

from __future__ import annotations

import csv
import logging
import threading
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Iterator

from catalog import Catalog, CatalogError, Item, load_catalog
from cf.als import CFModel
from explain import Explainer
from explain.facts import period_in_words
from chat.linker import TitleLinker
from chat.settings import SPACE_STORAGE, Settings, cf_weight_for, on_space
from chat.answers import answer_why, clarifying_question
from chat.film_answers import answer_film_question
from chat.state import SessionState
from chat.state_update import apply_understanding, has_signal
from chat.text import clean_text
from chat.understanding import understand
from chat.topics import topics_for
from llm import backend_name
from prompts import render
from ranking.ranker import HybridRanker, RankRequest
from retrieval.embedder import Embedder
from retrieval.index import ItemIndex
from runtime.cache_files import describe
from runtime.errors import ConfigError

log = logging.getLogger("recs")
MAX_MESSAGE_CHARS = 2000  # longer messages are read up to here; the rest is ignored, and we say so


@dataclass
class Recommendation:
    item: Item
    score: float
    why: str = ""
    why_source: str = ""  # "llm" or "template": who wrote `why`
    final: bool = True  # False while `why` is the template shown until the LLM's sentence passes
    final_ms: float | None = None  # when `why` became final, after the user's message

    def as_dict(self) -> dict:
        """The pick inside this process: "id" is the dense index; `public` swaps in the catalog's own id."""
        out = {
            "id": self.item.id, "source_id": self.item.source_id, "title": self.item.display, "year": self.item.year,
            "genres": list(self.item.genres), "score": round(self.score, 4), "why": self.why,
            "why_source": self.why_source,
        }
        if self.item.description:
            out["description"] = self.item.description
        if self.final_ms is not None:
            out["final_ms"] = round(self.final_ms, 1)
        return out


def public(result: dict) -> dict:
    """A finished turn as it leaves the process (CLI JSON): each item's "id" is the catalog's own id, as in
    its files ("181" for Return of the Jedi), so a pick maps back to the catalog; the dense index stays inside."""
    return {**result, "items": [{**item, "id": item["source_id"]} for item in result.get("items", [])]}


@dataclass
class TurnEvent:
    """`kind` is one of: "items" (ranked, each with its template explanation until the LLM's passes),
    "explanation" (the final text for row `row`), "done" (the finished turn in `result`)."""

    kind: str
    items: list[Recommendation] = field(default_factory=list)
    row: int = -1
    text: str = ""
    final: bool = False
    source: str = ""  # on a final explanation: "llm" or "template"
    result: dict | None = None


class Recommender:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings.from_env()
        self._lock = threading.Lock()

    # --- components, created on first use ----------------------------------------
    @cached_property
    def catalog(self) -> Catalog:
        where = str(self.settings.data or "the default movies catalog")
        try:
            catalog = load_catalog(self.settings.data)
        except CatalogError as err:  # names the file, the problem and the fix: add the setting
            raise ConfigError(f"RECS_DATA={where!r}: {err}") from err
        except (OSError, ValueError, LookupError, csv.Error) as err:  # anything the loaders did not foresee
            if "RECS_DATA" in str(err):
                raise  # the message already names the setting and the fix
            raise ConfigError(
                f"RECS_DATA={where!r}: the catalog could not be read ({describe(err)}): set RECS_DATA to a catalog "
                "folder or spec (README: 'Your own catalog')"
            ) from err
        if not catalog.items:
            raise ConfigError(f"RECS_DATA={where!r}: the catalog has no items: set RECS_DATA to a catalog that lists "
                              "at least one item with a title")
        return catalog

    @cached_property
    def linker(self) -> TitleLinker:
        return TitleLinker(self.catalog)

    @cached_property
    def embedder(self) -> Embedder:
        return Embedder(self.settings.embedder)

    @cached_property
    def index(self) -> ItemIndex:
        return ItemIndex(self.catalog, self.embedder, self.settings.cache_dir, url=self.settings.chroma_url)

    @cached_property
    def cf(self) -> CFModel:
        return CFModel(self.catalog, self.settings.cache_dir)

    @cached_property
    def llm(self):
        from llm import make_llm

        return make_llm(self.settings)

    @cached_property
    def ranker(self) -> HybridRanker:
        s = self.settings
        return HybridRanker(self.catalog, self.index, self.cf, fusion=s.fusion, cf_weight=cf_weight_for(s, self.catalog),
                            candidates=s.candidates, diversity=s.diversity)

    @cached_property
    def explainer(self) -> Explainer:
        return Explainer(self.catalog, self.cf, self.linker, self.llm if self.settings.use_llm else None,
                         budget_s=self.settings.llm_timeout)

    def warm_up(self) -> list[str]:
        """Load every model now (instead of on the first message) and say what is in use."""
        with self._lock:
            self.catalog  # noqa: B018 - a catalog that cannot be read fails here, before any model loads
            # The LLM loads in a thread while the index and ALS model load here: start-up is mostly I/O.
            llm_loader, llm_errors = None, []
            if self.settings.use_llm and backend_name(self.settings) != "transformers":
                self.llm.load()  # a server: one request to check it answers and serves the model named
            elif self.settings.use_llm:
                # Import here first: transformers' lazy module is not safe to import from two threads at once.
                from transformers import AutoModel, AutoModelForCausalLM, AutoTokenizer  # noqa: F401

                llm_loader = threading.Thread(target=self._load_llm, args=(llm_errors,), name="recs-llm-load",
                                              daemon=True)  # a failed start-up exits without waiting for it
                llm_loader.start()
            self.index.load()
            self.cf.load()
            self.linker  # noqa: B018 - builds the alias table
            understand("warm up", self.linker)  # builds the catalog's people and word patterns (~0.8 s at 7k movies)
            # The first encode and query pay one-off set-up costs; pay them now, not on the first message.
            self.index.search(self.embedder.encode(["warm up"])[0], 1)
            if llm_loader:
                llm_loader.join()
                if llm_errors:
                    raise llm_errors[0]  # here, in the caller's thread, which reports it
        return self.describe()

    def _load_llm(self, errors: list) -> None:
        try:
            self.llm.load()
        except Exception as err:  # kept for warm_up to raise; a thread would only print a traceback
            errors.append(err)

    def describe(self) -> list[str]:
        lines = [
            f"catalog {self.catalog.name}: {len(self.catalog)} {self.catalog.nouns}, {len(self.catalog.interactions)} interactions",
            self.embedder.describe(),
            f"index ChromaDB {self.index.location} ({'built now' if self.index.built_now else 'reused'})",
            f"CF implicit ALS {self.cf.path.name} ({'trained now' if self.cf.trained_now else 'reused'})",
            self.llm.describe() if self.settings.use_llm else "LLM off: template explanations",
            f"fusion {self.settings.fusion}, cf_weight {self.ranker.cf_weight}, diversity {self.settings.diversity}",
        ]
        if on_space():  # a Space's disk is wiped at restart unless persistent storage holds the caches
            kept = Path(self.settings.cache_dir).is_relative_to(SPACE_STORAGE)
            lines.append(f"Hugging Face Space: caches in {self.settings.cache_dir} "
                         f"({'persistent storage' if kept else 'rebuilt after each restart: no persistent storage'})")
        return lines

    # --- one turn ------------------------------------------------------------------
    def turn(self, state: SessionState, message: str, k: int | None = None,
             use_llm: bool | None = None, respond: bool = True) -> Iterator[TurnEvent]:
        """One user message. With `respond=False` (replaying a recording) the message only updates
        the state: no picks, no clarifying question (an ambiguous title takes its best-known reading)."""
        started = time.perf_counter()
        k = k or self.settings.k
        use_llm = self.settings.use_llm if use_llm is None else use_llm
        timings = _empty_timings()
        text = clean_text(message)  # the one place every entry point's message passes (UI, API, CLI, JSON)
        state.turns.append(text[:MAX_MESSAGE_CHARS])
        notes: list[str] = []

        if not text.strip():
            yield self._finish(state, text, render("empty_message.j2", **self.catalog.template_words), [], timings, started)
            return
        if len(text) > MAX_MESSAGE_CHARS:
            notes.append(f"That was a long message: I read the first {MAX_MESSAGE_CHARS:,} characters.")
            text = text[:MAX_MESSAGE_CHARS]

        t = time.perf_counter()
        understood = understand(text, self.linker, state)
        if understood.question is None:  # a "why" question changes nothing
            notes += apply_understanding(self.catalog, state, understood)
            state.fresh_items = []  # the user has answered what the other side named
        answer = (answer_why(self, state, understood.question) if understood.question  # "why did you pick Aliens?"
                  else answer_film_question(self.catalog, state, understood, ask=respond))  # "who directed it?" (chat.film_answers)
        timings["link"] = (time.perf_counter() - t) * 1000
        if answer is not None:  # answered from the facts: the same items, nothing re-ranked
            yield self._answer(state, text, " ".join(notes + [answer]), timings, started)
            return

        if not respond:
            self._settle_pending(state)
            yield self._finish(state, text, " ".join(notes), [], timings, started)
            return
        if state.pending:  # a title fit several movies: ask which one before recommending
            question = clarifying_question(self.catalog, state.pending[0], again=understood.choice == "unresolved")
            yield self._finish(state, text, " ".join(notes + [question]), [], timings, started)
            return
        if not has_signal(state):
            # Nothing to go on yet: well-liked picks, and one short question to learn more.
            notes.append(render("need_more.j2", **self.catalog.template_words))
        yield from self._recommend(state, text, k, use_llm, notes, timings, started)

    def answer(self, state: SessionState, k: int | None = None, use_llm: bool | None = None) -> Iterator[TurnEvent]:
        """Recommend from the state as it stands, without a new message (the end of a replayed recording)."""
        started = time.perf_counter()
        use_llm = self.settings.use_llm if use_llm is None else use_llm
        self._settle_pending(state)
        notes = [] if has_signal(state) else [render("need_more.j2", **self.catalog.template_words)]
        yield from self._recommend(state, "", k, use_llm, notes, _empty_timings(), started)

    def observe(self, state: SessionState, text: str) -> dict:
        """What the recommending side said (a recorded person, or our own earlier reply): the titles it
        names become the referents of "that one" / "the first one" and count as shown."""
        started = time.perf_counter()
        ids = [i for i in self.linker.mentioned_items(text) if i not in state.shown]
        if ids:
            state.shown += ids
            state.mentioned += ids
            state.last_items = ids
            state.fresh_items = list(dict.fromkeys(state.fresh_items + ids))
        result = self._finish(state, text, "", [], _empty_timings(), started).result
        return {**result, "role": "assistant", "turn": len(state.turns)}

    def _settle_pending(self, state: SessionState) -> None:
        """Nobody will answer a clarifying question: take each ambiguous title's best-known reading."""
        while state.pending:
            asked = state.pending.pop(0)
            best = max(asked.candidates, key=lambda c: self.catalog.popularity[c])
            for item_id in self.linker.same_movie[best]:
                state.mark(item_id, asked.sentiment)

    def feedback(self, state: SessionState, item_id: int, sentiment: str, use_llm: bool | None = None) -> Iterator[TurnEvent]:
        """A click on a card (liked / disliked / seen): record it and replace that card at once, no typing needed."""
        if sentiment not in ("liked", "disliked", "seen"):
            raise ValueError(f"Feedback '{sentiment}' is unknown: use liked, disliked or seen")
        started = time.perf_counter()
        use_llm = self.settings.use_llm if use_llm is None else use_llm
        timings = _empty_timings()
        if not 0 <= item_id < len(self.catalog) or item_id in self.catalog.untitled_ids:
            yield self._finish(state, "", f"Item {item_id} is not in the catalog.", [], timings, started)
            return
        state.mark(item_id, sentiment)
        label = {"liked": "liked", "disliked": "didn't like", "seen": "have seen"}[sentiment]
        note = f"Noted: you {label} {self.catalog[item_id].display}."
        yield from self._recommend(state, "", None, use_llm, [note], timings, started, replace=item_id)

    def _recommend(self, state, text, k, use_llm, notes, timings, started, replace: int | None = None):
        """Rank, explain and finish a turn. With `replace`, only that card of the last reply gets a successor."""
        # A turn that may ask the LLM counts from here: other sessions' turns ask for less and wait for its request.
        arrival = self.explainer.traffic.arrival() if use_llm and self.explainer.llm is not None else None
        try:
            yield from self._rank_and_explain(state, text, k, use_llm, notes, timings, started, replace, arrival)
        finally:
            if arrival is not None:
                arrival.arrived()

    def _rank_and_explain(self, state, text, k, use_llm, notes, timings, started, replace, arrival):
        keep = [i for i in state.last_items if i != replace] if replace is not None else []
        want = 1 if replace is not None else (k or self.settings.k)
        t = time.perf_counter()
        retrieval_text = state.retrieval_text(self.catalog.nouns)
        text_vector = self.embedder.encode([retrieval_text])[0] if retrieval_text else None
        embed_ms = (time.perf_counter() - t) * 1000
        preferences = state.preferences()
        preferences.topic_items = topics_for(self.catalog).items_about_any(state.moods)
        result = self.ranker.rank(RankRequest(text_vector, state.positives(), list(state.disliked), state.filters(), want,
                                              diversity=state.diversity, preferences=preferences,
                                              context=state.cf_context(), premise=bool(state.premise)))
        timings.update(result.timings_ms)
        timings["retrieve"] += embed_ms
        fresh = [Recommendation(self.catalog[r.item_id], r.score) for r in result.items]
        state.rank_facts.update({r.item_id: {"score": r.score, "semantic": r.semantic, "cf": r.cf} for r in result.items})
        if not fresh and not keep:
            reply = " ".join(notes + [render("nothing_left.j2", constraints=state.preference_text(self.catalog))])
            yield self._finish(state, text, reply, [], timings, started)
            return
        if replace is not None:
            # The other cards stay where they were; the new pick takes the clicked card's place.
            kept = {i: Recommendation(self.catalog[i], 0.0, state.explanations.get(i, ""), _source(state, i)) for i in keep}
            row = state.last_items.index(replace) if replace in state.last_items else len(keep)
            order = keep[:row] + [r.item.id for r in fresh] + keep[row:]
            by_id = {**kept, **{r.item.id: r for r in fresh}}
            recs = [by_id[i] for i in order]
        else:
            recs = fresh
        prefs = state.preferences()
        if prefs and fresh and not any(prefs.fits(r.item) for r in fresh):
            notes.append("Nothing in the catalog fits all of that exactly, so here are the closest.")
        state.shown += [r.item.id for r in fresh]
        state.last_items = [r.item.id for r in recs]
        # Each pick is shown at once with its template (true, from facts); the LLM's sentence replaces it
        # as soon as it passes the checker, and a row the LLM did not finish keeps its template.
        rows = [n for n, r in enumerate(recs) if not r.why]  # kept cards already have their text
        all_facts = [self.explainer.facts(recs[n].item, state) for n in rows]
        for n, facts in zip(rows, all_facts):
            recs[n].why, recs[n].why_source, recs[n].final = self.explainer.template(facts), "template", False
        intro = self._intro(state, notes, len(recs))
        yield TurnEvent("items", items=recs, text=intro)

        t = time.perf_counter()
        for event in self.explainer.explain([recs[n].item for n in rows], state, use_llm=use_llm, all_facts=all_facts,
                                            arrival=arrival):
            timings.setdefault("first_explanation", (time.perf_counter() - started) * 1000)
            row = rows[event.row]
            recs[row].why, recs[row].why_source, recs[row].final = event.text, event.source, True
            recs[row].final_ms = (time.perf_counter() - started) * 1000
            state.explanations[recs[row].item.id] = event.text
            state.rank_facts.setdefault(recs[row].item.id, {})["why_source"] = event.source  # kept cards keep their mark
            yield TurnEvent("explanation", row=row, text=event.text, final=True, source=event.source)
        timings["llm"] = (time.perf_counter() - t) * 1000

        lines = [intro] + [f"{n}. {r.item.display}: {r.why}" for n, r in enumerate(recs, 1)]
        yield self._finish(state, text, "\n".join(lines), recs, timings, started)

    def _intro(self, state: SessionState, notes: list[str], count: int) -> str:
        """The reply's first line: the notes, then what the picks are for ("5 picks for something tense, like Alien")."""
        liked = [self.catalog[i].title for i in state.liked[-2:]]
        return render("reply_intro.j2", notes=notes, count=count, basis=liked, wishes=list(state.moods[-2:]),
                      genres=sorted(state.genres_wanted), people=list(state.people_wanted[-2:]), period=period_in_words(state))

    def run_turn(self, state: SessionState, message: str, **kwargs) -> dict:
        """Consume `turn` and return its finished result (for the CLI and tests)."""
        return _last_result(self.turn(state, message, **kwargs))

    def run_answer(self, state: SessionState, **kwargs) -> dict:
        return _last_result(self.answer(state, **kwargs))

    # --- helpers -------------------------------------------------------------------
    def _answer(self, state: SessionState, text: str, answer: str, timings, started) -> TurnEvent:  # above the same items
        recs = [Recommendation(self.catalog[i], state.rank_facts.get(i, {}).get("score", 0.0), state.explanations.get(i, ""),
                               _source(state, i)) for i in state.last_items]
        lines = [answer] + [f"{n}. {r.item.display}: {r.why}" for n, r in enumerate(recs, 1)]
        return self._finish(state, text, "\n".join(lines), recs, timings, started)

    def _finish(self, state, message, reply, recs, timings, started) -> TurnEvent:
        timings["total"] = (time.perf_counter() - started) * 1000
        result = {
            "turn": len(state.turns),
            "user": message,
            "reply": reply,
            "items": [r.as_dict() for r in recs],
            "state": state.snapshot(self.catalog),
            "timings_ms": {k: round(v, 1) for k, v in timings.items()},
        }
        return TurnEvent("done", items=recs, result=result)


def _last_result(events: Iterator[TurnEvent]) -> dict | None:
    result = None
    for event in events:
        if event.kind == "done":
            result = event.result
    return result


def _source(state: SessionState, item_id: int) -> str:
    """Who wrote the text shown for an item earlier in the session: "llm" or "template"."""
    return state.rank_facts.get(item_id, {}).get("why_source", "")


def _empty_timings() -> dict[str, float]:
    return {"link": 0.0, "retrieve": 0.0, "cf": 0.0, "rank": 0.0, "llm": 0.0}
