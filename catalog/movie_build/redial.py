"""ReDial: the film list (the catalog's ids and titles) and the training dialogues (the interactions).

Only `redial/movies.csv` and `redial/train.jsonl` (4,113 training dialogues) are read. ReDial's test dialogues are never
opened here: they are the evaluation set, and must not shape the catalog, its counts or its weights.

Interaction weights, one user per dialogue ("d<conversationId>"): every film the dialogue mentions
(`movieMentions` and the "@<movieId>" marks in the messages) gets 1.0; the seeker's answer in
`initiatorQuestions` adds 1.0 for liked == 1 and sets the weight to 0.5 for liked == 0 (disliked,
but talked about). liked == 2 ("did not say") and no answer leave 1.0.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path

from catalog.movie_build.titles import parse_movie_name

_MENTION = re.compile(r"@(\d+)")
LIKED, DISLIKED = 1, 0
INTERACTIONS_SOURCE = "redial/train.jsonl"


@dataclass(frozen=True)
class Film:
    id: str  # ReDial movieId, the catalog's item id
    name: str  # movieName as written in movies.csv
    title: str
    year: int | None


def read_films(sources: Path) -> list[Film]:
    """Every row of movies.csv, in movieId order."""
    with open(sources / "redial" / "movies.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    films = [Film(row["movieId"].strip(), row["movieName"], *parse_movie_name(row["movieName"])) for row in rows]
    return sorted(films, key=lambda film: int(film.id))


def dialogue_weights(dialogue: dict, known: set[str]) -> dict[str, float]:
    """Film id -> weight for one dialogue (see the module docstring)."""
    mentioned = set(dialogue.get("movieMentions") or {})
    for message in dialogue.get("messages") or []:
        mentioned.update(_MENTION.findall(message.get("text") or ""))
    answers = dialogue.get("initiatorQuestions")
    answers = answers if isinstance(answers, dict) else {}  # a few dialogues hold an empty list here
    weights = {}
    for film in mentioned & known:
        liked = (answers.get(film) or {}).get("liked")
        weights[film] = 2.0 if liked == LIKED else 0.5 if liked == DISLIKED else 1.0
    return weights


def read_interactions(sources: Path, films: list[Film]) -> list[tuple[str, str, float]]:
    """(user, item, weight) rows sorted by dialogue number, then film id."""
    known = {film.id for film in films}
    rows = []
    with open(sources / INTERACTIONS_SOURCE, encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            dialogue = json.loads(line)
            conversation = str(dialogue["conversationId"])
            for film, weight in dialogue_weights(dialogue, known).items():
                rows.append((conversation, film, weight))
    rows.sort(key=lambda row: (int(row[0]), int(row[1])))
    return [(f"d{conversation}", film, weight) for conversation, film, weight in rows]
