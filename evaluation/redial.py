"""`redial`: recorded human conversations (ReDial) replayed through the real pipeline, no LLM.

Two case files (evaluation/redial_protocol.py reads both):

    published  ../shared/data/movies/redial-test-dev.jsonl, the default with the movies catalog: one case per
               recommender message that names movies, every movie it names a target (the protocol of ReDial,
               KBRD, KGSF, UniCRS). Scored per target under three target sets in the same run: all targets,
               new targets only (not named before: Kostric & Balog's de-duplicated protocol), and targets the
               seeker liked; the published figures are printed beside them.
    ml100k     ../shared/data/redial-dev.jsonl, the default with any other catalog (MovieLens-100K): the one
               suggestion the seeker then liked, scored per case, as before.

    replay  every recorded turn updates the state; one answer (the top `k`, 50 by default, over the whole
            catalog) is given at the case's cut point. Recall@1/5/10/20/50, NDCG@10, MRR.
    live    as the chat runs: every seeker turn is answered with 10 picks, never repeated; a hit when the
            target is among the picks of some turn before the cut point.

Consecutive cases of one dialogue share their context: each dialogue is replayed once, turn by turn, and
each case is answered from a copy of the state at its cut point (`Replayer`), which gives the same answer
as replaying the case's context from scratch (tests/test_evaluation.py checks it).

Baselines on the same cases, in the same run (evaluation/redial_baselines.py): popularity, co-occurrence in
the training dialogues, MiniLM similarity of the seeker text, ALS fold-in of the context's movies, and RRF
of text and ALS. What each method excludes is stated in the output.
"""

from __future__ import annotations

import copy
import json
import time
from contextlib import contextmanager
from itertools import islice
from pathlib import Path

import numpy as np
from tqdm import tqdm

from chat.dialogue import Turn, run_dialogue
from chat.state import SessionState
from evaluation import results_file
from evaluation.redial_baselines import BASELINES, EXCLUDES, Baselines
from evaluation.redial_protocol import (ML100K, PUBLISHED, PUBLISHED_FIGURES, RECALL_AT, TARGET_SETS, Case, in_set,
                                        load_cases, mean, published_note, rank_metrics, target_metrics, target_rank)

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
DEFAULT_FILE = DATA / "redial-dev.jsonl"  # ml100k format, over MovieLens-100K
PUBLISHED_FILE = DATA / "movies" / "redial-test-dev.jsonl"  # published format, over the movies catalog
MOVIES_CATALOG = "movies"
LIVE_K = 10
CHAT_EXCLUDES = ("the chat never suggests what the recorded recommender already named (shown) nor what the seeker "
                 "said they liked, disliked or have seen")
NO_REPEATS = "chat (no repeats)"  # the published protocol's second chat row: the live product's rule
PUBLISHED_CHAT_EXCLUDES = ("the chat row follows the protocol, where a movie named again is a hit: only what the seeker "
                           f"disliked stays out; the '{NO_REPEATS}' row is the live chat's rule: it never suggests what "
                           "either side already named nor what the seeker said they liked, disliked or have seen")


def default_file(catalog) -> Path:
    """The published-format file for the movies catalog, the ML-100K file for any other."""
    return PUBLISHED_FILE if catalog.name == MOVIES_CATALOG else DEFAULT_FILE


