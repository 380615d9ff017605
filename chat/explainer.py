"""Explanations for ranked items: written by the LLM, checked against the catalog, or built from a template.

The ranker has already chosen the items; the LLM only writes one short text per item.
Text is streamed at clause boundaries after each released piece passed the grounding
check, so a made-up title never reaches the user. When the model fails, returns nothing
or names a movie outside the catalog, the item gets a template explanation from its facts.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Iterator

from catalog.model import Catalog, Item
from cf.als import CFModel
from chat.grounding import unknown_titles
from chat.linker import TitleLinker
from chat.state import SessionState
from prompts import render

log = logging.getLogger("recs.explainer")
NEIGHBOUR_MIN_SIMILARITY = 0.2  # below this, "people who liked X also liked Y" would be a stretch
MAX_CHARS = 320
_CLAUSE_END = re.compile(r"[.,;:!?](?=\s)")


@dataclass
class Facts:
    item: Item
    liked: list[str]
    shared_genres: list[str]
    neighbour: str | None
    mood: str
    request: str

    def allowed_phrases(self) -> set[str]:
        return {self.item.title, self.item.display, *self.liked, *self.item.genres}


@dataclass
class ExplanationEvent:
    row: int
    text: str
    final: bool  # False: text to append; True: the whole, authoritative explanation
    source: str = "llm"  # "llm" or "template" (meaningful on final events)


class Explainer:
    def __init__(self, catalog: Catalog, cf: CFModel, linker: TitleLinker, llm=None):
        self.catalog, self.cf, self.linker, self.llm = catalog, cf, linker, llm

    def facts(self, item: Item, state: SessionState) -> Facts:
        liked_items = [self.catalog[i] for i in state.liked]
        liked_genres = {g for it in liked_items for g in it.genres} | state.genres_wanted
        shared = [g for g in item.genres if g in liked_genres]
        neighbour = None
        if state.liked:
            best, sim = self.cf.similar(item.id, state.liked)[0]
            if sim >= NEIGHBOUR_MIN_SIMILARITY:
                neighbour = self.catalog[best].display
        return Facts(
            item=item, liked=[it.display for it in liked_items], shared_genres=shared, neighbour=neighbour,
            mood="; ".join(state.moods), request=state.preference_text(self.catalog) or f"recommend a good {self.catalog.noun}",
        )

    def template(self, facts: Facts) -> str:
        return render(
            "fallback.j2", neighbour=facts.neighbour, shared_genres=facts.shared_genres, mood=facts.mood,
            genres=list(facts.item.genres) or [self.catalog.noun], year=facts.item.year,
        )

    def conversation(self, facts: Facts) -> list[dict]:
        """System, user, and the start of the answer: a 135M model stays on topic when the reply is begun for it."""
        return [
            {"role": "system", "content": render("explain_system.j2", **self.catalog.template_words)},
            {"role": "user", "content": render(
                "explain_user.j2", request=facts.request, title=facts.item.display,
                genres=list(facts.item.genres) or ["unknown"], shared_genres=facts.shared_genres, **self.catalog.template_words,
            )},
            {"role": "assistant", "content": render("explain_start.j2", title=facts.item.title)},
        ]

    def check(self, text: str, facts: Facts) -> str | None:
        """Why the text cannot be shown, or None when it is fine."""
        if not text.strip():
            return "empty"
        unknown = unknown_titles(text, self.linker, facts.allowed_phrases())
        return f"names {unknown[0]!r}, which is not in the catalog" if unknown else None

    def explain(self, items: list[Item], state: SessionState, use_llm: bool = True) -> Iterator[ExplanationEvent]:
        """Stream explanation events for the items; every row ends with exactly one final event."""
        all_facts = [self.facts(it, state) for it in items]
        if not (use_llm and self.llm and items):
            for row, facts in enumerate(all_facts):
                yield ExplanationEvent(row, self.template(facts), final=True, source="template")
            return
        texts = [""] * len(items)
        released = [0] * len(items)
        done = [False] * len(items)
        conversations = [self.conversation(f) for f in all_facts]
        starts = [c[-1]["content"] for c in conversations]  # our own words: shown as soon as the model echoes them
        stream = self.llm.stream(conversations)
        try:
            for row, delta in stream:
                if done[row]:
                    continue
                texts[row] += delta
                # The small model drifts after its first sentence, so the first one is the answer.
                sentence = _FIRST_SENTENCE.match(texts[row])
                if sentence:
                    done[row] = True
                    yield self._final(row, sentence.group(0), all_facts[row])
                    if all(done):
                        break  # closing the stream stops generation for the other rows
                    continue
                if released[row] == 0 and texts[row].startswith(starts[row]):
                    released[row] = len(starts[row])
                    yield ExplanationEvent(row, starts[row], final=False)
                upto = _safe_release_point(texts[row], released[row])
                if upto <= released[row]:
                    continue
                if self.check(texts[row][:upto], all_facts[row]) not in (None, "empty"):
                    done[row] = True  # never show the rest of a text that names an unknown movie
                    yield self._final(row, texts[row][:upto], all_facts[row])
                elif upto > released[row]:
                    yield ExplanationEvent(row, texts[row][released[row]:upto], final=False)
                    released[row] = upto
        except Exception as err:  # noqa: BLE001 - any model failure gets template explanations
            log.warning("LLM failed (%s: %s); using template explanations", type(err).__name__, err)
        finally:
            close = getattr(stream, "close", None)
            if close:
                close()
        for row, facts in enumerate(all_facts):
            if not done[row]:
                yield self._final(row, texts[row], facts)

    def _final(self, row: int, text: str, facts: Facts) -> ExplanationEvent:
        """The explanation to keep: the model's text when it passes the checks, else the template."""
        text = _tidy(text)
        problem = self.check(text, facts)
        if problem:
            log.info("explanation for %s replaced by the template: %s", facts.item.display, problem)
            return ExplanationEvent(row, self.template(facts), final=True, source="template")
        return ExplanationEvent(row, text, final=True, source="llm")


_FIRST_SENTENCE = re.compile(r"^.{20,}?[.!?](?=\s|$)(?<!\b[A-Z]\.)(?<!\b(?:Mr|Dr|St|vs|Jr)\.)", re.S)


def _safe_release_point(text: str, released: int) -> int:
    """How far the text can be shown now: whole words while nothing could start a title, else a clause end.

    A movie title needs a capital letter or quotes, so lower-case words stream at once; anything
    that might be a title waits until its clause is complete and has passed the check.
    """
    pending = text[released:]
    cut = pending.rfind(" ")
    if cut > 0 and not _MAYBE_TITLE.search(pending[:cut]):
        return min(released + cut, MAX_CHARS)
    ends = [m.end() for m in _CLAUSE_END.finditer(text) if m.end() > released]
    return min(ends[-1], MAX_CHARS) if ends else released


_MAYBE_TITLE = re.compile(r"[A-Z0-9\"“”«»*_(\[]")


def _tidy(text: str) -> str:
    """One line of at most MAX_CHARS; a text cut off mid-sentence ends with an ellipsis."""
    text = " ".join(text.split())[:MAX_CHARS].strip()
    if text and text[-1] not in ".!?":
        text = text.rstrip(",;:- ") + "…"
    return text
