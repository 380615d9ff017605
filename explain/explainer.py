"""Explanations for ranked items: the LLM phrases the facts, the checker judges, the template is the last resort.

The ranker has already chosen the items; the LLM only writes one sentence per item.

1. Facts: each item's title, year and genres, its director and cast, the premise its description gives, the
   liked movie the CF model ties it to, the user's recognised wishes it fits, the genres asked for
   (`explain/facts.py`, `explain/premise.py`). The model is given
   these facts to phrase, not a question to answer.
2. Constrained decoding: per row, the model cannot write genre words the item lacks, award,
   sequel, cast or plot words (plot words only from the premise), numbers that are not its own, capitalised
   names outside its facts, or start a word the checker would not let through (`explain/decoding_constraints.py`).
3. Check: every first sentence goes through the claim checker (`explain/claims.py`), the same one
   `python -m evaluation explanations` measures, before anything is shown. Text is released
   only as a whole sentence that passed, so nothing is streamed that is taken back later.
4. A row whose candidates fail (untrue, malformed, or impersonal where the facts allow personal) is
   generated once more, sampled with a fixed seed; a row that fails again (untrue or malformed) gets a
   template built only from facts (`fallback.j2`).
5. Something specific: the prompt gives the pick's director and first-billed cast, one worked example
   opens with a person (that candidate must open with one of the pick's people), and of a row's two
   candidates one naming a person or a liked title is preferred to one that says only genre and year.

The recommender shows every pick with its template at once; each event here replaces one in place.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass

from catalog.model import Catalog, Item
from cf.als import CFModel
from explain.claim_words import WISH_PHRASES
from explain.claims import ClaimChecker
from explain.sentence_form import opening
from explain.facts import Facts, build_facts
from explain.traffic import Arrival, Traffic
from explain.worked_examples import EXAMPLES, PERSON_EXAMPLE, PREMISE_EXAMPLES
from llm.batching import DeadlineExceeded
from prompts import render

log = logging.getLogger("recs.explainer")
MAX_SAME_OPENING = 2  # at most this many sentences of one reply open with the same two words
FIRST_TRY_CANDIDATES = 2  # candidates per row at the first try, one per worked example (each a row of the batch)
RETRY_CANDIDATES = 2  # at the retry (rows whose candidates all failed), sampled, one per worked example
# While other sessions' turns hold the LLM, at most this many of a turn's top picks go to it (the rest keep their
# templates): every row of a shared batch slows every session's step. With the batch-at-a-time worker and the
# turns gathered into one batch (explain/traffic.py), `python -m evaluation load --sessions 8 --turns 3` on two
# cores wrote 47.3% with 4 and 51.8% with 5 (a turn's 5 picks; turn p95 12.4 s and 14.8 s); a larger k is capped here.
BUSY_ROWS = 5
MIN_RETRY_SHARE = 0.25  # a retry starts only with this share of the turn's budget left (it rarely finishes in less)
RETRY_SEED = 1234  # the second try samples with this seed: reproducible, and unlike the greedy first try
# First words a row may start with besides its title when it has something personal to say: after "If",
# "Since" or "Fans" the model goes on with what the viewer loved or wants ("The film's", "To be honest" cannot start).
OPENERS = ("If", "Since", "Fans", "For", "Like", "With")  # "As" and "You" led to "As a kid, ..." and "You're asked"
LOVED_OPENERS = ("If", "Fans", "Like")  # openers that lead the model to a title the viewer loved
PLAIN_OPENERS = ("A", "An", "This", "With", "For", "Fans")
_GENRE_WORDS = {"Sci-Fi": "sci-fi", "Film-Noir": "film noir", "Children's": "family"}


@dataclass
class ExplanationEvent:
    row: int
    text: str
    final: bool  # True: the whole, authoritative explanation (the only kind the explainer sends)
    source: str = "llm"  # "llm" or "template"


class Explainer:
    def __init__(self, catalog: Catalog, cf: CFModel, linker, llm=None, budget_s: float | None = None):
        # linker: chat's TitleLinker, handed in by the recommender (the checker asks it what is a catalog title)
        self.catalog, self.cf, self.linker, self.llm = catalog, cf, linker, llm
        # Seconds a turn's explanations may take (RECS_LLM_TIMEOUT): then the rows not final keep their templates.
        # The deadline only stops waiting: rows that passed are kept. None: each request's own deadline only.
        self.budget_s = budget_s
        self.checker = ClaimChecker(linker)
        self._constraints = None  # ConstraintBuilder for the LLM's tokenizer, built on first use
        self.traffic = Traffic()  # the sessions' turns on their way to the LLM (sessions share this Explainer)

    def facts(self, item: Item, state) -> Facts:
        return build_facts(item, state, self.catalog, self.cf)

    def template(self, facts: Facts) -> str:
        item = facts.item
        genres = [genre_word(g) for g in item.genres] or [self.catalog.noun]
        return render(
            "fallback.j2", title=item.display, year=item.year, neighbour=facts.neighbour,
            wish=wish_phrase(facts.fitting_wishes[0]) if facts.fitting_wishes else None,
            wanted=[genre_word(g) for g in facts.wanted_genres], shared=[genre_word(g) for g in facts.shared_genres],
            period=facts.period, genres=genres, wanted_person=_wanted_person(facts), shared_person=_shared_person(facts),
            director=facts.directors[0] if facts.directors else None, lead=facts.cast[0] if facts.cast else None,
            **self.catalog.template_words,
        )

    def conversation(self, facts: Facts, row: int = 0) -> list[dict]:
        """System rules, one worked example, then the facts of this item."""
        example_facts, example_reply = (PREMISE_EXAMPLES if facts.premise else EXAMPLES)[row % len(EXAMPLES)]
        words = self.catalog.template_words
        return [
            {"role": "system", "content": render("explain_system.j2", **words)},
            {"role": "user", "content": render("explain_user.j2", **example_facts, **words)},
            {"role": "assistant", "content": example_reply},
            {"role": "user", "content": render("explain_user.j2", **self.prompt_facts(facts), **words)},
        ]

    @staticmethod
    def prompt_facts(facts: Facts) -> dict:
        item = facts.item
        return {
            "title": item.title, "year": item.year, "genres": prompt_genres(facts),
            "neighbour": facts.neighbour, "wishes": [wish_phrase(w) for w in facts.fitting_wishes],
            "wanted": [genre_word(g) for g in facts.wanted_genres], "shared": [genre_word(g) for g in facts.shared_genres],
            "period": facts.period,
            # the people to name: whom the user asked for or shares with a liked title first, else the director
            "director": facts.directors[0] if facts.directors else None, "cast": list(facts.cast[:2]),
            "asked_person": _wanted_person(facts), "shared_person": _shared_person(facts),
            "premise": facts.premise,
        }

    def explain(self, items: list[Item], state, use_llm: bool = True, all_facts: list[Facts] | None = None,
                arrival: Arrival | None = None) -> Iterator[ExplanationEvent]:
        """One final event per item (see :meth:`_explain`), counted among the turns running now. ``arrival``:
        this turn's count among those ranking (chat/recommender.py), ended when its LLM request is ready."""
        with self.traffic.explaining():
            try:
                yield from self._explain(items, state, use_llm, all_facts, arrival)
            finally:
                if arrival is not None:
                    arrival.arrived()

    def busy(self, arrival: Arrival | None = None) -> bool:
        """Whether other sessions' work holds the LLM or soon will: a request of theirs written or waiting, or
        another turn explaining or ranking (explain/traffic.py). An LLM without a shared batcher (a server, which
        batches continuously itself) is never busy: its turns neither ask for less nor wait for one another."""
        if not hasattr(self.llm, "busy"):
            return False
        return self.traffic.others(arrival) or bool(self.llm.busy)

    def _explain(self, items: list[Item], state, use_llm: bool = True, all_facts: list[Facts] | None = None,
                 arrival: Arrival | None = None) -> Iterator[ExplanationEvent]:
        """One final event per item, in the order the texts are ready (LLM rows as their sentence passes).

        The first try writes two greedy candidates per row in one batch, one per worked example (they lead
        the model differently), and keeps the better that passes (personal, then specific); rows where both
        fail get two sampled candidates more, one per example, where an impersonal but true sentence may
        pass. While other sessions' turns occupy the shared LLM (:meth:`busy`), one candidate (the example that
        suits the row), only the top BUSY_ROWS picks, and no retry: every row costs every waiting session time, and a template is true too.
        (One candidate at the first try measured a lower first token but a longer turn: more rows need the
        retry. One candidate at the retry left 22% templates, two 4%, on 10 requests on two cores.)
        """
        all_facts = all_facts if all_facts is not None else [self.facts(it, state) for it in items]
        pending = list(range(len(items)))
        deadline = time.perf_counter() + self.budget_s if self.budget_s else None
        openings: list[str] = []  # of the sentences shown so far in this reply
        if use_llm and self.llm and items:
            busy = self.busy(arrival)
            tries = ((None, 1),) if busy else ((None, FIRST_TRY_CANDIDATES), (RETRY_SEED, RETRY_CANDIDATES))
            if busy:  # the lower picks keep their templates: final now, and the top picks' batch is smaller
                for row in pending[BUSY_ROWS:]:
                    yield ExplanationEvent(row, self.template(all_facts[row]), final=True, source="template")
                pending = pending[:BUSY_ROWS]
            for seed, variants in tries:
                if seed is not None and self.busy(arrival):
                    break  # other sessions' requests came in meanwhile: a retry would queue behind them (templates)
                if seed is not None and deadline and deadline - time.perf_counter() < MIN_RETRY_SHARE * self.budget_s:
                    break  # too little of the turn's budget is left for a retry to finish
                # Each candidate of a row follows another worked example; the first fits the row's facts best.
                jobs = [(row, (example_for(all_facts[row]) + v) % len(EXAMPLES))
                        for row in pending for v in range(variants)]
                left = {row: variants for row in pending}  # candidates of a row not judged yet
                passed: set[int] = set()
                # The best passing sentence of a row so far, kept while the row's other candidate (same batch) may
                # still be better: personal (at the retry, where an impersonal one may pass), then saying what the
                # film is about where the facts give a premise, then specific (naming a person or a liked title the
                # facts give, not only genre and year).
                held: dict[int, tuple[tuple[bool, ...], str]] = {}
                failed: list[Exception] = []  # set by _sentences when the LLM fails: the rest get templates
                # A request waits for the turns still ranking only where it could not join their batch later.
                gather = busy and seed is None and not getattr(self.llm, "joins_running_batch", False)
                sentences = self._sentences(jobs, all_facts, seed, failed, deadline, arrival, gather=gather)
                for job, text in sentences:
                    row = jobs[job][0]
                    if row in passed:
                        continue
                    left[row] -= 1
                    facts = all_facts[row]
                    verdict = self.checker.check(text, facts)
                    # A row with something personal to say must say it at the first try (the template would);
                    # at the retry, a faithful sentence is kept: true and the model's own beats the template.
                    personal_enough = verdict.personalised or not is_personal(facts) or seed is not None
                    varied = openings.count(opening(verdict.text)) < MAX_SAME_OPENING
                    if verdict.acceptable and personal_enough and varied:
                        score = (verdict.personalised or not is_personal(facts),
                                 any(x.startswith("description") for x in verdict.specifics) or not facts.premise,
                                 bool(verdict.specifics) or not has_specific(facts))
                        if row not in held or score > held[row][0]:
                            held[row] = (score, verdict.text)
                    else:
                        # Which rule failed, never the text: it may echo what the user said.
                        reasons = verdict.problems + verdict.form or ["not personalised" if varied else "same opening"]
                        log.info("explanation for %s failed the check (%s)", facts.item.display, "; ".join(reasons)[:200])
                    if row in held and (all(held[row][0]) or left[row] == 0):
                        yield self._accept(row, held.pop(row)[1], passed, openings)
                    if all(row in passed or left[row] == 0 for row in pending):
                        break  # every row passed or ran out of candidates: stop generating
                sentences.close()
                for row, (_, text) in held.items():  # the other candidate was cut short: the held sentence stands
                    yield self._accept(row, text, passed, openings)
                pending = [row for row in pending if row not in passed]
                if not pending or failed:
                    break
        for row in pending:
            yield ExplanationEvent(row, self.template(all_facts[row]), final=True, source="template")

    @staticmethod
    def _accept(row: int, text: str, passed: set[int], openings: list[str]) -> ExplanationEvent:
        passed.add(row)
        openings.append(opening(text))
        return ExplanationEvent(row, text, final=True, source="llm")

    # --- generation --------------------------------------------------------------------------
    def _sentences(self, jobs: list[tuple[int, int]], all_facts: list[Facts], seed: int | None,
                   failed: list[Exception], deadline: float | None = None,
                   arrival: Arrival | None = None, gather: bool = False) -> Iterator[tuple[int, str]]:
        """(job index, first sentence) for each (row, example) job as soon as its sentence ends; jobs cut short
        come last. Closing the generator stops the generation. An LLM failure (an error, a passed deadline, a
        full queue) is appended to ``failed`` (a local of the caller: sessions share this Explainer). With
        ``gather``, the request waits a moment for other turns still ranking (``arrival`` is this turn's count among
        them), to share their batch."""
        texts = [""] * len(jobs)
        done: set[int] = set()
        stream = None
        try:
            facts = [all_facts[row] for row, _ in jobs]
            # One candidate per item: the rows are the reply's sentences, which may not all open alike.
            spread = len({row for row, _ in jobs}) == len(jobs)
            processors = self._processors(facts, [example for _, example in jobs], spread_openers=spread)
            conversations = [self.conversation(f, v) for f, (_, v) in zip(facts, jobs)]
            if gather:
                self.traffic.gather(arrival)
            elif arrival is not None:
                arrival.arrived()  # its request is ready: it is no longer on its way
            stream = self.llm.stream(conversations, logits_processors=processors, seed=seed)
            for job, delta in stream:
                if deadline and time.perf_counter() > deadline:
                    log.info("the turn's %g s for explanations passed; rows not final keep their templates", self.budget_s)
                    failed.append(DeadlineExceeded(f"explanations not final within {self.budget_s:g} s"))
                    break
                if job in done:
                    continue
                texts[job] += delta
                sentence = first_sentence(texts[job])
                if sentence:
                    done.add(job)
                    yield job, sentence
                    if len(done) == len(jobs):
                        break
        except Exception as err:  # noqa: BLE001 - any model failure gets template explanations
            # A server backend says which rows failed (the others streamed whole replies): those rows may retry.
            lost = getattr(err, "rows", None)
            if not lost or len(set(lost)) >= len(jobs):
                failed.append(err)
            if not getattr(err, "logged", False):  # the backend or the batcher has logged it once already
                log.warning("LLM failed (%s: %s); using template explanations", type(err).__name__, err)
        finally:
            if stream is not None and hasattr(stream, "close"):
                stream.close()  # stops generation for every row
        for job in range(len(jobs)):
            if job not in done and texts[job].strip():  # nothing written (a failed row) is nothing to judge
                yield job, tidy(texts[job])

    def _processors(self, facts: list[Facts], examples: list[int], spread_openers: bool = False) -> list:
        """The per-row decoding constraints, or none for an LLM without a tokenizer to build them from."""
        tokenizer = getattr(self.llm, "tokenizer", None)
        if tokenizer is None and hasattr(self.llm, "load"):
            self.llm.load()
            tokenizer = self.llm.tokenizer
        if tokenizer is None:
            return []
        from explain.decoding_constraints import ConstraintBuilder, make_processor

        if self._constraints is None or self._constraints.tokenizer is not tokenizer:
            self._constraints = ConstraintBuilder(tokenizer)
        # Of a pick's two candidates, the one following the example that suits it must say something of the premise
        # before it ends; the other may stop at genre and people (it finishes sooner, and is true too). The better
        # of the two that pass is shown. With one candidate per pick (a busy LLM) none is held to the premise.
        rows = [self._constraints.for_facts(f, openers(f, example),
                                            needs_premise=not spread_openers and example == example_for(f))
                for f, example in zip(facts, examples)]
        return [make_processor(self._constraints, rows, ends_reply=lambda text: first_sentence(text) is not None,
                               max_same_opener=MAX_SAME_OPENING if spread_openers else None)]



