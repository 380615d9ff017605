"""Write the catalog folder: items.jsonl, interactions.csv, catalog.toml (README.md: see `card`).

Files are written as bytes with "\n" line ends, whatever the platform, and each is written under a
temporary name and renamed, so a failed build never leaves half a file.
"""

from __future__ import annotations

import json
from pathlib import Path

from catalog.movie_words import MOVIE_CATEGORY_SYNONYMS, MOVIE_CATEGORY_WORDS

ITEMS_FILE, INTERACTIONS_FILE, SPEC_FILE, CARD_FILE = "items.jsonl", "interactions.csv", "catalog.toml", "README.md"
EXAMPLE = "I loved Inception and The Dark Knight, something smart and tense"
RANKING = {"als_alpha": 20.0, "full_evidence": 1, "context_weight": 1.0, "cf_weight": 0.8, "genre_weight": 0.3,
           "topic_weight": 0.25}  # see spec_text


def write_text(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(text.encode("utf-8"))
    partial.replace(path)


def items_text(items: list[dict]) -> str:
    return "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items)


def interactions_text(rows: list[tuple[str, str, float]]) -> str:
    return "user,item,weight\n" + "".join(f"{user},{item},{weight:.1f}\n" for user, item, weight in rows)


def toml_string(text: str) -> str:
    """A TOML basic string (JSON's escaping is valid TOML for these texts)."""
    return json.dumps(text, ensure_ascii=False)


def spec_text(genres: set[str]) -> str:
    """The catalog spec; category words and synonyms come from catalog.movie_words, for the genres present."""
    words = {g: MOVIE_CATEGORY_WORDS[g] for g in sorted(genres) if g in MOVIE_CATEGORY_WORDS}
    synonyms = {w: g for w, g in sorted(MOVIE_CATEGORY_SYNONYMS.items()) if g in genres}
    lines = [
        "# Written by `python -m catalog build-movies SOURCES OUT` (catalog/movie_build); do not edit by hand.",
        'name = "movies"',
        'noun = "movie"',
        'category_label = "genre"',
        f"example = {toml_string(EXAMPLE)}",
        'description_source = "Wikipedia"',
        "",
        "[items]",
        f'file = "{ITEMS_FILE}"',
        'id = "id"',
        'title = "title"',
        'year = "year"',
        'categories = "genres"',
        'tags = "subjects"',
        'description = "description"',
        'directors = "directors"',
        'cast = "cast"',
        'extra = ["wikipedia"]',
        "",
        "[interactions]",
        f'file = "{INTERACTIONS_FILE}"',
        'user = "user"',
        'item = "item"',
        'weight = "weight"',
        "",
        "# Tuned on a validation split of the training dialogues (python -m evaluation redial-validate),",
        "# never on the test dialogues: conversations are sparser than ratings, so each counts more in ALS",
        "# and one named title is enough to lean on the CF prior.",
        "[ranking]",
        *(f"{k} = {v}" for k, v in RANKING.items()),
        "",
        "[category_words]",
        *(f"{toml_string(g)} = {toml_string(w)}" for g, w in words.items()),
        "",
        "[category_synonyms]",
        *(f"{toml_string(w)} = {toml_string(g)}" for w, g in synonyms.items()),
    ]
    return "\n".join(lines) + "\n"


def write_catalog(out: Path, items: list[dict], interactions: list[tuple[str, str, float]], card: str) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    genres = {g for item in items for g in item["genres"]}
    files = {ITEMS_FILE: items_text(items), INTERACTIONS_FILE: interactions_text(interactions),
             SPEC_FILE: spec_text(genres), CARD_FILE: card}
    for name, text in files.items():
        write_text(out / name, text)
    return [out / name for name in files]
