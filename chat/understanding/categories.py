"""The catalog's own words: what people call each category, and the words its items are described with.

Built from catalog data: every category name ("Sci-Fi" -> "sci fi", "Home & Kitchen" -> "home and
kitchen"), its plural or singular ("toys" / "toy", "comedy" / "comedies"), and the catalog's
`category_synonyms` ("gadgets" -> Electronics; MovieLens brings "scary" -> Horror and the rest).
A synonym whose category the catalog spells differently still lands ("Children's" in ml-100k,
"Children" in ml-latest), and one whose category the catalog lacks is dropped.

The words of item descriptions and tags ("baking", "mountains") may be wishes too, next to the fixed
vocabulary of `chat.understanding.wishes`: only words the catalog itself uses are kept, so nothing
raw the user typed is quoted back. MovieLens as shipped has neither, so its wishes are unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from chat.linker import normalize


def _key(name: str) -> str:
    """'Children's' and 'Children' -> 'children': how category names are matched across spellings."""
    key = re.sub(r"[^a-z0-9]", "", name.lower())
    return key[:-1] if key.endswith("s") and len(key) > 3 else key


def _variants(phrase: str) -> set[str]:
    """'comedy' -> {'comedy', 'comedies'}; 'toys' -> {'toys', 'toy'}; "children s" -> {..., 'childrens'}."""
    out = {phrase, re.sub(r" s\b", "s", phrase)}
    head, _, last = phrase.rpartition(" ")
    prefix = f"{head} " if head else ""
    if len(last) > 3 and last.endswith("ies"):
        out.add(prefix + last[:-3] + "y")
    elif len(last) > 3 and last.endswith("s") and not last.endswith("ss"):
        out.add(prefix + last[:-1])
    elif last.endswith("y") and last[-2:-1] not in tuple("aeiou"):
        out.add(prefix + last[:-1] + "ies")
    elif last and not last.endswith("s"):
        out.add(prefix + last + "s")
    return {v for v in out if v}


@dataclass(frozen=True)
class CategoryWords:
    phrases: dict[str, str]  # normalized phrase -> category name as the catalog writes it
    pattern: re.Pattern  # any phrase, longest first, on word boundaries (never matches when there is none)

    def category(self, phrase: str) -> str:
        return self.phrases[phrase]


def category_words(categories: tuple[str, ...], synonyms: tuple[tuple[str, str], ...]) -> CategoryWords:
    by_key = {_key(c): c for c in categories}
    phrases: dict[str, str] = {}
    for word, target in synonyms:  # synonyms first: a category's own name wins over them below
        category = by_key.get(_key(target))
        if category is not None:
            phrases[normalize(word)] = category
    for category in categories:
        for phrase in _variants(normalize(category)):
            phrases[phrase] = category
    phrases.pop("", None)
    if not phrases:
        return CategoryWords({}, re.compile(r"(?!x)x"))
    alternatives = "|".join(sorted(map(re.escape, phrases), key=len, reverse=True))
    return CategoryWords(phrases, re.compile(rf"\b({alternatives})\b"))


@lru_cache(maxsize=8)
def _cached(categories: tuple[str, ...], synonyms: tuple[tuple[str, str], ...]) -> CategoryWords:
    return category_words(categories, synonyms)


def words_for(catalog) -> CategoryWords:
    """The catalog's category words, built once per catalog content."""
    return _cached(tuple(catalog.genres), tuple(sorted(catalog.category_synonyms.items())))


MIN_ITEMS_PER_WORD = 2  # a word from one item's text alone is more likely a name than a wish
MAX_ZIPF = 5.0  # wordfreq's Zipf scale: words more common than this in English ("made", "great") say nothing


def _text_words(catalog) -> re.Pattern | None:
    from collections import Counter

    from wordfreq import zipf_frequency

    counts: Counter = Counter()
    for item in catalog.items:
        if item.titled and (item.description or item.tags):
            counts.update(set(normalize(" ".join((item.description, *item.tags))).split()))
    category_phrases = words_for(catalog).phrases
    # A name is no wish ("directed by Christopher Nolan" in a description): people are read as people.
    names = {w for item in catalog.items for person in item.people for w in normalize(person).split()}
    words = sorted(w for w, n in counts.items()
                   if n >= MIN_ITEMS_PER_WORD and len(w) >= 4 and w.isalpha() and w not in category_phrases
                   and w not in names and zipf_frequency(w, "en") < MAX_ZIPF)
    return re.compile(r"\b(" + "|".join(words) + r")\b") if words else None


_TEXT_WORDS: dict[str, re.Pattern | None] = {}  # catalog fingerprint -> its pattern


def text_words_for(catalog) -> re.Pattern | None:
    """The words of the catalog's descriptions and tags a wish may use (None when it has neither), built once."""
    key = catalog.fingerprint
    if key not in _TEXT_WORDS:
        if len(_TEXT_WORDS) >= 8:
            _TEXT_WORDS.pop(next(iter(_TEXT_WORDS)))
        _TEXT_WORDS[key] = _text_words(catalog)
    return _TEXT_WORDS[key]
