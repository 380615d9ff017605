"""LLM backends for the explanations, behind one interface (``llm.base.LLMBackend``) and a registry.

``RECS_LLM_BACKEND`` picks one by name; without it, ``RECS_LLM_URL`` selects the OpenAI-compatible
endpoint and otherwise the model runs in this process with transformers. Backends are imported only
when made, so importing this package pulls in neither torch nor an HTTP client.
"""

from __future__ import annotations

import importlib

# name -> "module:Class"; each class takes the run-time Settings.
BACKENDS = {
    "transformers": "llm.transformers_backend:TransformersLLM",
    "openai": "llm.openai_backend:OpenAICompatibleLLM",
}

DTYPES = ("auto", "float32", "bfloat16")  # the LLM's number type (RECS_LLM_DTYPE; llm/cpu_decoding.py)

# How the in-process model's requests share decode batches (RECS_LLM_BATCHING): name -> "module:Class".
BATCHERS = {
    "continuous": "llm.continuous:ContinuousBatchingLLM",  # requests join the running batch at the next step
    "whole": "llm.batching:BatchingLLM",  # one batch at a time; requests that come meanwhile make the next
}


def backend_name(settings) -> str:
    if settings.llm_backend:
        return settings.llm_backend
    return "openai" if settings.llm_url else "transformers"


def make_llm(settings):
    """The configured backend, not loaded yet (heavy work happens on its first ``load``/``stream``)."""
    name = backend_name(settings)
    if name not in BACKENDS:
        raise ValueError(f"Setting llm_backend={name!r} is invalid: set RECS_LLM_BACKEND to one of {', '.join(BACKENDS)}")
    module, cls = BACKENDS[name].split(":")
    backend = getattr(importlib.import_module(module), cls).from_settings(settings)
    if name == "transformers":
        # One model in this process serves every session: their requests share decode batches.
        # A remote server batches on its own (vLLM, llama.cpp), so its requests go straight to it.
        return _batcher(settings)(backend, deadline_s=settings.llm_timeout)
    return backend


def _batcher(settings):
    from runtime import zerogpu

    # On a ZeroGPU Space each generation runs in a GPU worker process: no batch can stay open between calls.
    name = "whole" if zerogpu.requested() else settings.llm_batching
    module, cls = BATCHERS[name].split(":")
    return getattr(importlib.import_module(module), cls)
