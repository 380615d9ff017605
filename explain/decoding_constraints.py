"""Decoding constraints per row: the model cannot write what the facts of its item do not support.

One `FactConstraints` logits processor serves a batch; each row has its own `RowConstraints`:

* word bans: every word the claim checker would reject for this item (genre words it lacks,
  award, sequel, cast and plot words, number words, other decades) is forbidden in the token
  sequences it is written with (" horror", "horror", " Horror", ...). A word of several tokens is
  forbidden by its last token once the tokens before it were written, so "com" + "edy" is
  stopped at "edy" while "com" + "plex" stays open;
* capitals: after the first token, a token that starts a capitalised word is allowed only when it
  belongs to a title, genre name or word of this row's facts; so no person, studio, place or
  other title can start (subword pieces of an allowed title, e.g. "Ali" + "ens", stay open);
* word starts: a lower-case word may only start with a token that begins a word the checker lets through
  (grammar, the explanation vocabulary, the words other rules judge, the words of this row's description and
  facts; explain/plot_claims.py), so no plot word the description lacks can start;
* makers: a cast member's name cannot go on with "'s", "directed" or "is" ("Ben Kingsley's Shutter Island");
* digits: a number may only be written as a prefix of one of the row's numbers (the item's year
  and decade, the liked titles' years and the digits in allowed titles);
* openers: a row may be limited to a few first words ("If", "Since") that lead the model to tie the
  pick to the user; which ones is the explainer's choice, the rest of the sentence is the model's;
* no first person ("I", "me", "my": the model speaks to the viewer), no line breaks or markup;
* repeats are penalised among the generated tokens only (transformers' penalty also counts the prompt,
  which holds the title several times, so the model broke titles off: "The Godforss").

The checker still judges every sentence: constraints make failures rare, they prove nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from explain.claim_words import (
    DECADE_WORDS,
    GENRE_CLAIMS,
    MOOD_CLAIMS,
    NUMBER_WORDS,
    PEOPLE_CLAIMS,
    UNSUPPORTED_CLAIMS,
    ban_forms,
)
from explain.facts import Facts, unsupported_mood
from explain.plot_claims import FUNCTION_WORDS, EXPLANATION_WORDS, claim_vocabulary, fact_words, ordinary, stem

_SEQUEL_TITLE = re.compile(r"\b(?:[2-9]|II|III|IV|V|VI|Part|Chapter|Returns?|Again|Strikes Back)\b")
# The viewer tells the facts in the first person; the reply speaks to them, never as "I".
_FIRST_PERSON = ("I", "I'm", "I'd", "I'll", "I've", "me", "my", "mine", "myself")
# Banned in decoding though the checker allows them: they open plot summaries, which no fact supports where the
# facts give no premise (with one, the model is told what the film is about and may say it).
_PLOT_OPENERS = ("about", "tells", "follows", "journey", "adventures of")
_ENDS = re.compile(r"[.!?]")  # a token that may end a sentence


@dataclass
class RowConstraints:
    banned_after: dict[tuple[int, ...], set[int]] = field(default_factory=dict)  # prefix -> tokens banned next
    allowed_capitals: set[int] = field(default_factory=set)
    numbers: tuple[str, ...] = ()  # whole numbers the row may write
    openers: set[int] = field(default_factory=set)  # the tokens the first one must be among; empty: any
    title_openers: set[int] = field(default_factory=set)  # those of them that start the item's own title
    banned_starts: set[int] = field(default_factory=set)  # lower-case word starts of no word the checker allows
    # the sentence cannot end before one of these is written: the starts of the premise's own words (a row told what
    # its film is about otherwise copies "from 2010, directed by ..." and stops)
    needs_one_of: set[int] = field(default_factory=set)
    allowed_after: dict[tuple[int, ...], set[int]] = field(default_factory=dict)  # prefix -> the only tokens next

    longest_prefix: int = 0  # the longest key of banned_after, set once it is filled


class ConstraintBuilder:
    """Builds `RowConstraints` from facts; vocabulary-wide tables are computed once per tokenizer."""

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer
        vocab = tokenizer.get_vocab()
        self.vocab_size = max(vocab.values()) + 1
        self.texts = {i: tokenizer.decode([i]) for i in vocab.values()}
        self.capital_tokens = {i for i, t in self.texts.items() if _starts_capital(t)}
        self.digit_tokens = {i: t for i, t in self.texts.items() if t.strip().isdigit() and t.lstrip(" ") == t.strip()}
        self.markup_tokens = {i for i, t in self.texts.items() if re.search(r"[\n*#`|<>{}\[\]_\\]", t)}
        specials = set(tokenizer.all_special_ids)
        self.markup_tokens -= specials
        self.eos_id = tokenizer.eos_token_id
        self.capital_tokens -= specials
        self._sequences: dict[str, list[list[int]]] = {}
        # Tokens that start a lower-case word (" investig"), by their text and by the stem of that text; and those
        # that start a word any row may write (grammar, the explanation vocabulary, words other rules judge).
        self.word_starts = {i: t[1:].lower() for i, t in self.texts.items()
                            if len(t) > 1 and t[0] == " " and t[1].islower() and re.fullmatch(r"[a-z'’-]+", t[1:])}
        self._starts_by_text: dict[str, set[int]] = {}
        self._starts_by_stem: dict[str, set[int]] = {}
        for i, word in self.word_starts.items():
            self._starts_by_text.setdefault(word, set()).add(i)
            self._starts_by_stem.setdefault(stem(word), set()).add(i)
        lexicon = FUNCTION_WORDS | EXPLANATION_WORDS | claim_vocabulary()
        prefixes = {w[:n] for w in lexicon for n in range(1, len(w) + 1)}
        self.ordinary_starts = {i for i, w in self.word_starts.items() if w in prefixes or ordinary(w)}
        self.end_tokens = {i for i, t in self.texts.items() if _ENDS.search(t)} - specials | {self.eos_id}

    def sequences(self, word: str) -> list[list[int]]:
        """The token sequences a word is written with: with or without a leading space, lower or capitalised."""
        if word not in self._sequences:
            forms = {word, word.capitalize(), " " + word, " " + word.capitalize()}
            seqs = [self.tokenizer.encode(f, add_special_tokens=False) for f in forms]
            self._sequences[word] = [s for s in seqs if s]
        return self._sequences[word]

    def for_facts(self, facts: Facts, openers: tuple[str, ...] = (), needs_premise: bool = False) -> RowConstraints:
        """Constraints for one row; `openers`: words the sentence may start with (empty: any); `needs_premise`: the
        sentence may not end before it has begun a word of the premise (when the facts give one)."""
        row = RowConstraints()
        title_tokens: set[int] = set()
        for phrase in self.allowed_phrases(facts):
            for seq in self.sequences(phrase):
                title_tokens.update(seq)
        row.allowed_capitals = title_tokens & self.capital_tokens
        allowed_text = " ".join(facts.titles()).lower()
        for word in self.banned_words(facts):
            if re.search(rf"\b{re.escape(word)}\b", allowed_text):
                continue  # a word of an allowed title ("Star Wars") stays writable
            for seq in self.sequences(word):
                if all(t in title_tokens for t in seq):
                    continue  # " Won" of "Willy Wonka": the title must stay writable; the checker judges the rest
                row.banned_after.setdefault(tuple(seq[:-1]), set()).add(seq[-1])
        for word in _FIRST_PERSON:
            for seq in self.sequences(word):
                row.banned_after.setdefault(tuple(seq[:-1]), set()).add(seq[-1])
        # Words that must be followed by the right name: "If you loved" a liked title, never the pick itself (the
        # checker's commonest rejection); "starring" one of its cast, "directed by" one of its directors.
        liked = [re.sub(r"\s*\(\d{4}\)$", "", t) for t in facts.liked]
        self.ban_after(row, ("loved", "liked", "enjoyed", "Like", "Fans of"), [facts.item.title], liked)
        if liked:  # "If you loved" goes on with a title the user loved, never "the action thriller" or "Action"
            firsts = {self.tokenizer.encode(" " + form, add_special_tokens=False)[0]
                      for title in liked for form in (title, re.sub(r"^(?:The|A|An)\s+", "", title))}
            for opener in ("If you loved", "If you liked", "If you enjoyed", "Since you loved", "Since you liked",
                           "Fans of", "Like"):
                row.allowed_after[tuple(self.tokenizer.encode(opener, add_special_tokens=False))] = firsts
        self.ban_after(row, ("starring", "stars"), [p for p in facts.directors if p not in facts.cast], facts.cast)
        self.ban_after(row, ("by",), [p for p in facts.cast if p not in facts.directors], facts.directors)
        self.complete_names(row, facts.names())
        title_word = facts.item.title.split()[0] if facts.item.title.split() else ""
        for word in openers:
            tokens = {seq[0] for seq in (self.tokenizer.encode(f, add_special_tokens=False) for f in (word, " " + word)) if seq}
            row.openers |= tokens
            if word == title_word:
                row.title_openers |= tokens
        row.numbers = self.allowed_numbers(facts)
        row.banned_starts = self.banned_word_starts(facts)
        row.needs_one_of = self.premise_word_starts(facts) if needs_premise else set()
        # A cast member (not also a director) is no maker: "Ben Kingsley's Shutter Island", "... directed it"
        makers_only = [p for p in facts.cast if p not in facts.directors]
        for person in makers_only:
            for name in (person, " " + person):
                key = tuple(self.tokenizer.encode(name, add_special_tokens=False))
                for word in ("'s", "’s", "'", " directed", " directs", " is", " was", " are", " were"):
                    row.banned_after.setdefault(key, set()).add(self.tokenizer.encode(word, add_special_tokens=False)[0])
        row.longest_prefix = max((len(p) for p in row.banned_after), default=0)
        return row

    def banned_word_starts(self, facts: Facts) -> set[int]:
        """Lower-case word starts of no word this row may write: not ordinary, and no word (or form of one) of its
        description, subjects, premise, title, genres or wishes."""
        words = fact_words(facts) | {w.lower() for w in re.findall(r"[A-Za-z'’-]+", " ".join(
            (*facts.titles(), *facts.item.genres, *facts.wishes, facts.period or "", *facts.names())))}
        allowed: set[int] = set()
        for word in words:
            for n in range(1, len(word) + 1):
                allowed |= self._starts_by_text.get(word[:n], set())
            allowed |= self._starts_by_stem.get(stem(word), set())
        return set(self.word_starts) - self.ordinary_starts - allowed

    def premise_word_starts(self, facts: Facts) -> set[int]:
        """Tokens that start a word of the premise that says something (not grammar nor the explanation vocabulary):
        " bus", " terror", " explode" for "a bus that is rigged by a terrorist to explode"."""
        starts: set[int] = set()
        for word in re.findall(r"[A-Za-z][a-z'’-]+", facts.premise or ""):
            if ordinary(word) or len(word) < 3:
                continue
            for form in (word.lower(), word):
                for n in range(3, len(form) + 1):
                    starts |= {seq[0] for seq in [self.tokenizer.encode(" " + form[:n], add_special_tokens=False)]
                               if len(seq) == 1}
        return starts

    def ban_after(self, row: RowConstraints, after: tuple[str, ...], wrong: list[str], right: list[str]) -> None:
        """After any of the words `after`, the model cannot start a `wrong` phrase: the first token where a wrong
        phrase parts from every `right` one is banned (" The" stays open when a right title starts with it too)."""
        rights = [self.tokenizer.encode(" " + r, add_special_tokens=False) for r in right]
        for phrase in wrong:
            tokens = self.tokenizer.encode(" " + phrase, add_special_tokens=False)
            split = next((j for j in range(len(tokens)) if not any(r[:j + 1] == tokens[:j + 1] for r in rights)), None)
            if split is None:
                continue  # the wrong phrase is the start of a right one: nothing to ban
            for word in after:
                for key in self.tokenizer.encode(" " + word, add_special_tokens=False), \
                        self.tokenizer.encode(word, add_special_tokens=False):
                    row.banned_after.setdefault(tuple(key + tokens[:split]), set()).add(tokens[split])

    def complete_names(self, row: RowConstraints, names: tuple[str, ...]) -> None:
        """Once a name of the facts has begun ("Harold"), its next capitalised token must continue one of them
        (" Ramis"): a first name forced as an opener otherwise went on with another surname ("Peter Sandler")."""
        sequences = [self.tokenizer.encode(form, add_special_tokens=False) for name in names for form in (name, " " + name)]
        following: dict[tuple[int, ...], set[int]] = {}
        for seq in sequences:
            for i in range(1, len(seq)):
                following.setdefault(tuple(seq[:i]), set()).add(seq[i])
        for prefix, allowed in following.items():
            if prefix in following and any(tuple(seq) == prefix for seq in sequences):
                continue  # a whole name ("Bill") that another one continues ("Bill Murray"): anything may follow
            row.banned_after.setdefault(prefix, set()).update(self.capital_tokens - allowed)

    @staticmethod
    def banned_words(facts: Facts) -> list[str]:
        have = set(facts.item.genres)
        words: list[str] = []
        for pattern, genres in GENRE_CLAIMS.items():
            if genres and facts.catalog_genres and not facts.catalog_genres & set(genres):
                continue  # no category of this catalog: the word claims none (as in the checker)
            if not have & set(genres):
                words += ban_forms(pattern)
        for label, pattern in UNSUPPORTED_CLAIMS.items():
            if label == "remake or sequel" and _SEQUEL_TITLE.search(facts.item.title):
                continue
            if label == "plot" and facts.premise:
                continue  # the prompt tells what it is about; the checker holds each word to the description
            if label in PEOPLE_CLAIMS and getattr(facts, PEOPLE_CLAIMS[label]):
                continue
            words += ban_forms(pattern)
        words += [w for pattern, wish in MOOD_CLAIMS.items() if unsupported_mood(facts, wish) for w in ban_forms(pattern)]
        premise = (facts.premise or "").lower()
        words += [w for w in NUMBER_WORDS if not re.search(rf"\b{w}\b", premise)]  # "a group of four friends"
        words += [w for w, start in DECADE_WORDS.items() if start != facts.decade]
        words += [] if facts.premise else list(_PLOT_OPENERS)
        return list(dict.fromkeys(words))

    @staticmethod
    def allowed_phrases(facts: Facts) -> list[str]:
        titles = [t for display in facts.titles() for t in (display, re.sub(r"\s*\(\d{4}\)$", "", display))]
        bare = [re.sub(r"^(?:The|A|An)\s+", "", t) for t in titles]
        premise = [facts.premise] if facts.premise else []  # its names ("Deputy U.S. Marshal Edward Daniels")
        return [*titles, *bare, *facts.item.genres, *facts.names(), *premise]

    @staticmethod
    def allowed_numbers(facts: Facts) -> tuple[str, ...]:
        # digits of the titles, but not the liked titles' years: "If you loved Gravity, 2013 is..." was the model
        # reaching for a year in its prompt; the pick's own year is the one to write
        numbers = set(re.findall(r"\d+", " ".join(re.sub(r"\s*\(\d{4}\)$", "", t) for t in facts.titles())))
        if facts.item.year:
            numbers |= {str(facts.item.year), str(facts.decade), f"{facts.decade % 100:02d}"}
        numbers |= set(re.findall(r"\d+", facts.premise or ""))  # "a 12-year-old boy"
        return tuple(sorted(numbers))


class FactConstraints:
    """A transformers logits processor applying one `RowConstraints` per batch row.

    Made a subclass of `transformers.LogitsProcessor` by `make_processor`, so importing this module stays light.
    """

    penalises_repetition = True  # the transformers backend then turns its own repetition penalty off

    def __init__(self, builder: ConstraintBuilder, rows: list[RowConstraints], repetition_penalty: float = 1.1,
                 ends_reply: Callable[[str], bool] | None = None, max_same_opener: int | None = None):
        self.builder, self.rows, self.repetition_penalty = builder, rows, repetition_penalty
        # With one candidate per item, rows of a reply may not all open alike (the checker would reject the third
        # "If you ..."): a row's first token is its best opener that fewer than this many rows before it took.
        self.max_same_opener = max_same_opener
        # Whether a row's text so far is all the caller keeps (its first sentence): the row then ends, and the
        # batch does not decode a second sentence nobody reads.
        self.ends_reply = ends_reply
        self.prompt_length: int | None = None
        self._masks = None

    def _static_masks(self, scores):
        """Per row: tokens banned at every step after the first (capitals outside the facts, bare bans, markup)."""
        import torch

        masks = torch.zeros((len(self.rows), scores.shape[1]), dtype=torch.bool, device=scores.device)
        for b, row in enumerate(self.rows):
            ids = (self.builder.capital_tokens - row.allowed_capitals) | row.banned_after.get((), set()) | row.banned_starts
            ids |= self.builder.markup_tokens
            ids = [i for i in ids if i < scores.shape[1]]
            masks[b, ids] = True
        return masks

    def __call__(self, input_ids, scores):
        import torch

        if self.prompt_length is None:
            self.prompt_length = input_ids.shape[1]
        if self._masks is None:
            self._masks = self._static_masks(scores)
        step = input_ids.shape[1] - self.prompt_length
        neg = float("-inf")
        rows = self.rows[: scores.shape[0]]
        if step == 0:
            taken: dict[str, int] = {}  # first word ("If" and " If" alike) -> rows that open with it
            for b, row in enumerate(rows):
                if row.openers:
                    keep = torch.full_like(scores[b], neg)
                    ids = [i for i in row.openers if i < scores.shape[1]]
                    if self.max_same_opener:
                        ids = [self._spread_opener(row, ids, scores[b], taken)]  # its opener is decided here
                        taken[self._word(ids[0])] = taken.get(self._word(ids[0]), 0) + 1
                    keep[ids] = scores[b, ids]
                    scores[b] = keep
                else:
                    first = (row.banned_after.get((), set()) | self.builder.markup_tokens) - row.allowed_capitals
                    scores[b, [i for i in first if i < scores.shape[1]]] = neg
            return scores
        generated = input_ids[:, self.prompt_length:].tolist()
        seen_rows = [b for b, tokens in enumerate(generated) for _ in set(tokens)]
        seen_tokens = [t for tokens in generated for t in set(tokens)]
        if seen_tokens:
            repeated = scores[seen_rows, seen_tokens]
            scores[seen_rows, seen_tokens] = torch.where(
                repeated > 0, repeated / self.repetition_penalty, repeated * self.repetition_penalty)
        # One masked fill for the whole batch: per-row fills of a 49k vocabulary cost more than the model step.
        scores.masked_fill_(self._masks[: scores.shape[0]], neg)
        row_ids, token_ids = [], []
        for b, row in enumerate(rows):
            banned = set()
            for n in range(1, min(row.longest_prefix, len(generated[b])) + 1):
                banned |= row.banned_after.get(tuple(generated[b][-n:]), set())
            banned |= self._digits_banned(row, generated[b])
            row_ids += [b] * len(banned)
            token_ids += banned
        for b, row in enumerate(rows):
            for prefix, allowed in row.allowed_after.items():
                if tuple(generated[b][-len(prefix):]) == prefix:
                    keep = [i for i in allowed if i < scores.shape[1]]
                    kept = scores[b, keep].clone()
                    scores[b] = neg
                    scores[b, keep] = kept
            if row.needs_one_of and not row.needs_one_of.intersection(generated[b]):
                row_ids += [b] * len(self._end_ids)
                token_ids += self._end_ids
        if token_ids:
            scores[row_ids, token_ids] = neg
        if self.ends_reply is not None:
            for b in self._ended(generated):
                scores[b] = neg
                scores[b, self.builder.eos_id] = 0.0
        return scores

    @property
    def _end_ids(self) -> list[int]:
        return self.__dict__.setdefault("_end_id_list", sorted(self.builder.end_tokens))

    def _word(self, token: int) -> str:
        return self.builder.texts.get(token, "").strip()

    def _spread_opener(self, row: RowConstraints, ids: list[int], scores, taken: dict[str, int]) -> int:
        """The row's best opener, unless rows before it took that word ``max_same_opener`` times: then its best
        free opener other than its title's first word (a sentence pushed onto the title read impersonal)."""
        def best(candidates):
            return max(candidates, key=lambda i: float(scores[i]))

        def free(token: int) -> bool:
            return taken.get(self._word(token), 0) < self.max_same_opener

        first = best(ids)
        if free(first):
            return first
        open_ = [i for i in ids if free(i)]
        return best([i for i in open_ if i not in row.title_openers] or open_ or ids)

    def _ended(self, generated: list[list[int]]) -> list[int]:
        """Rows whose text is all the caller keeps; decoded only after a token with a sentence's end in it (the
        last three: a closing quote may follow the full stop). Trailing spaces are dropped first, as the caller's
        stream drops them: a sentence must go on past them before it counts as ended."""
        texts = self.builder.texts
        return [b for b, tokens in enumerate(generated)
                if any(_ENDS.search(texts.get(t, "")) for t in tokens[-3:])
                and self.ends_reply(self.builder.tokenizer.decode(tokens, skip_special_tokens=True).rstrip())]

    def _digits_banned(self, row: RowConstraints, generated: list[int]) -> set[int]:
        digits = self.builder.digit_tokens
        run = ""
        for token in reversed(generated):
            if token not in digits:
                break
            run = digits[token].strip() + run
            if digits[token].startswith(" "):
                break
        banned = set()
        for token, text in digits.items():
            candidate = text.strip() if text.startswith(" ") or not run else run + text
            if not any(n.startswith(candidate) for n in row.numbers):
                banned.add(token)
        return banned


def make_processor(builder: ConstraintBuilder, rows: list[RowConstraints], ends_reply: Callable[[str], bool] | None = None,
                   max_same_opener: int | None = None):
    """A `FactConstraints` that transformers accepts in a `LogitsProcessorList`."""
    from transformers import LogitsProcessor

    cls = type("FactConstraintsProcessor", (FactConstraints, LogitsProcessor), {})
    return cls(builder, rows, ends_reply=ends_reply, max_same_opener=max_same_opener)


def _starts_capital(token_text: str) -> bool:
    stripped = token_text.lstrip(" \"“‘'(")
    return bool(stripped) and stripped[0].isupper()
