"""Words as the chat compares them: `normalize` for any text, the catalog's category phrases, and the
singular and plural forms of a word.

The title linker and the understanding both need these, so they live here, below both: the linker
reads the category phrases (a title that is a genre word needs a capital) and the understanding
reads genres with them, and neither imports the other for it.

Category phrases are built from catalog data: every category name ("Sci-Fi" -> "sci fi", "Home & Kitchen"
-> "home and kitchen"), its plural or singular ("toys" / "toy", "comedy" / "comedies"), and the catalog's
`category_synonyms` ("gadgets" -> Electronics; MovieLens brings "scary" -> Horror and the rest). A synonym
whose category the catalog spells differently still lands ("Children's" in ml-100k, "Children" in
ml-latest), and one whose category the catalog lacks is dropped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Another form of a word is kept when its Zipf frequency (wordfreq) lies within these of the word's own.
RARER_FORM = 1.5
COMMONER_FORM = 1.5  # singulars are often far more common ('musical' 4.5, 'musicals' 3.2)


def normalize(text: str) -> str:
    """Lower case, accents and punctuation removed, '&' -> 'and', single spaces."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("&", " and ")
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def word_forms(word: str) -> set[str]:
    """A normalized word and its singular or plural: 'zombies' -> {'zombies', 'zombie'}, 'superhero' ->
    {'superhero', 'superheroes'}. Candidates come from spelling rules; wordfreq keeps those about as common
    in English as the word, so a misspelling ('zomby', 'superheros') is left out. (A rule can still make another
    word: 'news' -> 'new'; the understanding takes only rare words as subjects, never 'news'.)"""
    from wordfreq import zipf_frequency

    if len(word) < 3 or not word.isalpha():
        return {word}
    if word.endswith("ies"):
        candidates = {word[:-3] + "y", word[:-1]}  # stories -> story; zombies -> zombie
    elif word.endswith("es"):
        candidates = {word[:-2], word[:-1]}  # heroes -> hero, witches -> witch; vampires -> vampire
    elif word.endswith("s") and not word.endswith("ss"):
        candidates = {word[:-1]}  # musicals -> musical
    else:
        candidates = {word + "s", word + "es", word[:-1] + "ies" if word.endswith("y") else word + "s"}
    zipf = zipf_frequency(word, "en")
    return {word} | {c for c in candidates if zipf - RARER_FORM <= zipf_frequency(c, "en") <= zipf + COMMONER_FORM}


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
