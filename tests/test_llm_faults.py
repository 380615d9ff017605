"""Faults of an OpenAI-compatible LLM server, from a fake one on loopback (the real one is in test_llm_server.py).

Each fault runs a real turn through a Recommender on the session's caches: the turn completes, every item has an
explanation, a failed server gives templates and one log line without prompt text, and a well-formed reply that
names a movie outside the catalog is never shown. The backend's own promises (a failed row does not lose the
others' text, closing the stream hangs up, errors name the setting) are checked on the same fake.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from llm.openai_backend import LLMServerError, OpenAICompatibleLLM
from runtime.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
TURN = "I loved Star Wars (1977) and Alien (1979); something tense tonight"
K = 3
INVENTED = "The Crimson Lighthouse"
TIMEOUT = 0.5  # the stalling and dripping fakes never finish: each call ends at this deadline


def _chunk(content: str | None = None, finish: str | None = None) -> bytes:
    delta = {"content": content} if content is not None else {}
    event = {"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return f"data: {json.dumps(event)}\n\n".encode()


class FakeServer:
    """``/v1/models`` as a real server answers it; ``/v1/chat/completions`` with one fault (``mode``)."""

    def __init__(self, mode: str):
        self.mode, self.bodies = mode, []
        self.stop, self.hung_up = threading.Event(), threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                self._send(200, json.dumps({"object": "list", "data": [{"id": "fake", "object": "model",
                                                                        "owned_by": "fake"}]}).encode())

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                owner.bodies.append(body)
                try:
                    getattr(owner, f"answer_{owner.mode}")(self, body)
                except (BrokenPipeError, ConnectionResetError):
                    owner.hung_up.set()  # the client closed the connection

            def _send(self, status: int, data: bytes, kind: str = "application/json"):
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()

    # --- the faults --------------------------------------------------------------------------
    def _events(self, handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.end_headers()
        handler.wfile.flush()

    def answer_stall(self, handler, body):  # headers, then nothing
        self._events(handler)
        self.stop.wait(30)

    def answer_drip(self, handler, body):  # a token now and then, never the end
        self._events(handler)
        while not self.stop.wait(0.1):
            handler.wfile.write(_chunk(" and"))
            handler.wfile.flush()

    def answer_error(self, handler, body):  # with the prompt in the body, as some servers echo it
        handler._send(500, f"internal error while answering {body['messages'][-1]['content']}".encode(), "text/plain")

    def answer_garbage(self, handler, body):
        handler._send(200, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "application/octet-stream")

    def answer_invented(self, handler, body):  # well-formed, but about a movie no catalog has
        self._events(handler)
        for part in ("If you loved Star Wars, ", f"{INVENTED} (1994) is a tense sci-fi thriller.", None):
            handler.wfile.write(_chunk(part, "stop" if part is None else None))
        handler.wfile.write(b"data: [DONE]\n\n")

    def answer_some(self, handler, body):  # rows that ask for FAIL get a 500, the others a reply
        if "FAIL" in body["messages"][-1]["content"]:
            return self.answer_error(handler, body)
        self._events(handler)
        for part in ("Hello ", "there.", None):
            handler.wfile.write(_chunk(part, "stop" if part is None else None))
        handler.wfile.write(b"data: [DONE]\n\n")

    def close(self):
        if not self.stop.is_set():  # shutdown() waits forever on a server that is not serving: only once
            self.stop.set()
            self.httpd.shutdown()
            self.httpd.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _served(base, cache_dir, url: str):
    """A Recommender on the session's caches whose LLM is the server at ``url``."""
    from chat.recommender import Recommender
    from chat.settings import Settings

    rec = Recommender(Settings(cache_dir=cache_dir, data=Path("ml-100k"), llm_url=url, llm_timeout=TIMEOUT))
    for name in ("catalog", "linker", "embedder", "index", "cf"):  # cached properties: borrowed before first use
        setattr(rec, name, getattr(base, name))
    rec.warm_up()
    return rec


def _server_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "recs.llm" and r.levelno >= logging.WARNING]


@pytest.mark.parametrize("mode, cause", [
    ("stall", "Timeout"), ("drip", "Timeout"), ("error", "HTTP 500"), ("garbage", "not an event stream"),
    ("refused", "ConnectError"),
])
def test_a_failing_server_gives_templates_and_one_log_line(recommender, cache_dir, caplog, mode, cause):
    from chat.state import SessionState

    with FakeServer("stall" if mode == "refused" else mode) as fake, caplog.at_level(logging.INFO):
        rec = _served(recommender, cache_dir, fake.url)  # the fake answers /models: start-up succeeds
        if mode == "refused":
            fake.close()  # nothing listens on its port any more
        result = rec.run_turn(SessionState(), TURN, k=K)
    assert len(result["items"]) == K
    assert all(item["why"] and item["why_source"] == "template" for item in result["items"])
    [line] = _server_lines(caplog)  # one line for the whole call, not one per row; no retry after a failure
    assert cause in line and f"{2 * K} of {2 * K} requests" in line
    assert not any("Star Wars" in r.getMessage() for r in caplog.records if r.name == "recs.llm"), "prompt text logged"


