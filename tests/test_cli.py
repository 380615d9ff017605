"""The headless interface, run as a user would: `python -m chat`."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_chat(args, cache_dir, timeout=300):
    env = {**os.environ, "RECS_CACHE_DIR": str(cache_dir), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "chat", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)


def test_json_turns_with_explanations(recommender, cache_dir):
    proc = run_chat(["--json", "I loved Star Wars (1977) and Alien (1979); something tense tonight", "no horror"], cache_dir)
    assert proc.returncode == 0, proc.stderr
    assert "on cpu" in proc.stderr or "on cuda" in proc.stderr  # start-up says which device
    turns = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [t["turn"] for t in turns] == [1, 2]
    first = turns[0]
    assert set(first) >= {"turn", "user", "reply", "items", "state", "timings_ms"}
    assert 3 <= len(first["items"]) <= 5
    for item in first["items"]:
        assert set(item) == {"id", "source_id", "title", "year", "genres", "score", "why", "why_source", "final_ms"}
        assert item["why"] and item["why_source"] in ("llm", "template")
        # when the text the user reads became final, after the message and within the turn
        assert 0 <= item["final_ms"] <= first["timings_ms"]["total"]
        assert item["id"] == item["source_id"] and isinstance(item["id"], str)  # the catalog's own id, not the index
    assert set(first["state"]) >= {"preference_text", "liked", "disliked", "constraints"}
    assert first["state"]["ids"]["liked"] == ["50", "183"]  # Star Wars and Alien in MovieLens' own ids
    assert set(first["timings_ms"]) >= {"retrieve", "cf", "rank", "llm", "total"}
    assert not any("Horror" in i["genres"] for i in turns[1]["items"])


def test_dialogues_file_without_llm(recommender, cache_dir, tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": "a", "turns": ["I loved Toy Story", "something older"]}\n'
                    '{"id": "b", "turns": ["no horror, something funny"]}\n')
    proc = run_chat(["--dialogues", str(path), "--no-llm", "--k", "3"], cache_dir)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [(r["dialogue"], r["turn"]) for r in rows] == [("a", 1), ("a", 2), ("b", 1)]
    assert all(len(r["items"]) == 3 for r in rows)
    assert rows[2]["state"]["liked"] == []  # dialogue b starts fresh


def test_bad_setting_is_a_clear_error(cache_dir):
    proc = run_chat(["--json", "hi", "--llm", "/no/such/model"], cache_dir)
    assert proc.returncode == 2
    assert "LLM path '/no/such/model' not found" in proc.stderr and "RECS_LLM" in proc.stderr
    assert "Traceback" not in proc.stderr
