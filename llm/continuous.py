"""Continuous batching: a request joins the running decode batch at the next step, not after it.

:class:`BatchingLLM` runs one batch at a time: a turn that asks while a 40-row batch decodes waits for
the whole of it (6 to 9 s on two cores), and a batch decodes until its longest row is done. Here one
worker keeps a single batch of rows going, as vLLM and TGI do. Each step it

1. admits waiting requests (up to ``max_rows`` rows in all): prefills their prompts (shared prompt
   prefixes from the backend's prefix cache), picks each new row's first token and appends the rows'
   keys and values to the batch, left-padded to a common length (pads are masked; position ids are
   given per row, so a row keeps the positions its prompt had);
2. feeds every row its last token in one forward pass and picks the next;
3. drops the rows that are done (EOS, their token limit, or a caller that stopped reading), so a step
   costs what the rows still being written cost.

Each request keeps its own decoding: its logits processors see its own rows (prompt and tokens, as
``generate`` shows them), repeats are penalised as ``generate`` would, and a request with a seed samples
from its own generator, so its text does not depend on who else is in the batch. The caller's side
(queue, deadline, ``busy``, ``Overloaded``) is :class:`BatchingLLM`'s.
"""

from __future__ import annotations

import time

from llm.batching import _DONE, BatchingLLM, _Request, log_failure
from llm.generation import _REPETITION_PENALTY, SAMPLE_TEMPERATURE, SAMPLE_TOP_P, _streamer_class


class _Deltas:
    """Where a request's streamer puts its ``(row, delta)`` texts: the caller's queue, while it reads."""

    def __init__(self, request: _Request):
        self.request = request

    def put(self, item) -> None:
        if isinstance(item, tuple) and not self.request.cancelled.is_set():
            self.request.out.put(item)  # the streamer's own end marker is not the caller's: the worker sends _DONE


class _Live:
    """A request in the batch: its rows' prompts and tokens, its decoding, its streamer."""

    def __init__(self, request: _Request, backend, prompt_ids, prefixes: list[str], started: float):
        import torch
        from transformers import (LogitsProcessorList, RepetitionPenaltyLogitsProcessor, TemperatureLogitsWarper,
                                  TopPLogitsWarper)

        self.request = request
        self.ids = prompt_ids  # (rows, prompt width + steps): what its processors see, as under `generate`
        self.max_new = int(request.max_new_tokens or backend.max_new_tokens)
        penalised = any(getattr(p, "penalises_repetition", False) for p in request.processors)
        self.processors = LogitsProcessorList(
            ([] if penalised else [RepetitionPenaltyLogitsProcessor(_REPETITION_PENALTY)]) + list(request.processors)
            + ([TemperatureLogitsWarper(SAMPLE_TEMPERATURE), TopPLogitsWarper(SAMPLE_TOP_P)]
               if request.seed is not None else []))
        self.generator = None
        if request.seed is not None:
            self.generator = torch.Generator(device=prompt_ids.device)
            self.generator.manual_seed(int(request.seed))
        self.streamer = _streamer_class()(backend.tokenizer, prefixes, backend._eos, _Deltas(request))
        self.streamer.put(prompt_ids)  # the prompt: emits prefilled reply starts
        self.open = set(range(len(prefixes)))  # rows still being written
        self.failed = False  # its processors raised: its rows leave, its caller has the error
        self.started = started  # when its prefill began

    def choose(self, rows: list[int], logits, pad_id: int):
        """Next token of each of ``rows`` (this request's row numbers) from their logits ``(len(rows), vocab)``."""
        import torch

        scores = logits.new_zeros((self.ids.shape[0], logits.shape[1]))
        scores[rows] = logits
        scores = self.processors(self.ids, scores)[rows]
        if self.generator is None:
            tokens = scores.argmax(-1)
        else:
            tokens = torch.multinomial(torch.softmax(scores, -1), 1, generator=self.generator).squeeze(1)
        column = self.ids.new_full((self.ids.shape[0], 1), pad_id)
        column[rows, 0] = tokens
        self.ids = torch.cat([self.ids, column], dim=1)
        self.streamer.put(column[:, 0])  # rows done before get the pad, which their streamer ignores
        return tokens

    def finished(self, row: int, token: int, eos: set[int]) -> bool:
        """Whether ``row`` is done after ``token``: its EOS, or its token limit (then its text is final now)."""
        if token in eos:
            return True
        if self.streamer.counted[row] < self.max_new:
            return False
        self.streamer.end_row(row)  # later columns give it pads, which must not become its text
        return True


