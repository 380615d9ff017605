"""Film titles as ReDial writes them, and the keys that match a title across sources.

ReDial's `movieName` is what crowd workers typed: "Headhunter  (2009)" with a double space, a name
without a year (614 of them), "%3F" for "?", and in principle "Matrix, The". `parse_movie_name` keeps
the title as people write it and only undoes those encodings. `title_key` is for matching only (never
shown): case, accents, punctuation, "&"/"and" and a leading article do not count, so "The Matrix",
"Matrix" and "matrix" meet.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

_YEAR_AT_END = re.compile(r"^(?P<title>.*?)\s*\((?P<year>\d{4})\)$")
_ARTICLE_AT_END = re.compile(r"^(?P<rest>.+), (?P<article>The|A|An)$")
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
_LEADING_ARTICLE = re.compile(r"^(?:the|a|an) ")
_PARENTHESES = re.compile(r"\s*\([^()]*\)")


def parse_movie_name(name: str) -> tuple[str, int | None]:
    """'Headhunter  (2009)' -> ('Headhunter', 2009); 'Matrix, The (1999)' -> ('The Matrix', 1999)."""
    if _PERCENT.search(name):
        name = unquote(name)  # '%3F' and '%22' are URL-encoding left in the list, not what people typed
    name = " ".join(name.split())
    match = _YEAR_AT_END.match(name)
    title, year = (match["title"], int(match["year"])) if match else (name, None)
    moved = _ARTICLE_AT_END.match(title)
    if moved:
        title = f"{moved['article']} {moved['rest']}"
    return title.strip(), year


def title_key(title: str, keep_article: bool = False) -> str:
    """The matching key of a title: 'The Lock, Stock & Two Smoking Barrels' -> 'lock stock and two smoking barrels'.

    keep_article: 'The Holiday' and 'Holiday' stay apart (two films of 2006 in ReDial)."""
    text = unicodedata.normalize("NFKD", title)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower().replace("&", " and ")
    text = " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())
    return text if keep_article else _LEADING_ARTICLE.sub("", text)


def without_parentheses(text: str) -> str:
    """'Rush Hour (Chinese: 火拼時速) is' -> 'Rush Hour is' (nested groups are removed from the inside out)."""
    while True:
        shorter = _PARENTHESES.sub("", text)
        if shorter == text:
            return text
        text = shorter
