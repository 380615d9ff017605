"""Genres (the catalog's categories) in the user's words: wanted, excluded, allowed again, or cleared.

Which words name which category is catalog data (`chat.understanding.categories`).
"""

from __future__ import annotations

import re

from chat.understanding.categories import CategoryWords
from chat.understanding.signals import RESTRICT_WORDS, Understanding

_NEGATION_BEFORE = re.compile(
    r"\b(no|not(?! (really )?(sure|certain))|without|nothing|never|avoid|except|hate|hated|dislike|don t want|do not want|no more|"
    r"anything but|not a|not in the mood for|tired of|skip|none of)\b(\s+\w+){0,2}\s*$"
)
_ALLOW_AFTER = re.compile(
    r"^\s*(s|movies|films)?\s*(is|are|would be|will be|is also|are also|s)\s+(fine|ok|okay|alright|good|allowed|acceptable|back on)\b"
    r"|^\s*(s|movies|films)?\s*(is|are) (back|not a problem|no problem)\b"
)
_ALLOW_BEFORE = re.compile(
    r"\b(don t mind|do not mind|fine with|ok with|okay with|happy with|open to|bring back|include|allow|add back)\s+(some\s+)?$"
)
_EXCLUDE_AFTER = re.compile(
    r"^\s*(s|movies|films)?\s*((is|are) not|isn t|aren t) (really )?(my thing|for me|my cup of tea|my kind of thing|an option)\b"
    r"|^\s*(s|movies|films)?\s*(is|are)?\s*(not (really )?(my thing|for me)|a no|out|off the table|not my cup of tea|no thanks)\b"
)
# The user restricts, rather than leans: "only comedies", "nothing but westerns", "just horror please".
_ONLY_BEFORE = re.compile(rf"\b({RESTRICT_WORDS})\b(\s+\w+){{0,2}}\s*$")
_ANY_GENRE = re.compile(r"\b(any genre|any kind|whatever genre|all genres|no genre preference|forget (about )?the genres?|genre doesn t matter)\b")


def _read_genres(text: str, result: Understanding, categories: CategoryWords) -> None:
    if _ANY_GENRE.search(text):
        result.genres_clear = True
    for m in categories.pattern.finditer(text):
        genre = categories.category(m.group(1))
        if _ALLOW_AFTER.match(text[m.end():]) or _ALLOW_BEFORE.search(text[:m.start()]):
            result.genres_allowed.add(genre)
        elif _EXCLUDE_AFTER.match(text[m.end():]):
            result.genres_excluded.add(genre)
        elif _NEGATION_BEFORE.search(text[:m.start()][-60:]):
            result.genres_excluded.add(genre)
        else:
            result.genres_wanted.add(genre)
            if _ONLY_BEFORE.search(text[:m.start()][-40:]):
                result.genres_only.add(genre)
