"""Scripted dialogues from the command line: one JSON object per turn on stdout, logs on stderr.

    python -m chat --json "I loved Star Wars (1977)" "something older"
    python -m chat --dialogues in.jsonl --no-llm --k 5
    python -m chat --dialogues recorded.jsonl --replay --no-llm --k 50   # answer only the last user turn
    python -m chat --check tests/dialogues        # the scripted suite: pass/fail table, exit 1 on a failure
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
import traceback
from pathlib import Path

from chat.dialogue import Turn, parse_turn, run_dialogue
from chat.settings import FUSIONS, Settings
from chat.text import clean_text
from runtime.errors import startup_error_line


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m chat", description="Run scripted conversations with the recommender.")
    mode = p.add_mutually_exclusive_group(required=True)
    mode.add_argument("--json", nargs="+", metavar="TURN", help="the turns of one conversation")
    mode.add_argument("--dialogues", type=Path, metavar="FILE.jsonl",
                      help='lines of {"id": ..., "turns": [...]}; a turn is a string (the user) or '
                           '{"role": "user" | "assistant", "text": ...}')
    mode.add_argument("--check", type=Path, metavar="PATH",
                      help="run the scripted dialogue suite (a YAML file or a folder of them) without the LLM; "
                           "print a pass/fail table and exit 1 on any failure")
    p.add_argument("--no-llm", action="store_true", help="template explanations only (fast ranking runs)")
    p.add_argument("--k", type=int, help="items per reply (default 5, at most 50)")
    p.add_argument("--replay", action="store_true",
                   help="replay recorded dialogues: earlier user turns only update the state (no picks, nothing "
                        "shown); one answer comes after the last turn")
    p.add_argument("--llm", help="LLM: Hugging Face id, folder or .gguf file (env RECS_LLM)")
    p.add_argument("--embedder", help="sentence-transformer: Hugging Face id or folder (env RECS_EMBEDDER)")
    p.add_argument("--data", type=Path, help="a catalog folder or catalog spec (.toml/.yaml); README: 'Your own catalog' (env RECS_DATA)")
    p.add_argument("--cache-dir", type=Path, help="where the index, ALS model and LLM cache live (env RECS_CACHE_DIR)")
    p.add_argument("--fusion", choices=FUSIONS, help="how semantic and CF scores are combined")
    p.add_argument("--cf-weight", type=float, help="share of the CF prior, 0..1")
    p.add_argument("--diversity", type=float, help="0 (relevance only) .. 1 (most diverse)")
    p.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr (and the traceback of a failed start-up)")
    return p


def read_dialogues(path: Path) -> list[dict]:
    """Lines of {"id": ..., "turns": [...]}; bytes that are not UTF-8 are read as U+FFFD, not refused."""
    form = 'each line must be {"id": ..., "turns": [...]}'
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as err:
        raise ValueError(f"--dialogues {path}: cannot read it ({err.strerror or err}): give a readable JSON-lines file; {form}") from None
    dialogues = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as err:
            reason = err.msg if isinstance(err, json.JSONDecodeError) else "nested too deeply"
            raise ValueError(f"--dialogues {path}:{n}: not JSON ({reason}); {form}") from None
        if not isinstance(d, dict) or not isinstance(d.get("turns"), list):
            raise ValueError(f'--dialogues {path}:{n}: needs a "turns" list; {form}')
        d["turns"] = [parse_turn(t, f"--dialogues {path}:{n}: turn {m}") for m, t in enumerate(d["turns"], 1)]
        dialogues.append(d)
    return dialogues


def json_line(result: dict) -> str:
    """One turn as a line of JSON; any text the pipeline did not make (a dialogue id) is cleaned first."""
    return json.dumps(_clean(result), ensure_ascii=False)


def _clean(value):
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(k) if isinstance(k, str) else k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # UTF-8 whatever the locale says, so the JSON is always valid UTF-8
    sys.stdout.reconfigure(encoding="utf-8")
    sys.stderr.reconfigure(encoding="utf-8", errors="backslashreplace")
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(message)s")
    from chat.recommender import Recommender, public
    from chat.state import SessionState

    try:
        settings = Settings.from_env(
            llm=args.llm, embedder=args.embedder, data=args.data, cache_dir=args.cache_dir, k=args.k,
            fusion=args.fusion, cf_weight=args.cf_weight, diversity=args.diversity,
            use_llm=False if (args.no_llm or args.check) else None,
        )
        if args.check:
            from chat.suite import load_dialogues

            load_dialogues(args.check)  # a malformed suite fails before the models load
        if args.dialogues:
            dialogues = read_dialogues(args.dialogues)
        else:
            dialogues = [{"id": None, "turns": [Turn("user", t) for t in args.json or []]}]
        recommender = Recommender(settings)
        started = time.perf_counter()
        lines = recommender.warm_up()
        print(f"ready in {time.perf_counter() - started:.1f}s: " + "; ".join(lines), file=sys.stderr)
    except Exception as err:  # one line that says what to change, never a traceback (unless --verbose)
        if args.verbose:
            traceback.print_exc()
        print(startup_error_line(err), file=sys.stderr)
        return 2

    if args.check:
        from chat.suite import check

        return check(recommender, args.check, k=settings.k)

    failed = 0
    for dialogue in dialogues:
        state = SessionState()
        try:
            for result in run_dialogue(recommender, state, dialogue["turns"], replay=args.replay):
                if args.dialogues:
                    result = {"dialogue": dialogue.get("id"), **result}
                print(json_line(public(result)), flush=True)
        except Exception as err:  # a bug must not cost the other dialogues: report it and go on
            failed += 1
            problem = f"{type(err).__name__}: {err}"
            print(f"error: turn {len(state.turns)} failed: {problem}", file=sys.stderr)
            print(json_line({"dialogue": dialogue.get("id"), "turn": len(state.turns), "error": problem}), flush=True)
    return 1 if failed else 0
