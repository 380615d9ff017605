"""The build: read every source, join them per ReDial film, write the catalog folder.

Each step reads one source (`redial`, `wikidata`, `dbpedia`, `credits`, `wikipedia`, `wikipedia_films`); this
module only joins their answers per film and counts coverage. Where Wikipedia's article is joined
(`wikipedia_films`), its opening paragraph, cast, directors and genres come first, and the older sources
fill what it lacks. Everything is sorted (films by movieId,
interactions by dialogue then film, lists in a fixed order), and nothing depends on the time, the
machine or the paths given, so the same sources give byte-identical files.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from catalog.movie_build.credits import Directors, contradicted_links, merge_directors, name_qids
from catalog.movie_build.dbpedia import DbpediaFacts, read_dbpedia, uri_year
from catalog.movie_build.genres import keyword_of_kind, label_genres
from catalog.movie_build.redial import INTERACTIONS_SOURCE, Film, read_films, read_interactions
from catalog.movie_build.wikidata import YEAR_TOLERANCE, WikidataFacts, read_wikidata
from catalog.movie_build.wikidata_films import WikidataFilms, imdb_links, read_wikidata_films
from catalog.movie_build.wikipedia import film_head, read_descriptions
from catalog.movie_build.wikipedia_films import (MAX_CAST, WikipediaFacts, directed_by, join_articles, sentences,
                                                 wikipedia_genres)

COVERED_FIELDS = ("title", "year", "genres", "directors", "cast", "director or cast", "subjects", "description")


@dataclass
class Build:
    films: list[Film]
    items: list[dict]
    interactions: list[tuple[str, str, float]]
    wikidata: WikidataFacts
    dbpedia: DbpediaFacts
    directors: Directors
    wikipedia: WikipediaFacts
    dbpedia_genre_films: int = 0  # films whose genres DBpedia added to
    coverage: dict[str, int] = field(default_factory=dict)

    def coverage_lines(self) -> list[str]:
        total = len(self.items)
        lines = [f"{name:<17} {count:>6,} of {total:,} films ({count / total:.1%})" for name, count in self.coverage.items()]
        users = len({user for user, _, _ in self.interactions})
        films = len({item for _, item, _ in self.interactions})
        weights = Counter(weight for _, _, weight in self.interactions)
        lines.append(f"{'interactions':<17} {len(self.interactions):>6,} rows, {users:,} users (dialogues), {films:,} films; "
                     f"weights " + ", ".join(f"{w:g}: {n:,}" for w, n in sorted(weights.items())))
        return lines


def drop_contradicted(films: list[Film], wikidata: WikidataFacts, dbpedia: DbpediaFacts) -> None:
    """Drop the Wikidata facts of films whose IMDb link a year-checked DBpedia film contradicts (see `credits`)."""
    by_id = {film.id: film for film in films}
    # Only where DBpedia's URI confirms ReDial's year and Wikidata's label and year do not confirm the film:
    # then the IMDb link is the suspect (with both confirmed, the sources differ on people, not on the film).
    dated = {f for f, uri in dbpedia.uri.items()
             if uri_year(uri) is not None and by_id[f].year is not None and f not in wikidata.confirmed}
    names, _ = name_qids(dbpedia.directors, wikidata.directors)
    for film in contradicted_links(dated, dbpedia.directors, wikidata.directors, names):
        wikidata.contradicted.append(by_id[film])
        for table in (wikidata.genres, wikidata.genre_qids, wikidata.directors, wikidata.subjects):
            table.pop(film, None)
        wikidata.linked -= 1


def _mapped(labels) -> set[str]:
    return {g for label in labels for g in (label_genres(label) or ())}


def opening_head(description: str) -> str:
    """'is a 2017 American psychological horror film' of the paragraph's first sentence ('' when it names no film)."""
    first = sentences(description)[0] if description else ""
    return film_head(first) or ""


