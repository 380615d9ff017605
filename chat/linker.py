"""Link the titles people type to catalog items.

People write "the empire strikes back", "Empire Strikes Back, The", "star wars (1977)",
"Godfather" or "Termintor". We index several normalized aliases per item and scan the
message for the longest alias spans (exact), then fall back to fuzzy matching
(rapidfuzz) for spans that follow a cue such as "loved" or "seen".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from catalog.model import Catalog, Item

ARTICLES = ("the", "a", "an")
MAX_SPAN = 12  # words in the longest alias we look for
# Titles made of everyday words ("Heat", "Big", "Speed", "Something to Talk About") only
# count when the user capitalized or quoted them, or put them right after a cue like "loved".
COMMON_SINGLE_ZIPF = 4.0  # one content word at least this frequent in English
COMMON_ALL_ZIPF = 5.5  # every content word at least this frequent


def normalize(text: str) -> str:
    """Lower case, accents and punctuation removed, '&' -> 'and', single spaces."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("&", " and ")
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def aliases(item: Item) -> set[str]:
    """Normalized names an item may be called by."""
    names = {item.title}
    main = re.sub(r"\s*\([^()]*\)$", "", item.title)  # drop an alternative title in parentheses
    names.add(main)
    alt = re.search(r"\(([^()]*)\)$", item.title)
    if alt and len(alt.group(1)) > 3:
        names.add(alt.group(1))
    found: set[str] = set()
    for name in names:
        n = normalize(name)
        if not n:
            continue
        found.add(n)
        words = n.split()
        if words[0] in ARTICLES and len(words) > 1:
            found.add(" ".join(words[1:]))
    if item.year:
        found |= {f"{a} {item.year}" for a in list(found)}
    return found


@dataclass(frozen=True)
class Mention:
    item_ids: tuple[int, ...]  # several when the words fit more than one item
    start: int  # character span in the normalized message
    end: int
    text: str  # the words as matched
    fuzzy: bool = False


class TitleLinker:
    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.alias_to_ids: dict[str, list[int]] = {}
        for item in catalog.items:
            for alias in aliases(item):
                self.alias_to_ids.setdefault(alias, []).append(item.id)
        # Most popular first, so an ambiguous alias offers the best-known item first.
        pop = catalog.popularity
        for ids in self.alias_to_ids.values():
            ids.sort(key=lambda i: -pop[i])
        self._alias_list = list(self.alias_to_ids)
        self.needs_cue = {a for a in self._alias_list if _is_everyday_phrase(a)}

    def find(self, message: str, cue_positions: set[int] | None = None) -> list[Mention]:
        """Title mentions in a message, left to right, longest match first, no overlaps.

        `cue_positions` are word indexes right after a cue word ("loved", "seen"): a short
        common-word title counts there even in lower case.
        """
        words, capitalized = _words_with_case(message)
        cue_positions = cue_positions or set()
        mentions: list[Mention] = []
        i = 0
        while i < len(words):
            match = None
            for n in range(min(MAX_SPAN, len(words) - i), 0, -1):
                span = " ".join(words[i:i + n])
                ids = self.alias_to_ids.get(span)
                if not ids:
                    continue
                if span in self.needs_cue and not (capitalized[i] or i in cue_positions):
                    continue
                # "star wars 1977": take the year too when it names one of the items.
                if i + n < len(words) and words[i + n].isdigit():
                    with_year = self.alias_to_ids.get(f"{span} {words[i + n]}")
                    if with_year:
                        span, ids, n = f"{span} {words[i + n]}", with_year, n + 1
                match = (n, span, ids)
                break
            if match:
                n, span, ids = match
                mentions.append(Mention(tuple(ids), i, i + n, span))
                i += n
            else:
                i += 1
        return mentions

    def fuzzy(self, phrase: str, cutoff: float = 86.0) -> Mention | None:
        """Best catalog title for a phrase with typos ("termintor"), or None."""
        query = normalize(phrase)
        if len(query) < 4:
            return None
        hit = process.extractOne(query, self._alias_list, scorer=fuzz.ratio, score_cutoff=cutoff)
        if not hit:
            return None
        alias = hit[0]
        return Mention(tuple(self.alias_to_ids[alias]), 0, 0, alias, fuzzy=True)

    def is_catalog_title(self, phrase: str, cutoff: float = 92.0) -> bool:
        """Whether a phrase names a catalog item (used to check generated text)."""
        query = normalize(re.sub(r"\(\d{4}\)", "", phrase))
        if query in self.alias_to_ids:
            return True
        return process.extractOne(query, self._alias_list, scorer=fuzz.ratio, score_cutoff=cutoff) is not None

    def items(self, mention: Mention) -> list[Item]:
        return [self.catalog[i] for i in mention.item_ids]


def _is_everyday_phrase(alias: str) -> bool:
    from wordfreq import zipf_frequency

    content = [w for w in alias.split() if w not in ARTICLES and not w.isdigit()]
    if not content:
        return True
    freqs = [zipf_frequency(w, "en") for w in content]
    return (len(content) == 1 and freqs[0] >= COMMON_SINGLE_ZIPF) or min(freqs) >= COMMON_ALL_ZIPF


def _words_with_case(message: str) -> tuple[list[str], list[bool]]:
    """Normalized words of the message, and whether each was capitalized or quoted in the original."""
    raw = re.findall(r"[\w'&]+|[\"“”«»]", unicodedata.normalize("NFKC", message))
    words: list[str] = []
    capitalized: list[bool] = []
    quoted = False
    for token in raw:
        if token in "\"“”«»":
            quoted = not quoted
            continue
        norm = normalize(token)
        for part in norm.split():
            words.append(part)
            capitalized.append(token[:1].isupper() or quoted)
    return words, capitalized
