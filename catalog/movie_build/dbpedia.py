"""DBpedia (the ReDial sub-graph of KGSF/UniCRS): directors, cast and the rare genre of each film.

`links/redial_dbpedia.json` gives a URI per film, matched by title only, so some point elsewhere.
Each link is checked against what its URI states:
- a URI of another kind of work ("X_(film_series)", "(franchise)", "(album)", "(soundtrack)",
  "(novel)", "(TV_series)", "(video_game)", ...) is rejected;
- a URI whose year ("X_(2011_film)") differs from ReDial's by more than one is rejected;
- when ReDial gives a year and the graph holds exactly one film URI with facts for the same title and
  that year, or else one year off ("Fargo_(1996_film)"), that URI replaces a link without a year
  ("Fargo_(film)", often a redirect without edges), a rejected link or a missing one.
A URI with no parentheses cannot be checked and is kept.

Cast order: the graph lists `starring` edges alphabetically, not in billing order, so the first six
would drop stars named late in the alphabet (both leads of Titanic). Cast is ordered by
how many works of the graph star the person (most first; ties alphabetical), then cut at six.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from catalog.movie_build.redial import Film
from catalog.movie_build.titles import title_key

MAX_CAST = 6
YEAR_TOLERANCE = 1
_QUALIFIER = re.compile(r"^(?P<name>.*?) \((?P<qualifier>[^()]*)\)$")
# "film", "2011 film", "2009 British film", "2001 TV film", "Gary Null film"; not "film series", "film score".
_FILM_QUALIFIER = re.compile(r"^(?:(?P<year>\d{4}) )?(?:\S+ ){0,3}?film$")


def uri_text(uri: str) -> str:
    """'<http://dbpedia.org/resource/Chris_Evans_(actor)>' -> 'Chris Evans (actor)'."""
    return unquote(uri.strip().strip("<>").rsplit("/", 1)[-1]).replace("_", " ").strip()


def person_name(uri: str) -> str:
    """A person's URI as a name, without its disambiguation: 'Chris_Evans_(actor)' -> 'Chris Evans'."""
    match = _QUALIFIER.match(uri_text(uri))
    return match["name"] if match else uri_text(uri)


def _film_qualifier(uri: str):
    """The film part of a URI's parentheses ('2011 film' -> match with year), or None."""
    match = _QUALIFIER.match(uri_text(uri))
    return _FILM_QUALIFIER.match(match["qualifier"]) if match else None


def uri_year(uri: str) -> int | None:
    """The year a URI states: 'The_Mechanic_(2011_film)' -> 2011; 'Fargo_(film)' -> None."""
    film_match = _film_qualifier(uri)
    return int(film_match["year"]) if film_match and film_match["year"] else None


def check_uri(uri: str, film: Film) -> str | None:
    """Why a linked URI is not this film ('kind' or 'year'), or None when nothing in it disagrees."""
    text = uri_text(uri)
    if not _QUALIFIER.match(text) or title_key(text) == title_key(film.title):
        return None  # no qualifier, or one that is part of the title ("The Meyerowitz Stories (New and Selected)")
    if not _film_qualifier(uri):
        return "kind"
    year = uri_year(uri)
    if year is not None and film.year is not None and abs(year - film.year) > YEAR_TOLERANCE:
        return "year"
    return None


