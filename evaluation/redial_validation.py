"""A validation split carved from ReDial's training dialogues, for tuning the movies catalog's ranking.

`redial-test-dev.jsonl` is for measuring only, so every weight tuned for ReDial is tuned here instead:
a fixed, seeded share of `train.jsonl` is held out, the CF prior and the popularity counts are
rebuilt from the rest (the same weights as `python -m catalog build-movies`), and each held-out dialogue
becomes published-protocol cases (one per recommender message that names movies, every movie it names a
target, context = every earlier message with its "@id" marks written "Title (Year)").

    python -m evaluation redial-validate [--share 0.2] [--seed 0] [--k 50]
"""

from __future__ import annotations

import dataclasses
import json
import random
import tempfile
from pathlib import Path

import numpy as np

from catalog.model import Catalog, Interactions
from catalog.movie_build.redial import _MENTION, dialogue_weights

SOURCES = Path(__file__).resolve().parents[2] / "shared" / "data" / "movies" / "sources"
TRAIN_FILE = "redial/train.jsonl"
SHARE, SEED = 0.2, 0


def read_dialogues(sources: Path = SOURCES) -> list[dict]:
    with open(sources / TRAIN_FILE, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def split(dialogues: list[dict], share: float = SHARE, seed: int = SEED) -> tuple[list[dict], list[dict]]:
    """(training, held out): a seeded shuffle by conversation id, so the split never depends on file order."""
    ids = sorted(str(d["conversationId"]) for d in dialogues)
    random.Random(seed).shuffle(ids)
    held = set(ids[:round(len(ids) * share)])
    return ([d for d in dialogues if str(d["conversationId"]) not in held],
            [d for d in dialogues if str(d["conversationId"]) in held])


def catalog_without(catalog: Catalog, training: list[dict]) -> Catalog:
    """The catalog with its interactions rebuilt from `training` only (the build's weights)."""
    index = {it.source_id: it.id for it in catalog.items}
    users, items, weights = [], [], []
    for n, dialogue in enumerate(sorted(training, key=lambda d: int(d["conversationId"]))):
        for film, weight in sorted(dialogue_weights(dialogue, set(index)).items(), key=lambda fw: int(fw[0])):
            users.append(n), items.append(index[film]), weights.append(weight)
    interactions = Interactions(user=np.array(users, np.int32), item=np.array(items, np.int32),
                                rating=np.array(weights, np.float32), timestamp=np.zeros(len(users), np.int64),
                                n_users=len(training))
    fresh = dataclasses.replace(catalog, interactions=interactions)
    fresh.__dict__.pop("popularity", None)
    return fresh


def cases_of(dialogue: dict, names: dict[str, str], written_as: dict[str, str] | None = None) -> list[dict]:
    """Published-protocol cases of one raw dialogue (the format of redial-test-dev.jsonl). `names`: the films that
    may be targets; `written_as`: how every film's "@id" is written into the text (default: `names`)."""
    written_as = names if written_as is None else written_as
    seeker = dialogue.get("initiatorWorkerId")
    answers = dialogue.get("initiatorQuestions")
    answers = answers if isinstance(answers, dict) else {}
    written = lambda text: _MENTION.sub(lambda m: written_as.get(m.group(1), m.group(0)), text or "")  # noqa: E731
    context, seen, cases = [], set(), []
    for n, message in enumerate(dialogue.get("messages") or []):
        role = "seeker" if message.get("senderWorkerId") == seeker else "recommender"
        mentioned = [m for m in dict.fromkeys(_MENTION.findall(message.get("text") or "")) if m in names]
        if role == "recommender" and mentioned and context:
            targets = [{"movie_id": m, "title": names[m], "repeat": m in seen,
                        "seeker_liked": (answers.get(m) or {}).get("liked")} for m in mentioned]
            cases.append({"id": f"{dialogue['conversationId']}-{n}", "dialogue_id": str(dialogue["conversationId"]),
                          "context": list(context), "targets": targets})
        seen.update(mentioned)
        context.append({"role": role, "text": written(message.get("text"))})
    return cases


def write_cases(held_out: list[dict], catalog: Catalog, path: Path) -> int:
    # Only titled films can be written into a message or named as a target (an untitled one is never offered).
    names = {it.source_id: f"{it.title} ({it.year})" if it.year else it.title for it in catalog.items if it.titled}
    # An untitled film is written as ReDial's list names it, a year alone ("(2007)"), as the test file writes it.
    written_as = {**{it.source_id: f"({it.year})" for it in catalog.items if not it.titled and it.year}, **names}
    cases = [c for d in held_out for c in cases_of(d, names, written_as)]
    path.write_text("".join(json.dumps(c) + "\n" for c in cases), encoding="utf-8")
    return len(cases)


def validation_recommender(share: float = SHARE, seed: int = SEED, base=None, cache_dir: Path | None = None):
    """(recommender trained without the held-out dialogues, the held-out cases' file)."""
    from chat.recommender import Recommender
    from chat.settings import Settings

    base = base or Recommender(Settings.from_env(data=None, cache_dir=cache_dir, use_llm=False))
    if base.catalog.name != "movies":
        raise ValueError(f"RECS_DATA={base.settings.data}: the validation split is of the movies catalog's training "
                         "dialogues; unset RECS_DATA (or give --data movies)")
    training, held_out = split(read_dialogues(), share, seed)
    rec = Recommender(Settings.from_env(data=None, cache_dir=base.settings.cache_dir, use_llm=False))
    rec.catalog = catalog_without(base.catalog, training)
    rec.embedder, rec.index = base.embedder, base.index  # the texts are unchanged: no re-embedding
    rec.warm_up()
    path = Path(tempfile.mkdtemp(prefix="redial-validate-")) / "validation-cases.jsonl"
    write_cases(held_out, rec.catalog, path)
    return rec, path
