"""MovieLens as downloaded from grouplens.org: ml-100k (`u.item`, `u.data`) and ml-latest / ml-25m
(`movies.csv`, `ratings.csv`, optional `tags.csv`, whose tags become item text).

Titles are tidied the way people write them ("Empire Strikes Back, The (1980)" -> "The Empire
Strikes Back", 1980), and every MovieLens catalog gets the movie words per genre as its default
catalog data.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from catalog.base import CatalogLoader, interactions_from_columns, interactions_from_lists, require_file
from catalog.errors import CatalogError, listing
from catalog.model import Catalog, Interactions, Item
from catalog.movie_words import ML100K_GENRES, MOVIE_CATEGORY_SYNONYMS, MOVIE_CATEGORY_WORDS

# Trailing articles as MovieLens writes them: "Empire Strikes Back, The".
_ARTICLE_SUFFIX = re.compile(r"^(?P<main>.*), (?P<article>The|A|An|Les|La|Le|L'|Il|El|Das|Die|Der|Lo)$")
_ALT_TITLE = re.compile(r"^(?P<main>.*?)\s*(?P<alt>\([^()]*\))$")
_YEAR_IN_TITLE = re.compile(r"^(?P<main>.*?)\s*\((?P<year>\d{4})(?:[-–]\d{0,4})?\)$")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_NO_GENRES = {"", "(no genres listed)", "unknown"}
MAX_TAGS = 10  # the most used tags per movie go into its text; the long tail is mostly one person's notes


def tidy_title(raw: str) -> tuple[str, int | None]:
    """'Godfather: Part II, The' -> ('The Godfather: Part II', None); pulls a '(1995)' out of the title."""
    title, year = raw.strip(), None
    m = _YEAR_IN_TITLE.match(title)
    if m:
        title, year = m["main"], int(m["year"])
    alt = ""
    m = _ALT_TITLE.match(title)
    if m and m["main"]:
        title, alt = m["main"], " " + m["alt"]
    m = _ARTICLE_SUFFIX.match(title)
    if m:
        sep = "" if m["article"].endswith("'") else " "
        title = f"{m['article']}{sep}{m['main']}"
    return title + alt, year


def movielens_catalog(items: list[Item], interactions: Interactions, name: str, source: str) -> Catalog:
    """A catalog of movies: the noun, the genre label, and the words per genre and for genres that MovieLens lacks."""
    return Catalog(items=items, interactions=interactions, name=name, noun="movie", category_label="genre",
                   example="I loved Star Wars and Alien, something tense tonight",
                   category_words=dict(MOVIE_CATEGORY_WORDS), category_synonyms=dict(MOVIE_CATEGORY_SYNONYMS), source=source)


def _read_text(path: Path) -> str:
    """MovieLens 100K is Latin-1; a copy saved as UTF-8 reads too."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


class MovieLens100kLoader(CatalogLoader):
    name = "movielens-100k"
    expects = "u.item and u.data, optional u.genre (MovieLens 100K as downloaded)"

    @classmethod
    def detect(cls, folder: Path) -> bool:
        return (folder / "u.item").is_file() and (folder / "u.data").is_file()

    def load(self, folder: Path, spec) -> Catalog:
        item_path, data_path = require_file(folder, "u.item", type(self)), require_file(folder, "u.data", type(self))
        genres = ML100K_GENRES
        if (folder / "u.genre").is_file():
            pairs = [line.split("|") for line in _read_text(folder / "u.genre").splitlines() if line.strip()]
            genres = tuple(name for name, _ in sorted(pairs, key=lambda p: int(p[1])))
        items: list[Item] = []
        for n, line in enumerate(_read_text(item_path).splitlines(), 1):
            if not line.strip():
                continue
            fields = line.split("|")
            if len(fields) != 5 + len(genres):
                raise CatalogError(item_path, f"line {n} has {len(fields)} '|'-separated fields; expected {5 + len(genres)}: "
                                              f"movie id | title | release date | video release date | IMDb URL | "
                                              f"{len(genres)} genre flags.",
                                   "use u.item from ml-100k as downloaded (with its u.genre)")
            raw_title = fields[1].strip()
            if not raw_title or raw_title.lower() in ("unknown", "unkonwn"):
                continue  # the placeholder row with no title
            title, year = tidy_title(raw_title)
            if year is None and (m := _YEAR.search(fields[2])):
                year = int(m[1])
            flags = fields[5:]
            item_genres = tuple(g for g, f in zip(genres, flags) if f.strip() == "1" and g != "unknown")
            items.append(Item(id=len(items), source_id=fields[0].strip(), title=title, year=year, genres=item_genres))
        source_to_idx = {it.source_id: it.id for it in items}

        u, i, r, t = [], [], [], []
        for n, line in enumerate(_read_text(data_path).splitlines(), 1):
            fields = line.split()
            if not fields:
                continue
            if len(fields) < 3:
                raise CatalogError(data_path, f"line {n} has {len(fields)} fields; expected user id, item id, rating, timestamp "
                                              "separated by tabs.", "use u.data from ml-100k as downloaded")
            idx = source_to_idx.get(fields[1])
            if idx is None:
                continue
            try:
                r.append(float(fields[2]))
                t.append(int(fields[3]) if len(fields) > 3 else 0)
            except ValueError:
                raise CatalogError(data_path, f"line {n}: rating '{fields[2]}' or timestamp is not a number.",
                                   "fix or remove that line") from None
            u.append(fields[0])
            i.append(idx)
        return movielens_catalog(items, interactions_from_lists(u, i, r, t), name=folder.name or "ml-100k",
                                 source=f"{folder} (MovieLens 100K)")


