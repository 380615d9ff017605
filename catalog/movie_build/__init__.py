"""Build the shipped movie catalog (data/movies) from open sources, reproducibly.

    python -m catalog build-movies ../shared/data/movies/sources data/movies

One module per job: `redial` (films, interactions), `wikidata` (genres, director QIDs, subjects),
`genres` (labels -> MovieLens genre names), `dbpedia` (directors, cast; links checked), `credits`
(director names for Wikidata QIDs), `wikipedia` (first-sentence descriptions), `wikidata_films` (IMDb id to
Wikipedia page, genres, director QIDs), `wikipedia_films` (the articles: opening paragraph, cast, directors, genres),
`build` (the join and coverage),
`writing` (the files) and `card` (README.md, the dataset card). See catalog/build_movies.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from catalog.movie_build.build import Build, build
from catalog.movie_build.card import card_text
from catalog.movie_build.writing import write_catalog


def build_catalog(sources: Path, out: Path, log: Callable[[str], None] = print) -> tuple[Build, list[Path]]:
    """Build from `sources` and write the catalog folder `out`; returns the build and the files written."""
    result = build(Path(sources), log)
    files = write_catalog(Path(out), result.items, result.interactions, card_text(result, Path(sources)))
    return result, files


__all__ = ["Build", "build", "build_catalog"]
