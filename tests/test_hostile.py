"""Hostile and odd input at every entry point: the pipeline, the CLI (arguments and JSON files) and the
app's API. Nothing crashes, every turn gets a sensible reply, and output is always valid UTF-8 JSON.
(The LLM never reads the user's words: its prompt holds catalog facts and wishes from a fixed vocabulary,
so prompt injection has nowhere to go; the checks run with template explanations.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chat.text import clean_text
from evaluation import hostile

ROOT = Path(__file__).resolve().parents[1]


def test_the_message_file_is_large_and_varied():
    sessions = hostile.load_messages()
    categories = {s["category"] for s in sessions}
    assert sum(len(s["turns"]) for s in sessions) >= 100 and len(categories) >= 8


def test_hostile_messages_never_crash_or_fail(recommender):
    result = hostile.run(recommender, hostile.load_messages())
    assert result["total"]["crashes"] == 0 and result["total"]["failed"] == 0, hostile.format_table(result)
    assert result["total"]["with_picks"] > result["total"]["messages"] // 2  # most still get picks


@pytest.mark.parametrize("raw, clean", [
    ("I loved Alien \ud800 no horror", "I loved Alien  no horror"),
    ("\ud83d\ude00 pair", "\U0001F600 pair"),  # a valid pair is one character
    ("I loved\x00 Star\x1b[31m Wars\x1b[0m\x07", "I loved Star Wars"),
    ("x\u202eevil\u202c\u200b\ufeff", "xevil"),
    ("Ame\u0301lie", "Am\u00e9lie"),  # NFC: the title's own form
    ("a\r\nb\u2028c", "a\nb\nc"),
    ("I loved Heat \udcff\udcfe", "I loved Heat "),  # a command-line argument that was not UTF-8
    ("family \U0001F468\u200d\U0001F469\u200d\U0001F467", "family \U0001F468\u200d\U0001F469\u200d\U0001F467"),
    (None, ""),
    ("plain text stays as it is", "plain text stays as it is"),
])
def test_clean_text(raw, clean):
    assert clean_text(raw) == clean
    clean_text(raw).encode("utf-8")  # never raises


def test_cli_output_is_utf8_json_whatever_comes_in(recommender, cache_dir, tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_bytes(b'{"id": "s\\ud800", "turns": ["I loved Alien \\ud800 no horror", "\\u0000\\u202e"]}\n'
                     b'{"id": 7, "turns": [{"role": "assistant", "text": "Try Heat \\udfff"}, "I loved Fargo \xff\xfe not UTF-8"]}\n')
    env = {**os.environ, "RECS_CACHE_DIR": str(cache_dir), "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "ascii"}
    args = [b"--dialogues", str(path).encode(), b"--no-llm"]
    proc = subprocess.run([sys.executable, "-m", "chat", *args], cwd=ROOT, env=env, capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-2000:]
    rows = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]  # strict UTF-8
    assert [r["dialogue"] for r in rows] == ["s", "s", 7, 7]
    assert rows[0]["state"]["liked"] == ["Alien (1979)"] and "Horror" in rows[0]["state"]["constraints"]["genres_excluded"]
    assert rows[3]["state"]["liked"] == ["Fargo (1996)"]


def test_a_malformed_dialogue_file_is_one_line(cache_dir, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": 1, "turns": ["hi"]}\n[' * 100_000)
    env = {**os.environ, "RECS_CACHE_DIR": str(cache_dir), "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "chat", "--dialogues", str(path), "--no-llm"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith(f"error: --dialogues {path}:2: not JSON")


def test_the_app_cleans_text_and_the_api_refuses_bad_sliders(server, recommender):
    from gradio_client import Client

    from app import respond

    # a lone surrogate cannot cross HTTP with gradio_client (httpx encodes UTF-8): the handler itself gets it
    *_, last = respond(recommender, "I loved Alien \ud800\u202e no horror\x00", [], None, 3, 0.0)
    history = last[0]
    json.dumps(history, ensure_ascii=False).encode("utf-8")  # never raises
    assert history[-2]["content"] == "I loved Alien  no horror"

    client = Client(server, verbose=False)
    history, *rest = client.predict("I loved Fargo\u202e\x00\x1b[31m", api_name="/respond")
    assert [c for c in rest[:10] if c] and "\\u202e" not in json.dumps(history) and "\\u001b" not in json.dumps(history)
    with pytest.raises(Exception, match="maximum"):  # gradio checks a slider's range before our code runs
        client.predict("I loved Alien", k_value=1000, api_name="/respond")
    history, *rest = client.predict("I loved Heat", api_name="/respond")  # and still serves
    assert [c for c in rest[:10] if c]
