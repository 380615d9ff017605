"""`latency`: per-stage timings of the real pipeline, LLM decode speed against this machine's bound, start-up.

Every decode step reads all weights once, so memory bandwidth bounds the step rate from above:
the bound is measured bandwidth (a large array copy) divided by the bytes of weights. Decode is
timed after each call's first token; the time to that token (prefill and set-up) is reported apart.
Batching the explanations of a turn puts several tokens on each step.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

ROOT = Path(__file__).resolve().parents[1]
# first_token: the message to the first token the LLM generated; first_explanation: to the first explanation
# shown, a whole sentence that passed the claim checker (nothing is shown before the model has written it).
STAGES = ("link", "retrieve", "cf", "rank", "ranking_path", "first_token", "first_explanation", "total")
# Questions about a film of the last reply, asked after each dialogue's first turn: their whole turn is timed
# ("question_turn"), to set beside a turn with picks ("total").
QUESTIONS = ("what is the first one about?", "who directed the second one?", "is it scary?")
# Scripted conversations; turns cycle through them. Each starts from a fresh session.
DIALOGUES = [
    ["I loved Star Wars (1977) and Alien (1979); something tense tonight", "no horror", "something older"],
    ["I loved Toy Story, something funny for the family", "I've seen Aladdin", "more"],
    ["I loved The Godfather, something from the 70s", "I didn't like Taxi Driver", "before 1975"],
    ["a romantic comedy please", "I loved When Harry Met Sally", "no musicals"],
    ["I loved Fargo and Pulp Fiction", "something darker", "from the 90s"],
]


def memory_bandwidth(megabytes: int = 512, repeats: int = 5) -> float:
    """Bytes per second of a large array copy (read + write), best of a few."""
    src = np.ones(megabytes * 2**20 // 8, dtype=np.float64)
    dst = np.empty_like(src)
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        np.copyto(dst, src)
        best = min(best, time.perf_counter() - t)
    return 2 * src.nbytes / best


def weight_bytes(model) -> int:
    """Bytes of the distinct weight tensors one decode step reads (tied embeddings counted once)."""
    seen, total = set(), 0
    for p in model.parameters():
        if p.data_ptr() not in seen:
            seen.add(p.data_ptr())
            total += p.numel() * p.element_size()
    return total


def _percentiles(values: list[float]) -> dict:
    arr = np.asarray(values, dtype=np.float64)
    return {"median": round(float(np.median(arr)), 1), "p95": round(float(np.percentile(arr, 95)), 1), "n": len(arr)}


def run_turns(recommender, turns: int, k: int, progress: bool) -> dict:
    from chat.state import SessionState

    script = [(d, t) for d in range(len(DIALOGUES)) for t in range(len(DIALOGUES[d]))]
    samples: dict[str, list[float]] = {s: [] for s in STAGES}
    decode, sources = [], []
    # Warm-up: one turn, not timed (models are loaded already; this pays the first-call costs).
    recommender.run_turn(SessionState(), DIALOGUES[0][0], k=k)
    state, last_dialogue = SessionState(), None
    for n in tqdm(range(turns), desc="timed turns", disable=not progress):
        d, t = script[n % len(script)]
        if d != last_dialogue or t == 0:
            state, last_dialogue = SessionState(), d
        started = time.perf_counter()
        result = recommender.run_turn(state, DIALOGUES[d][t], k=k)
        timings = result["timings_ms"]
        timings["ranking_path"] = sum(timings[s] for s in ("link", "retrieve", "cf", "rank"))
        # Every LLM call of this turn (a failed sentence is generated once more); a turn that asks makes none.
        calls = [dict(c) for c in llm_calls(recommender) if c["started_at"] >= started]
        if calls and calls[0]["first_token_at"] is not None:
            timings["first_token"] = (calls[0]["first_token_at"] - started) * 1000
        for stage in STAGES:
            if stage in timings:
                samples[stage].append(timings[stage])
        decode += [c for c in calls if c.get("steps")]
        sources += [item.get("why_source") for item in result["items"]]
    samples["question_turn"] = question_turns(recommender, k)
    stages = {s: _percentiles(v) for s, v in samples.items() if v}
    llm_written = round(sources.count("llm") / len(sources), 4) if sources else None
    return {"stages_ms": stages, "decode": decode_summary(decode), "llm_written": llm_written,
            "explanations": len(sources)}


def question_turns(recommender, k: int) -> list[float]:
    """Whole-turn milliseconds of the QUESTIONS, each asked after every dialogue's first turn (not timed)."""
    from chat.state import SessionState

    times = []
    for dialogue in DIALOGUES:
        state = SessionState()
        recommender.run_turn(state, dialogue[0], k=k, use_llm=False)
        for question in QUESTIONS:
            times.append(recommender.run_turn(state, question, k=k)["timings_ms"]["total"])
    return times


def llm_calls(recommender) -> list[dict]:
    """The LLM's recent calls (``TransformersLLM.stats_log``), oldest first; none when the LLM is off."""
    if not recommender.settings.use_llm:
        return []
    return list(getattr(recommender.llm, "stats_log", []))


