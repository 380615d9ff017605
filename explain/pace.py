"""How much explaining fits in a turn on this machine: measured once at warm-up, refined by every generation.

A turn's explanations must be final within its budget (``RECS_LLM_TIMEOUT``) on the slowest machine
the app runs on. What a try costs was measured on two cores here (``python -m evaluation explanations``,
``llm.stats_log``): the prefill grows with the rows of the batch (about 0.13 s a row), a decode step
hardly does (0.10 s at 2 rows, 0.145 s at 10), and a batch often runs to its token cap because one row
never ends its sentence. So the levers, in the order they cost quality, are: the token cap (most first
sentences end within 30 tokens), then one candidate per row instead of two (half the prefill), then
fewer rows for the model (the others keep their templates at once, with no wait).
"""

from __future__ import annotations

import collections
import threading
from dataclasses import dataclass

MIN_SENTENCE_TOKENS = 28  # a cap below this cuts most first sentences (they end at 18-30 tokens)
PROBE_TOKENS = 8  # the warm-up generation: enough steps to time one
SMOOTHING = 0.3  # weight of the newest generation in the running estimates (machines slow down under load)


@dataclass(frozen=True)
class Plan:
    rows: int  # the first `rows` picks go to the model; the others keep their templates at once
    candidates: int  # per row at the first try
    max_new_tokens: int
    expected_s: float | None = None  # the first try's estimated time; None: not measured yet

    def describe(self) -> str:
        when = f", about {self.expected_s:.1f} s" if self.expected_s is not None else ""
        return f"{self.rows} rows x {self.candidates} candidates, up to {self.max_new_tokens} tokens{when}"


class Pace:
    """Running estimates of this machine's prefill (per row) and decode step time (per batch size)."""

    def __init__(self, max_new_tokens: int, candidates: int):
        self.max_new_tokens, self.candidates = int(max_new_tokens), int(candidates)
        self.prefill_per_row_s: float | None = None
        self.step_s: dict[int, float] = {}  # rows of a batch -> seconds per decode step
        self.generations = 0
        self._seen: collections.deque = collections.deque(maxlen=64)  # start instants of the generations learnt from
        self._lock = threading.Lock()  # sessions share one Pace

    def observe(self, stats: dict | None) -> None:
        """Learn from one generation's ``last_stats`` (any backend's: rows, steps, seconds, first_token_s)."""
        rows, steps = (stats or {}).get("rows") or 0, (stats or {}).get("steps") or 0
        if rows < 1 or steps < 2:
            return  # no decode step to time (a failed or cancelled-at-once call)
        first, seconds = float(stats["first_token_s"]), float(stats["seconds"])
        prefill, step = first / rows, max(seconds - first, 0.0) / (steps - 1)
        with self._lock:
            # A batch shared by sessions, or one closed early (its stats are set a moment later, so the next
            # turn reads them), is learnt from once.
            if stats.get("started_at") is not None:
                if stats["started_at"] in self._seen:
                    return
                self._seen.append(stats["started_at"])
            self.prefill_per_row_s = _smooth(self.prefill_per_row_s, prefill)
            self.step_s[rows] = _smooth(self.step_s.get(rows), step)
            self.generations += 1

    def step_for(self, rows: int) -> float | None:
        """Seconds per step of a batch of `rows`: as measured at the nearest batch at least as large (a step
        costs more with more rows), else at the largest measured."""
        with self._lock:
            if not self.step_s:
                return None
            larger = [r for r in self.step_s if r >= rows]
            return self.step_s[min(larger)] if larger else self.step_s[max(self.step_s)]

    def estimate(self, rows: int, tokens: int) -> float | None:
        step = self.step_for(rows)
        if step is None or self.prefill_per_row_s is None:
            return None
        return self.prefill_per_row_s * rows + step * tokens

    def plan(self, rows: int, seconds: float | None) -> Plan:
        """The most explaining whose first try ends within `seconds` (None: no budget, the defaults)."""
        full = Plan(rows, self.candidates, self.max_new_tokens)
        if seconds is None or rows == 0 or self.estimate(rows * self.candidates, 1) is None:
            return full
        for candidates in dict.fromkeys((self.candidates, 1)):  # two candidates per row, then one
            batch = rows * candidates
            step, prefill = self.step_for(batch), self.prefill_per_row_s * batch
            tokens = min(self.max_new_tokens, int((seconds - prefill) / step))
            if tokens >= min(MIN_SENTENCE_TOKENS, self.max_new_tokens):
                return Plan(rows, candidates, tokens, self.estimate(batch, tokens))
        # Not even one short sentence per pick: the top picks that fit go to the model, the rest keep templates.
        tokens = min(MIN_SENTENCE_TOKENS, self.max_new_tokens)
        fit = rows
        while fit > 0 and self.estimate(fit, tokens) > seconds:
            fit -= 1
        return Plan(fit, 1, tokens, self.estimate(fit, tokens) if fit else 0.0)

    def describe(self, rows: int, seconds: float | None) -> str:
        if self.prefill_per_row_s is None:
            return "explanation pace: not measured (the defaults until a generation is timed)"
        batch = rows * self.candidates
        return (f"explanation pace: {self.prefill_per_row_s * batch:.1f} s to the first token and "
                f"{1 / self.step_for(batch):.1f} steps/s for {batch} rows; a turn of {rows} picks gets "
                f"{self.plan(rows, seconds).describe()}" + (f" (budget {seconds:g} s)" if seconds else ""))


def _smooth(old: float | None, new: float) -> float:
    return new if old is None else (1 - SMOOTHING) * old + SMOOTHING * new