class _Batch:
    """The rows being decoded: per layer keys and values ``(rows, heads, length, dim)``, their attention
    mask, and for each row its request and row number there (None once the row is done) and the token it
    is fed next.

    A done row stays, its output unread, until a quarter of the rows are done or new rows join: dropping
    rows copies every layer's keys and values, which costs about a step (57 ms at 40 rows on two cores);
    a done row costs only its share of a step."""

    def __init__(self):
        self.layers: list[tuple] = []
        self.mask = None
        self.owners: list[tuple[_Live, int] | None] = []
        self.next_tokens: list[int] = []

    def __len__(self) -> int:
        return len(self.owners)

    @property
    def alive(self) -> int:
        return sum(owner is not None for owner in self.owners)

    def end_rows(self, rows: list[int], pad_id: int) -> None:
        """Mark ``rows`` done; drop the done rows once they are a quarter of the batch."""
        for n in rows:
            self.owners[n], self.next_tokens[n] = None, pad_id
        if 4 * (len(self) - self.alive) >= len(self):
            self.compact()

    def compact(self) -> None:
        self.keep([n for n, owner in enumerate(self.owners) if owner is not None])

    def cache(self):
        """The batch's keys and values as the model's cache; each step writes its column in place."""
        from transformers import DynamicCache

        cache = DynamicCache()
        cache.layers = self.layers
        return cache

    def extend(self, layers: list[tuple], mask, owners: list[tuple[_Live, int]], tokens: list[int]) -> None:
        """Append rows; the shorter side is left-padded (masked) to the longer."""
        import torch

        self.compact()  # the rows are copied anyway
        if not self.owners:
            self.layers, self.mask = [_growing_layer(k, v) for k, v in layers], mask
        else:
            width = max(self.mask.shape[1], mask.shape[1])
            self.layers = [_growing_layer(torch.cat([_pad_left(old.keys, width, 2), _pad_left(k, width, 2)]),
                                          torch.cat([_pad_left(old.values, width, 2), _pad_left(v, width, 2)]))
                           for old, (k, v) in zip(self.layers, layers)]
            self.mask = torch.cat([_pad_left(self.mask, width, 1), _pad_left(mask, width, 1)])
        self.owners += owners
        self.next_tokens += tokens

    def keep(self, rows: list[int]) -> None:
        """Keep only ``rows`` (batch row numbers), then drop the columns every kept row masks out."""
        if len(rows) == len(self.owners):
            return
        if not rows:
            self.__init__()
            return
        import torch

        index = torch.tensor(rows, device=self.mask.device)
        mask = self.mask.index_select(0, index)
        start = int(mask.any(0).nonzero()[0])
        self.mask = mask[:, start:]
        self.layers = [_growing_layer(layer.keys.index_select(0, index)[:, :, start:],
                                      layer.values.index_select(0, index)[:, :, start:]) for layer in self.layers]
        self.owners = [self.owners[r] for r in rows]
        self.next_tokens = [self.next_tokens[r] for r in rows]


SLACK = 64  # columns a layer's buffer grows by at once: a step writes its keys and values in place


def _growing_layer(keys, values):
    """A cache layer over ``keys``/``values`` that writes each step's column into spare room, where transformers'
    ``DynamicLayer`` concatenates, copying the whole cache every step (at 40 rows: 138 -> 111 ms a step)."""
    global _GROWING_LAYER
    if _GROWING_LAYER is None:
        from transformers.cache_utils import DynamicLayer

        class GrowingLayer(DynamicLayer):
            def __init__(self, keys, values):
                super().__init__()
                self.dtype, self.device, self.is_initialized = keys.dtype, keys.device, True
                self._keys, self._values, self.length = keys, values, keys.shape[-2]
                self.keys, self.values = keys, values

            def update(self, key_states, value_states, *args, **kwargs):
                need = self.length + key_states.shape[-2]
                if need > self._keys.shape[-2]:
                    self._keys, self._values = (_with_room(t, self.length, need + SLACK) for t in (self._keys, self._values))
                self._keys[:, :, self.length:need] = key_states
                self._values[:, :, self.length:need] = value_states
                self.length = need
                self.keys, self.values = self._keys[:, :, :need], self._values[:, :, :need]
                return self.keys, self.values

            def get_seq_length(self) -> int:
                return self.length

            def _not_kept(self, *args, **kwargs):
                raise NotImplementedError("the continuous batch reorders and crops its rows itself (_Batch.keep)")

            crop = reorder_cache = batch_select_indices = batch_repeat_interleave = _not_kept

        _GROWING_LAYER = GrowingLayer
    return _GROWING_LAYER(keys, values)


