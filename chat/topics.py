"""Which items a wish is about, by the catalog's own words: "a heist movie" -> items tagged or described as heists.

A wish from the fixed vocabulary ("heist", "time travel", "zombies") or one of the catalog's own words
("gambling") moves the ranking through the embedder's query; where the catalog also *states* the topic
(an item's tags or description use one of the wish's phrasings), those items get a preference too, so a
subject the catalog knows is matched however the embedder scores it. Moods ("tense", "funny") are not
topics: no item text states them reliably, and the genres carry them.
"""

from __future__ import annotations

import re

from chat.linker import normalize
from chat.understanding.wishes import WISHES

# Wishes about how a film feels or whom it is for: genres and the embedder carry them, not item words.
MOODS = {"tense", "funny", "feel-good", "dark", "scary", "romantic", "sad", "mind-bending", "epic", "relaxing",
         "quirky", "violent", "smart", "action-packed", "fun", "for kids", "for a group"}


class TopicIndex:
    """Per catalog: the normalized text of each item's tags and description, searched once per wish."""

    def __init__(self, catalog):
        # Row i = item i; an untitled item (never offered) has no text, so no wish finds only it.
        self.texts = [normalize(" ".join((*item.tags, item.description))) if item.titled else "" for item in catalog.items]
        self._cache: dict[str, frozenset[int]] = {}

    def items_about(self, wish: str) -> frozenset[int]:
        """Items whose tags or description state the wish's topic (empty for a mood)."""
        if wish in MOODS:
            return frozenset()
        if wish not in self._cache:
            phrases = {normalize(p) for p in WISHES.get(wish, ())} | {normalize(wish)}
            rx = re.compile(r"\b(" + "|".join(sorted(map(re.escape, filter(None, phrases)), key=len, reverse=True)) + r")\b")
            self._cache[wish] = frozenset(i for i, text in enumerate(self.texts) if text and rx.search(text))
        return self._cache[wish]

    def items_about_any(self, wishes) -> frozenset[int]:
        found: set[int] = set()
        for wish in wishes:
            found |= self.items_about(wish)
        return frozenset(found)


_INDEXES: dict[str, TopicIndex] = {}  # catalog fingerprint -> its index


def topics_for(catalog) -> TopicIndex:
    key = catalog.fingerprint
    if key not in _INDEXES:
        if len(_INDEXES) >= 8:
            _INDEXES.pop(next(iter(_INDEXES)))
        _INDEXES[key] = TopicIndex(catalog)
    return _INDEXES[key]