class Replayer:
    """One state carried from case to case: a case whose context extends the turns already read only reads the
    rest; any other case starts a fresh state. Answers come from a deep copy of the state, so answering (which
    marks picks shown, settles open questions, records ranking facts) never changes the state read on."""

    def __init__(self, rec, k: int, live_k: int | None = None):
        self.rec, self.k, self.live_k = rec, k, live_k
        self.state: SessionState | None = None
        self.read: list[Turn] = []
        self.shown: list[int] = []  # live mode: every pick shown so far

    def _advance(self, turns: list[Turn]) -> None:
        if self.state is None or turns[:len(self.read)] != self.read:
            self.state, self.read, self.shown = SessionState(), [], []
        new = turns[len(self.read):]
        if self.live_k:  # live: every user turn answered with picks
            for result in run_dialogue(self.rec, self.state, new, k=self.live_k, use_llm=False):
                if result.get("role") != "assistant":
                    self.shown += [item["id"] for item in result["items"]]
        else:  # replay: the turns only update the state; the answer that would follow is never asked for
            for _ in islice(run_dialogue(self.rec, self.state, new, replay=True, k=self.k, use_llm=False), len(new)):
                pass
        self.read = list(turns)

    def answer(self, turns: list[Turn], allow_repeats: bool = False) -> dict:
        """The replay answer after `turns` (the same as `run_dialogue(rec, SessionState(), turns, replay=True)`'s last);
        `allow_repeats`: movies named earlier may come back (the published protocol counts them as hits)."""
        self._advance(turns)
        state = copy.deepcopy(self.state)
        state.allow_repeats = allow_repeats
        return list(run_dialogue(self.rec, state, [], replay=True, k=self.k, use_llm=False))[-1]

    def live_shown(self, turns: list[Turn]) -> list[int]:
        """Live mode: the picks shown over `turns`, every user turn answered."""
        self._advance(turns)
        return list(self.shown)


@contextmanager
def memoised_encoder(rec):
    """While evaluating, one text is encoded once: the chat's retrieval text (wishes, genres) stays the same over
    many turns and cases of a dialogue. The same vectors as without it; the embedder is restored afterwards."""
    embedder = rec.embedder
    original = embedder.__dict__.get("encode")
    encode, vectors = embedder.encode, {}

    def memoised(texts, *args, **kwargs):
        texts = list(texts)
        if len(texts) != 1 or args or kwargs:
            return encode(texts, *args, **kwargs)
        if texts[0] not in vectors:
            vectors[texts[0]] = encode(texts)
        return vectors[texts[0]].copy()

    embedder.encode = memoised
    try:
        yield
    finally:
        if original is None:
            del embedder.encode
        else:
            embedder.encode = original


def _target_ids(rec, case: Case) -> list[set[int]]:
    """Per target, its catalog rows (several only for a catalog's duplicate rows of one movie); empty when absent."""
    out = []
    for t in case.targets:
        item = rec.catalog.by_source_id(t.source_id)
        out.append(set(rec.linker.same_movie.get(item.id, (item.id,))) if item is not None else set())
    return out


def run(path: Path | None = None, data=None, cache_dir=None, modes=("replay", "live"), k: int = 50,
        progress: bool = True, dump: Path | None = None, limit: int | None = None, recommender=None) -> dict:
    from chat.recommender import Recommender
    from chat.settings import Settings

    started = time.perf_counter()
    cases = load_cases(Path(path))[:limit] if path else None  # a missing file fails before any model loads
    rec = recommender
    if rec is None:
        rec = Recommender(Settings.from_env(data=data, cache_dir=cache_dir, use_llm=False, k=k))
        rec.warm_up()
    path = Path(path) if path else default_file(rec.catalog)
    cases = load_cases(path)[:limit] if cases is None else cases
    formats = {c.format for c in cases}
    if len(formats) > 1:
        raise ValueError(f"{path}: mixes the published and the ml100k case formats; use one per file")
    fmt = formats.pop() if formats else PUBLISHED
    ready = time.perf_counter()
    with memoised_encoder(rec):
        result = (_run_published if fmt == PUBLISHED else _run_ml100k)(rec, cases, modes, k, progress, dump)
    done = time.perf_counter()
    result.update({"file": str(path), "format": fmt, "catalog": rec.catalog.name, "catalog_items": len(rec.catalog),
                   "k": k, "seconds": {"start": round(ready - started, 1), "cases": round(done - ready, 1)}})
    return result


def _progress(cases, progress: bool):
    return tqdm(cases, desc="redial", unit="case", disable=not progress)


def _write_dump(dump: Path | None, entries: list[dict]) -> None:
    if dump:
        with Path(dump).open("w", encoding="utf-8") as f:
            for entry in entries:
                f.write(json.dumps(entry, ensure_ascii=False) + "\n")