def decode_summary(calls: list[dict]) -> dict:
    """Decode speed over LLM calls (each ``TransformersLLM.last_stats``), counted after each call's first token.

    The first token of every row comes out of the prefill, so ``steps`` and ``new_tokens`` here are the
    steps and tokens after it, over the seconds after it; the time to the first token (prefill and
    ``generate`` set-up) is reported apart as ``first_token_s_median``.
    """
    steps = sum(c["steps"] - 1 for c in calls)
    tokens = sum(c["new_tokens"] - c["rows"] for c in calls)
    seconds = sum(c["seconds"] - c["first_token_s"] for c in calls)
    return {
        "calls": len(calls), "steps": steps, "new_tokens": tokens, "seconds": round(seconds, 3),
        "steps_per_s": round(steps / seconds, 2) if seconds > 0 else None,
        "tokens_per_s": round(tokens / seconds, 2) if seconds > 0 else None,
        "mean_rows": round(float(np.mean([c["rows"] for c in calls])), 2) if calls else None,
        "first_token_s_median": round(float(np.median([c["first_token_s"] for c in calls])), 3) if calls else None,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def startup_seconds(cache_dir: Path, data: Path | None = None, timeout: float = 600) -> float:
    """Seconds from starting `python app.py` to the first served page."""
    port = free_port()
    env = {**os.environ, "RECS_CACHE_DIR": str(cache_dir), "RECS_PORT": str(port), "PYTHONPATH": str(ROOT)}
    if data:
        env["RECS_DATA"] = str(data)
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - started < timeout:
            if proc.poll() is not None:
                raise RuntimeError(f"app.py exited with {proc.returncode} before serving a page")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
                    if r.status == 200:
                        return time.perf_counter() - started
            except OSError:
                time.sleep(0.2)
        raise TimeoutError(f"no page after {timeout:.0f} s")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def run(cache_dir: Path | None, turns: int, k: int, startup: str, progress: bool, data: Path | None = None) -> dict:
    from chat.recommender import Recommender
    from chat.settings import Settings

    settings = Settings.from_env(cache_dir=cache_dir, data=data)
    result: dict = {"command": "latency", "turns": turns, "k": k, "cache_dir": str(settings.cache_dir)}
    if startup in ("cold", "both"):
        with tempfile.TemporaryDirectory(prefix="recs-cold-") as empty:
            result["startup_cold_s"] = round(startup_seconds(Path(empty), settings.data), 2)

    recommender = Recommender(settings)
    t = time.perf_counter()
    recommender.warm_up()  # also makes sure the caches exist for the warm start below
    result["models_load_s"] = round(time.perf_counter() - t, 2)
    if startup in ("warm", "both"):
        result["startup_warm_s"] = round(startup_seconds(settings.cache_dir, settings.data), 2)
    result.update(run_turns(recommender, turns, k, progress))

    bandwidth = memory_bandwidth()
    nbytes = weight_bytes(recommender.llm.model)
    bound = bandwidth / nbytes
    decode = result["decode"]
    result["bound"] = {
        "memory_bandwidth_gb_s": round(bandwidth / 1e9, 2),
        "weight_bytes_mb": round(nbytes / 1e6, 1),
        "dtype": recommender.llm.dtype,
        "device": recommender.llm.device,
        "steps_per_s_bound": round(bound, 2),
        "steps_achieved_over_bound": round(decode["steps_per_s"] / bound, 3) if decode["steps_per_s"] else None,
        "tokens_per_s_over_single_stream_bound": round(decode["tokens_per_s"] / bound, 3) if decode["tokens_per_s"] else None,
    }
    return result


def format_table(result: dict) -> str:
    lines = [f"latency over {result['turns']} timed turns (k={result['k']}), ms", "",
             f"{'stage':<20}{'median':>10}{'p95':>10}"]
    for stage, v in result["stages_ms"].items():
        lines.append(f"{stage:<20}{v['median']:>10.1f}{v['p95']:>10.1f}")
    d, b = result["decode"], result["bound"]
    lines += ["", f"decode (after the first token): {d['tokens_per_s']} tokens/s, {d['steps_per_s']} steps/s over "
              f"{d['calls']} calls ({d['mean_rows']} rows per step on average); first token after a median {d['first_token_s_median']} s",
              f"bound: {b['memory_bandwidth_gb_s']} GB/s / {b['weight_bytes_mb']} MB of {b['dtype']} weights = "
              f"{b['steps_per_s_bound']} steps/s; achieved/bound {b['steps_achieved_over_bound']} (steps), "
              f"{b['tokens_per_s_over_single_stream_bound']} (tokens vs one stream)"]
    if result.get("llm_written") is not None:
        lines.append(f"explanations written by the LLM: {result['llm_written']:.1%} of {result['explanations']} "
                     "(the rest: templates); a turn's last explanation is final at its 'total'")
    if result.get("cores"):
        lines.append(result["cores"])
    for key in ("startup_cold_s", "startup_warm_s", "models_load_s"):
        if key in result:
            lines.append(f"{key}: {result[key]} s")
    return "\n".join(lines)
