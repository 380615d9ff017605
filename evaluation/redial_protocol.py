"""Cases of recorded ReDial conversations, the target sets they are scored under, and the published figures.

Two case formats are read (one JSON object per line, `context` = the messages before the scored one):

    published  `targets`: [{"movie_id", "title", "repeat", "seeker_liked"}]: every movie the human recommender
               names in the scored message, by ReDial movieId (= the movies catalog's own item id); the protocol
               of ReDial, KBRD, KGSF and UniCRS (../shared/data/movies/redial-test-dev.jsonl).
    ml100k     `target_ml100k_item_ids`: the one suggestion the seeker then liked, by MovieLens-100K item id
               (../shared/data/redial-dev.jsonl, the earlier set).

The published format is scored per target: each (case, target) pair counts once, every target of a case
against the same ranked list (recall@k of a target = 1 when it is in the top k), as the papers average.
The ml100k format keeps its per-case scoring (all targets of a case together).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from chat.dialogue import Turn

PUBLISHED, ML100K = "published", "ml100k"
RECALL_AT = (1, 5, 10, 20, 50)
METRIC_KEYS = tuple(f"recall@{k}" for k in RECALL_AT) + ("ndcg@10", "mrr")
ROLE = {"seeker": "user", "user": "user", "recommender": "assistant", "assistant": "assistant"}


@dataclass(frozen=True)
class Target:
    source_id: str  # the catalog's own id: ReDial movieId (published) or MovieLens-100K item_id (ml100k)
    title: str = ""
    repeat: bool | None = None  # named earlier in the dialogue (published format only)
    seeker_liked: int | None = None  # 1 yes, 0 no, 2 did not say, None not asked (published format only)


@dataclass
class Case:
    id: str
    dialogue_id: str
    turns: list[Turn]
    targets: list[Target]
    format: str  # PUBLISHED or ML100K
    titles: list[str]  # the target titles as the file lists them


# name -> (which targets, what it is); every set is scored in the same run, from the same ranked lists
TARGET_SETS: dict[str, tuple] = {
    "all": (lambda t: True,
            "all targets: every movie the recommender names (the published protocol of ReDial, KBRD, KGSF, UniCRS)"),
    "new": (lambda t: t.repeat is False,
            "new targets only: not named earlier in the dialogue (Kostric & Balog's de-duplicated protocol)"),
    "liked": (lambda t: t.seeker_liked == 1, "targets the seeker said they liked"),
}


def in_set(name: str, target: Target) -> bool:
    return bool(TARGET_SETS[name][0](target))


def _published_targets(d: dict) -> list[Target]:
    out = []
    for t in d["targets"]:
        liked = t.get("seeker_liked")
        out.append(Target(str(t["movie_id"]), t.get("title", ""), bool(t["repeat"]) if "repeat" in t else None,
                          None if liked is None else int(liked)))
    return out


def load_cases(path: Path) -> list[Case]:
    """Both formats, told apart per line: `target_ml100k_item_ids` (ml100k) or targets with `movie_id` (published)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Conversation file '{path}' not found: pass --file PATH to a ReDial-style JSONL file")
    cases = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
                turns = [Turn(ROLE[t["role"]], t["text"]) for t in d["context"]]
                if "target_ml100k_item_ids" in d:
                    targets, kind = [Target(str(t)) for t in d["target_ml100k_item_ids"]], ML100K
                    titles = [t.get("title", "") for t in d.get("targets", [])]
                else:
                    targets, kind = _published_targets(d), PUBLISHED
                    titles = [t.title for t in targets]
            except (json.JSONDecodeError, KeyError, TypeError, ValueError) as err:
                raise ValueError(
                    f"{path}:{n}: not a case ({err!r}); each line needs \"context\" [{{\"role\": \"seeker\"|\"recommender\", "
                    "\"text\": ...}] and either \"targets\" [{\"movie_id\", \"title\", \"repeat\", \"seeker_liked\"}] or "
                    "\"target_ml100k_item_ids\"") from None
            cases.append(Case(str(d.get("id", n)), str(d.get("dialogue_id", "")), turns, targets, kind, titles))
    return cases


