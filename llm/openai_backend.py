"""An LLM behind any OpenAI-compatible server (vLLM, TGI, llama.cpp's server): streamed chat completions over HTTP.

``RECS_LLM_URL`` is the server's API root (``http://host:port/v1``), ``RECS_LLM`` the served model's name (unset:
the first model the server lists), ``RECS_LLM_KEY`` its API key if it wants one (sent as a bearer token, never
logged) and ``RECS_LLM_TIMEOUT`` the seconds one call may take.

Each conversation of a call is one streamed ``/chat/completions`` request, all sent at once from a thread per row:
the server batches concurrent requests itself (vLLM and llama.cpp decode them in one batch). Deltas are yielded as
they arrive, in arrival order. Decoding is greedy (temperature 0); with a ``seed``, sampled like the in-process
backend (``llm.generation.SAMPLE_TEMPERATURE``/``SAMPLE_TOP_P``) with the seed sent along. Decoding constraints
(``logits_processors``) cannot travel over HTTP and are ignored; ``tokenizer`` stays None so the explainer knows.

A conversation ending with an assistant message asks for a continuation of it. llama.cpp's server continues a final
assistant message by itself and vLLM does with ``continue_final_message``; for any other server (it says who it is
in ``owned_by`` of ``/models``) the message is dropped and its text put in front of the reply, so the returned text
starts with it in every case, as with the in-process backend.

Failures: a refused connection, a timeout, an HTTP error status or a body that is not an event stream of chat
chunks fails its row. The other rows go on streaming (their text is not lost); once every row has ended, the call
logs one line and raises :class:`LLMServerError`, and the caller (the explainer) gives the failed rows their
templates. Neither log lines nor errors carry prompt or reply text, nor the server's error body (it may echo the
prompt). Closing the stream early cancels the outstanding requests (each closes its connection at its next chunk).

httpx, not the ``openai`` package: it is already installed (gradio depends on it), and a plain client keeps what
must be strict here in our hands: one overall deadline, no automatic retries, garbage detected, nothing logged.
"""

from __future__ import annotations

import collections
import json
import logging
import queue
import threading
import time
from collections.abc import Iterator

from llm.base import LLMBackend
from llm.generation import SAMPLE_TEMPERATURE, SAMPLE_TOP_P, STATS_LOG_CALLS
from runtime.cache_files import describe
from runtime.errors import ConfigError

log = logging.getLogger("recs.llm")

MAX_CONNECTIONS = 64  # requests in flight at once; more wait for a free connection (within the same deadline)
URL_EXAMPLE = "http://127.0.0.1:8000/v1"
# Server-specific request fields that make it continue a final assistant message, by /models' owned_by.
CONTINUE_FIELDS = {"vllm": {"continue_final_message": True, "add_generation_prompt": False}, "llamacpp": {}}


class LLMServerError(RuntimeError):
    """Requests to the LLM server failed: the message says how many, where and why, never what was asked.
    ``rows`` are the failed rows of the call (the others streamed their whole replies)."""

    logged = True  # the backend logs each failed call once; callers need not repeat it

    def __init__(self, message: str, rows: tuple[int, ...] = ()):
        super().__init__(message)
        self.rows = rows


