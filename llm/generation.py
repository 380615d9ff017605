"""Batched, streamed generation for :class:`llm.transformers_backend.TransformersLLM` (kept apart from loading and GGUF conversion).

``TransformersLLM`` inherits :class:`Generation`: ``generate`` returns one reply per conversation and
``stream`` yields ``(row, text_delta)`` while one batched ``generate`` call runs in a thread.
"""

from __future__ import annotations

import collections
import queue
import threading
import time
from collections.abc import Iterator
from typing import Any

from llm.prefix_cache import PrefixCache, split_prompt
from runtime import zerogpu

# Greedy decoding loops on this small model without a penalty; 1.2 already makes it
# avoid the item's own name (which is in the prompt). 1.1 read best.
_REPETITION_PENALTY = 1.1
STATS_LOG_CALLS = 16
# Sampling, when a caller asks for it with a seed (a second try that should differ from the greedy one).
SAMPLE_TEMPERATURE = 0.7
SAMPLE_TOP_P = 0.9


@zerogpu.on_gpu
def _run_generate(model: Any, kwargs: dict, streamer: Any = None):
    """One batched `model.generate`: under `spaces.GPU` on a ZeroGPU Space (runtime.zerogpu), else here."""
    import torch

    with torch.inference_mode():
        return model.generate(**kwargs, streamer=streamer)


def _eos_ids(model: Any, tokenizer: Any) -> list[int]:
    ids: list[int] = []
    configured = model.generation_config.eos_token_id
    if configured is None:
        configured = []
    elif isinstance(configured, int):
        configured = [configured]
    for value in [*configured, tokenizer.eos_token_id]:
        if value is not None and int(value) not in ids:
            ids.append(int(value))
    return ids


class _BatchStreamer:
    """Streamer for a batched ``generate``: turns tokens into per-row text deltas.

    ``put`` first gets the prompt ids (skipped; a row's prefilled start, if any, is
    emitted then), then one token per row per step, shaped ``(batch,)`` or
    ``(batch, 1)``. Each row is decoded in full and the new suffix of its reply
    text (as :func:`_reply_text` builds it) is pushed as ``(row, delta)`` on ``out``; text
    ending in U+FFFD (a partial multi-byte character) and trailing whitespace
    are held back, and a row says nothing after its EOS. ``end`` flushes and
    pushes ``_DONE``. With ``out=None`` it only records timings and counts.
    """

    def __init__(
        self,
        tokenizer: Any,
        prefixes: list[str],
        eos_ids: list[int],
        out: queue.Queue | None,
    ):
        rows = len(prefixes)
        self.tokenizer = tokenizer
        self.prefixes = prefixes
        self.eos_ids = set(eos_ids)
        self.out = out
        self.tokens: list[list[int]] = [[] for _ in range(rows)]
        self.done = [False] * rows
        self.counted = [0] * rows  # generated tokens, EOS included
        self.emitted = [""] * rows
        self.prompt_seen = False
        self.first_token_at: float | None = None

    def put(self, value) -> None:
        if not self.prompt_seen:
            self.prompt_seen = True
            for row, prefix in enumerate(self.prefixes):
                if prefix:
                    self._emit(row, final=False)
            return
        if self.first_token_at is None:
            self.first_token_at = time.perf_counter()
        flat = value.reshape(-1).tolist()
        for row, token in enumerate(flat[: len(self.tokens)]):
            if self.done[row]:
                continue
            self.counted[row] += 1
            if int(token) in self.eos_ids:
                self.done[row] = True
                self._emit(row, final=True)
                continue
            self.tokens[row].append(int(token))
            self._emit(row, final=False)

    def end(self) -> None:
        for row in range(len(self.tokens)):
            self.end_row(row)
        if self.out is not None:
            self.out.put(_DONE)

    def end_row(self, row: int) -> None:
        """The row says its final text now and nothing after (later tokens for it are ignored)."""
        if not self.done[row]:
            self.done[row] = True
            self._emit(row, final=True)

    def _emit(self, row: int, final: bool) -> None:
        if self.out is None:
            return
        text = _reply_text(self.tokenizer, self.prefixes[row], self.tokens[row])
        if not final and text.endswith("\ufffd"):
            return
        emitted = self.emitted[row]
        if not text.startswith(emitted) or len(text) == len(emitted):
            return
        self.emitted[row] = text
        self.out.put((row, text[len(emitted):]))


