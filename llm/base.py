"""The one interface every LLM backend offers the explainer: batched replies, streamed as row deltas.

A *conversation* is a list of chat messages (``{"role": ..., "content": ...}``); one ending with an
``assistant`` message asks the model to continue that message. ``stream`` yields ``(row, text_delta)``
pairs whose deltas add up, per row, to what ``generate`` returns; closing the iterator early stops the
work. ``logits_processors`` (transformers ``LogitsProcessor`` objects) apply only where the backend
decodes in this process; a remote backend ignores them and says so with ``tokenizer = None``.
``last_stats`` describes the latest call; ``stats_log`` keeps the recent ones, newest last.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator
from typing import Any


class LLMBackend(abc.ABC):
    name: str = ""
    tokenizer: Any = None  # set by backends that decode here (the explainer builds decoding constraints from it)
    last_stats: dict

    @abc.abstractmethod
    def load(self) -> None:
        """Get ready (load weights, or check the server answers); idempotent and thread-safe."""

    @abc.abstractmethod
    def describe(self) -> str:
        """One line for start-up logs: which model, where, on which device."""

    @abc.abstractmethod
    def stream(self, conversations: list[list[dict]], max_new_tokens: int | None = None,
               logits_processors: list | None = None, seed: int | None = None) -> Iterator[tuple[int, str]]:
        """``(row, text_delta)`` as the replies are written: greedy, or sampled with ``seed``."""

    def generate(self, conversations: list[list[dict]], max_new_tokens: int | None = None,
                 logits_processors: list | None = None, seed: int | None = None) -> list[str]:
        """One whole reply per conversation (the stream, collected)."""
        texts = [""] * len(conversations)
        for row, delta in self.stream(conversations, max_new_tokens, logits_processors, seed):
            texts[row] += delta
        return [t.strip() for t in texts]