# --- metrics --------------------------------------------------------------------------------------------------
def rank_metrics(ranked: list[int], targets: set[int]) -> dict:
    """ml100k format, per case: Recall@k, NDCG@10 and reciprocal rank of one ranked list against all its targets."""
    out = {f"recall@{k}": len(targets & set(ranked[:k])) / len(targets) for k in RECALL_AT}
    gains = [1.0 / np.log2(r + 2) for r, i in enumerate(ranked[:10]) if i in targets]
    ideal = sum(1.0 / np.log2(r + 2) for r in range(min(len(targets), 10)))
    out["ndcg@10"] = sum(gains) / ideal
    first = next((r for r, i in enumerate(ranked) if i in targets), None)
    out["mrr"] = 0.0 if first is None else 1.0 / (first + 1)
    return out


def target_rank(ranked: list[int], ids: set[int]) -> int | None:
    """0-based rank of one target (any of its catalog rows) in a ranked list, or None when absent."""
    return next((r for r, i in enumerate(ranked) if i in ids), None)


def target_metrics(rank: int | None) -> dict:
    """Published format, per target: recall@k = 1 when it is in the top k; NDCG@10 and reciprocal rank of its rank."""
    out = {f"recall@{k}": float(rank is not None and rank < k) for k in RECALL_AT}
    out["ndcg@10"] = 1.0 / np.log2(rank + 2) if rank is not None and rank < 10 else 0.0
    out["mrr"] = 0.0 if rank is None else 1.0 / (rank + 1)
    return out


def mean(rows: list[dict]) -> dict:
    return {key: float(np.mean([r[key] for r in rows])) for key in rows[0]} if rows else {}


# --- figures of the field, R@1 / R@10 / R@50 on ReDial's test dialogues ----------------------------------------
# Sources (checked): the UniCRS paper (Wang, Zhou, Wen, Zhao, "Towards Unified Conversational Recommender Systems
# via Knowledge-Enhanced Prompt Learning", KDD 2022), its ReDial recommendation table, where KBRD and KGSF are the
# baselines as that line of work reports them (KBRD's own paper gives .030/.163/.338); Kostric & Balog, "A
# Standardized Re-evaluation of Conversational Recommender Systems on the ReDial Dataset", SIGIR 2026, tables 1-2
# (github.com/iai-group/redial-reproducibility): reruns on one standardized test set of every recommender message
# that names a movie, with all its movies as targets ("full"), and with only the movies not named before ("dedup").
# Those systems train on all 10,006 ReDial training dialogues; this product's CF prior sees the catalog's (4,113).
PUBLISHED_FIGURES: dict[str, list[tuple[str, tuple[float, float, float]]]] = {
    "all": [
        ("KBRD (as reported in the UniCRS paper, KDD 2022)", (0.031, 0.150, 0.336)),
        ("KGSF (as reported in the UniCRS paper, KDD 2022)", (0.039, 0.183, 0.378)),
        ("UniCRS (Wang et al., KDD 2022)", (0.051, 0.224, 0.428)),
        ("UniCRS rerun (Kostric & Balog, SIGIR 2026, full test set)", (0.049, 0.213, 0.421)),
        ("ReFICR rerun (Kostric & Balog, SIGIR 2026, full test set)", (0.049, 0.270, 0.507)),
    ],
    "new": [
        ("KBRD rerun (Kostric & Balog, SIGIR 2026, de-duplicated)", (0.017, 0.148, 0.300)),
        ("KGSF rerun (Kostric & Balog, SIGIR 2026, de-duplicated)", (0.016, 0.147, 0.327)),
        ("UniCRS rerun (Kostric & Balog, SIGIR 2026, de-duplicated)", (0.024, 0.180, 0.335)),
        ("ReFICR rerun (Kostric & Balog, SIGIR 2026, de-duplicated)", (0.018, 0.213, 0.465)),
    ],
    "liked": [],
}
def published_note(training_dialogues: int) -> str:
    """`training_dialogues`: how many dialogues the catalog's interactions come from (its users)."""
    return (f"Published systems train on all 10,006 ReDial training dialogues; this product's CF prior (and the "
            f"popularity and co-occurrence baselines) see {training_dialogues:,} of them. The published figures are on "
            "the whole ReDial test split; these cases are half of its dialogues. Kostric & Balog's reruns on each "
            "paper's own test split: UniCRS .049/.213/.421, ReFICR .049/.280/.522 (their table 1).")