def _wanted_person(facts: Facts) -> tuple[str, str] | None:
    """(person, "directed" | "stars in") for the first person of the item the user asked for."""
    return (facts.wanted_people[0], facts.role(facts.wanted_people[0])) if facts.wanted_people else None


def _shared_person(facts: Facts) -> tuple[str, str, str, str] | None:
    """(person, role here, role in the liked movie, liked title) for someone the item shares with a liked movie."""
    if not facts.shared_people:
        return None
    person, liked, role_there = facts.shared_people[0]
    return person, facts.role(person), role_there, liked


def example_for(facts: Facts) -> int:
    """The worked example that suits a row: the one tying the pick to a loved title when the row has a CF
    neighbour, else the one answering what was asked for."""
    return 0 if facts.neighbour else 1


def openers(facts: Facts, example: int = 0) -> tuple[str, ...]:
    """The first words allowed for a row: its title's, a personal opener, or (with nothing personal to say)
    a plain one; never "In one sentence" or "To be honest". A row led by the example that opens with a person
    (PERSON_EXAMPLE) opens with one of the pick's people when the facts name any: the model then says who
    made it or stars in it, a specific fact, where it would otherwise stop at genre and year."""
    # The person example's reply opens with the director's possessive: a cast member opening it wrote "Ben Kingsley's
    # Shutter Island", or, kept from that, a sentence with no verb ("Jack Nicholson and Shelley Duvall, the movie ...")
    people = (*facts.wanted_people, *(p for p, _, _ in facts.shared_people), *facts.directors[:1])
    if example == PERSON_EXAMPLE and people and not facts.premise:
        return tuple(dict.fromkeys(p.split()[0] for p in people))
    if not is_personal(facts):
        return (facts.item.title.split()[0], *PLAIN_OPENERS)
    if not facts.liked:
        # "If you loved" / "Fans of" / "Like" go on with a loved title; with none, the model names the pick
        # itself ("If you loved Fargo, Fargo is..."), which the checker rightly rejects.
        return (facts.item.title.split()[0], *(o for o in OPENERS if o not in LOVED_OPENERS))
    return (facts.item.title.split()[0], *OPENERS)


