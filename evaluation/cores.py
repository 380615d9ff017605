"""`--cores N`: run a benchmark on N cores of this machine, to stand for a smaller one.

The process is pinned to CPUs 0..N-1 with `sched_setaffinity` (what `taskset -c 0-(N-1)` does), before
torch is imported, so its thread pools size themselves to N; torch's intra-op threads are set to N too.
Children (an app started by the benchmark) inherit the pinning.
"""

from __future__ import annotations

import os


def pin(cores: int | None) -> str | None:
    """Pin this process to the first `cores` CPUs it may use; returns the line that says so (None: not pinned)."""
    if not cores:
        return None
    allowed = sorted(os.sched_getaffinity(0))
    if not 1 <= cores <= len(allowed):
        raise ValueError(f"--cores {cores}: this machine lets this process use {len(allowed)} CPUs; "
                         f"give a number from 1 to {len(allowed)}")
    chosen = allowed[:cores]
    os.sched_setaffinity(0, chosen)
    os.environ["OMP_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = str(cores)  # for pools not made yet
    import torch

    torch.set_num_threads(cores)
    return (f"cores: {cores} of {len(allowed)} of {cpu_model()} (sched_setaffinity to CPU {','.join(map(str, chosen))}, "
            f"as `taskset -c {chosen[0]}{'-' + str(chosen[-1]) if cores > 1 else ''}`; torch threads {cores})")


def cpu_model() -> str:
    """The CPU's model name and whether it has native bfloat16 (the LLM's speed depends on both)."""
    from llm.cpu_decoding import cpuinfo_field, native_bf16

    name = cpuinfo_field("model name") or "an unnamed CPU"
    return f"{name}{' with' if native_bf16() else ', no'} native bfloat16"