_GROWING_LAYER = None


def _with_room(tensor, length: int, room: int):
    grown = tensor.new_empty((*tensor.shape[:2], room, tensor.shape[3]))
    grown[:, :, :length] = tensor[:, :, :length]
    return grown


def _pad_left(tensor, width: int, dim: int):
    """``tensor`` with zeros before it along ``dim`` up to ``width`` (masked columns of rows that are shorter)."""
    import torch

    missing = width - tensor.shape[dim]
    if missing <= 0:
        return tensor
    shape = list(tensor.shape)
    shape[dim] = missing
    return torch.cat([tensor.new_zeros(shape), tensor], dim=dim)


class ContinuousBatchingLLM(BatchingLLM):
    """:class:`BatchingLLM` whose worker keeps one batch going that requests join and leave at step boundaries.

    Needs an in-process transformers backend (``model``, ``tokenizer``, ``encode``); on a ZeroGPU Space the
    model runs in another process, so there the whole-batch worker is used (llm/__init__.py).
    """

    joins_running_batch = True  # so a caller need not wait for others to share a batch (explain/traffic.py)

    def describe(self) -> str:
        return (f"{self.backend.describe()}; requests of all sessions share one decode batch that they join at the "
                f"next step (up to {self.max_rows} rows)")

    def _work(self) -> None:
        batch = _Batch()
        while True:
            try:
                if batch and not batch.alive:
                    batch = _Batch()
                admitted = self._admit(batch, wait=not batch)
                with self.backend._generate_lock:
                    if admitted:
                        self._prefill(batch, admitted)
                    if batch:
                        self._step(batch)
                self._drop_cancelled(batch)
            except Exception as err:  # noqa: BLE001 - every request in the batch hears of it and falls back
                self._fail(err, [r for r in self._running], len(batch))
                batch = _Batch()

    # ------------------------------------------------------------------ admission
    def _admit(self, batch: _Batch, wait: bool) -> list[_Request]:
        """Requests to add now: the oldest first, as many as fit beside the rows decoding (one always fits an
        empty batch). With an empty batch, waits for a request, then a moment for others to come with it."""
        with self._cond:
            if wait:
                while not self._queue:
                    self._cond.wait()
            if not self._queue:
                return []
            first = self._queue[0]
        if wait:
            pause = first.queued_at + self.window_s - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
        with self._cond:
            decoding = batch.alive
            admitted, rows = [], decoding
            while self._queue:
                request = self._queue[0]
                if request.cancelled.is_set():
                    self._queue.popleft()  # its caller gave up (closed, or past its deadline)
                    continue
                if rows and rows + len(request.conversations) > self.max_rows:
                    break
                admitted.append(self._queue.popleft())
                rows += len(request.conversations)
            self._running = [*self._running, *admitted]  # in the same lock: never neither queued nor running
        if admitted:
            now = time.perf_counter()
            self.batches.append({"requests": len(admitted), "rows": rows - decoding, "joined_rows": decoding,
                                 "waited_s": round(now - min(r.queued_at for r in admitted), 3)})
        return admitted

    # ------------------------------------------------------------------ decoding
    def _prefill(self, batch: _Batch, admitted: list[_Request]) -> None:
        """Prompts of the admitted requests in one forward pass; their rows join ``batch`` with a first token."""
        import torch

        backend = self.backend
        started = time.perf_counter()
        conversations = [c for request in admitted for c in request.conversations]
        try:
            enc, prefixes = backend.encode(conversations)
            ids, mask = enc["input_ids"], enc["attention_mask"]
            past = enc.get("past_key_values")
            cached = past.get_seq_length() if past is not None else 0
            positions = (mask.long().cumsum(-1) - 1).masked_fill(mask == 0, 0)
            with torch.inference_mode():
                out = backend.model(input_ids=ids[:, cached:], attention_mask=mask, position_ids=positions[:, cached:],
                                    past_key_values=past, use_cache=True, logits_to_keep=1)
            if any(getattr(layer, "is_sliding", False) for layer in out.past_key_values.layers):
                raise ValueError(f"{backend.name} has sliding-window attention, which this batch does not keep: set "
                                 "RECS_LLM_BATCHING=whole")
            logits = out.logits[:, -1, :].float()
            layers = [(keys, values) for keys, values, *_ in out.past_key_values]
            owners, start = [], 0
            for request in admitted:
                n = len(request.conversations)
                request.live = _Live(request, backend, ids[start:start + n], prefixes[start:start + n], started)
                owners += [(request.live, row) for row in range(n)]
                start += n
            tokens = self._choose(owners, logits)
        except Exception as err:  # noqa: BLE001 - only these requests fail; the rows decoding go on
            self._fail(err, admitted, len(conversations))
            return
        batch.extend(layers, mask, owners, tokens)
        self._retire(batch)

    def _step(self, batch: _Batch) -> None:
        """One token for every row of the batch."""
        import torch

        device = batch.mask.device
        positions = batch.mask.sum(-1, keepdim=True)  # a row's real tokens so far: the new token's position
        mask = torch.cat([batch.mask, batch.mask.new_ones((len(batch), 1))], dim=1)
        with torch.inference_mode():
            out = self.backend.model(input_ids=torch.tensor(batch.next_tokens, device=device).unsqueeze(1),
                                     attention_mask=mask, position_ids=positions, past_key_values=batch.cache(),
                                     use_cache=True)
        batch.mask = mask  # the cache's layers are the batch's: the step wrote its column into them
        batch.next_tokens = self._choose(batch.owners, out.logits[:, -1, :].float())
        self._retire(batch)

    def _choose(self, owners: list[tuple[_Live, int]], logits) -> list[int]:
        """Next token of each row, each request deciding for its own rows."""
        pad = self.backend.tokenizer.pad_token_id
        chosen = [pad] * len(owners)
        by_request: dict[int, tuple[_Live, list[int]]] = {}
        for n, owner in enumerate(owners):
            if owner is not None:
                by_request.setdefault(id(owner[0]), (owner[0], []))[1].append(n)
        for live, positions in by_request.values():
            try:
                tokens = live.choose([owners[n][1] for n in positions], logits[positions], pad)
            except Exception as err:  # noqa: BLE001 - one request's processors failed: only it falls back
                live.failed = True
                self._fail(err, [live.request], len(positions))
                continue
            for n, token in zip(positions, tokens.tolist()):
                chosen[n] = int(token)
        return chosen

    def _retire(self, batch: _Batch) -> None:
        """Drop the rows that are done; a request whose rows are all done is answered and leaves."""
        eos = set(self.backend._eos)
        done, ended = [], []
        for n, (owner, token) in enumerate(zip(batch.owners, batch.next_tokens)):
            if owner is not None and owner[0].failed:
                done.append(n)  # its caller has heard of the failure already
            elif owner is not None and owner[0].finished(owner[1], token, eos):
                done.append(n)
                owner[0].open.discard(owner[1])
                if not owner[0].open:
                    ended.append(owner[0])
        batch.end_rows(done, self.backend.tokenizer.pad_token_id)
        for live in ended:
            self._answer(live)

    def _answer(self, live: _Live) -> None:
        live.streamer.end()  # flushes rows stopped by their token limit
        self.backend._set_stats(live.streamer, live.started, time.perf_counter())
        live.request.out.put(_DONE)
        self._leave([live.request])

    def _drop_cancelled(self, batch: _Batch) -> None:
        """Rows of requests nobody reads any more leave the batch before the next step."""
        gone = {id(owner[0]) for owner in batch.owners if owner is not None and owner[0].request.cancelled.is_set()}
        if not gone:
            return
        batch.end_rows([n for n, owner in enumerate(batch.owners) if owner is not None and id(owner[0]) in gone],
                       self.backend.tokenizer.pad_token_id)
        with self._cond:
            cancelled = [r for r in self._running if id(getattr(r, "live", None)) in gone]
        self._leave(cancelled)
        for request in cancelled:
            request.out.put(_DONE)

    def _fail(self, err: BaseException, requests: list[_Request], rows: int) -> None:
        """``requests`` get the error, then their end, and leave; the error is logged once, not once per session."""
        log_failure(err, rows)
        self._leave(requests)
        for request in requests:
            request.out.put(err)
            request.out.put(_DONE)

    def _leave(self, requests: list[_Request]) -> None:
        """``requests`` are no longer written: they stop counting for ``busy``."""
        gone = {id(r) for r in requests}
        with self._cond:
            self._running = [r for r in self._running if id(r) not in gone]
