"""Reuse of the attention keys and values of prompt prefixes that every call shares.

Every explanation prompt starts with the same system rules and worked example; only the last user
message (the item's facts) differs. On a CPU the prefill of those shared tokens is most of the time
to the first token, so their keys and values are computed once per process and copied into each
batch: a row is laid out as ``[pad][shared prefix][pad][own suffix]``, the pads masked out. Position
ids follow the attention mask (transformers counts them with a cumulative sum), so the prefix keeps
the positions it was computed at, and the result equals a left-padded prompt up to float rounding.
"""

from __future__ import annotations

import collections
import threading
from typing import Any

MAX_PREFIXES = 8  # distinct shared prefixes kept (the explainer uses two: one per worked example)
MIN_PREFIX_TOKENS = 16  # shorter prefixes are not worth the bookkeeping


class PrefixCache:
    """Keys and values of shared prompt prefixes for one model, least recently used dropped first."""

    def __init__(self, model: Any, max_prefixes: int = MAX_PREFIXES):
        self.model = model
        self.max_prefixes = max_prefixes
        self._kv: collections.OrderedDict[tuple[int, ...], list[tuple[Any, Any]]] = collections.OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def layers(self, prefix: tuple[int, ...]) -> list[tuple[Any, Any]]:
        """Per layer ``(keys, values)`` of shape ``(1, heads, len(prefix), head_dim)``, computed on first use."""
        with self._lock:
            if prefix in self._kv:
                self._kv.move_to_end(prefix)
                self.hits += 1
                return self._kv[prefix]
        import torch

        with torch.inference_mode():
            ids = torch.tensor([prefix], device=self.model.device)
            cache = self.model(input_ids=ids, use_cache=True).past_key_values
            kv = [(keys.clone(), values.clone()) for keys, values, *_ in cache]
        with self._lock:
            self.misses += 1
            self._kv[prefix] = kv
            while len(self._kv) > self.max_prefixes:
                self._kv.popitem(last=False)
        return kv

    def build(self, prefixes: list[tuple[int, ...]], suffixes: list[list[int]], pad_id: int) -> dict:
        """``input_ids``, ``attention_mask`` and ``past_key_values`` for ``generate``, rows aligned at the end."""
        import torch
        from transformers import DynamicCache

        width_p = max(len(p) for p in prefixes)
        width_s = max(len(s) for s in suffixes)
        ids, mask = [], []
        for prefix, suffix in zip(prefixes, suffixes):
            pad_p, pad_s = width_p - len(prefix), width_s - len(suffix)
            ids.append([pad_id] * pad_p + list(prefix) + [pad_id] * pad_s + list(suffix))
            mask.append([0] * pad_p + [1] * len(prefix) + [0] * pad_s + [1] * len(suffix))
        per_row = [self.layers(p) for p in prefixes]
        data = []
        for layer in range(len(per_row[0])):
            keys0, values0 = per_row[0][layer]
            shape = (len(prefixes), keys0.shape[1], width_p, keys0.shape[3])
            keys = keys0.new_zeros(shape)
            values = values0.new_zeros((len(prefixes), values0.shape[1], width_p, values0.shape[3]))
            for row, prefix in enumerate(prefixes):
                k, v = per_row[row][layer]
                keys[row, :, width_p - len(prefix):] = k[0]
                values[row, :, width_p - len(prefix):] = v[0]
            data.append((keys, values))
        device = self.model.device
        return {
            "input_ids": torch.tensor(ids, device=device),
            "attention_mask": torch.tensor(mask, device=device),
            "past_key_values": DynamicCache(ddp_cache_data=data),
        }


def split_prompt(tokenizer: Any, conversation: list[dict], full_ids: list[int]) -> tuple[tuple[int, ...], list[int]] | None:
    """``(shared prefix ids, own suffix ids)``: everything before the last user message is the prefix.

    None when the conversation has no such prefix, or when its tokens are not a prefix of the whole
    prompt's tokens (a chat template that renders earlier turns differently once more follow).
    """
    last_user = max((n for n, m in enumerate(conversation) if m.get("role") == "user"), default=0)
    if last_user < 1:
        return None
    text = tokenizer.apply_chat_template(conversation[:last_user], tokenize=False)
    prefix = tokenizer(text, add_special_tokens=False)["input_ids"]
    if len(prefix) < MIN_PREFIX_TOKENS or len(prefix) >= len(full_ids) or full_ids[: len(prefix)] != prefix:
        return None
    return tuple(prefix), full_ids[len(prefix):]
