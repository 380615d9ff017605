"""Continuous batching (llm/continuous.py): a request joins the running decode batch at the next step, rows
leave when done, and each request keeps its own decoding. Run on the real SmolLM2 in float32, where a row's
text does not depend on the rows beside it."""

from __future__ import annotations

import threading
import time

import pytest

from llm.continuous import ContinuousBatchingLLM, _Batch

SYSTEM = "You recommend movies in one short sentence, using only the facts the user gives."
ASKS = ["Fargo is a crime drama from 1996. In one sentence, tell me why Fargo suits a Pulp Fiction fan.",
        "Toy Story is an animated comedy from 1995. In one sentence, tell me why it suits a family.",
        "Alien is a horror science fiction film from 1979. In one sentence, tell me why it suits a fan of Jaws."]


def conversation(text: str) -> list[dict]:
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": text}]


@pytest.fixture(scope="module")
def model(cache_dir):
    from llm.transformers_backend import TransformersLLM

    llm = TransformersLLM(None, cache_dir, max_new_tokens=40, dtype="float32")
    llm.load()
    return llm


def read(stream) -> dict[int, str]:
    texts: dict[int, str] = {}
    for row, delta in stream:
        texts[row] = texts.get(row, "") + delta
    return {row: text.strip() for row, text in texts.items()}


class NoEnd:
    """A logits processor (the real API) that keeps a row writing to its token limit: a long generation."""

    def __init__(self, eos: list[int]):
        self.eos = eos

    def __call__(self, input_ids, scores):
        scores[:, self.eos] = float("-inf")
        return scores


def test_replies_equal_generate_with_rows_of_several_lengths_leaving_at_their_own_step(model):
    """Rows end at different steps and leave the batch; what each wrote is what one `generate` call writes."""
    expected = model.generate([conversation(t) for t in ASKS], max_new_tokens=40)
    llm = ContinuousBatchingLLM(model, deadline_s=120)
    got = read(llm.stream([conversation(t) for t in ASKS], max_new_tokens=40))
    assert [got[row] for row in range(len(ASKS))] == expected
    assert model.last_stats["rows"] == 3 and model.last_stats["new_tokens"] > 3


def test_a_request_joins_a_running_batch_and_ends_before_it(model):
    """A request that comes while a long one decodes is written beside it at once, not after it."""
    alone = model.generate([conversation(ASKS[1])], max_new_tokens=12)[0]
    llm = ContinuousBatchingLLM(model, deadline_s=120)
    long_stream = llm.stream([conversation(ASKS[0])], max_new_tokens=40, logits_processors=[NoEnd(model._eos)])
    first = next(long_stream)  # the long request is decoding
    joined = read(llm.stream([conversation(ASKS[1])], max_new_tokens=12))
    assert llm.busy, "the long request was still being written when the joining one ended"
    rest = first[1] + "".join(delta for _, delta in long_stream)
    assert joined[0] == alone  # in float32 the rows beside it change nothing
    assert len(model.tokenizer(rest.strip())["input_ids"]) >= 35  # the long one went on to its limit
    admissions = list(llm.batches)
    assert admissions[0]["joined_rows"] == 0 and admissions[1]["joined_rows"] == 1, admissions


def test_a_closed_stream_leaves_the_batch_and_the_worker_goes_on(model):
    llm = ContinuousBatchingLLM(model, deadline_s=120)
    leaving = llm.stream([conversation(ASKS[0])] * 2, max_new_tokens=40, logits_processors=[NoEnd(model._eos)])
    next(leaving)
    staying = llm.stream([conversation(ASKS[2])], max_new_tokens=10)
    first = next(staying)
    leaving.close()  # the caller stopped reading (its deadline, or the explainer had what it needed)
    rest = read(staying)
    assert (first[1] + rest.get(0, "")).strip()
    deadline = time.monotonic() + 10
    while llm.busy and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not llm.busy
    assert read(llm.stream([conversation(ASKS[1])], max_new_tokens=6))[0]  # the worker serves the next one


def test_a_seeded_request_samples_from_its_own_generator(model):
    llm = ContinuousBatchingLLM(model, deadline_s=120)
    greedy = read(llm.stream([conversation(ASKS[0])], max_new_tokens=20))[0]
    sampled = [read(llm.stream([conversation(ASKS[0])], max_new_tokens=20, seed=7))[0] for _ in range(2)]
    assert sampled[0] == sampled[1] and sampled[0] != greedy