def has_specific(facts: Facts) -> bool:
    """Whether the facts give a sentence something beyond genre and year to say: a person or a liked title."""
    return bool(facts.neighbour or facts.directors or facts.cast or facts.shared_people or facts.wanted_people)


def is_personal(facts: Facts) -> bool:
    """Whether the facts give the sentence something to tie the pick to the viewer with."""
    return bool(facts.neighbour or facts.fitting_wishes or facts.wanted_genres or facts.shared_genres or facts.period
                or facts.wanted_people or facts.shared_people)


def prompt_genres(facts: Facts) -> list[str]:
    """The genres the prompt names: those asked for, then those the liked titles share, then the rest; three at
    most, two beside a premise (the model copies the list whole, and a long one leaves no room for the premise)."""
    genres = sorted(facts.item.genres, key=lambda g: (g not in facts.wanted_genres, g not in facts.shared_genres))
    return [genre_word(g) for g in genres[: 2 if facts.premise else 3]] or ["unknown"]


def wish_phrase(wish: str) -> str:
    """How a wish reads after "something": "tense", "for kids", "with music"."""
    return WISH_PHRASES.get(wish, wish)


def genre_word(genre: str) -> str:
    """A catalog genre as a word in a sentence: "Sci-Fi" -> "sci-fi", "Film-Noir" -> "film noir"."""
    return _GENRE_WORDS.get(genre, genre.lower())


# A sentence ends at . ! or ? before a space or the end, but not after an initial ("E.T.") or a title abbreviation.
_FIRST_SENTENCE = re.compile(r"^\s*(.{20,}?[.!?][\"”]?)(?=\s|$)(?<!\b[A-Z]\.)(?<!\b(?:Mr|Dr|St|vs|Jr|Ms)\.)(?<!\bMrs\.)", re.DOTALL)


def first_sentence(text: str) -> str | None:
    """The first complete sentence of a text once it is followed by more text or the end, else None."""
    m = _FIRST_SENTENCE.match(text)
    if not m or m.end() == len(text) and not text.endswith((" ", "\n")):
        return None  # wait for the next token: "E.T." or "Dr." may go on
    return tidy(m.group(1))


def tidy(text: str) -> str:
    """One line; a reply the model put in quotes loses them ('"Fargo is dark."' -> 'Fargo is dark.')."""
    text = " ".join(text.split())
    quotes = sum(text.count(q) for q in "\"“”")
    if text[:1] in "\"“" and (quotes == 1 or quotes == 2 and text[-1:] in "\"”"):
        text = text[1:].removesuffix('"').removesuffix("”")
    return text