@dataclass
class Graph:
    entity_id: dict[str, int]
    uri_of: dict[int, str]
    edges: dict[int, list[tuple[int, int]]]  # head -> [(relation, tail)] in file order
    relation: dict[str, int]

    @classmethod
    def read(cls, folder: Path) -> "Graph":
        with open(folder / "entity2id.json", encoding="utf-8") as handle:
            entity_id = json.load(handle)
        with open(folder / "relation2id.json", encoding="utf-8") as handle:
            relation = {uri_text(k): v for k, v in json.load(handle).items()}
        with open(folder / "dbpedia_subkg.json", encoding="utf-8") as handle:
            edges = {int(h): [(r, t) for r, t in pairs] for h, pairs in json.load(handle).items()}
        return cls(entity_id, {v: k for k, v in entity_id.items()}, edges, relation)

    def tails(self, uri: str, relation: str) -> list[str]:
        head = self.entity_id.get(uri)
        wanted = self.relation[relation]
        return [self.uri_of[t] for r, t in self.edges.get(head, ()) if r == wanted] if head is not None else []

    def has_facts(self, uri: str) -> bool:
        return any(self.tails(uri, relation) for relation in ("director", "starring"))

    def films_by_title_year(self) -> dict[tuple[str, int], list[str]]:
        """(title key with its article, year) -> the URIs 'Title_(YEAR_..._film)' of the graph."""
        index: dict[tuple[str, int], list[str]] = defaultdict(list)
        for uri in self.entity_id:
            year = uri_year(uri)
            if year is not None:
                index[(title_key(_QUALIFIER.match(uri_text(uri))["name"], keep_article=True), year)].append(uri)
        return index

    def star_counts(self) -> Counter:
        """Person URI -> how many works of the graph list them in `starring`."""
        starring = self.relation["starring"]
        return Counter(t for pairs in self.edges.values() for r, t in pairs if r == starring)


@dataclass
class DbpediaFacts:
    uri: dict[str, str] = field(default_factory=dict)  # film id -> the accepted URI
    directors: dict[str, list[str]] = field(default_factory=dict)
    cast: dict[str, list[str]] = field(default_factory=dict)
    genre_labels: dict[str, list[str]] = field(default_factory=dict)
    rejected: list[tuple[Film, str, str]] = field(default_factory=list)  # (film, URI, 'kind' or 'year')
    relinked: list[tuple[Film, str | None, str]] = field(default_factory=list)  # (film, old URI, new URI)


def dated_candidates(by_title_year: dict[tuple[str, int], list[str]], film: Film, graph: Graph) -> list[str]:
    """The graph's film URIs with this title and ReDial's year, else a year next to it (sources differ by one)."""
    if film.year is None:
        return []
    key = title_key(film.title, keep_article=True)
    for years in ((film.year,), (film.year - 1, film.year + 1)):
        found = [uri for year in years for uri in by_title_year.get((key, year), []) if graph.has_facts(uri)]
        if found:
            return found
    return []


def resolve_links(links: dict[str, str | None], films: list[Film], graph: Graph, facts: DbpediaFacts) -> None:
    by_title_year = graph.films_by_title_year()
    for film in films:
        uri = links.get(film.id)
        problem = check_uri(uri, film) if uri else None
        if problem:
            facts.rejected.append((film, uri, problem))
        candidates = dated_candidates(by_title_year, film, graph)
        # A dated URI that agrees with ReDial is kept; anything less certain gives way to the one dated match.
        replaceable = uri is None or problem is not None or uri_year(uri) is None
        if len(candidates) == 1 and candidates[0] != uri and replaceable:
            facts.relinked.append((film, uri, candidates[0]))
            facts.uri[film.id] = candidates[0]
        elif uri and not problem:
            facts.uri[film.id] = uri


def read_dbpedia(sources: Path, films: list[Film]) -> DbpediaFacts:
    with open(sources / "links" / "redial_dbpedia.json", encoding="utf-8") as handle:
        links = json.load(handle)
    graph = Graph.read(sources / "dbpedia")
    facts = DbpediaFacts()
    resolve_links(links, films, graph, facts)
    stars = graph.star_counts()
    for film in films:
        uri = facts.uri.get(film.id)
        if uri is None:
            continue
        directors = list(dict.fromkeys(person_name(u) for u in graph.tails(uri, "director")))
        cast_uris = sorted(graph.tails(uri, "starring"), key=lambda u: (-stars[graph.entity_id[u]], u))
        cast = list(dict.fromkeys(person_name(u) for u in cast_uris))[:MAX_CAST]
        genres = [uri_text(u) for u in graph.tails(uri, "genre")]
        for table, values in ((facts.directors, directors), (facts.cast, cast), (facts.genre_labels, genres)):
            if values:
                table[film.id] = values
    return facts