def test_a_failing_step_reaches_its_callers_and_the_worker_goes_on(model):
    """Fault injection: a logits processor that raises; its caller hears of it, the next request is served."""

    class Broken:
        def __call__(self, input_ids, scores):
            raise RuntimeError("injected")

    broken = Broken()

    llm = ContinuousBatchingLLM(model, deadline_s=120)
    beside = llm.stream([conversation(ASKS[2])], max_new_tokens=30, logits_processors=[NoEnd(model._eos)])
    first = next(beside)  # another session's request is decoding
    with pytest.raises(RuntimeError, match="injected"):
        read(llm.stream([conversation(ASKS[0])], max_new_tokens=8, logits_processors=[broken]))
    rest = first[1] + "".join(delta for _, delta in beside)  # ...and goes on to its end, untouched
    assert len(model.tokenizer(rest.strip())["input_ids"]) >= 25
    assert read(llm.stream([conversation(ASKS[1])], max_new_tokens=6))[0]
    assert not llm.busy


def test_the_batch_aligns_rows_at_the_end_and_drops_done_ones_a_quarter_at_a_time():
    import torch

    batch = _Batch()
    short = [(torch.ones(1, 1, 2, 1), torch.ones(1, 1, 2, 1))]
    long = [(torch.full((2, 1, 4, 1), 2.0), torch.full((2, 1, 4, 1), 2.0))]
    batch.extend(short, torch.ones(1, 2, dtype=torch.long), [("a", 0)], [5])
    batch.extend(long, torch.ones(2, 4, dtype=torch.long), [("b", 0), ("b", 1)], [6, 7])
    assert batch.mask.tolist() == [[0, 0, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1]]  # the short row is padded on the left
    assert batch.layers[0].keys[:, 0, :, 0].tolist() == [[0, 0, 1, 1], [2, 2, 2, 2], [2, 2, 2, 2]]
    batch.extend(long, torch.ones(2, 4, dtype=torch.long), [("c", 0), ("c", 1)], [8, 9])
    batch.end_rows([2], pad_id=0)  # one of five done: kept, its output unread, fed the pad
    assert len(batch) == 5 and batch.alive == 4 and batch.next_tokens[2] == 0
    batch.end_rows([1, 3, 4], pad_id=0)  # four of five: dropped, and the columns only they used with them
    assert batch.owners == [("a", 0)] and batch.next_tokens == [5] and batch.mask.tolist() == [[1, 1]]
    assert batch.layers[0].keys.shape == (1, 1, 2, 1) and batch.layers[0].keys.sum() == 2
    batch.end_rows([0], pad_id=0)
    assert len(batch) == 0 and not batch.alive


def test_a_step_writes_into_the_layers_room_instead_of_copying_them():
    import torch

    from llm.continuous import SLACK, _growing_layer

    layer = _growing_layer(torch.zeros(2, 1, 3, 4), torch.zeros(2, 1, 3, 4))
    keys, _ = layer.update(torch.ones(2, 1, 1, 4), torch.ones(2, 1, 1, 4))
    buffer = keys.untyped_storage().data_ptr()
    for _ in range(SLACK - 1):
        keys, values = layer.update(torch.ones(2, 1, 1, 4), torch.ones(2, 1, 1, 4))
    assert keys.untyped_storage().data_ptr() == buffer and layer.get_seq_length() == 3 + SLACK
    assert keys[:, :, :3].sum() == 0 and keys[:, :, 3:].sum() == 2 * SLACK * 4


def test_make_llm_picks_the_batcher_the_setting_names(cache_dir, monkeypatch):
    from chat.settings import Settings
    from llm import make_llm
    from llm.batching import BatchingLLM
    from runtime import zerogpu

    assert type(make_llm(Settings(cache_dir=cache_dir))) is ContinuousBatchingLLM
    assert type(make_llm(Settings(cache_dir=cache_dir, llm_batching="whole"))) is BatchingLLM
    with pytest.raises(ValueError, match="RECS_LLM_BATCHING"):
        Settings(llm_batching="paged")
    # On a ZeroGPU Space each generation runs in a GPU worker process: no batch stays open between calls.
    monkeypatch.setattr(zerogpu, "requested", lambda env=None: True)
    assert type(make_llm(Settings(cache_dir=cache_dir))) is BatchingLLM


def test_threads_share_the_worker(model):
    """Several sessions at once: every reply comes back whole to the session that asked."""
    llm = ContinuousBatchingLLM(model, deadline_s=120)
    expected = [model.generate([conversation(t)], max_new_tokens=10)[0] for t in ASKS]
    got: dict[int, str] = {}

    def session(n: int) -> None:
        time.sleep(0.05 * n)  # arrivals spread over the first steps
        got[n] = read(llm.stream([conversation(ASKS[n])], max_new_tokens=10))[0]

    threads = [threading.Thread(target=session, args=(n,)) for n in range(len(ASKS))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert [got[n] for n in range(len(ASKS))] == expected