class MovieLensLoader(CatalogLoader):
    name = "movielens"
    expects = "movies.csv and ratings.csv, optional tags.csv (MovieLens latest, 25M, 32M as downloaded)"

    @classmethod
    def detect(cls, folder: Path) -> bool:
        return (folder / "movies.csv").is_file() and (folder / "ratings.csv").is_file()

    def load(self, folder: Path, spec) -> Catalog:
        import pandas as pd

        from catalog.tables import read_table, require_columns

        movies_path = require_file(folder, "movies.csv", type(self))
        ratings_path = require_file(folder, "ratings.csv", type(self))
        movies = read_table(movies_path)
        require_columns(movies_path, movies, ("movieId", "title"), "MovieLens' movies.csv header is movieId,title,genres")
        tags = self._tags(folder / "tags.csv") if (folder / "tags.csv").is_file() else {}
        items: list[Item] = []
        genre_column = movies["genres"] if "genres" in movies else [""] * len(movies)
        for source_id, raw_title, raw_genres in zip(movies["movieId"], movies["title"], genre_column):
            title, year = tidy_title(str(raw_title))
            if not title:
                continue
            genres = tuple(g for g in str(raw_genres).split("|") if g not in _NO_GENRES)
            items.append(Item(id=len(items), source_id=str(source_id).strip(), title=title, year=year, genres=genres,
                              tags=tags.get(str(source_id).strip(), ())))

        header = list(pd.read_csv(ratings_path, nrows=0).columns)
        if not {"userId", "movieId"} <= set(header):
            raise CatalogError(ratings_path, f"has columns {listing(header)}; expected userId, movieId, rating, timestamp.",
                               "use ratings.csv from MovieLens as downloaded")
        wanted = [c for c in ("userId", "movieId", "rating", "timestamp") if c in header]
        try:
            ratings = pd.read_csv(ratings_path, usecols=wanted, dtype={"userId": str, "movieId": str, "rating": "float32"})
        except ValueError as err:
            raise CatalogError(ratings_path, f"cannot be read: {err}.", "use ratings.csv from MovieLens as downloaded") from None
        n = len(ratings)
        rating = ratings["rating"].to_numpy() if "rating" in ratings else np.ones(n, np.float32)
        stamp = ratings["timestamp"].to_numpy(dtype=np.int64) if "timestamp" in ratings else np.zeros(n, np.int64)
        interactions = interactions_from_columns(ratings_path, "movieId", ratings["userId"].to_numpy(),
                                                 ratings["movieId"].to_numpy(), rating, stamp, items)
        return movielens_catalog(items, interactions, name=folder.name or "movielens", source=f"{folder} (MovieLens CSV)")

    @staticmethod
    def _tags(path: Path) -> dict[str, tuple[str, ...]]:
        """movieId -> its most used tags (lower case, most used first)."""
        from catalog.tables import read_table, require_columns

        tags = read_table(path)
        require_columns(path, tags, ("movieId", "tag"), "MovieLens' tags.csv header is userId,movieId,tag,timestamp")
        frame = tags.assign(tag=tags["tag"].astype(str).str.strip().str.lower())
        frame = frame[frame["tag"] != ""]
        counts = frame.groupby(["movieId", "tag"]).size().reset_index(name="n")
        counts = counts.sort_values(["movieId", "n", "tag"], ascending=[True, False, True])
        return {str(movie): tuple(group["tag"].head(MAX_TAGS)) for movie, group in counts.groupby("movieId", sort=False)}

