"""CPU-only speed-ups for the batched decoding of a small LLM: the LM head's shape, and bfloat16 where the CPU has it.

For a few rows, ``F.linear(h, W)`` (h @ W.T) over SmolLM2's 49,152-token vocabulary is a shape MKL
handles slowly; the same product computed as ``W @ h.T`` is markedly faster, and the LM head runs
once per decode step. The logits are the same up to float32 rounding (tests/test_llm.py checks them
and the generated replies). On CUDA the model is left as transformers built it.
"""

from __future__ import annotations

from pathlib import Path

import torch

from llm import DTYPES

# CPU flags (Linux /proc/cpuinfo) of native bfloat16 arithmetic: AMX tiles (Intel Sapphire Rapids and later)
# or AVX-512 BF16 (also AMD Zen 4). Without them bfloat16 is emulated and slower than float32.
NATIVE_BF16_FLAGS = ("amx_bf16", "avx512_bf16")


class TransposedLMHead(torch.nn.Module):
    """The LM head computed as ``W @ h.T``: the same logits up to rounding, in a shape MKL is fast at.

    It keeps the original ``weight`` Parameter, so tied input and output embeddings stay tied.
    """

    def __init__(self, head: torch.nn.Linear):
        super().__init__()
        self.weight = head.weight
        self.bias = head.bias

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        rows = hidden.reshape(-1, hidden.shape[-1])
        logits = torch.mm(self.weight, rows.T).T
        if self.bias is not None:
            logits = logits + self.bias
        return logits.reshape(*hidden.shape[:-1], self.weight.shape[0])


def speed_up_for_cpu(model) -> None:
    """Swap in the transposed LM head; call once after loading, on a CPU model only."""
    head = model.get_output_embeddings()
    if isinstance(head, torch.nn.Linear):
        model.set_output_embeddings(TransposedLMHead(head))


def cpuinfo_field(name: str, cpuinfo: Path = Path("/proc/cpuinfo")) -> str | None:
    """The value of the first ``name`` line of Linux's /proc/cpuinfo ("flags", "model name"); None where unread."""
    try:
        return next((line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                     if line.startswith(name)), None)
    except OSError:
        return None


def native_bf16(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """Whether this CPU computes bfloat16 natively (False where the flags cannot be read)."""
    flags = (cpuinfo_field("flags", cpuinfo) or "").split()
    return any(flag in flags for flag in NATIVE_BF16_FLAGS)


def cpu_dtype(choice: str = "auto") -> torch.dtype:
    """The dtype a CPU model runs in. "auto": bfloat16 where the CPU has native bfloat16 (measured with
    `python -m evaluation explanations --cores 2` on an Intel Xeon with AMX: a 10-row, 40-token batch 7.0 s
    instead of 9.8 s), else float32. bfloat16 rounds the dequantised Q4_1 weights a little (its scales are
    float16); the claim checker judges every sentence either way."""
    if choice not in DTYPES:
        raise ValueError(f"Setting llm_dtype={choice!r} is invalid: set RECS_LLM_DTYPE to one of {', '.join(DTYPES)}")
    if choice == "auto":
        return torch.bfloat16 if native_bf16() else torch.float32
    return getattr(torch, choice)
