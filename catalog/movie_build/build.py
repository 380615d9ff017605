"""The build: read every source, join them per ReDial film, write the catalog folder.

Each step reads one source (`redial`, `wikidata`, `dbpedia`, `credits`, `wikipedia`); this module
only joins their answers per film and counts coverage. Everything is sorted (films by movieId,
interactions by dialogue then film, lists in a fixed order), and nothing depends on the time, the
machine or the paths given, so the same sources give byte-identical files.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from catalog.movie_build.credits import Directors, contradicted_links, merge_directors, name_qids
from catalog.movie_build.dbpedia import DbpediaFacts, read_dbpedia, uri_year
from catalog.movie_build.genres import keyword_of_kind, label_genres
from catalog.movie_build.redial import Film, read_films, read_interactions
from catalog.movie_build.wikidata import WikidataFacts, read_wikidata
from catalog.movie_build.wikipedia import read_descriptions

COVERED_FIELDS = ("title", "year", "genres", "directors", "cast", "director or cast", "subjects", "description")


@dataclass
class Build:
    films: list[Film]
    items: list[dict]
    interactions: list[tuple[str, str, float]]
    wikidata: WikidataFacts
    dbpedia: DbpediaFacts
    directors: Directors
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


def film_genres(film: Film, wikidata: WikidataFacts, dbpedia: DbpediaFacts) -> tuple[list[str], bool]:
    """Wikidata's mapped genres plus those DBpedia's genre edges name; and whether DBpedia added one."""
    genres = set(wikidata.genres.get(film.id, ()))
    from_dbpedia = {g for label in dbpedia.genre_labels.get(film.id, []) for g in (label_genres(label) or ())}
    return sorted(genres | from_dbpedia), bool(from_dbpedia - genres)


MAX_KEYWORDS = 8


def film_keywords(film: Film, wikidata: WikidataFacts) -> list[str]:
    """Wikidata's main subjects, then its finer genres as keywords ('heist film' -> 'heist'), once each."""
    labels = wikidata.mapper.labels if wikidata.mapper else {}
    kinds = [keyword_of_kind(labels.get(q, "")) for q in wikidata.genre_qids.get(film.id, [])]
    return list(dict.fromkeys([*wikidata.subjects.get(film.id, []), *(k for k in kinds if k)]))[:MAX_KEYWORDS]


def assemble(films, wikidata, dbpedia, directors, descriptions) -> tuple[list[dict], int]:
    items, dbpedia_added = [], 0
    for film in films:
        if not film.title:  # ReDial names it only by a year: no join can be checked against it, so no facts
            items.append({"id": film.id, "title": "", "year": film.year, "genres": [], "directors": [], "cast": [],
                          "subjects": [], "description": ""})
            continue
        genres, added = film_genres(film, wikidata, dbpedia)
        dbpedia_added += added
        items.append({
            "id": film.id, "title": film.title, "year": film.year, "genres": genres,
            "directors": directors.by_film.get(film.id, []), "cast": dbpedia.cast.get(film.id, []),
            "subjects": film_keywords(film, wikidata), "description": descriptions.get(film.id, ""),
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
    directors = merge_directors(dbpedia.directors, wikidata.directors)
    descriptions = step("Wikipedia first sentences matched by title and year", lambda: read_descriptions(sources, films, directors.by_film))
    interactions = step("interactions: redial/train-partial.jsonl", lambda: read_interactions(sources, films))
    items, dbpedia_added = assemble(films, wikidata, dbpedia, directors, descriptions)
    return Build(films, items, interactions, wikidata, dbpedia, directors, dbpedia_added, coverage(items))
