"""Hostile and odd messages through the real pipeline: `python -m evaluation hostile [--llm] [--show]`.

Reads tests/hostile_messages.jsonl (scripts, encodings, emoji, markup, injection, huge and repeated
input, impossible constraints, references without context, nearly empty messages, whole sessions),
runs every message as a turn of a fresh session, then one plain follow-up turn in the same session,
and counts per category:

* crashes: the turn raised;
* failed turns: an empty reply; a result that does not encode as UTF-8 JSON; control, bidi or
  zero-width characters, or a lone surrogate, in the output; more picks than asked or a pick twice;
  a reply over `MAX_REPLY_CHARS` (an echo of a huge message); or a session that no longer
  recommends anything after "I loved Toy Story", unless its own constraints leave nothing and the
  reply says which to drop ("from the year 1926, a horror documentary western musical").
"""

from __future__ import annotations

import json
import re
import time
from collections import defaultdict
from pathlib import Path

MESSAGES = Path(__file__).resolve().parents[1] / "tests" / "hostile_messages.jsonl"
FOLLOW_UP = "I loved Toy Story"
MAX_REPLY_CHARS = 4000
# What clean_text removes must never come out either (tab and newline are fine).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ud800-\udfff]")


def load_messages(path: Path = MESSAGES) -> list[dict]:
    """Sessions as {"category", "turns": [str, ...]}; a "text" line is a one-turn session."""
    sessions = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        row = json.loads(line)
        turns = row.get("turns") or [row["text"]]
        if row.get("repeat"):
            turns = [t * int(row["repeat"]) for t in turns]
        sessions.append({"category": row["category"], "turns": turns, "line": n})
    return sessions


def problems(result: dict | None, k: int) -> list[str]:
    """What is wrong with one finished turn (an empty list when nothing is)."""
    if not isinstance(result, dict):
        return ["no result"]
    found = []
    reply = result.get("reply")
    if not isinstance(reply, str) or not reply.strip():
        found.append("empty reply")
    elif len(reply) > MAX_REPLY_CHARS:
        found.append(f"reply of {len(reply):,} characters")
    try:
        text = json.dumps(result, ensure_ascii=False)
        text.encode("utf-8")
    except (TypeError, ValueError) as err:  # UnicodeEncodeError is a ValueError
        found.append(f"not UTF-8 JSON ({type(err).__name__})")
    else:
        if _UNSAFE.search(_strings(result)):
            found.append("control or invisible characters in the output")
    ids = [item["id"] for item in result.get("items", [])]
    if len(ids) > k:
        found.append(f"{len(ids)} picks for k={k}")
    if len(set(ids)) != len(ids):
        found.append("a pick shown twice")
    return found


def _constrained(result: dict) -> bool:
    """A session whose own constraints leave nothing, and a reply that says which ones to drop."""
    c = result["state"]["constraints"]
    limits = c["genres_wanted"] or c["genres_excluded"] or c["year_min"] is not None or c["year_max"] is not None
    return bool(limits) and "Try dropping a constraint" in result["reply"]


def _strings(value) -> str:
    """Every string in a result, joined (keys too), for the character check."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "\n".join(_strings(k) + "\n" + _strings(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "\n".join(_strings(v) for v in value)
    return ""


def run(recommender, sessions: list[dict], use_llm: bool = False, show: bool = False) -> dict:
    from chat.state import SessionState

    k = recommender.settings.k
    stats: dict[str, dict] = defaultdict(lambda: {"messages": 0, "crashes": 0, "failed": 0, "with_picks": 0, "max_ms": 0.0})
    failures = []
    for session in sessions:
        row = stats[session["category"]]
        state = SessionState()
        for text in session["turns"] + [FOLLOW_UP]:
            follow_up = text is FOLLOW_UP
            started = time.perf_counter()
            try:
                result = recommender.run_turn(state, text, use_llm=use_llm)
            except Exception as err:  # counted, never raised: one crash must not hide the others
                row["crashes"] += 1
                failures.append({"line": session["line"], "message": text[:80], "problem": f"{type(err).__name__}: {err}"})
                break
            found = problems(result, k)
            if follow_up and not result["items"] and not _constrained(result):
                found.append("no picks for the follow-up")
            if not follow_up:
                row["messages"] += 1
                row["with_picks"] += bool(result["items"])
                row["max_ms"] = max(row["max_ms"], (time.perf_counter() - started) * 1000)
            if found:
                row["failed"] += 1
                failures.append({"line": session["line"], "message": text[:80], "problem": "; ".join(found)})
            if show and not follow_up:
                print(f"[{session['category']}] {text[:70]!r}\n    -> {result['reply'].splitlines()[0][:160]}")
    total = {key: sum(r[key] for r in stats.values()) for key in ("messages", "crashes", "failed", "with_picks")}
    return {"categories": dict(stats), "total": total, "failures": failures, "use_llm": use_llm}


def format_table(result: dict) -> str:
    lines = [f"{'category':<14} {'messages':>8} {'crashes':>8} {'failed':>7} {'picks':>6} {'max ms':>8}"]
    for name, r in sorted(result["categories"].items()):
        lines.append(f"{name:<14} {r['messages']:>8} {r['crashes']:>8} {r['failed']:>7} {r['with_picks']:>6} {r['max_ms']:>8.0f}")
    t = result["total"]
    lines.append(f"{'total':<14} {t['messages']:>8} {t['crashes']:>8} {t['failed']:>7} {t['with_picks']:>6}")
    lines.append(f"(each session then gets \"{FOLLOW_UP}\"; LLM {'on' if result['use_llm'] else 'off'})")
    lines += [f"line {f['line']}: {f['message']!r}: {f['problem']}" for f in result["failures"]]
    return "\n".join(lines)
