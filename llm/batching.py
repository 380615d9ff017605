"""One LLM worker per process: the explanation requests of every session share decode batches.

Sessions call :meth:`BatchingLLM.stream` from their own threads. Requests wait in a bounded queue;
the worker takes the oldest, lets requests that arrive within a short window join it, and runs them
as one batched call of the backend (rows of up to ``max_rows``), routing each row's text back to the
request it came from. Requests arriving while a batch runs make up the next one, so under load every
decode step carries several sessions' rows. Requests join a batch only with requests of the same
decoding mode (greedy, or sampled with the same seed), since a batch decodes one way.

A request has a deadline: past it, the caller's stream raises :class:`DeadlineExceeded` and the
explainer gives the rest of that turn's items their template explanations; a full queue raises
:class:`Overloaded` at once, with the same effect. Closing a stream early drops its rows; a batch
whose requests have all gone stops at the next step.
"""

from __future__ import annotations

import collections
import logging
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from llm.base import LLMBackend

log = logging.getLogger("recs.llm")

MAX_ROWS = 48  # rows per batch: past this a CPU decode step grows with the rows and the prefill gets long
WINDOW_S = 0.005  # how long a request that found the worker idle waits for others to join it (a turn's first token waits too)
MAX_QUEUED_ROWS = 256  # rows waiting; beyond this a request is refused at once (templates, no wait)
_DONE = object()


class Overloaded(RuntimeError):
    """Too many explanation rows are waiting: this request gets templates instead of waiting."""


class DeadlineExceeded(TimeoutError):
    """The request's deadline passed before its rows were written."""


@dataclass
class _Request:
    conversations: list[list[dict]]
    max_new_tokens: int | None
    processors: list
    seed: int | None
    deadline: float  # perf_counter instant
    out: queue.Queue = field(default_factory=queue.Queue)
    cancelled: threading.Event = field(default_factory=threading.Event)
    queued_at: float = field(default_factory=time.perf_counter)

    @property
    def key(self) -> tuple:
        """Requests with equal keys can share a batch: same decoding mode and repetition handling."""
        penalises = any(getattr(p, "penalises_repetition", False) for p in self.processors)
        return (self.seed, self.max_new_tokens, bool(self.processors), penalises)


class _RowSlices:
    """Runs each request's logits processors on that request's rows of the batch only."""

    def __init__(self, parts: list[tuple[int, int, list]]):
        self.parts = parts
        self.penalises_repetition = any(getattr(p, "penalises_repetition", False) for _, _, ps in parts for p in ps)

    def __call__(self, input_ids, scores):
        for start, end, processors in self.parts:
            for processor in processors:
                scores[start:end] = processor(input_ids[start:end], scores[start:end])
        return scores


def log_failure(err: BaseException, rows: int) -> None:
    """Log a failed batch once, not once per session in it (the explainer skips errors marked ``logged``)."""
    if getattr(err, "logged", False):
        return
    log.warning("LLM batch of %d rows failed (%s: %s)", rows, type(err).__name__, err)
    try:
        err.logged = True
    except AttributeError:
        pass


