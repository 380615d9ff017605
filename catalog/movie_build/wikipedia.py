"""Descriptions: Wikipedia first sentences matched to films by the title and year they state.

`wikipedia/first_sentences.txt` is not aligned to ids, and holds people, countries and genres too.
A line describes a film when it starts with the film's title (compared by `title_key`) followed by
" is " / " was ", calls the work one film ("is a 1987 American space opera parody film"; not "is an
American media franchise", "a television series"), and the first year before the word "film" is the
film's ReDial year ("Spaceballs is a 1987 American ..."). A film without a year takes a line only
when that title is nobody else's: one line with the title and one ReDial film with it. Two films with
the same title and year are ambiguous and skipped; two lines for one title and year are resolved by
the film's known directors, or skipped.

The description is the first sentence only, with the parentheses between the title and the verb
removed (pronunciations, other-language titles, "stylized as"). The lines were cut at every ". " by
their source, so a line can end inside a name ("directed by J. J"); such a line is trimmed back to
where its last clause about people starts ("Star Trek is a 2009 American science fiction action
film."), and dropped when there is none.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from pathlib import Path

from catalog.movie_build.redial import Film
from catalog.movie_build.titles import title_key, without_parentheses

_VERB = re.compile(r" (?:is|was) ")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_FILM_WORD = re.compile(r"\b(?:film|movie|documentary)\b(?! (?:television|tv|series|miniseries|franchise)\b)", re.I)
_NOT_ONE_FILM = re.compile(r"\b(?:series|franchise|trilogy|saga|character|films)\b")
# Where a clause about people starts: a cut line is trimmed back to the last one.
_CLAUSE = re.compile(r",| (?:and )?(?:co-)?(?:starring|directed|written|produced|narrated|created|based|from a)\b")
# A ". " after one of these does not end the sentence ("George C. Scott", "Dr. No", "U.S. Marshals").
_ABBREVIATION = re.compile(r"(?:\b[A-Z]|\b(?:Dr|Mr|Mrs|Ms|St|Jr|Sr|Vol|No|Lt|Col|Gen|Sgt|Capt|Prof|Rev|Mt|vs|U\.S|U\.K|Inc|Co|Bros|lit))$")


def split_subject(text: str) -> tuple[str, str] | None:
    """'Rush Hour (Chinese: ...) is a 1998 ...' -> ('Rush Hour (Chinese: ...)', 'is a 1998 ...'): the first verb outside parentheses."""
    depth = 0
    for i, char in enumerate(text):
        depth += (char == "(") - (char == ")")
        if depth == 0 and char == " " and _VERB.match(text, i):
            return text[:i], text[i + 1:]
    return None


def first_sentence(text: str) -> str | None:
    """The first sentence of `text` (which starts after the title), or None when it was cut mid-name."""
    for match in re.finditer(r"\. (?=[A-Z0-9\"'])", text):
        if not _ABBREVIATION.search(text[:match.start()]):
            return text[:match.start() + 1]
    text = text.rstrip()
    if text.endswith((".", "!", "?")):
        return text
    if _ABBREVIATION.search(text):  # the source cut this line inside a name ("directed by J. J"): drop that clause
        cuts = [m.start() for m in _CLAUSE.finditer(text)]
        head = re.sub(r"(?:,| and)+$", "", text[:cuts[-1]].rstrip()) if cuts else ""
        return head + "." if head else None
    return text + "."


def film_head(sentence: str) -> str | None:
    """The predicate up to the word that says what the work is ('is a 1987 American space opera parody film'),
    or None when the sentence does not call it one film ('is an American media franchise that started in 1995')."""
    match = _FILM_WORD.search(sentence)
    if match is None or _NOT_ONE_FILM.search(sentence[:match.end()]):
        return None
    return sentence[:match.end()]


def parse_line(line: str) -> tuple[str, str, int | None] | None:
    """(title key, description, year) of a line that reads 'Title is/was a [YEAR] ... film', else None.

    The year is the first one before the word "film": "a 2004 remake of the 1978 film" is 2004."""
    text = " ".join(html.unescape(line).split())
    parts = split_subject(text)
    if parts is None:
        return None
    subject = without_parentheses(parts[0]).strip(" ,")
    sentence = first_sentence(parts[1])
    head = film_head(sentence) if subject and sentence else None
    if head is None:
        return None
    year = _YEAR.search(head)
    return title_key(subject), f"{subject} {sentence}", int(year.group(1)) if year else None


def mentions_any(text: str, names: list[str]) -> bool:
    return any(name and name in text for name in names)


def read_descriptions(sources: Path, films: list[Film], directors: dict[str, list[str]]) -> dict[str, str]:
    """Film id -> its Wikipedia first sentence, for the films matched unambiguously.

    Two lines for one title and year (two versions of an article, or two films) are resolved only by
    the film's known directors: the first line in file order that names one of them is taken."""
    lines: dict[tuple[str, int | None], list[str]] = defaultdict(list)
    by_title: dict[str, list[str]] = defaultdict(list)
    with open(sources / "wikipedia" / "first_sentences.txt", encoding="utf-8") as handle:
        for line in handle:
            parsed = parse_line(line)
            if parsed:
                key, description, year = parsed
                lines[(key, year)].append(description)
                by_title[key].append(description)
    films_by_key_year: dict[tuple[str, int | None], int] = defaultdict(int)
    films_by_key: dict[str, int] = defaultdict(int)
    for film in films:
        films_by_key_year[(title_key(film.title), film.year)] += 1
        films_by_key[title_key(film.title)] += 1
    found = {}
    for film in films:
        key = title_key(film.title)
        if not key:
            continue
        if film.year is not None:
            candidates = list(dict.fromkeys(lines.get((key, film.year), [])))
            unique = films_by_key_year[(key, film.year)] == 1
        else:
            candidates = list(dict.fromkeys(by_title.get(key, [])))
            unique = films_by_key[key] == 1
        if len(candidates) > 1:
            candidates = [c for c in candidates if mentions_any(c, directors.get(film.id, []))][:1]
        if unique and len(candidates) == 1:
            found[film.id] = candidates[0]
    return found
