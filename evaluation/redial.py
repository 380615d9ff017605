"""`redial`: recorded human conversations (ReDial) replayed through the real pipeline, no LLM.

Each case is a conversation up to the moment a person recommended a movie that the seeker then said
they liked (the target). The seeker's turns are the user's, the other person's turns the assistant's.

    replay  every recorded turn updates the state; one answer (the top `k`) is given at the end.
            Recall@1/5/10/20/50, NDCG@10, MRR, and the share of answers with no picks.
    live    as the chat runs: every seeker turn is answered with 10 picks, never repeated;
            a hit when the target is among the picks of some turn.

Baselines on the same cases, in the same run: popularity; MiniLM similarity of the whole seeker
text; ALS fold-in of the catalog titles the seeker names; reciprocal-rank fusion of those two. They
exclude every movie named in the conversation, as a person would not suggest one already discussed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from chat.dialogue import Turn, run_dialogue
from chat.state import SessionState
from evaluation import results_file

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "shared" / "data" / "redial-dev.jsonl"
RECALL_AT = (1, 5, 10, 20, 50)
LIVE_K = 10
ROLE = {"seeker": "user", "user": "user", "recommender": "assistant", "assistant": "assistant"}
BASELINES = ("popularity", "text", "als", "rrf")
RRF_K = 60.0


@dataclass
class Case:
    id: str
    turns: list[Turn]
    targets: list[str]  # the catalog's own item ids (ml-100k item_id)
    titles: list[str]


def load_cases(path: Path) -> list[Case]:
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
                targets = [str(t) for t in d["target_ml100k_item_ids"]]
            except (json.JSONDecodeError, KeyError, TypeError) as err:
                raise ValueError(f"{path}:{n}: not a case ({err!r}); each line needs \"context\" "
                                 "[{\"role\": \"seeker\"|\"recommender\", \"text\": ...}] and \"target_ml100k_item_ids\"") from None
            cases.append(Case(str(d.get("id", n)), turns, targets, [t.get("title", "") for t in d.get("targets", [])]))
    return cases


def rank_metrics(ranked: list[int], targets: set[int]) -> dict:
    """Recall@k, NDCG@10 and reciprocal rank of one ranked list against its target items."""
    out = {f"recall@{k}": len(targets & set(ranked[:k])) / len(targets) for k in RECALL_AT}
    gains = [1.0 / np.log2(r + 2) for r, i in enumerate(ranked[:10]) if i in targets]
    ideal = sum(1.0 / np.log2(r + 2) for r in range(min(len(targets), 10)))
    out["ndcg@10"] = sum(gains) / ideal
    first = next((r for r, i in enumerate(ranked) if i in targets), None)
    out["mrr"] = 0.0 if first is None else 1.0 / (first + 1)
    return out


def _mean(rows: list[dict]) -> dict:
    return {key: float(np.mean([r[key] for r in rows])) for key in rows[0]} if rows else {}


def _top(scores: np.ndarray, exclude: set[int], k: int) -> list[int]:
    scores = scores.astype(np.float64).copy()
    scores[list(exclude)] = -np.inf
    return [int(i) for i in np.argsort(-scores, kind="stable")[:k]]


def baseline_lists(rec, case: Case, k: int) -> dict[str, list[int]]:
    """Top-k of each baseline for one case."""
    seeker = [t.text for t in case.turns if t.role == "user"]
    named = list(dict.fromkeys(i for text in seeker for i in rec.linker.mentioned_items(text)))
    exclude = {i for t in case.turns for i in rec.linker.mentioned_items(t.text)}
    exclude |= {j for i in exclude for j in rec.linker.same_movie[i]}
    emb = rec.index.embeddings
    text = " ".join(seeker).strip()
    text_scores = emb @ rec.embedder.encode([text])[0] if text else rec.catalog.popularity
    als_scores = rec.cf.scores(named)
    lists = {
        "popularity": _top(rec.catalog.popularity, exclude, k),
        "text": _top(text_scores, exclude, k),
        "als": _top(als_scores, exclude, k),
    }
    n = len(rec.catalog)
    fused = np.zeros(n)
    for scores in (text_scores, als_scores):
        order = _top(scores, exclude, n)
        fused[order] += 1.0 / (RRF_K + np.arange(1, len(order) + 1))
    lists["rrf"] = _top(fused, exclude, k)
    return lists


def run(path: Path | None = None, data=None, cache_dir=None, modes=("replay", "live"), k: int = 50,
        progress: bool = True, dump: Path | None = None, limit: int | None = None) -> dict:
    from chat.recommender import Recommender
    from chat.settings import Settings

    path = Path(path) if path else DEFAULT_FILE
    cases = load_cases(path)[:limit]
    rec = Recommender(Settings.from_env(data=data, cache_dir=cache_dir, use_llm=False, k=k))
    rec.warm_up()
    by_source = {item.source_id: item.id for item in rec.catalog.items}
    rows: dict[str, list[dict]] = {name: [] for name in ("chat", *BASELINES)}
    live_hits: list[float] = []
    no_picks = 0
    dumps = []
    for case in tqdm(cases, desc="redial", disable=not progress):
        targets = {j for s in case.targets if s in by_source for j in rec.linker.same_movie[by_source[s]]}
        if not targets:
            continue
        entry = {"id": case.id, "targets": case.titles}
        if "replay" in modes:
            state = SessionState()
            answer = list(run_dialogue(rec, state, case.turns, replay=True, k=k))[-1]
            picks = [item["id"] for item in answer["items"]]
            no_picks += not picks
            rows["chat"].append(rank_metrics(picks, targets))
            for name, ranked in baseline_lists(rec, case, k).items():
                rows[name].append(rank_metrics(ranked, targets))
            first = next((r for r, i in enumerate(picks) if i in targets), None)
            entry.update(rank=None if first is None else first + 1, picks=[rec.catalog[i].display for i in picks[:10]],
                         reply=answer["reply"], state=answer["state"])
        if "live" in modes:
            state = SessionState()
            shown = [item["id"] for result in run_dialogue(rec, state, case.turns, k=LIVE_K)
                     if result.get("role") != "assistant" for item in result["items"]]
            live_hits.append(float(bool(targets & set(shown))))
            entry["live_hit"] = bool(live_hits[-1])
        dumps.append(entry)
    if dump:
        with Path(dump).open("w", encoding="utf-8") as f:
            for entry in dumps:
                f.write(json.dumps(entry, ensure_ascii=False) + "\n")
    result = {"file": str(path), "cases": len(dumps), "k": k}
    if "replay" in modes:
        result["replay"] = {name: _mean(r) for name, r in rows.items()}
        result["no_picks_share"] = no_picks / max(len(dumps), 1)
    if "live" in modes:
        result["live_hit_share"] = float(np.mean(live_hits)) if live_hits else 0.0
        result["live_k"] = LIVE_K
    return result


def format_table(result: dict) -> str:
    lines = [f"ReDial cases: {result['cases']} from {result['file']}"]
    if "replay" in result:
        keys = [f"recall@{k}" for k in RECALL_AT] + ["ndcg@10", "mrr"]
        lines += ["", "replay (one answer after the recorded context, top %d):" % result["k"], "",
                  "| method | " + " | ".join(keys) + " |", "|---" * (len(keys) + 1) + "|"]
        for name, m in result["replay"].items():
            lines.append(f"| {name} | " + " | ".join(f"{m[k]:.4f}" for k in keys) + " |")
        lines.append(f"\nanswers with no picks: {result['no_picks_share']:.1%}")
    if "live_hit_share" in result:
        lines.append(f"live (every seeker turn answered with {result['live_k']} new picks): "
                     f"target among the picks of some turn in {result['live_hit_share']:.1%} of cases")
    return "\n".join(lines)


SECTION = "## 5. Recorded conversations (ReDial)"


def markdown(result: dict, command: str, commit: str) -> list[str]:
    """The RESULTS.md section for one run."""
    keys = [f"recall@{k}" for k in RECALL_AT] + ["ndcg@10", "mrr"]
    L = [SECTION, "",
         f"Measured by `{command}` at commit {commit}, on {result['cases']} cases of `{Path(result['file']).name}` "
         "(real movie-seeking conversations between two people; the target is the movie the human recommender "
         "suggested next and the seeker liked). No LLM; seeds do not apply (no sampling).", ""]
    if "replay" in result:
        L += ["Replay: every recorded turn updates the state (the seeker's as the user, the other person's as the "
              f"assistant), then one answer of {result['k']} picks. Baselines exclude every movie named in the conversation.", "",
              "| method | " + " | ".join(keys) + " |", "|---" + "|---:" * len(keys) + "|"]
        for name, m in result["replay"].items():
            L.append(f"| {name} | " + " | ".join(f"{m[k]:.4f}" for k in keys) + " |")
        L += ["", f"Answers with no picks: {result['no_picks_share']:.1%}."]
    if "live_hit_share" in result:
        L += ["", f"Live: every seeker turn answered with {result['live_k']} new picks (never repeated), as the chat runs: "
              f"the target is among the picks of some turn in **{result['live_hit_share']:.1%}** of cases."]
    return L + [""]


def section_of(text: str) -> list[str]:
    """The ReDial section of a RESULTS.md text, as lines (empty when there is none)."""
    return results_file.section_of(text, SECTION)


def write_section(path: Path, lines: list[str]) -> None:
    """Put the section into RESULTS.md in place of the old one (or before the notes), leaving the rest as it is."""
    results_file.write_section(path, SECTION, lines)