@dataclass
class GenreSources:
    """What each source states of a film's genres (in the catalog's vocabulary)."""

    wikidata: WikidataFacts
    dbpedia: DbpediaFacts
    wikipedia: WikipediaFacts
    wikidata_films: WikidataFilms
    imdb: dict[str, str]  # ReDial id -> IMDb id

    def second_wikidata(self, film: Film) -> set[str]:
        """The 2019 Wikidata export's genres through the film's IMDb id, where its year agrees with ReDial's."""
        linked = self.linked(film)
        if linked is None:
            return set()
        mapper = self.wikidata.mapper
        return {g for q in linked.genre_qids for g in (
            mapper.genres_of(q) if mapper and (q in mapper.labels or q in mapper.parents)
            else label_genres(self.wikidata_films.genre_labels.get(q, "")) or ())}

    def linked(self, film: Film):
        """The 2019 export's film for this IMDb id, where its year agrees with ReDial's (else None)."""
        linked = self.wikidata_films.by_imdb.get(self.imdb.get(film.id, ""))
        if linked is None or (film.year and linked.year and abs(linked.year - film.year) > YEAR_TOLERANCE):
            return None
        return linked

    def lists(self, film: Film) -> set[str]:
        return _mapped(g for cell in self.wikipedia.list_genres.get(film.id, []) for g in cell.split(","))


def drop_wrong_imdb_links(wikipedia: WikipediaFacts, wikidata: WikidataFacts, imdb: dict[str, str]) -> None:
    """An IMDb link whose Wikipedia article has another film's title ("It (1990)" -> Goodfellas) is wrong for
    Wikidata too: both exports lose that film's facts, as a contradicted link does (`drop_contradicted`)."""
    for film, _, _ in wikipedia.refused_titles:
        imdb.pop(film.id, None)
        if any(film.id in table for table in (wikidata.genres, wikidata.genre_qids, wikidata.directors, wikidata.subjects)):
            wikidata.linked -= 1
        for table in (wikidata.genres, wikidata.genre_qids, wikidata.directors, wikidata.subjects):
            table.pop(film.id, None)


def film_genres(film: Film, sources: GenreSources, description: str) -> tuple[list[str], bool]:
    """The film's genres, and whether DBpedia added one.

    Where Wikipedia states genres (the list pages' labels, or the kind of film its article's opening sentence
    names: "a 2017 American psychological horror film"), they decide; a Wikidata genre stays beside them only
    when another source (DBpedia, the 2016 lists) states it too. Elsewhere every source that states a genre
    counts: both Wikidata exports, DBpedia, the 2016 lists and the first sentence of the description."""
    from_dbpedia = _mapped(sources.dbpedia.genre_labels.get(film.id, []))
    from_wikidata = set(sources.wikidata.genres.get(film.id, ()))
    article = sources.wikipedia.films.get(film.id)
    if article is not None:
        stated = set(wikipedia_genres(article.genres)[0]) | _mapped([opening_head(article.extract)])
        if stated:
            return sorted(stated | (from_wikidata & (from_dbpedia | sources.lists(film)))), False
    others = sources.second_wikidata(film) | sources.lists(film) | _mapped([opening_head(description)])
    return sorted(from_wikidata | from_dbpedia | others), bool(from_dbpedia - from_wikidata)


# Kinds of film the opening sentence names that make useful subjects ("a 2018 American superhero film").
HEAD_SUBJECTS = ("superhero", "heist", "spy", "zombie", "vampire", "slasher", "disaster", "sports", "biographical",
                 "martial arts", "monster", "space opera", "coming-of-age", "teen", "satirical", "parody",
                 "mockumentary", "buddy cop", "found footage", "supernatural", "psychological", "dystopian",
                 "post-apocalyptic", "christmas", "neo-noir", "stop-motion")


MAX_KEYWORDS = 8


def film_keywords(film: Film, wikidata: WikidataFacts, wikipedia: WikipediaFacts, genres: list[str]) -> list[str]:
    """Wikipedia's subject labels and the kinds its article's opening sentence names, then Wikidata's main subjects
    and finer genres as keywords ('heist film' -> 'heist'), once each. A finer Wikidata genre whose genres the
    film's genres contradict is left out, as its genres are (Wikidata files Coco under "detective fiction")."""
    mapper = wikidata.mapper
    labels = mapper.labels if mapper else {}
    kinds = [keyword_of_kind(labels.get(q, "")) for q in wikidata.genre_qids.get(film.id, [])
             if not mapper or set(mapper.genres_of(q)) <= set(genres)]
    article = wikipedia.films.get(film.id)
    stated: list[str] = []
    if article is not None:
        head = opening_head(article.extract).lower()
        stated = wikipedia_genres(article.genres)[1] + [k for k in HEAD_SUBJECTS if re.search(rf"\b{re.escape(k)}\b", head)]
    return list(dict.fromkeys([*stated, *wikidata.subjects.get(film.id, []), *(k for k in kinds if k)]))[:MAX_KEYWORDS]


