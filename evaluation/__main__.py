"""`python -m evaluation <command> [--json]`: offline, simulate, scale, latency, load, hostile, explanations, report."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from evaluation import scale
from evaluation.scale import ALS_SIZES, SIZES, as_flag

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    p.add_argument("--data", type=Path, default=None, help="catalog folder or name (default: the shipped movies catalog; ml-100k: MovieLens-100K)")
    p.add_argument("--cache-dir", type=Path, default=None, help="models and index cache (default: ~/.cache/convrec)")
    p.add_argument("--seed", type=int, default=0, help="seed of every sample (default 0)")
    p.add_argument("--no-progress", action="store_true", help="hide progress bars")


def cmd_offline(args) -> dict:
    from evaluation import offline

    protocols = offline.PROTOCOLS if args.protocol == "both" else (args.protocol,)
    result = offline.run(args.data, args.cache_dir, protocols, args.users, args.grid, args.seed, not args.no_progress)
    return result, offline.format_table


def cmd_simulate(args) -> dict:
    from evaluation import simulate

    result = simulate.run(args.data, args.cache_dir, args.users, args.seed, args.methods.split(","),
                          args.turns, not args.no_progress,
                          {"fusion": args.fusion, "cf_weight": args.cf_weight, "candidates": args.candidates})
    return result, simulate.format_table


def cmd_scale(args) -> dict:
    from evaluation import scale

    sizes = [int(float(s)) for s in args.sizes.split(",") if s]
    als_sizes = [int(float(s)) for s in args.als_sizes.split(",") if s]
    result = scale.run(sizes, als_sizes, args.queries, args.seed, not args.no_progress, args.keep_index, args.candidates)
    if args.results:
        from evaluation.report_sections import scale_markdown

        flags = f" --sizes {args.sizes} --candidates {args.candidates}"
        _write_results(args.results, scale_markdown(result), "python -m evaluation scale" + flags)
    return result, scale.format_table


def _write_results(path: Path, lines: list[str], command: str) -> None:
    """Replace one section of RESULTS.md with what this command measured (plots are the full report's)."""
    from evaluation import results_file
    from evaluation.results_file import git_commit

    heading, body = lines[0], [line for line in lines[1:] if not line.startswith("![")]
    note = f"Written by `{command}` at commit {git_commit()}."
    results_file.write_section(path, heading, [heading, "", note, *body])


def cmd_latency(args) -> dict:
    from evaluation import cores

    pinned = cores.pin(args.cores)  # before torch loads: its thread pools size themselves to the cores
    from evaluation import latency

    result = latency.run(args.cache_dir, args.turns, args.k, args.startup, not args.no_progress, args.data)
    result["cores"] = pinned
    if args.results:
        from evaluation.report_sections import latency_markdown

        _write_results(args.results, latency_markdown(result), f"python -m evaluation latency --turns {args.turns}")
    return result, latency.format_table


def cmd_redial(args) -> dict:
    from evaluation import redial

    modes = ("replay",) if args.replay else ("live",) if args.live else ("replay", "live")
    result = redial.run(args.file, args.data, args.cache_dir, modes, args.k, not args.no_progress, args.dump, args.limit)
    if args.results:
        from evaluation.results_file import git_commit

        command = "python -m evaluation redial" + (" --replay" if args.replay else " --live" if args.live else "")
        command += f" --data {args.data}" if args.data else ""
        command += f" --file {args.file}" if args.file else ""
        command += f" --limit {args.limit}" if args.limit else ""
        redial.write_section(args.results, redial.markdown(result, command, git_commit()))
    return result, redial.format_table


def cmd_redial_validate(args) -> dict:
    from evaluation import redial, redial_validation

    rec, path = redial_validation.validation_recommender(args.share, args.seed, cache_dir=args.cache_dir)
    result = redial.run(path, modes=("replay",), k=args.k, progress=not args.no_progress, limit=args.limit,
                        dump=args.dump, recommender=rec)
    result["validation"] = {"share": args.share, "seed": args.seed}
    return result, redial.format_table


def cmd_load(args) -> dict:
    from evaluation import load

    result = load.run(args.sessions, args.turns, args.no_llm, args.cache_dir, not args.no_progress)
    if args.results:
        from evaluation import results_file
        from evaluation.results_file import git_commit

        text = args.results.read_text(encoding="utf-8") if args.results.is_file() else ""
        previous = results_file.section_of(text, load.SECTION)
        results_file.write_section(args.results, load.SECTION, load.markdown(result, previous, git_commit()))
    return result, load.format_table


def cmd_hostile(args) -> dict:
    from chat.recommender import Recommender
    from chat.settings import Settings
    from evaluation import hostile

    settings = Settings.from_env(data=args.data, cache_dir=args.cache_dir, use_llm=args.llm)
    recommender = Recommender(settings)
    recommender.warm_up()
    result = hostile.run(recommender, hostile.load_messages(args.messages), use_llm=args.llm, show=args.show)
    return result, hostile.format_table


def cmd_explanations(args) -> dict:
    from evaluation import explanations

    if args.rejudge:
        return explanations.rejudge(args.rejudge, args.data), explanations.format_table
    from evaluation import cores

    pinned = cores.pin(args.cores)
    result = explanations.run(args.cache_dir, args.data, args.requests, args.k, args.seed, not args.no_progress,
                              use_llm=not args.no_llm, llm=args.llm)
    result["cores"] = pinned
    if args.results:
        from evaluation.report_sections import explanations_markdown

        _write_results(args.results, explanations_markdown(result), "python -m evaluation explanations")
    return result, explanations.format_table


def cmd_report(args) -> dict:
    from evaluation import report

    result = report.run(args, not args.no_progress)
    return result, report.format_table


# Subcommands: name -> (function, help, extra-arguments adder). `latency` is added by its own module.
COMMANDS = {}


def _offline_args(p):
    p.add_argument("--protocol", choices=("both", "leave-last-out", "random-811"), default="both")
    p.add_argument("--users", type=int, default=None, help="evaluate a fixed-seed sample of this many users (default all)")
    p.add_argument("--grid", choices=("full", "quick"), default="full", help="tuning grid (quick: a few points, for tests)")


def _simulate_args(p):
    p.add_argument("--users", type=int, default=None, help="simulate a fixed-seed sample of this many users (default all)")
    p.add_argument("--methods", default="product,retrieval,als,popularity", help="comma-separated methods")
    p.add_argument("--turns", type=int, default=4, help="turns per conversation (default 4: liked items, genre, decade, something like)")
    p.add_argument("--fusion", choices=("weighted", "rrf", "cascade"), default=None, help="product fusion (default: chat.settings)")
    p.add_argument("--cf-weight", type=float, default=None, help="product cf_weight (default: chat.settings)")
    p.add_argument("--candidates", type=int, default=None, help="product candidate count (default: chat.settings)")


def _scale_args(p):
    p.add_argument("--sizes", default=as_flag(SIZES), help="catalog sizes for the retrieval and ranking latency")
    p.add_argument("--als-sizes", default=as_flag(ALS_SIZES), help="synthetic interaction counts for the ALS fit time")
    p.add_argument("--queries", type=int, default=50, help="queries timed per catalog size")
    p.add_argument("--keep-index", default=None, metavar="DIR",
                   help="keep the built indexes in DIR and reuse them on later runs of the same size and seed")
    p.add_argument("--candidates", type=int, default=scale.CANDIDATES,
                   help=f"semantic candidates per request (default {scale.CANDIDATES}; the product ships 400)")
    p.add_argument("--results", type=Path, default=None,
                   help="also write the scale section of this RESULTS.md (e.g. docs/RESULTS.md), leaving the rest")


def _latency_args(p):
    _cores_arg(p)
    p.add_argument("--turns", type=int, default=50, help="timed turns after a warm-up dialogue (default 50)")
    p.add_argument("--k", type=int, default=3, help="items, hence explanations, per turn (default 3)")
    p.add_argument("--startup", choices=("both", "warm", "cold", "none"), default="both",
                   help="also time `python app.py` to a served page: with empty caches (cold), reused (warm)")
    p.add_argument("--results", type=Path, default=None,
                   help="also write this run's section of this RESULTS.md (e.g. docs/RESULTS.md), leaving the rest")


def _redial_args(p):
    p.add_argument("--file", type=Path, default=None,
                   help="ReDial-style JSONL cases (default: ../shared/data/movies/redial-test-dev.jsonl with the movies "
                        "catalog, the published protocol; ../shared/data/redial-dev.jsonl with any other catalog)")
    only = p.add_mutually_exclusive_group()
    only.add_argument("--replay", action="store_true", help="only the replay (one answer after the recorded context)")
    only.add_argument("--live", action="store_true", help="only the live run (every seeker turn answered)")
    p.add_argument("--k", type=int, default=50, help="picks in the replay answer, over the whole catalog (default 50)")
    p.add_argument("--dump", type=Path, default=None, help="write one JSON line per case: picks, state, target rank")
    p.add_argument("--limit", type=int, default=None, help="only the first N cases")
    p.add_argument("--results", type=Path, default=None,
                   help="also write the table into this RESULTS.md, in place of its ReDial section (e.g. docs/RESULTS.md)")


def _redial_validate_args(p):
    from evaluation.redial_validation import SHARE

    p.add_argument("--share", type=float, default=SHARE, help=f"share of the training dialogues held out (default {SHARE})")
    p.add_argument("--k", type=int, default=50, help="picks in the replay answer (default 50)")
    p.add_argument("--limit", type=int, default=None, help="only the first N cases")
    p.add_argument("--dump", type=Path, default=None, help="write one JSON line per case: picks, state, target rank")


def _load_args(p):
    p.add_argument("--sessions", type=int, default=8, help="parallel sessions (default 8)")
    p.add_argument("--turns", type=int, default=3, help="turns per session (default 3)")
    p.add_argument("--no-llm", action="store_true", help="template explanations (the app's --no-llm)")
    p.add_argument("--results", type=Path, default=None,
                   help="also write the row into this RESULTS.md's load section (e.g. docs/RESULTS.md)")


def _hostile_args(p):
    from evaluation.hostile import MESSAGES

    p.add_argument("--messages", type=Path, default=MESSAGES, help="JSON-lines file of messages (default: tests/hostile_messages.jsonl)")
    p.add_argument("--llm", action="store_true", help="LLM explanations too (default: templates, fast)")
    p.add_argument("--show", action="store_true", help="print each message and the first line of its reply")


def _cores_arg(p):
    p.add_argument("--cores", type=int, default=None,
                   help="run on this many cores only (pinned like taskset -c 0..N-1), to stand for a smaller machine")


def _explanations_args(p):
    _cores_arg(p)
    p.add_argument("--requests", type=int, default=32, help="seeded requests to explain (default 32)")
    p.add_argument("--k", type=int, default=5, help="picks, hence explanations, per request (default 5)")
    p.add_argument("--llm", default=None, help="LLM to measure (default: RECS_LLM or SmolLM2-135M-Instruct)")
    p.add_argument("--no-llm", action="store_true", help="template explanations only (checks the checker and templates)")
    p.add_argument("--rejudge", type=Path, default=None,
                   help="judge the sentences of an earlier run's --json output again with today's checker")
    p.add_argument("--results", type=Path, default=None,
                   help="also write this run's section of this RESULTS.md (e.g. docs/RESULTS.md), leaving the rest")


def _report_args(p):
    p.add_argument("--out", type=Path, default=Path("docs"), help="folder for RESULTS.md and the plots")
    p.add_argument("--users", type=int, default=None, help="users for offline and simulate (default all)")
    p.add_argument("--sizes", default=as_flag(SIZES), help="catalog sizes for the scale run")
    p.add_argument("--als-sizes", default=as_flag(ALS_SIZES), help="interaction counts for the ALS fit time")
    p.add_argument("--queries", type=int, default=50)
    p.add_argument("--grid", choices=("full", "quick"), default="full")
    p.add_argument("--turns", type=int, default=50, help="timed chat turns for the latency section")
    p.add_argument("--startup", choices=("both", "warm", "cold", "none"), default="both",
                   help="start-up timings for the latency section")
    p.add_argument("--explanation-requests", type=int, default=32, help="seeded requests for the explanations section")


COMMANDS.update({
    "offline": (cmd_offline, "accuracy on MovieLens under leave-last-out and random-811", _offline_args),
    "simulate": (cmd_simulate, "simulated conversations: Success@10 by turn", _simulate_args),
    "scale": (cmd_scale, "latency and ALS fit time on synthetic catalogs", _scale_args),
    "latency": (cmd_latency, "per-stage latency, decode speed against the memory bound, start-up", _latency_args),
    "redial": (cmd_redial, "recorded human conversations (ReDial): replayed and live, against baselines", _redial_args),
    "redial-validate": (cmd_redial_validate, "the ReDial replay on a validation split of the training dialogues "
                        "(for tuning; the test file is for measuring only)", _redial_validate_args),
    "load": (cmd_load, "many sessions at once through the real app: turn latency, throughput, errors, leaks", _load_args),
    "hostile": (cmd_hostile, "hostile and odd messages through the pipeline: crashes and failed turns by category",
                _hostile_args),
    "explanations": (cmd_explanations, "faithful, personalised and LLM-written shares of shown explanations",
                     _explanations_args),
    "report": (cmd_report, "run everything and write docs/RESULTS.md with plots", _report_args),
})


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m evaluation", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (fn, help_text, add_args) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        _common(p)
        add_args(p)
        p.set_defaults(func=fn)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        result, formatter = args.func(args)
    except (FileNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result, default=_jsonable))
    else:
        print(formatter(result))
    return 0


def _jsonable(x):
    import numpy as np

    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, Path):
        return str(x)
    raise TypeError(f"{type(x).__name__} is not JSON serializable")


if __name__ == "__main__":
    sys.exit(main())