def _run_ml100k(rec, cases: list[Case], modes, k: int, progress: bool, dump) -> dict:
    """The earlier cases: per case, every movie named in the conversation excluded from the baselines."""
    baselines = Baselines(rec)
    replayer, live = Replayer(rec, k), Replayer(rec, k, live_k=LIVE_K)
    rows: dict[str, list[dict]] = {name: [] for name in ("chat", *BASELINES[ML100K])}
    live_hits: list[float] = []
    no_picks = 0
    dumps = []
    for case in _progress(cases, progress):
        targets = set().union(*_target_ids(rec, case)) if case.targets else set()
        if not targets:
            continue
        entry = {"id": case.id, "targets": case.titles}
        if "replay" in modes:
            answer = replayer.answer(case.turns)
            picks = [item["id"] for item in answer["items"]]
            no_picks += not picks
            rows["chat"].append(rank_metrics(picks, targets))
            for name, ranked in baselines.lists(case, k).items():
                rows[name].append(rank_metrics(ranked, targets))
            first = next((r for r, i in enumerate(picks) if i in targets), None)
            entry.update(rank=None if first is None else first + 1, picks=[rec.catalog[i].display for i in picks[:10]],
                         reply=answer["reply"], state=answer["state"])
        if "live" in modes:
            live_hits.append(float(bool(targets & set(live.live_shown(case.turns)))))
            entry["live_hit"] = bool(live_hits[-1])
        dumps.append(entry)
    _write_dump(dump, dumps)
    result = {"cases": len(dumps), "excludes": {"chat": CHAT_EXCLUDES, "baselines": EXCLUDES[ML100K]}}
    if "replay" in modes:
        result["replay"] = {name: mean(r) for name, r in rows.items()}
        result["no_picks_share"] = no_picks / max(len(dumps), 1)
    if "live" in modes:
        result["live_hit_share"] = float(np.mean(live_hits)) if live_hits else 0.0
        result["live_k"] = LIVE_K
    return result


def _run_published(rec, cases: list[Case], modes, k: int, progress: bool, dump) -> dict:
    """The published protocol: every (case, target) pair scored once against the case's ranked lists."""
    baselines = Baselines(rec)
    replayer, live = Replayer(rec, k), Replayer(rec, k, live_k=LIVE_K)
    methods = ("chat", NO_REPEATS, *BASELINES[PUBLISHED]) if "replay" in modes else ()
    scored: list[dict] = []  # one row per (case, target): its sets, and per method its metrics
    no_picks, missing, untitled = 0, 0, 0
    dumps = []
    for case in _progress(cases, progress):
        ids = _target_ids(rec, case)
        nameless = [bool(s) and s <= rec.catalog.untitled_ids for s in ids]
        missing += sum(not s for s in ids)
        untitled += sum(nameless)
        entry = {"id": case.id, "dialogue_id": case.dialogue_id,
                 "targets": [{"title": t.title, "movie_id": t.source_id, "repeat": t.repeat,
                              "seeker_liked": t.seeker_liked, "in_catalog": bool(s), "untitled": n}
                             for t, s, n in zip(case.targets, ids, nameless)],
                 "context_titles": [rec.catalog[i].display for i in baselines.context_items(case)]}
        ranked: dict[str, list[int]] = {}
        if "replay" in modes:
            answer = replayer.answer(case.turns, allow_repeats=True)
            ranked["chat"] = [item["id"] for item in answer["items"]]
            ranked[NO_REPEATS] = [item["id"] for item in replayer.answer(case.turns)["items"]]
            no_picks += not ranked["chat"]
            ranked.update(baselines.lists(case, k))
            entry.update(picks=[rec.catalog[i].display for i in ranked["chat"][:10]], n_picks=len(ranked["chat"]),
                         reply=answer["reply"], state=answer["state"])
        shown = set(live.live_shown(case.turns)) if "live" in modes else set()
        ranks: dict[str, list] = {name: [] for name in ranked}
        live_hits = []
        for target, target_ids in zip(case.targets, ids):
            row = {"sets": [name for name in TARGET_SETS if in_set(name, target)], "metrics": {}}
            for name, lst in ranked.items():
                r = target_rank(lst, target_ids)
                ranks[name].append(None if r is None else r + 1)
                row["metrics"][name] = target_metrics(r)
            if "live" in modes:
                row["live_hit"] = float(bool(target_ids & shown))
                live_hits.append(bool(row["live_hit"]))
            scored.append(row)
        if ranked:
            entry["ranks"] = ranks  # 1-based rank of each target per method, None beyond the top k
        if "live" in modes:
            entry["live_hits"] = live_hits
        dumps.append(entry)
    _write_dump(dump, dumps)
    sets = {}
    for name in TARGET_SETS:
        rows = [r for r in scored if name in r["sets"]]
        out = {"targets": len(rows), "about": TARGET_SETS[name][1]}
        if methods:
            out["methods"] = {m: mean([r["metrics"][m] for r in rows]) for m in methods}
        if "live" in modes:
            out["live_hit_share"] = float(np.mean([r["live_hit"] for r in rows])) if rows else 0.0
        sets[name] = out
    result = {"cases": len(dumps), "targets": len(scored), "targets_not_in_catalog": missing,
              "targets_untitled": untitled, "target_sets": sets,
              "excludes": {"chat": PUBLISHED_CHAT_EXCLUDES, "baselines": EXCLUDES[PUBLISHED]},
              "published": {name: [{"system": s, "recall@1": r[0], "recall@10": r[1], "recall@50": r[2]} for s, r in figs]
                            for name, figs in PUBLISHED_FIGURES.items()},
              "published_note": published_note(rec.catalog.interactions.n_users)}
    if methods:
        result["replay"] = sets["all"]["methods"]  # the published protocol's table, where the old key was
        result["no_picks_share"] = no_picks / max(len(dumps), 1)
    if "live" in modes:
        result["live_hit_share"] = sets["all"]["live_hit_share"]
        result["live_k"] = LIVE_K
    return result