class OpenAICompatibleLLM(LLMBackend):
    tokenizer = None  # decoding happens on the server: no decoding constraints

    def __init__(self, url: str, model: str | None = None, key: str | None = None, timeout: float = 10.0,
                 max_new_tokens: int = 40):
        self.url = url.rstrip("/")
        self.model = model  # None until load() asks the server which model it serves
        self.name = model or ""
        self.timeout = float(timeout)
        self.max_new_tokens = int(max_new_tokens)
        self.server_kind: str | None = None  # owned_by of the model in /models: "vllm", "llamacpp", ...
        self.last_stats: dict = {}
        self.stats_log: collections.deque = collections.deque(maxlen=STATS_LOG_CALLS)
        self._key = key
        self._client = None
        self._loaded = False
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings) -> "OpenAICompatibleLLM":
        if not settings.llm_url:
            raise ConfigError("Setting llm_url=None is invalid for RECS_LLM_BACKEND=openai: set RECS_LLM_URL to the "
                              f"server's OpenAI API root, e.g. {URL_EXAMPLE}")
        return cls(settings.llm_url, settings.llm, settings.llm_key, settings.llm_timeout, settings.max_new_tokens)

    # --- set-up --------------------------------------------------------------------------------
    def _http(self):
        if self._client is None:
            import httpx

            headers = {"Authorization": f"Bearer {self._key}"} if self._key else {}
            limits = httpx.Limits(max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_CONNECTIONS)
            self._client = httpx.Client(timeout=httpx.Timeout(self.timeout), headers=headers, limits=limits)
        return self._client

    def load(self) -> None:
        """Check once that the server answers ``GET /models`` and serves the model; name the setting to fix if not."""
        if self._loaded:
            return
        with self._lock:
            if self._loaded:
                return
            import httpx

            where = f"RECS_LLM_URL={self.url!r}"
            try:
                response = self._http().get(f"{self.url}/models")
            except httpx.HTTPError as exc:
                raise ConfigError(f"{where} does not answer ({describe(exc)}): start the OpenAI-compatible server "
                                  f"(docs/DEPLOY.md) or set RECS_LLM_URL to its address, e.g. {URL_EXAMPLE}") from None
            if response.status_code in (401, 403):
                raise ConfigError(f"{where} refused the API key (HTTP {response.status_code}, RECS_LLM_KEY "
                                  f"{'set' if self._key else 'not set'}): set RECS_LLM_KEY to the server's key")
            if response.status_code != 200:
                raise ConfigError(f"{where} answered GET /models with HTTP {response.status_code}: set RECS_LLM_URL "
                                  f"to the server's OpenAI API root, usually ending in /v1, e.g. {URL_EXAMPLE}")
            try:
                served = [m for m in response.json()["data"] if isinstance(m, dict) and isinstance(m.get("id"), str)]
            except (ValueError, KeyError, TypeError):
                raise ConfigError(f"{where} answered GET /models with something other than an OpenAI model list: set "
                                  f"RECS_LLM_URL to an OpenAI-compatible server's API root, e.g. {URL_EXAMPLE}") from None
            chosen = self._choose(served)
            if chosen is not None:
                self.model, self.server_kind = chosen["id"], chosen.get("owned_by")
            self.name = self.model or ""
            self._loaded = True
            log.info("%s", self.describe())

    def _choose(self, served: list[dict]) -> dict | None:
        """The served model named by RECS_LLM (by id or alias), or the first one when RECS_LLM is unset."""
        if self.model is None:
            if not served:
                raise ConfigError(f"RECS_LLM_URL={self.url!r} lists no models: set RECS_LLM to the served model's name")
            return served[0]
        for m in served:
            if self.model == m["id"] or self.model in (m.get("aliases") or []):
                return m
        if not served:
            return None  # a server that lists nothing may still serve the named model
        names = ", ".join(m["id"] for m in served[:5])
        raise ConfigError(f"RECS_LLM={self.model!r} is not served at {self.url} (it serves {names}): "
                          "set RECS_LLM to one of those, or leave it unset to use the first")

    def describe(self) -> str:
        if not self._loaded:
            return f"LLM {self.model or '(the first served model)'} at {self.url}, not checked yet"
        return f"LLM {self.model} at {self.url} (OpenAI-compatible, {self.server_kind or 'unknown server'})"

    # --- generation ----------------------------------------------------------------------------
    def stream(self, conversations: list[list[dict]], max_new_tokens: int | None = None,
               logits_processors: list | None = None, seed: int | None = None) -> Iterator[tuple[int, str]]:
        """``(row, text_delta)`` as the server writes; raises :class:`LLMServerError` at the end if a row failed."""
        if not conversations:
            return
        self.load()
        rows = len(conversations)
        out: queue.Queue = queue.Queue()
        cancel = threading.Event()
        started = time.perf_counter()
        deadline = started + self.timeout
        tokens, first_at = [0] * rows, [None]
        errors: dict[int, BaseException] = {}
        pending = set(range(rows))
        for row, conversation in enumerate(conversations):
            body, prefill = self._request(conversation, max_new_tokens, seed)
            threading.Thread(target=self._send, args=(row, body, prefill, out, cancel, deadline),
                             name=f"recs-llm-http-{row}", daemon=True).start()
        try:
            while pending:
                try:
                    kind, row, value = out.get(timeout=max(deadline - time.perf_counter(), 0.0))
                except queue.Empty:  # a server that stalls: its rows time out here even if no read timeout fires
                    errors.update((row, TimeoutError(f"no reply within {self.timeout:g} s")) for row in pending)
                    break
                if kind == "prefill":  # our own text, not the model's: no token, no first-token time
                    yield row, value
                elif kind == "delta":
                    if first_at[0] is None:
                        first_at[0] = time.perf_counter()
                    tokens[row] += 1
                    yield row, value
                elif kind == "end":
                    pending.discard(row)
                    tokens[row] = value or tokens[row]  # the server's own count, where it gave one
                else:
                    pending.discard(row)
                    errors[row] = value
        finally:
            cancel.set()  # every request still running closes its connection at its next chunk
            self._set_stats(tokens, started, first_at[0])
        if errors:
            first = errors[min(errors)]
            message = (f"{len(errors)} of {rows} requests to {self.url}/chat/completions failed "
                       f"(first: {describe(first)})")
            log.warning("LLM server: %s", message)
            raise LLMServerError(message, tuple(sorted(errors))) from first

    def _request(self, conversation: list[dict], max_new_tokens: int | None, seed: int | None) -> tuple[dict, str]:
        """The request body, and the text to put in front of the reply (a final assistant message's)."""
        messages = [{"role": m["role"], "content": m.get("content") or ""} for m in conversation]
        body: dict = {"model": self.model, "stream": True, "stream_options": {"include_usage": True},
                      "max_tokens": int(max_new_tokens or self.max_new_tokens), "temperature": 0.0}
        if seed is not None:
            body.update(temperature=SAMPLE_TEMPERATURE, top_p=SAMPLE_TOP_P, seed=int(seed))
        prefill = ""
        if messages and messages[-1]["role"] == "assistant":
            prefill = messages[-1]["content"]
            if self.server_kind in CONTINUE_FIELDS:
                body.update(CONTINUE_FIELDS[self.server_kind])
            else:  # no known way to continue it here: a fresh reply, with the prefill and a space put in front
                messages.pop()
                prefill = prefill.rstrip() + " " if prefill.strip() else ""
        body["messages"] = messages
        return body, prefill

    def _send(self, row: int, body: dict, prefill: str, out: queue.Queue, cancel: threading.Event,
              deadline: float) -> None:
        """One streamed request, in its own thread: ``prefill``, ``delta``s, then ``end`` (token count) or ``error``."""
        try:
            if cancel.is_set():
                return
            if prefill:
                out.put(("prefill", row, prefill))
            with self._http().stream("POST", f"{self.url}/chat/completions", json=body) as response:
                if response.status_code != 200:
                    raise LLMServerError(f"HTTP {response.status_code} {response.reason_phrase}")
                emit = lambda text: out.put(("delta", row, text))  # noqa: E731
                count = _read_events(response.iter_lines(), emit, cancel, deadline)
            out.put(("end", row, count))
        except Exception as exc:  # noqa: BLE001 - every failure of a row is reported to the caller, which raises it
            out.put(("error", row, exc))

    def _set_stats(self, tokens: list[int], started: float, first_at: float | None) -> None:
        finished = time.perf_counter()
        seconds = finished - started
        new_tokens = sum(tokens)
        self.last_stats = {
            "rows": len(tokens), "steps": max(tokens, default=0), "new_tokens": new_tokens,
            "seconds": round(seconds, 4), "tokens_per_s": round(new_tokens / seconds, 2) if seconds > 0 else 0.0,
            "first_token_s": round((first_at - started) if first_at is not None else seconds, 4),
            "started_at": started, "first_token_at": first_at,
        }
        self.stats_log.append(self.last_stats)