class BatchingLLM(LLMBackend):
    """Wraps an in-process backend; the same interface, shared by every session of the process."""

    def __init__(self, backend: LLMBackend, deadline_s: float = 10.0, max_rows: int = MAX_ROWS,
                 window_s: float = WINDOW_S, max_queued_rows: int = MAX_QUEUED_ROWS):
        self.backend = backend
        self.deadline_s, self.max_rows, self.window_s = float(deadline_s), int(max_rows), float(window_s)
        self.max_queued_rows = int(max_queued_rows)
        self._queue: collections.deque[_Request] = collections.deque()
        self._cond = threading.Condition()
        self._worker: threading.Thread | None = None
        self._running: list[_Request] = []  # the requests of the batch being written
        self.batches: collections.deque[dict] = collections.deque(maxlen=64)  # recent batches, for tests and reports

    # The wrapped backend's attributes (model, tokenizer, stats_log, device, ...) read through.
    def __getattr__(self, name):
        if name == "backend":
            raise AttributeError(name)
        return getattr(self.backend, name)

    @property
    def name(self) -> str:  # type: ignore[override]
        return self.backend.name

    @property
    def tokenizer(self):  # type: ignore[override]
        return self.backend.tokenizer

    @property
    def last_stats(self) -> dict:  # type: ignore[override]
        return self.backend.last_stats

    def load(self) -> None:
        self.backend.load()

    def describe(self) -> str:
        return f"{self.backend.describe()}; requests of all sessions batched (up to {self.max_rows} rows)"

    @property
    def busy(self) -> bool:
        """Whether a request someone still reads is being written or waits: callers then ask for less
        (explain/explainer.py). A batch whose callers all closed their streams is stopping and does not count:
        else a turn's retry, right after its own first try closed, would find the LLM "busy" with itself."""
        with self._cond:
            return any(not r.cancelled.is_set() for r in (*self._running, *self._queue))

    @property
    def queued_rows(self) -> int:
        with self._cond:
            return sum(len(r.conversations) for r in self._queue)

    # ------------------------------------------------------------------ the caller's side
    def stream(self, conversations: list[list[dict]], max_new_tokens: int | None = None,
               logits_processors: list | None = None, seed: int | None = None) -> Iterator[tuple[int, str]]:
        if not conversations:
            return
        request = _Request(list(conversations), max_new_tokens, list(logits_processors or []), seed,
                           time.perf_counter() + self.deadline_s)
        with self._cond:
            waiting = sum(len(r.conversations) for r in self._queue)
            if waiting and waiting + len(conversations) > self.max_queued_rows:
                raise Overloaded(f"{waiting} explanation rows are already waiting (limit {self.max_queued_rows})")
            self._queue.append(request)
            self._start_worker()
            self._cond.notify()
        try:
            while True:
                remaining = request.deadline - time.perf_counter()
                try:
                    item = request.out.get(timeout=max(remaining, 0.0))
                except queue.Empty:
                    raise DeadlineExceeded(f"no explanation within {self.deadline_s:g} s") from None
                if item is _DONE:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            request.cancelled.set()

    # ------------------------------------------------------------------ the worker
    def _start_worker(self) -> None:
        if self._worker is None or not self._worker.is_alive():
            self._worker = threading.Thread(target=self._work, name="recs-llm-batcher", daemon=True)
            self._worker.start()

    def _next_batch(self) -> list[_Request]:
        with self._cond:
            while not self._queue:
                self._cond.wait()
            first = self._queue[0]
        # A request that found the worker idle waits a moment for others; one that queued behind a batch has waited.
        pause = first.queued_at + self.window_s - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        with self._cond:
            batch, rows, kept = [], 0, collections.deque()
            while self._queue:
                request = self._queue.popleft()
                if request.cancelled.is_set():
                    continue  # its caller gave up (closed, or past its deadline)
                fits = not batch or (request.key == batch[0].key and rows + len(request.conversations) <= self.max_rows)
                if fits:
                    batch.append(request)
                    rows += len(request.conversations)
                else:
                    kept.append(request)
            self._queue.extendleft(reversed(kept))
            self._running = batch  # in the same lock: a request never looks neither queued nor running
        return batch

    def _work(self) -> None:
        while True:
            batch = self._next_batch()
            if batch:  # _next_batch marked it running
                try:
                    self._run(batch)
                finally:
                    with self._cond:
                        self._running = []

    def _run(self, batch: list[_Request]) -> None:
        owners: list[tuple[_Request, int]] = []  # batch row -> (request, its own row)
        parts = []
        for request in batch:
            start = len(owners)
            owners += [(request, row) for row in range(len(request.conversations))]
            parts.append((start, len(owners), request.processors))
        processors = [_RowSlices(parts)] if batch[0].processors else None
        conversations = [c for request in batch for c in request.conversations]
        started = time.perf_counter()
        self.batches.append({"requests": len(batch), "rows": len(owners), "waited_s": round(started - min(r.queued_at for r in batch), 3)})
        stream = None
        try:
            stream = self.backend.stream(conversations, batch[0].max_new_tokens, processors, batch[0].seed)
            for row, delta in stream:
                request, own_row = owners[row]
                if not request.cancelled.is_set():
                    request.out.put((own_row, delta))
                if all(r.cancelled.is_set() for r in batch):
                    break  # nobody is reading any more: stop decoding
        except Exception as err:  # noqa: BLE001 - every request of the batch hears of it and falls back
            log_failure(err, len(owners))
            for request in batch:
                request.out.put(err)
        finally:
            if stream is not None and hasattr(stream, "close"):
                stream.close()
            for request in batch:
                request.out.put(_DONE)
