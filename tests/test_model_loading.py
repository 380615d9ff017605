"""Model loads in two threads must not leave transformers' loading patches behind.

from_pretrained swaps PreTrainedModel.tie_weights and torch.nn.init for no-ops while it
builds a model; overlapping loads used to leave them switched off for good, so a later
LLM load got an uninitialised lm_head (CI saw NaN logits). Start-up loads the LLM in a
thread beside the embedder, so this is the product's own situation.
"""

from __future__ import annotations

import threading

import pytest

from llm.transformers_backend import TransformersLLM
from retrieval.embedder import Embedder


def assert_loading_patches_undone():
    import torch
    from transformers import PreTrainedModel

    assert PreTrainedModel.tie_weights.__name__ == "tie_weights"
    assert PreTrainedModel.init_weights.__name__ == "init_weights"
    assert torch.nn.init.normal_.__name__ == "normal_"
    assert torch.get_default_dtype() == torch.float32


def assert_tied(llm: TransformersLLM):
    model = llm.model
    assert model.get_output_embeddings().weight is model.get_input_embeddings().weight


def test_start_up_leaves_transformers_intact(recommender):
    assert_loading_patches_undone()
    assert_tied(recommender.llm)


@pytest.mark.parametrize("round_", range(3))
def test_concurrent_loads_leave_transformers_intact(recommender, settings, round_):
    recommender.llm.load()  # the converted cache exists: these loads are the fast path
    llm = TransformersLLM(settings.llm, settings.cache_dir, max_new_tokens=5)
    embedders = [Embedder(settings.embedder) for _ in range(3)]
    errors: list[BaseException] = []

    def run(load):
        try:
            load()
        except BaseException as exc:  # surfaced below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(llm.load,))]
    threads += [threading.Thread(target=run, args=(e.load,)) for e in embedders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert_loading_patches_undone()
    assert_tied(llm)
    assert llm.generate([[{"role": "user", "content": "Say hello."}]])[0]
