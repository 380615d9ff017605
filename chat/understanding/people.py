"""People in a message: "anything with Tom Hanks", "something by Nolan", "no Adam Sandler", "only Spielberg films".

The names come from the catalog's facts (its items' directors and cast), never from the message alone: a
name the catalog does not know is no person here. A full name ("tom hanks") is always read. A surname
alone ("nolan") is read only when it is nobody else's in the catalog, is no everyday English word, and
stands where a person is expected: after "by", "with", "starring", "directed by", or before "movie(s)",
"film(s)" or "one".

What the user says about a person follows the words around it, like a genre: a negation before it
("no", "nothing with", "not a fan of") excludes the person's items, a restriction ("only", "just") keeps only
theirs, anything else leans the ranking towards them.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from chat.linker import normalize
from chat.understanding.signals import RESTRICT_WORDS

SURNAME_MIN_ITEMS = 3  # a surname alone names someone with at least this many items in the catalog...
SURNAME_MAX_ZIPF = 3.5  # ...and is rare as an English word ("Stone", "Wood", "Hill" are words first)
_CUE_BEFORE = re.compile(r"\b(by|with|starring|featuring|directed by|director|actor|actress|from|of|fan of|like)\s*$")
_CUE_AFTER = re.compile(r"^\s*(s\s+)?(movie|movies|film|films|one|ones|flick|flicks|stuff|work)\b")
_NEGATED = re.compile(r"\b(no|not|nothing|without|never|avoid|hate|hated|don t like|do not like|can t stand|"
                      r"not a fan of|anything but|except|dislike|disliked)\b(\s+\w+){0,3}\s*$")
_ONLY = re.compile(rf"\b({RESTRICT_WORDS})\b(\s+\w+){{0,3}}\s*$")


@dataclass(frozen=True)
class PersonSignal:
    name: str  # as the catalog writes it: "Tom Hanks"
    sentiment: str  # "liked" (lean towards) | "disliked" (exclude)
    only: bool = False  # "only Nolan films": keep only their items
    text: str = ""  # the words as matched


@dataclass
class PeopleIndex:
    """Every person the catalog names, with the items they directed or star in."""

    items: dict[str, list[int]] = field(default_factory=dict)  # name -> item ids
    directed: Counter = field(default_factory=Counter)  # name -> items directed
    aliases: dict[str, str] = field(default_factory=dict)  # normalized full name or surname -> name
    surnames: frozenset[str] = frozenset()  # the aliases that are surnames alone (need a cue)
    pattern: re.Pattern | None = None

    def role(self, name: str) -> str:
        """'by' for someone who mostly directs, 'with' for someone who mostly acts."""
        return "by" if self.directed[name] * 2 >= len(self.items.get(name, ())) else "with"

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, name) of each person named in a normalized text, in order."""
        if self.pattern is None:
            return []
        found = []
        for m in self.pattern.finditer(text):
            alias = m.group(1)
            if alias in self.surnames and not (_CUE_BEFORE.search(text[:m.start()]) or _CUE_AFTER.match(text[m.end():])):
                continue
            found.append((m.start(), m.end(), self.aliases[alias]))
        return found


def build_people_index(catalog) -> PeopleIndex:
    index = PeopleIndex()
    items: dict[str, list[int]] = defaultdict(list)
    for item in catalog.items:
        if not item.titled:
            continue  # never offered: a person known only from it would find nothing
        for name in item.people:
            items[name].append(item.id)
        index.directed.update(item.directors)
    index.items = dict(items)
    full: dict[str, str] = {}
    by_surname: dict[str, list[str]] = defaultdict(list)
    for name in items:
        words = normalize(name).split()
        if len(words) < 2:
            continue  # a one-word name ("Madonna", "Prince") is too often a plain word
        full.setdefault(" ".join(words), name)
        by_surname[words[-1]].append(name)
    from wordfreq import zipf_frequency

    surnames = {}
    for surname, names in by_surname.items():
        known = [n for n in names if len(items[n]) >= 2]
        if (len(known) == 1 and len(items[known[0]]) >= SURNAME_MIN_ITEMS and len(surname) > 3
                and zipf_frequency(surname, "en") < SURNAME_MAX_ZIPF and surname not in full):
            surnames[surname] = known[0]
    index.aliases = {**surnames, **full}
    index.surnames = frozenset(surnames)
    if index.aliases:
        alternatives = "|".join(sorted(map(re.escape, index.aliases), key=len, reverse=True))
        index.pattern = re.compile(rf"\b({alternatives})\b")
    return index


_INDEXES: dict[str, PeopleIndex] = {}  # catalog fingerprint -> its index


def people_for(catalog) -> PeopleIndex:
    """The catalog's people, built once per catalog content."""
    key = catalog.fingerprint
    if key not in _INDEXES:
        if len(_INDEXES) >= 8:
            _INDEXES.pop(next(iter(_INDEXES)))
        _INDEXES[key] = build_people_index(catalog)
    return _INDEXES[key]


def read_people(text: str, people: PeopleIndex) -> tuple[list[PersonSignal], str]:
    """The people a normalized text names, and the text with their names blanked (so no name is a wish)."""
    signals: list[PersonSignal] = []
    rest = text
    for start, end, name in people.find(text):
        before = text[:start][-60:]
        if _NEGATED.search(before):
            signal = PersonSignal(name, "disliked", text=text[start:end])
        else:
            signal = PersonSignal(name, "liked", only=bool(_ONLY.search(before)), text=text[start:end])
        if all(s.name != name for s in signals):
            signals.append(signal)
        rest = rest[:start] + " " * (end - start) + rest[end:]
    return signals, " ".join(rest.split())