# --- output -----------------------------------------------------------------------------------------------------
KEYS = [f"recall@{k}" for k in RECALL_AT] + ["ndcg@10", "mrr"]


def _method_rows(methods: dict) -> list[str]:
    return [f"| {name} | " + " | ".join(f"{m[key]:.4f}" for key in KEYS) + " |" for name, m in methods.items()]


def _published_rows(figures: list[dict]) -> list[str]:
    cell = {"recall@1", "recall@10", "recall@50"}
    return [f"| *{f['system']}* | " + " | ".join(f"{f[key]:.3f}" if key in cell else "" for key in KEYS) + " |"
            for f in figures]


def _published_tables(result: dict, header: str) -> list[str]:
    """Per target set: the methods of this run, then the published figures of that protocol (R@1/10/50)."""
    lines = []
    for name, s in result["target_sets"].items():
        lines += ["", f"{s['about']}: {s['targets']} targets", ""]
        if "methods" in s:
            lines += [f"| method | " + " | ".join(KEYS) + " |", header]
            lines += _method_rows(s["methods"]) + _published_rows(result["published"].get(name, []))
        if "live_hit_share" in s:
            lines.append(f"\nlive (every seeker turn answered with {result['live_k']} new picks): target among the "
                         f"picks of some turn before the cut point for {s['live_hit_share']:.1%} of these targets")
    return lines


def _timing(result: dict) -> str:
    s = result.get("seconds", {})
    return f"time: {s.get('start', 0):.0f} s to load the models, {s.get('cases', 0):.0f} s for the cases"


def format_table(result: dict) -> str:
    lines = [f"ReDial cases: {result['cases']} from {result['file']} (catalog {result.get('catalog', '?')}, "
             f"{result.get('catalog_items', '?')} items)"]
    header = "|---" * (len(KEYS) + 1) + "|"
    if result.get("format") == PUBLISHED:
        lines += [f"{result['targets']} targets scored one by one, each (case, target) pair once; "
                  f"{result['targets_not_in_catalog']} targets are not in the catalog (never found){_untitled_note(result)}. "
                  f"replay: one answer of {result['k']} picks over the whole catalog at each cut point.",
                  f"excluded: {result['excludes']['chat']}; {result['excludes']['baselines']}."]
        if result["targets_not_in_catalog"] > result["targets"] / 2:
            lines.append(f"warning: most targets are not in catalog {result.get('catalog')}: this file's ids are ReDial "
                         "movieIds, the movies catalog's (--data data/movies, or no --data)")
        lines += _published_tables(result, header)
        lines += ["", result["published_note"]]
        if "no_picks_share" in result:
            lines.append(f"answers with no picks: {result['no_picks_share']:.1%}")
        return "\n".join(lines + [_timing(result)])
    if "replay" in result:
        lines += ["", "replay (one answer after the recorded context, top %d):" % result["k"], "",
                  "| method | " + " | ".join(KEYS) + " |", header]
        lines += _method_rows(result["replay"])
        lines.append(f"\nanswers with no picks: {result['no_picks_share']:.1%}")
    if "live_hit_share" in result:
        lines.append(f"live (every seeker turn answered with {result['live_k']} new picks): "
                     f"target among the picks of some turn in {result['live_hit_share']:.1%} of cases")
    return "\n".join(lines + [_timing(result)])


