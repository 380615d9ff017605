"""The second Wikidata export (`wikidata-films/`, about 2019): each IMDb id's English Wikipedia page,
publication year, genre QIDs (with the genres' labels) and director QIDs (named as `credits` names them).

It reaches a ReDial film through `links/redial_imdb.csv`. The page name joins the film to its Wikipedia
article (`wikipedia_films`) without title matching; the genres fill films no other source gives genres,
mapped by the same label rule and hierarchy as the MindReader export's (`genres.GenreMapper`).
"""

from __future__ import annotations

import csv
import gzip
import json
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class WikidataFilm:
    page: str  # English Wikipedia page name, spaces as written by Wikidata ("John Wick (film)")
    year: int | None  # from publication_date
    genre_qids: tuple[str, ...]
    director_qids: tuple[str, ...]


@dataclass
class WikidataFilms:
    by_imdb: dict[str, WikidataFilm] = field(default_factory=dict)
    genre_labels: dict[str, str] = field(default_factory=dict)  # genre QID -> label


def imdb_links(sources: Path) -> dict[str, str]:
    """ReDial movieId -> IMDb id."""
    with open(sources / "links" / "redial_imdb.csv", encoding="utf-8", newline="") as handle:
        return {row["movieId"].strip(): row["imdb_id"].strip() for row in csv.DictReader(handle) if row["imdb_id"].strip()}


def read_wikidata_films(sources: Path) -> WikidataFilms:
    folder = sources / "wikidata-films"
    result = WikidataFilms()
    with gzip.open(folder / "wikidata-movies.json.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if not row.get("imdb_id") or row["imdb_id"] in result.by_imdb:
                continue  # the first row of an IMDb id stands (the file order is fixed)
            date = row.get("publication_date") or ""
            result.by_imdb[row["imdb_id"]] = WikidataFilm((row.get("enwiki_title") or "").strip(),
                                                         int(date[:4]) if date[:4].isdigit() else None,
                                                         tuple(row.get("genre") or ()), tuple(row.get("director") or ()))
    with gzip.open(folder / "genres.json.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            result.genre_labels[row["wikidata_id"]] = row["genre_label"]
    return result
