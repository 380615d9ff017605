"""The sessions' turns on their way to the one shared LLM: whether it is busy, and going together.

Sessions share one Explainer and one LLM worker (llm/batching.py). Turns that arrive together would each find
the LLM idle and each ask for every row, then wait behind one another's batches past their budget; and the
first request to reach an idle worker used to start a small batch alone while the others, seconds of ranking
behind, queued for its whole length. So a turn counts from the start of its ranking (an ``Arrival``) until its
LLM request is ready; while other turns are counted, a turn asks for less (``busy``), and with a worker that
runs one batch at a time its first request waits a moment (``gather``) for theirs, so that they share one
decode batch. A continuous-batching worker (llm/continuous.py) needs no wait: a later request joins the
running batch at its next step.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager

# How long a turn's first request waits for other turns still ranking: a shared batch of 24 rows is written in
# about the time of two batches of 3 (measured: 3 rows 33 steps 3.8 s, 24 rows 33 steps 7.5 s, on two cores).
GATHER_S = 1.5
# A turn still "ranking" after this long is not coming (a generator nobody closed): it stops counting.
STALE_S = 60.0


class Arrival:
    """One turn between its message and its LLM request; ``arrived`` (idempotent) ends that."""

    def __init__(self, traffic: "Traffic"):
        self._traffic, self._done, self.since = traffic, False, _now()

    def arrived(self) -> None:
        with self._traffic._cond:
            if not self._done:
                self._done = True
                self._traffic._coming.discard(self)
                self._traffic._cond.notify_all()


class Traffic:
    def __init__(self, gather_s: float = GATHER_S):
        self.gather_s = gather_s
        self._cond = threading.Condition()
        self._coming: set[Arrival] = set()  # turns ranking whose LLM request is not ready yet
        self._explaining = 0  # turns inside Explainer.explain

    def arrival(self) -> Arrival:
        """A turn starts ranking (chat/recommender.py); call ``arrived()`` on what it returns when it is done."""
        arrival = Arrival(self)
        with self._cond:
            self._coming.add(arrival)
        return arrival

    @contextmanager
    def explaining(self):
        with self._cond:
            self._explaining += 1
        try:
            yield
        finally:
            with self._cond:
                self._explaining -= 1

    def others(self, arrival: Arrival | None = None) -> bool:
        """Whether another turn is explaining, or ranking on its way here (the caller's own arrival aside)."""
        with self._cond:
            return self._explaining > 1 or bool(self._coming_now() - {arrival})

    def gather(self, arrival: Arrival | None) -> float:
        """Mark this turn's request ready, then wait up to ``gather_s`` for the other turns still ranking;
        returns the seconds waited."""
        if arrival is None:
            return 0.0
        arrival.arrived()
        with self._cond:
            if not self._coming_now():
                return 0.0
            started = _now()
            self._cond.wait_for(lambda: not self._coming_now(), timeout=self.gather_s)
            return _now() - started

    def _coming_now(self) -> set[Arrival]:
        """The turns on their way, less any that stopped counting (the caller holds the lock)."""
        stale = {a for a in list(self._coming) if _now() - a.since > STALE_S}
        self._coming -= stale
        return self._coming


def _now() -> float:
    return time.perf_counter()
