"""Catalog folders the tests write: ml-100k in MovieLens' own layout and a small ml-latest-style folder,
both from the ml-100k files the recbole package ships (MovieLens may not be redistributed, so no copy
lives in the repository)."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from catalog import locate_default_dataset
from catalog.movie_words import ML100K_GENRES

LATEST_GENRES = {"Children's": "Children"}  # ml-latest renamed one genre
# (movie title in ml-100k, tag, how many people wrote it in some spelling)
TAGS = [("Star Wars", "space opera", 3), ("Star Wars", "Space Opera", 1), ("Star Wars", "classic", 2),
        ("Alien", "creepy", 2), ("Alien", "spaceship", 1), ("Fargo", "dark comedy", 2), ("Fargo", "snow", 1)]


def recbole_rows(kind: str) -> list[dict]:
    """The rows of ml-100k.item or ml-100k.inter, keyed by column names without their ':type'."""
    path = locate_default_dataset() / f"ml-100k.{kind}"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    header = [h.split(":")[0] for h in rows[0]]
    return [dict(zip(header, r)) for r in rows[1:]]


def write_ml100k_layout(folder: Path) -> Path:
    """u.item / u.data / u.genre as grouplens.org ships them (Latin-1, '|' and tab separated)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "u.genre").write_text("".join(f"{g}|{n}\n" for n, g in enumerate(ML100K_GENRES)), encoding="latin-1")
    lines = []
    for row in recbole_rows("item"):
        year = row["release_year"].strip()
        title = f"{row['movie_title']} ({year})" if year.isdigit() else row["movie_title"]
        genres = set(row["class"].split())
        flags = "|".join("1" if g in genres else "0" for g in ML100K_GENRES)
        date = f"01-Jan-{year}" if year.isdigit() else ""
        lines.append(f"{row['item_id']}|{title}|{date}||http://us.imdb.com/M/title-exact?{row['item_id']}|{flags}\n")
    (folder / "u.item").write_text("".join(lines), encoding="latin-1", errors="replace")
    data = "".join(f"{r['user_id']}\t{r['item_id']}\t{r['rating']}\t{r['timestamp']}\n" for r in recbole_rows("inter"))
    (folder / "u.data").write_text(data, encoding="latin-1")
    return folder


def write_ml_latest(folder: Path, movies: int = 200) -> Path:
    """movies.csv / ratings.csv / tags.csv with the `movies` most rated ml-100k movies, ml-latest's way."""
    folder.mkdir(parents=True, exist_ok=True)
    ratings = recbole_rows("inter")
    counts = Counter(r["item_id"] for r in ratings)
    keep = {item for item, _ in counts.most_common(movies)}
    items = [r for r in recbole_rows("item") if r["item_id"] in keep]
    with (folder / "movies.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["movieId", "title", "genres"])
        for r in items:
            genres = "|".join(LATEST_GENRES.get(g, g) for g in r["class"].split() if g != "unknown") or "(no genres listed)"
            w.writerow([r["item_id"], f"{r['movie_title']} ({r['release_year']})", genres])
    with (folder / "ratings.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["userId", "movieId", "rating", "timestamp"])
        w.writerows([r["user_id"], r["item_id"], f"{float(r['rating']):.1f}", r["timestamp"]] for r in ratings if r["item_id"] in keep)
        w.writerow(["1", "999999", "4.0", "881250949"])  # a movie missing from movies.csv: dropped, not fatal
    by_title = {r["movie_title"]: r["item_id"] for r in items}
    with (folder / "tags.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["userId", "movieId", "tag", "timestamp"])
        for title, tag, n in TAGS:
            w.writerows([str(u), by_title[title], tag, "1139045764"] for u in range(1, n + 1))
    return folder