def film_cast(film: Film, dbpedia: DbpediaFacts, wikipedia: WikipediaFacts) -> list[str]:
    """Wikipedia's cast (the article's row, else the 2016 lists'), else DBpedia's."""
    article = wikipedia.films.get(film.id)
    cast = (article.cast if article else []) or wikipedia.list_cast.get(film.id, []) or dbpedia.cast.get(film.id, [])
    return cast[:MAX_CAST]


def film_directors(film: Film, sources: GenreSources, directors: Directors, named: dict[str, str],
                   description: str) -> list[str]:
    """Wikipedia's (the 2016 lists, the article's "directed by"), else DBpedia's and the MindReader export's, else
    the 2019 export's director QIDs named as `credits` names them, else the first sentence's "directed by"."""
    linked = sources.linked(film)
    second = list(dict.fromkeys(named[q] for q in linked.director_qids if q in named)) if linked else []
    return (sources.wikipedia.directors.get(film.id) or directors.by_film.get(film.id) or second
            or directed_by(description))


def assemble(films, wikidata, dbpedia, directors, descriptions, wikipedia: WikipediaFacts,
             genre_sources: GenreSources) -> tuple[list[dict], int]:
    items, dbpedia_added = [], 0
    named, _ = name_qids(dbpedia.directors, wikidata.directors)
    for film in films:
        if not film.title:  # ReDial names it only by a year: no join can be checked against it, so no facts
            items.append({"id": film.id, "title": "", "year": film.year, "genres": [], "directors": [], "cast": [],
                          "subjects": [], "description": "", "wikipedia": ""})
            continue
        article = wikipedia.films.get(film.id)
        description = article.extract if article else descriptions.get(film.id, "")
        genres, added = film_genres(film, genre_sources, description)
        dbpedia_added += added
        items.append({
            "id": film.id, "title": film.title, "year": film.year, "genres": genres,
            "directors": film_directors(film, genre_sources, directors, named, description),
            "cast": film_cast(film, dbpedia, wikipedia),
            "subjects": film_keywords(film, wikidata, wikipedia, genres),
            "description": description,
            "wikipedia": article.page if article else "",  # the page its text comes from: the CC BY-SA credit
        })
    return items, dbpedia_added


def coverage(items: list[dict]) -> dict[str, int]:
    counts = {name: sum(1 for it in items if it.get(name) not in (None, "", [])) for name in COVERED_FIELDS}
    counts["director or cast"] = sum(1 for it in items if it["directors"] or it["cast"])
    return counts


def build(sources: Path, log: Callable[[str], None] = print) -> Build:
    """Read the sources and join them; nothing is written here (see `writing`)."""
    sources = Path(sources)

    def step(what: str, run):
        start = time.perf_counter()
        result = run()
        log(f"  {what} ({time.perf_counter() - start:.1f} s)")
        return result

    films = step("ReDial films: redial/movies.csv", lambda: read_films(sources))
    wikidata = step("Wikidata genres, directors, subjects through IMDb ids", lambda: read_wikidata(sources, films))
    dbpedia = step("DBpedia directors, cast, genres: links checked", lambda: read_dbpedia(sources, films))
    drop_contradicted(films, wikidata, dbpedia)
    wikidata_films = step("Wikidata pages and genres through IMDb ids: wikidata-films/", lambda: read_wikidata_films(sources))
    wikipedia = step("Wikipedia articles through IMDb ids and page names, else title and year",
                     lambda: join_articles(sources, films, wikidata_films))
    imdb = imdb_links(sources)
    drop_wrong_imdb_links(wikipedia, wikidata, imdb)
    directors = merge_directors(dbpedia.directors, wikidata.directors)
    descriptions = step("Wikipedia first sentences matched by title and year", lambda: read_descriptions(sources, films, directors.by_film))
    interactions = step(f"interactions: {INTERACTIONS_SOURCE}", lambda: read_interactions(sources, films))
    genre_sources = GenreSources(wikidata, dbpedia, wikipedia, wikidata_films, imdb)
    items, dbpedia_added = assemble(films, wikidata, dbpedia, directors, descriptions, wikipedia, genre_sources)
    return Build(films, items, interactions, wikidata, dbpedia, directors, wikipedia, dbpedia_added, coverage(items))