def _read_events(lines: Iterator[str], emit, cancel: threading.Event, deadline: float) -> int | None:
    """Parse a chat-completions event stream, emitting content deltas; the server's token count, if it gave one.

    Raises ValueError on anything that is not such a stream (HTML, garbage, an error event, an early end) and
    TimeoutError past the deadline (a server that drips slower than its read timeout).
    """
    finished, count = False, None
    for line in lines:
        if cancel.is_set():
            return count  # the caller has what it wanted: leaving closes the connection, the server stops
        if time.perf_counter() > deadline:
            raise TimeoutError("the reply took longer than RECS_LLM_TIMEOUT")
        if not line or line.startswith(":") or line.startswith(("event:", "id:", "retry:")):
            continue  # blank separators, comments (keep-alive pings), event metadata
        if not line.startswith("data:"):
            raise ValueError("the reply is not an event stream (a line without 'data:')")
        data = line[5:].strip()
        if data == "[DONE]":
            return count
        try:
            chunk = json.loads(data)
        except ValueError:
            raise ValueError("the reply has an event that is not JSON") from None
        if not isinstance(chunk, dict):
            raise ValueError("the reply has an event that is not a JSON object")
        if "error" in chunk:
            raise ValueError("the server sent an error event")  # its text may echo the prompt: not kept
        usage = chunk.get("usage")
        if isinstance(usage, dict) and isinstance(usage.get("completion_tokens"), int):
            count = usage["completion_tokens"]
        choices = chunk.get("choices")
        if not isinstance(choices, list):
            raise ValueError("the reply has an event without 'choices'")
        for choice in choices:
            delta = choice.get("delta") if isinstance(choice, dict) else None
            content = delta.get("content") if isinstance(delta, dict) else None
            if isinstance(content, str) and content:
                emit(content)
            if isinstance(choice, dict) and choice.get("finish_reason"):
                finished = True
    if not finished:
        raise ValueError("the reply ended before the model finished (no finish_reason, no [DONE])")
    return count
