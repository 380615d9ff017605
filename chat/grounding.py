"""Check generated text against the catalog: it may name catalog movies only.

We look for spans that read as movie titles — quoted or starred phrases, a phrase followed
by a year in parentheses, and capitalized phrases right after words such as "like" or
"than" — and reject the text when one of them is not a catalog title.
"""

from __future__ import annotations

import re

from chat.linker import TitleLinker

_QUOTED = re.compile(r"[\"“«]([^\"”»]{2,80})[\"”»]|\*{1,2}([^*]{2,80})\*{1,2}|(?<!\w)_([^_]{2,80})_(?!\w)")
_TITLE_WORD = r"(?:[A-Z0-9][\w'’:&.\-]*)"
_LINK = r"(?:of|the|and|a|an|in|on|to|for|with|at|from|vs\.?)"
_WITH_YEAR = re.compile(rf"({_TITLE_WORD}(?:\s+(?:{_TITLE_WORD}|{_LINK}))*)\s*\((\d{{4}})\)")
_AFTER_CUE = re.compile(
    rf"\b(?i:like|as|than|films?|movies?|classics?|sequel to|fans? of|similar to|reminiscent of|the likes of|"
    rf"watch|watched|see|loved|enjoyed)\s+"
    rf"((?:The\s+|A\s+)?{_TITLE_WORD}(?:\s+(?:{_TITLE_WORD}|{_LINK}))*)"
)


def title_spans(text: str) -> list[str]:
    """Phrases in the text that look like they name a movie."""
    spans = [next(g for g in m.groups() if g) for m in _QUOTED.finditer(text)]
    spans += [m.group(1) for m in _WITH_YEAR.finditer(text)]
    for m in _AFTER_CUE.finditer(text):
        phrase = re.sub(rf"(\s+{_LINK})+$", "", m.group(1))
        if sum(w[:1].isupper() for w in phrase.split()) >= 2:
            spans.append(phrase)
    return [s.strip().rstrip(".,;:!?") for s in spans if s.strip()]


def unknown_titles(text: str, linker: TitleLinker, allowed: set[str] = frozenset()) -> list[str]:
    """Title-like phrases that are neither catalog titles nor words the facts already contain."""
    allowed_lower = {a.lower() for a in allowed}
    unknown = []
    for span in title_spans(text):
        if span.lower() in allowed_lower or any(span.lower() in a for a in allowed_lower):
            continue
        if linker.is_catalog_title(span):
            continue
        # "Return of the Jedi and Star Wars": fine when every part is a catalog title.
        parts = [p for p in re.split(r"\s+and\s+|,\s*", span) if p]
        if len(parts) < 2 or not all(linker.is_catalog_title(p) for p in parts):
            unknown.append(span)
    return unknown
