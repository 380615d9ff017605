"""One LLM worker per process (llm/batching.py): sessions' explanation requests share decode batches,
and a session's ranking never waits behind another session's generation."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from gradio_client import Client

from llm.base import LLMBackend
from llm.batching import BatchingLLM, DeadlineExceeded, Overloaded

SYSTEM = "You recommend movies in one short sentence, using only the facts the user gives."
ASKS = ["Fargo is a crime drama from 1996. In one sentence, tell me why Fargo suits a Pulp Fiction fan.",
        "Toy Story is an animated comedy from 1995. In one sentence, tell me why it suits a family."]


def conversation(text: str) -> list[dict]:
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": text}]


def test_two_sessions_requests_share_one_decode_batch(recommender):
    llm = recommender.llm
    assert isinstance(llm, BatchingLLM)  # the in-process model is always shared through the worker
    llm.load()
    expected = llm.backend.generate([conversation(t) for t in ASKS], max_new_tokens=12)  # one batch, both rows
    seen_batches = len(llm.batches)
    start = threading.Barrier(2)
    texts: dict[int, str] = {}

    def session(n: int) -> None:
        start.wait()
        texts[n] = "".join(delta for _, delta in llm.stream([conversation(ASKS[n])], max_new_tokens=12)).strip()

    threads = [threading.Thread(target=session, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    batches = list(llm.batches)[seen_batches:]
    assert batches and batches[0]["requests"] == 2 and batches[0]["rows"] == 2, batches
    # Each session got its own row back, as the batch wrote it.
    assert sorted([texts[0], texts[1]]) == sorted(expected)
    assert texts[0] != texts[1]


class HeldBackend(LLMBackend):
    """Fault injection: a model that writes nothing until the test lets it (a long generation)."""

    name = "held"

    def __init__(self):
        self.started, self.release = threading.Event(), threading.Event()
        self.rows: list[int] = []  # rows of each batch it was given

    def load(self):
        pass

    def describe(self):
        return "held"

    def stream(self, conversations, max_new_tokens=None, logits_processors=None, seed=None):
        self.rows.append(len(conversations))
        self.started.set()
        self.release.wait(timeout=60)
        yield from ()  # nothing written: the explainer falls back to templates


def test_a_held_generation_does_not_delay_another_sessions_ranking(recommender, cache_dir):
    from app import CSS, build_app
    from chat.recommender import Recommender
    from chat.settings import Settings
    from evaluation.latency import free_port

    held = HeldBackend()
    rec = Recommender(Settings(cache_dir=cache_dir, data=Path("ml-100k")))
    rec.embedder, rec.llm = recommender.embedder, BatchingLLM(held, deadline_s=60)
    rec.warm_up()
    demo = build_app(rec)
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, css=CSS)
    try:
        a, b = Client(f"http://127.0.0.1:{port}/", verbose=False), Client(f"http://127.0.0.1:{port}/", verbose=False)
        job_a = a.submit("I loved Toy Story, something funny", api_name="/respond")
        assert held.started.wait(timeout=60)  # session A is now inside the LLM
        job_b = b.submit("I loved Alien, something tense", api_name="/respond")
        cards_b = []
        while not cards_b and not job_b.done():
            cards_b = [c for out in job_b.outputs() for c in out[1:11] if c]
            time.sleep(0.05)
        cards_b = cards_b or [c for out in job_b.outputs() for c in out[1:11] if c]
        assert cards_b, "session B's picks never came"
        assert not held.release.is_set() and not job_a.done()  # ...while A's generation still held the LLM
        assert any("Alien" in str(out[0]) for out in job_b.outputs())
        held.release.set()
        history_a = job_a.result()[0]
        assert "Toy Story" in str(history_a) and "Alien" not in str(history_a)  # nothing of B's leaks into A
    finally:
        held.release.set()
        demo.close()


def test_deadline_and_full_queue_end_a_request_at_once():
    held = HeldBackend()
    llm = BatchingLLM(held, deadline_s=0.3, max_queued_rows=2)
    with pytest.raises(DeadlineExceeded):
        list(llm.stream([conversation(ASKS[0])]))  # the worker holds it: past the deadline the caller gives up
    assert held.started.wait(timeout=5)
    waiting = llm.stream([conversation(ASKS[0])] * 2)

    def read() -> None:
        try:
            list(waiting)  # queued behind the held batch: ends at its deadline, or empty once released
        except DeadlineExceeded:
            pass

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    deadline = time.monotonic() + 5
    while llm.queued_rows < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    with pytest.raises(Overloaded):
        list(llm.stream([conversation(ASKS[1])]))  # two rows wait already: refused, no wait
    held.release.set()
    reader.join(timeout=5)


def test_while_the_llm_is_busy_a_turn_asks_for_one_candidate_per_item(recommender, state):
    """Under load every row costs every waiting session time: one candidate per item, no retry, templates after."""
    from explain.explainer import Explainer

    held = HeldBackend()
    llm = BatchingLLM(held, deadline_s=30)
    other = threading.Thread(target=lambda: list(llm.stream([conversation(ASKS[0])])), daemon=True)
    other.start()
    assert held.started.wait(timeout=10) and llm.busy  # another session's batch holds the LLM
    recommender.run_turn(state, "I loved Alien, something tense", k=3)
    items = [recommender.catalog[i] for i in state.last_items]
    explainer = Explainer(recommender.catalog, recommender.cf, recommender.linker, llm)
    threading.Timer(0.5, held.release.set).start()
    events = list(explainer.explain(items, state))
    assert held.rows == [1, 3]  # the held batch, then this turn's 3 items with one candidate each
    assert sorted(e.row for e in events) == [0, 1, 2] and all(e.source == "template" for e in events)


def test_a_batch_its_caller_left_does_not_make_the_llm_busy():
    """A turn leaves its first try's stream (closed, or past its deadline) and retries at once: the batch still
    stopping is nobody's, and "busy" must not send that turn's retry to templates (it did: a session alone
    was 'busy' with its own first try, and its retry was skipped)."""
    held = HeldBackend()
    llm = BatchingLLM(held, deadline_s=3.0)
    try:
        seen_busy = []

        def read() -> None:
            seen_busy.append(llm.busy)
            with pytest.raises(DeadlineExceeded):
                list(llm.stream([conversation(ASKS[0])]))

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        assert held.started.wait(timeout=10)
        assert llm.busy  # its caller still reads it
        reader.join(timeout=10)
        assert not reader.is_alive() and seen_busy == [False]
        assert llm._running, "the held batch is still being written"
        assert not llm.busy  # ...but nobody reads it
    finally:
        held.release.set()


def test_turns_that_arrive_together_ask_for_less_and_only_the_top_picks_go_to_the_llm(recommender, state):
    """A turn that starts while another is explaining counts the LLM as busy before the other's request is even
    queued (turns arriving together each found it idle and each asked for every row): one candidate for the top
    BUSY_ROWS picks only; the lower picks are final with their templates at once."""
    from chat.state import SessionState
    from explain.explainer import BUSY_ROWS, Explainer

    held = HeldBackend()
    explainer = Explainer(recommender.catalog, recommender.cf, recommender.linker, BatchingLLM(held, deadline_s=30))
    k = BUSY_ROWS + 2
    recommender.run_turn(state, "I loved Alien, something tense", k=k)
    first = [recommender.catalog[i] for i in state.last_items]
    other = SessionState()
    recommender.run_turn(other, "I loved Toy Story, something funny", k=k)
    second = [recommender.catalog[i] for i in other.last_items]
    try:
        assert not explainer.busy()
        ranking = explainer.traffic.arrival()  # another session's turn, still ranking: the LLM is idle
        mine = explainer.traffic.arrival()
        assert not explainer.llm.busy and explainer.busy(mine) and explainer.busy(ranking)  # each sees the other
        ranking.arrived()
        assert not explainer.busy(mine)
        mine.arrived()
        running = explainer.explain(first, state)
        reader = threading.Thread(target=lambda: list(running), daemon=True)
        reader.start()
        assert held.started.wait(timeout=30) and explainer.busy()
        events = explainer.explain(second, other)
        lower = [next(events) for _ in range(k - BUSY_ROWS)]  # before the LLM writes anything
        assert [e.row for e in lower] == list(range(BUSY_ROWS, k)) and all(e.source == "template" for e in lower)
        held.release.set()
        rest = list(events)
        reader.join(timeout=30)
    finally:
        held.release.set()
    assert held.rows == [2 * k, BUSY_ROWS]  # the first turn: k picks x 2 candidates; the second: its top picks, one each
    assert sorted(e.row for e in rest) == list(range(BUSY_ROWS)) and not explainer.busy()


def test_a_turn_waits_briefly_for_turns_still_ranking_and_goes_with_them():
    """explain/traffic.py: a turn's request waits for other turns on their way (up to gather_s), not longer."""
    from explain.traffic import Traffic

    traffic = Traffic(gather_s=5.0)
    mine, theirs = traffic.arrival(), traffic.arrival()
    assert traffic.others(mine) and traffic.others(theirs)  # each sees the other ranking
    threading.Timer(0.3, theirs.arrived).start()
    waited = traffic.gather(mine)
    assert theirs._done and waited < 4.0  # until their request was ready, well before gather_s
    assert not traffic.others() and traffic.gather(traffic.arrival()) == 0.0  # alone: no wait
    late = Traffic(gather_s=0.2)
    first, stuck = late.arrival(), late.arrival()
    assert not stuck._done and late.gather(first) < 2.0  # a turn that never gets there costs at most gather_s
    stuck.arrived()
    stuck.arrived()  # idempotent: counted once
    assert not late.others()
    import explain.traffic as traffic_module

    forgotten = Traffic(gather_s=5.0)
    lost = forgotten.arrival()  # a turn whose generator nobody closed
    lost.since -= traffic_module.STALE_S + 1
    assert not forgotten.others() and forgotten.gather(forgotten.arrival()) == 0.0


