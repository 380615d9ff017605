"""ZeroGPU on a Hugging Face Space: generation runs under `@spaces.GPU` where a ZeroGPU is requested.

A ZeroGPU Space sets SPACES_ZERO_GPU=true and ships the `spaces` package; a GPU is attached only while a
function decorated with `spaces.GPU` runs, in a worker process of its own. Anywhere else (no variable, or
no package) nothing changes and `spaces` is never imported.

Because the decorated call runs in another process, tokens cannot stream back through a queue: under
ZeroGPU each batch comes back whole (llm.generation), and the rows are shown when it returns.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import os

log = logging.getLogger("recs.llm")
GPU_SECONDS = 60  # the most one batch of explanations may hold the GPU


def requested(env=None) -> bool:
    """A ZeroGPU was asked for (the Space sets SPACES_ZERO_GPU) and the `spaces` package is there."""
    value = (os.environ if env is None else env).get("SPACES_ZERO_GPU", "")
    return value.strip().lower() in ("1", "t", "true") and importlib.util.find_spec("spaces") is not None


def on_gpu(fn):
    """`fn` under `spaces.GPU` when a ZeroGPU is requested; else `fn` itself. Decided once, at the first call
    (or `zero_gpu()`), so importing this module imports nothing and a generation looks nothing up."""
    decided: list = []  # [(on ZeroGPU, the function to call)]

    def decide() -> tuple[bool, object]:
        if not decided:
            if requested():
                import spaces  # only on a ZeroGPU Space

                log.info("ZeroGPU: %s runs under spaces.GPU (%d s at most)", fn.__name__, GPU_SECONDS)
                decided.append((True, spaces.GPU(duration=GPU_SECONDS)(fn)))
            else:
                decided.append((False, fn))
        return decided[0]

    @functools.wraps(fn)
    def call(*args, **kwargs):
        return decide()[1](*args, **kwargs)

    call.zero_gpu = lambda: decide()[0]
    return call