_DONE = object()


def _reply_text(tokenizer: Any, prefix: str, tokens: list[int]) -> str:
    """The reply as returned: the prefilled start, if any, plus the decoded tokens, stripped."""
    return (prefix + tokenizer.decode(tokens, skip_special_tokens=True)).strip()


def _streamer_class():
    """``_BatchStreamer`` made a subclass of transformers' ``BaseStreamer`` (imported lazily)."""
    global _STREAMER_CLASS
    if _STREAMER_CLASS is None:
        from transformers.generation.streamers import BaseStreamer

        _STREAMER_CLASS = type("BatchStreamer", (_BatchStreamer, BaseStreamer), {})
    return _STREAMER_CLASS


_STREAMER_CLASS: type | None = None


def _cancel_criteria(event: threading.Event):
    """A ``StoppingCriteria`` that stops every row once ``event`` is set."""
    import torch
    from transformers import StoppingCriteria

    class _Cancel(StoppingCriteria):
        def __call__(self, input_ids, scores, **kwargs):
            return torch.full(
                (input_ids.shape[0],), event.is_set(), dtype=torch.bool, device=input_ids.device
            )

    return _Cancel()



class Generation:
    """Generation methods; the class that mixes them in provides ``load``, ``model``, ``tokenizer``,
    ``max_new_tokens``, ``_eos``, ``_generate_lock`` and ``last_stats``."""

    # Keys and values of the prompt before the last user message are computed once and reused (chat/prefix_cache.py).
    reuse_prefix = True

    def encode(self, conversations: list[list[dict]]) -> tuple[dict, list[str]]:
        """``input_ids`` and ``attention_mask`` (left-padded; with ``past_key_values`` of shared prefixes when
        they are reused), and each row's prefilled reply start ("" where the model starts the reply)."""
        self.load()
        texts, prefixes = [], []
        for conv in conversations:
            if conv and conv[-1].get("role") == "assistant":
                prefixes.append(str(conv[-1].get("content") or ""))
                texts.append(
                    self.tokenizer.apply_chat_template(conv, continue_final_message=True, tokenize=False)
                )
            else:
                prefixes.append("")
                texts.append(
                    self.tokenizer.apply_chat_template(conv, add_generation_prompt=True, tokenize=False)
                )
        enc = self._shared_prefix_inputs(conversations, texts) if self.reuse_prefix else None
        if enc is None:
            enc = self.tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False)
            enc = {key: value.to(self.model.device) for key, value in enc.items()}
        return enc, prefixes

    def _prepare(self, conversations: list[list[dict]], max_new_tokens: int | None,
                 logits_processors: list | None = None, seed: int | None = None):
        """Tokenised prompts and ``generate`` arguments: greedy, or sampled when a seed is given."""
        enc, prefixes = self.encode(conversations)
        kwargs = {
            **enc,
            "max_new_tokens": int(max_new_tokens or self.max_new_tokens),
            "do_sample": False,
            "temperature": None,
            "top_p": None,
            "top_k": None,
            "repetition_penalty": _REPETITION_PENALTY,
            "eos_token_id": self._eos,
            "pad_token_id": self.tokenizer.pad_token_id,
        }
        if seed is not None:
            kwargs.update(do_sample=True, temperature=SAMPLE_TEMPERATURE, top_p=SAMPLE_TOP_P)
        if logits_processors:
            from transformers import LogitsProcessorList

            kwargs["logits_processor"] = LogitsProcessorList(logits_processors)
            if any(getattr(p, "penalises_repetition", False) for p in logits_processors):
                kwargs["repetition_penalty"] = None  # the processor penalises repeats itself
        return kwargs, prefixes

    def _shared_prefix_inputs(self, conversations: list[list[dict]], texts: list[str]) -> dict | None:
        """Inputs whose shared prefixes come from :class:`PrefixCache`, or None where a row has no usable prefix."""
        full = self.tokenizer(texts, add_special_tokens=False)["input_ids"]
        splits = [split_prompt(self.tokenizer, conv, ids) for conv, ids in zip(conversations, full)]
        if any(split is None for split in splits):
            return None
        if self.__dict__.get("_prefix_cache") is None or self._prefix_cache.model is not self.model:
            self._prefix_cache = PrefixCache(self.model)
        return self._prefix_cache.build([p for p, _ in splits], [s for _, s in splits], self.tokenizer.pad_token_id)

    def _set_stats(self, streamer: _BatchStreamer, started: float, finished: float) -> None:
        seconds = finished - started
        new_tokens = sum(streamer.counted)
        first = streamer.first_token_at
        self.last_stats = {
            "rows": len(streamer.counted),
            "steps": max(streamer.counted, default=0),
            "new_tokens": new_tokens,
            "seconds": round(seconds, 4),
            "tokens_per_s": round(new_tokens / seconds, 2) if seconds > 0 else 0.0,
            "first_token_s": round((first - started) if first is not None else seconds, 4),
            # perf_counter() instants, so a caller can time a turn up to the first generated token
            "started_at": started,
            "first_token_at": first,
        }
        # every call, newest last: a turn may make several (a regeneration)
        self.__dict__.setdefault("stats_log", collections.deque(maxlen=STATS_LOG_CALLS)).append(self.last_stats)

    def generate(self, conversations: list[list[dict]], max_new_tokens: int | None = None,
                 logits_processors: list | None = None, seed: int | None = None) -> list[str]:
        """One reply per conversation, all in one batched ``generate`` call: greedy, or sampled with ``seed``.

        ``logits_processors`` (transformers ``LogitsProcessor`` objects) run after the built-in ones.
        """
        if not conversations:
            return []
        import torch

        kwargs, prefixes = self._prepare(conversations, max_new_tokens, logits_processors, seed)
        prompt_len = kwargs["input_ids"].shape[1]
        streamer = _streamer_class()(self.tokenizer, prefixes, self._eos, None)
        with self._generate_lock:
            started = time.perf_counter()
            if seed is not None:
                torch.manual_seed(seed)
            # On ZeroGPU the call runs in another process: the streamer (first-token time) stays here, unused.
            output = _run_generate(self.model, kwargs, None if _run_generate.zero_gpu() else streamer)
            finished = time.perf_counter()
        self._set_stats(streamer, started, finished)
        eos = set(self._eos)
        replies = []
        for prefix, row in zip(prefixes, output[:, prompt_len:].tolist()):
            cut = next((i for i, token in enumerate(row) if token in eos), len(row))
            replies.append(_reply_text(self.tokenizer, prefix, row[:cut]))
        return replies

    def stream(
        self, conversations: list[list[dict]], max_new_tokens: int | None = None,
        logits_processors: list | None = None, seed: int | None = None,
    ) -> Iterator[tuple[int, str]]:
        """Yield ``(row_index, text_delta)`` while one batched ``generate`` runs in a thread.

        The deltas of a row add up to what :meth:`generate` returns for it (same arguments).
        Closing the iterator early stops the generation at the next step.
        """
        if not conversations:
            return
        if _run_generate.zero_gpu():  # the GPU worker is another process: the batch comes back whole
            yield from enumerate(self.generate(conversations, max_new_tokens, logits_processors, seed))
            return
        import torch
        from transformers import StoppingCriteriaList

        kwargs, prefixes = self._prepare(conversations, max_new_tokens, logits_processors, seed)
        out: queue.Queue = queue.Queue()
        streamer = _streamer_class()(self.tokenizer, prefixes, self._eos, out)
        cancel = threading.Event()
        kwargs["stopping_criteria"] = StoppingCriteriaList([_cancel_criteria(cancel)])
        failure: list[BaseException] = []
        times: dict[str, float] = {}

        def work() -> None:
            try:
                with self._generate_lock, torch.inference_mode():
                    times["started"] = time.perf_counter()
                    if seed is not None:
                        torch.manual_seed(seed)
                    self.model.generate(**kwargs, streamer=streamer)
            except BaseException as exc:  # re-raised in the consumer
                failure.append(exc)
            finally:
                times["finished"] = time.perf_counter()
                out.put(_DONE)

        thread = threading.Thread(target=work, name="recs-llm-stream", daemon=True)
        thread.start()
        try:
            while True:
                item = out.get()
                if item is _DONE:
                    break
                yield item
        finally:
            cancel.set()
            thread.join()
            # Also when the caller stopped early (it closed the stream): the stats still describe this call.
            self._set_stats(streamer, times.get("started", times["finished"]), times["finished"])
        if failure:
            raise failure[0]