def test_a_turn_alone_is_not_busy_with_itself_and_retries(recommender, state):
    """The turn's own arrival (counted from its ranking) never makes the LLM busy for that turn: rows the first
    try left without a sentence get the retry (a lone session skipped it when its own count was taken for another's)."""
    from explain.explainer import Explainer

    held = HeldBackend()
    held.release.set()  # writes nothing at once: every row needs the retry
    explainer = Explainer(recommender.catalog, recommender.cf, recommender.linker, BatchingLLM(held, deadline_s=30),
                          budget_s=30)
    recommender.run_turn(state, "I loved Alien, something tense", k=3)
    items = [recommender.catalog[i] for i in state.last_items]
    arrival = explainer.traffic.arrival()
    assert not explainer.busy(arrival)
    events = list(explainer.explain(items, state, arrival=arrival))
    assert held.rows == [6, 6]  # the first try, 3 picks x 2 candidates, then the retry of all three
    assert sorted(e.row for e in events) == [0, 1, 2] and not explainer.traffic.others()


def test_an_llm_without_a_shared_batcher_is_never_busy(recommender):
    """A server backend batches continuously itself: its turns neither ask for less nor wait for one another."""
    from explain.explainer import Explainer

    class Server(HeldBackend):  # no `busy`: as llm/openai_backend.py
        pass

    explainer = Explainer(recommender.catalog, recommender.cf, recommender.linker, Server())
    others = [explainer.traffic.arrival() for _ in range(3)]
    assert not hasattr(explainer.llm, "busy") and not explainer.busy(explainer.traffic.arrival())
    for arrival in others:
        arrival.arrived()
