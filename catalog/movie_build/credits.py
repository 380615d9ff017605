"""Directors from DBpedia, and from Wikidata where DBpedia has none, named through DBpedia.

Wikidata gives director QIDs only. A QID gets a name from a film that has exactly one director on
both sides (one QID in Wikidata, one DBpedia director): that film states "this QID is this person".
A QID is named only when such films agree: the most frequent name must have at least two films and
twice as many as any other ("Woody Allen" 14 to 1 against a mislinked film), or be the only one.
Names that differ only in spacing or punctuation ("P. J. Hogan", "P.J. Hogan") count as one.
The names then serve the films that DBpedia lacks (no link, a rejected link, or no director edge).

The names also check the IMDb links: when a film's DBpedia URI states ReDial's year ("Spider_(2007_film)",
Nash Edgerton) and its Wikidata directors are named and share no surname with DBpedia's (Sam Raimi: the
IMDb link went to Spider-Man 3), the IMDb link is the wrong one and all its Wikidata facts are dropped.
Surnames, not whole names, are compared, so "Taylor" / "Brian Taylor" or "Francis Coppola" /
"Francis Ford Coppola" agree.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field

MIN_AGREEING = 2


def name_key(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


def surname(name: str) -> str:
    """'Alejandro González Iñárritu' -> 'inarritu' (accents folded)."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    words = re.findall(r"[a-z'-]+", folded.lower())
    return words[-1] if words else ""


def contradicted_links(dated: set[str], dbpedia: dict[str, list[str]], wikidata: dict[str, list[str]],
                       names: dict[str, str]) -> list[str]:
    """Films (of `dated`: DBpedia URI year-checked) whose named Wikidata directors share no surname with DBpedia's."""
    contradicted = []
    for film in sorted(dated, key=int):
        ours = {surname(n) for n in dbpedia.get(film, [])}
        theirs = {surname(names[q]) for q in wikidata.get(film, []) if q in names}
        if ours and theirs and not ours & theirs:
            contradicted.append(film)
    return contradicted


@dataclass
class Directors:
    by_film: dict[str, list[str]] = field(default_factory=dict)
    from_dbpedia: int = 0
    from_wikidata: int = 0
    named_qids: int = 0
    ambiguous_qids: int = 0  # QIDs whose one-to-one films disagree on the name


def name_qids(dbpedia: dict[str, list[str]], wikidata: dict[str, list[str]]) -> tuple[dict[str, str], int]:
    """QID -> name from the films with one director on both sides; and how many QIDs stayed unnamed."""
    votes: dict[str, Counter] = defaultdict(Counter)
    spelling: dict[str, Counter] = defaultdict(Counter)
    for film, qids in wikidata.items():
        names = dbpedia.get(film, [])
        if len(qids) == 1 and len(names) == 1:
            votes[qids[0]][name_key(names[0])] += 1
            spelling[name_key(names[0])][names[0]] += 1
    named, ambiguous = {}, 0
    for qid, counts in votes.items():
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        best, top = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0
        if runner_up == 0 or (top >= MIN_AGREEING and top >= 2 * runner_up):
            # the spelling DBpedia uses most for that person (ties: alphabetical)
            named[qid] = sorted(spelling[best].items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        else:
            ambiguous += 1
    return named, ambiguous


def merge_directors(dbpedia: dict[str, list[str]], wikidata: dict[str, list[str]]) -> Directors:
    names, ambiguous = name_qids(dbpedia, wikidata)
    result = Directors(named_qids=len(names), ambiguous_qids=ambiguous)
    for film in sorted(set(dbpedia) | set(wikidata), key=int):
        if dbpedia.get(film):
            result.by_film[film] = dbpedia[film]
            result.from_dbpedia += 1
            continue
        known = list(dict.fromkeys(names[q] for q in wikidata.get(film, []) if q in names))
        if known:
            result.by_film[film] = known
            result.from_wikidata += 1
    return result
