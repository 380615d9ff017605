"""A CPU-only speed-up for the batched decoding of a small LLM.

For a few rows, ``F.linear(h, W)`` (h @ W.T) over SmolLM2's 49,152-token vocabulary is a shape MKL
handles slowly; the same product computed as ``W @ h.T`` is markedly faster, and the LM head runs
once per decode step. The logits are the same up to float32 rounding (tests/test_llm.py checks them
and the generated replies). On CUDA the model is left as transformers built it.
"""

from __future__ import annotations

import torch


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
