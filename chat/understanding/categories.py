"""The catalog's own words: what people call each category, and the words its items are described with.

The category words themselves are built in `chat.vocabulary` (the title linker needs them too, and
imports nothing of the understanding); this module re-exports them for the understanding's readers.

The words of item descriptions and tags ("baking", "mountains") may be wishes too, next to the fixed
vocabulary of `chat.understanding.wishes`: only words the catalog itself uses are kept, so nothing
raw the user typed is quoted back. MovieLens as shipped has neither, so its wishes are unchanged.
"""

from __future__ import annotations

import re

from chat.vocabulary import CategoryWords, category_words, normalize, words_for

__all__ = ["CategoryWords", "category_words", "text_words_for", "words_for"]


MIN_ITEMS_PER_WORD = 2  # a word from one item's text alone is more likely a name than a wish
MAX_ZIPF = 5.0  # wordfreq's Zipf scale: words more common than this in English ("made", "great") say nothing
# Words of a request about the catalog itself ("movies like X", "a film featuring ..."): no wish, even where
# item descriptions use them; the catalog's own nouns and category labels join them per catalog.
REQUEST_WORDS = frozenset({"movie", "movies", "film", "films", "flick", "flicks", "genre", "genres", "sequel", "sequels",
                           "plot", "premise", "story", "stories", "featuring", "involving", "starring", "directed",
                           "similar", "recommend", "recommendation", "recommendations"})


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
    own = set(normalize(" ".join((catalog.noun, catalog.nouns, catalog.category_label, catalog.category_labels))).split())
    words = sorted(w for w, n in counts.items()
                   if n >= MIN_ITEMS_PER_WORD and len(w) >= 4 and w.isalpha() and w not in category_phrases
                   and w not in names and w not in REQUEST_WORDS and w not in own and zipf_frequency(w, "en") < MAX_ZIPF)
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