def test_an_invented_title_is_never_shown(recommender, cache_dir, caplog):
    from chat.state import SessionState

    with FakeServer("invented") as fake, caplog.at_level(logging.INFO):
        rec = _served(recommender, cache_dir, fake.url)
        result = rec.run_turn(SessionState(), TURN, k=K)
    assert len(result["items"]) == K and all(item["why"] for item in result["items"])
    assert INVENTED not in result["reply"] and not any(INVENTED in item["why"] for item in result["items"])
    assert len(fake.bodies) == 4 * K  # two candidates per pick, then two sampled at the retry: all rejected
    assert not _server_lines(caplog)  # the server worked; the checker did the rejecting


def test_one_failed_row_keeps_the_others_text(caplog):
    conversations = [[{"role": "user", "content": text}] for text in ("one", "FAIL", "three")]
    with FakeServer("some") as fake:
        llm = OpenAICompatibleLLM(fake.url, timeout=10)
        texts = ["", "", ""]
        failed = r"1 of 3 requests .* failed \(first: LLMServerError: HTTP 500"
        with pytest.raises(LLMServerError, match=failed) as raised:
            for row, delta in llm.stream(conversations):
                texts[row] += delta
    assert raised.value.rows == (1,)
    assert texts == ["Hello there.", "", "Hello there."]
    assert len(_server_lines(caplog)) == 1
    assert llm.last_stats["rows"] == 3 and llm.last_stats["new_tokens"] == 4


def test_closing_the_stream_hangs_up_on_the_server():
    with FakeServer("drip") as fake:
        llm = OpenAICompatibleLLM(fake.url, timeout=60)
        stream = llm.stream([[{"role": "user", "content": "go on"}]])
        assert next(stream) == (0, " and")
        stream.close()
        assert fake.hung_up.wait(30), "the request kept running after the stream was closed"


def test_requests_are_greedy_or_sampled_with_the_seed():
    with FakeServer("some") as fake:
        llm = OpenAICompatibleLLM(fake.url, "fake", timeout=10, max_new_tokens=17)
        llm.generate([[{"role": "user", "content": "a"}]])
        llm.generate([[{"role": "user", "content": "b"}]], max_new_tokens=5, seed=7)
    greedy, sampled = fake.bodies
    assert greedy["stream"] and greedy["temperature"] == 0 and greedy["max_tokens"] == 17 and "seed" not in greedy
    assert sampled["temperature"] == 0.7 and sampled["seed"] == 7 and sampled["max_tokens"] == 5


def test_a_prefill_is_continued_where_the_server_can_and_put_in_front_where_not():
    conversation = [{"role": "user", "content": "Fargo?"}, {"role": "assistant", "content": "Fargo is"}]
    with FakeServer("some") as fake:  # owned_by "fake": no known way to continue
        llm = OpenAICompatibleLLM(fake.url, timeout=10)
        assert llm.generate([conversation]) == ["Fargo is Hello there."]
        assert [m["role"] for m in fake.bodies[0]["messages"]] == ["user"]
    for kind, extra in (("llamacpp", {}), ("vllm", {"continue_final_message": True, "add_generation_prompt": False})):
        llm.server_kind = kind
        body, prefill = llm._request(conversation, None, None)
        assert prefill == "Fargo is" and body["messages"][-1]["role"] == "assistant"
        assert {k: body[k] for k in extra} == extra


def test_a_server_that_does_not_answer_is_named_with_the_fix():
    from evaluation.latency import free_port

    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(ConfigError, match=rf"RECS_LLM_URL='{url}' does not answer \(ConnectError.*\): start the"):
        OpenAICompatibleLLM(url).load()


def test_the_backend_is_chosen_by_url_and_imports_no_torch():
    code = ("import sys; from chat.settings import Settings; from llm import make_llm; "
            "llm = make_llm(Settings(llm_url='http://127.0.0.1:9/v1', llm_key='sk-secret')); "
            "print(type(llm).__name__, llm.describe(), 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "sk-secret" not in out
    assert out.split() == ["OpenAICompatibleLLM", "LLM", "(the", "first", "served", "model)", "at",
                           "http://127.0.0.1:9/v1,", "not", "checked", "yet", "False"]
