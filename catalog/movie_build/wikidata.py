"""Wikidata (the MindReader export): genres, director QIDs and main subjects, joined through IMDb ids.

ReDial films reach Wikidata through `links/redial_imdb.csv` (movieId -> IMDb id) and the export's
files keyed by IMDb id (`movie_uri.json`, `movie_genres.json`, `movie_directors.json`). Some IMDb
links point to another film of the same name ("Home Alone (2000)" -> the 1992 sequel): where the
export knows the linked film's year (`movies.csv`, 4,940 films) and it differs from ReDial's by more
than one, the link is rejected. Director names are not in the export (QIDs only): see `credits`.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from catalog.movie_build.genres import GenreMapper
from catalog.movie_build.redial import Film
from catalog.movie_build.titles import title_key

MAX_SUBJECTS = 6
YEAR_TOLERANCE = 1  # release years differ by one between sources (festival vs release)


@dataclass
class WikidataFacts:
    genres: dict[str, tuple[str, ...]] = field(default_factory=dict)  # film id -> MovieLens genres
    genre_qids: dict[str, list[str]] = field(default_factory=dict)  # film id -> Wikidata genre QIDs
    directors: dict[str, list[str]] = field(default_factory=dict)  # film id -> director QIDs
    subjects: dict[str, list[str]] = field(default_factory=dict)  # film id -> subject labels
    linked: int = 0  # films with an accepted IMDb link that the export knows
    rejected: list[tuple[Film, str, int]] = field(default_factory=list)  # (film, Wikidata label, its year)
    contradicted: list[Film] = field(default_factory=list)  # links dropped by the director check (credits)
    confirmed: set[str] = field(default_factory=set)  # films whose linked Wikidata film has ReDial's title and year
    mapper: GenreMapper | None = None


def _read_json(path: Path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def _read_edges(path: Path) -> dict[str, list[str]]:
    """A neo4j edge file (:START_ID,:END_ID,:TYPE) as start -> [end, ...] in file order."""
    edges: dict[str, list[str]] = defaultdict(list)
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            edges[row[":START_ID"]].append(row[":END_ID"])
    return edges


def genre_mapper(folder: Path) -> GenreMapper:
    """Labels: genres.json first, then the export's categories and subjects (parents in the hierarchy)."""
    labels: dict[str, str] = {}
    labels.update(_read_json(folder / "subjects.json"))
    with open(folder / "categories.csv", encoding="utf-8", newline="") as handle:
        labels.update({row["uri:ID"]: row["name"] for row in csv.DictReader(handle)})
    labels.update(_read_json(folder / "genres.json"))
    return GenreMapper(labels, _read_edges(folder / "subclasses.csv"))


def _imdb_links(sources: Path) -> dict[str, str]:
    with open(sources / "links" / "redial_imdb.csv", encoding="utf-8", newline="") as handle:
        return {row["movieId"].strip(): row["imdb_id"].strip() for row in csv.DictReader(handle) if row["imdb_id"].strip()}


def _known_years(folder: Path) -> dict[str, tuple[str, int]]:
    """IMDb id -> (label, year) for the export's films that have a year."""
    with open(folder / "movies.csv", encoding="utf-8", newline="") as handle:
        return {row["imdb"]: (row["name"], int(row["year:int"])) for row in csv.DictReader(handle)
                if row["imdb"] and row["year:int"].strip()}


def read_wikidata(sources: Path, films: list[Film]) -> WikidataFacts:
    folder = sources / "wikidata"
    links = _imdb_links(sources)
    years = _known_years(folder)
    movie_qid = _read_json(folder / "movie_uri.json")
    genre_qids = _read_json(folder / "movie_genres.json")
    director_qids = _read_json(folder / "movie_directors.json")
    subject_qids = _read_edges(folder / "movie_subject.csv")
    subject_labels = _read_json(folder / "subjects.json")
    facts = WikidataFacts(mapper=genre_mapper(folder))
    for film in films:
        imdb = links.get(film.id)
        if imdb not in movie_qid:
            continue
        if imdb in years and film.year is not None and abs(years[imdb][1] - film.year) > YEAR_TOLERANCE:
            facts.rejected.append((film, *years[imdb]))
            continue
        facts.linked += 1
        if imdb in years and film.year is not None and title_key(years[imdb][0]) == title_key(film.title):
            facts.confirmed.add(film.id)
        qids = genre_qids.get(imdb) or []
        facts.genre_qids[film.id] = qids
        genres = facts.mapper.map_all(qids)
        if genres:
            facts.genres[film.id] = genres
        if director_qids.get(imdb):
            facts.directors[film.id] = list(dict.fromkeys(director_qids[imdb]))
        labels = [subject_labels[q].lower() for q in subject_qids.get(movie_qid[imdb], []) if subject_labels.get(q)]
        if labels:
            facts.subjects[film.id] = list(dict.fromkeys(labels))[:MAX_SUBJECTS]
    return facts
