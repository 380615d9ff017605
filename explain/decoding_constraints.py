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

_SEQUEL_TITLE = re.compile(r"\b(?:[2-9]|II|III|IV|V|VI|Part|Chapter|Returns?|Again|Strikes Back)\b")
# The viewer tells the facts in the first person; the reply speaks to them, never as "I".
_FIRST_PERSON = ("I", "I'm", "I'd", "I'll", "I've", "me", "my", "mine", "myself")
# Banned in decoding though the checker allows them: they open plot summaries, which no fact supports.
_PLOT_OPENERS = ("about", "tells", "follows", "journey", "adventures of")
_ENDS = re.compile(r"[.!?]")  # a token that may end a sentence


@dataclass
class RowConstraints:
    banned_after: dict[tuple[int, ...], set[int]] = field(default_factory=dict)  # prefix -> tokens banned next
    allowed_capitals: set[int] = field(default_factory=set)
    numbers: tuple[str, ...] = ()  # whole numbers the row may write
    openers: set[int] = field(default_factory=set)  # the tokens the first one must be among; empty: any
    title_openers: set[int] = field(default_factory=set)  # those of them that start the item's own title

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

    def sequences(self, word: str) -> list[list[int]]:
        """The token sequences a word is written with: with or without a leading space, lower or capitalised."""
        if word not in self._sequences:
            forms = {word, word.capitalize(), " " + word, " " + word.capitalize()}
            seqs = [self.tokenizer.encode(f, add_special_tokens=False) for f in forms]
            self._sequences[word] = [s for s in seqs if s]
        return self._sequences[word]

    def for_facts(self, facts: Facts, openers: tuple[str, ...] = ()) -> RowConstraints:
        """Constraints for one row; `openers`: words the sentence may start with (empty: any)."""
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
        row.longest_prefix = max((len(p) for p in row.banned_after), default=0)
        return row

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
            if label in PEOPLE_CLAIMS and getattr(facts, PEOPLE_CLAIMS[label]):
                continue
            words += ban_forms(pattern)
        words += [w for pattern, wish in MOOD_CLAIMS.items() if unsupported_mood(facts, wish) for w in ban_forms(pattern)]
        words += list(NUMBER_WORDS)
        words += [w for w, start in DECADE_WORDS.items() if start != facts.decade]
        words += list(_PLOT_OPENERS)
        return list(dict.fromkeys(words))

    @staticmethod
    def allowed_phrases(facts: Facts) -> list[str]:
        titles = [t for display in facts.titles() for t in (display, re.sub(r"\s*\(\d{4}\)$", "", display))]
        bare = [re.sub(r"^(?:The|A|An)\s+", "", t) for t in titles]
        return [*titles, *bare, *facts.item.genres, *facts.names()]

    @staticmethod
    def allowed_numbers(facts: Facts) -> tuple[str, ...]:
        # digits of the titles, but not the liked titles' years: "If you loved Gravity, 2013 is..." was the model
        # reaching for a year in its prompt; the pick's own year is the one to write
        numbers = set(re.findall(r"\d+", " ".join(re.sub(r"\s*\(\d{4}\)$", "", t) for t in facts.titles())))
        if facts.item.year:
            numbers |= {str(facts.item.year), str(facts.decade), f"{facts.decade % 100:02d}"}
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
            ids = (self.builder.capital_tokens - row.allowed_capitals) | row.banned_after.get((), set())
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
        if token_ids:
            scores[row_ids, token_ids] = neg
        if self.ends_reply is not None:
            for b in self._ended(generated):
                scores[b] = neg
                scores[b, self.builder.eos_id] = 0.0
        return scores

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