SECTION = "## 5. Recorded conversations (ReDial)"
PUBLISHED_SECTION = "## 5b. Recorded conversations on the movies catalog (ReDial's published protocol)"


def markdown(result: dict, command: str, commit: str) -> list[str]:
    """The RESULTS.md section for one run."""
    if result.get("format") == PUBLISHED:
        return _published_markdown(result, command, commit)
    L = [SECTION, "",
         f"Measured by `{command}` at commit {commit}, on {result['cases']} cases of `{Path(result['file']).name}` "
         "(real movie-seeking conversations between two people; the target is the movie the human recommender "
         "suggested next and the seeker liked). No LLM; seeds do not apply (no sampling).", ""]
    if "replay" in result:
        L += ["Replay: every recorded turn updates the state (the seeker's as the user, the other person's as the "
              f"assistant), then one answer of {result['k']} picks. Baselines exclude every movie named in the conversation.", "",
              "| method | " + " | ".join(KEYS) + " |", "|---" + "|---:" * len(KEYS) + "|"]
        L += _method_rows(result["replay"])
        L += ["", f"Answers with no picks: {result['no_picks_share']:.1%}."]
    if "live_hit_share" in result:
        L += ["", f"Live: every seeker turn answered with {result['live_k']} new picks (never repeated), as the chat runs: "
              f"the target is among the picks of some turn in **{result['live_hit_share']:.1%}** of cases."]
    return L + [""]


def _untitled_note(result: dict) -> str:
    n = result.get("targets_untitled", 0)
    return f", and {n} {'is an item' if n == 1 else 'are items'} without a title (never offered by any method)" if n else ""


def _published_markdown(result: dict, command: str, commit: str) -> list[str]:
    s = result.get("seconds", {})
    L = [PUBLISHED_SECTION, "",
         f"Measured by `{command}` at commit {commit}, on {result['cases']} cases ({result['targets']} targets) of "
         f"`{Path(result['file']).name}`: half of ReDial's test dialogues, one case per message in which the human "
         "recommender names movies, every movie it names a target, scored one by one (each (case, target) pair "
         "counts once, as the published papers average). Catalog: "
         f"{result['catalog']} ({result['catalog_items']:,} movies); {result['targets_not_in_catalog']} targets are "
         f"not in it{_untitled_note(result)}. No LLM; seeds do not apply (no sampling).", "",
         "Replay: every recorded turn updates the state (the seeker's as the user, the other person's as the "
         f"assistant), then one answer of {result['k']} picks over the whole catalog. Excluded: "
         f"{result['excludes']['chat']}; {result['excludes']['baselines']}. Published rows (in italics) give "
         f"R@1/10/50 as their papers report them. Run time: {s.get('cases', 0):.0f} s for the cases after "
         f"{s.get('start', 0):.0f} s of start-up."]
    L += _published_tables(result, "|---" + "|---:" * len(KEYS) + "|")
    L += ["", result["published_note"]]
    if "no_picks_share" in result:
        L += ["", f"Answers with no picks: {result['no_picks_share']:.1%}."]
    return L + [""]


def section_of(text: str) -> list[str]:
    """The ReDial section of a RESULTS.md text, as lines (empty when there is none)."""
    return results_file.section_of(text, SECTION)


def write_section(path: Path, lines: list[str]) -> None:
    """Put the section into RESULTS.md in place of the old one (or before the notes), leaving the rest as it is.
    The heading is the lines' first: the ML-100K section and the movies catalog's are kept apart."""
    results_file.write_section(path, lines[0], lines)
