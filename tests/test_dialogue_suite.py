"""The scripted dialogue suite (tests/dialogues/*.yaml), one pytest case per dialogue, through the real
pipeline (real embedder, ChromaDB, ALS) with template explanations. `python -m chat --check tests/dialogues`
runs the same dialogues and prints a table."""

from pathlib import Path

import pytest

from chat.suite import Dialogue, check_turn, load_dialogues, run_dialogue

SUITE = Path(__file__).parent / "dialogues"
DIALOGUES = load_dialogues(SUITE)


def test_the_suite_is_large_enough():
    assert len(DIALOGUES) >= 45
    assert sum(len(d.turns) for d in DIALOGUES) >= 90


@pytest.mark.parametrize("dialogue", DIALOGUES, ids=[d.id for d in DIALOGUES])
def test_dialogue(recommender, dialogue):
    result = run_dialogue(recommender, dialogue)
    assert result.passed, "\n".join([f"{dialogue.id}: {dialogue.about}"] + result.failures)


def test_a_wrong_expectation_fails(recommender):
    """The runner reports a failed expectation (a suite that cannot fail would prove nothing)."""
    wrong = Dialogue("wrong", "", [{"say": "I loved Batman (1989)", "expect": {"liked": ["Titanic (1997)"], "clarify": True}}])
    result = run_dialogue(recommender, wrong)
    assert not result.passed and len(result.failures) == 2


def test_invariants_catch_a_repeated_item(catalog):
    item = {"id": 0, "title": catalog[0].display, "year": catalog[0].year, "genres": list(catalog[0].genres)}
    out = {"items": [item], "reply": "", "state": {"liked": [], "disliked": [], "seen": [], "preference_text": "",
                                                   "constraints": {}}}
    from chat.state import SessionState

    problems = check_turn({}, out, SessionState(), previous=[], earlier={0}, catalog=catalog)
    assert problems and "shown before" in problems[0]


def test_malformed_suite_is_rejected(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("- id: x\n  turns:\n    - say: hi\n      expect: {likes: [Alien (1979)]}\n")
    with pytest.raises(ValueError, match="unknown expectation"):
        load_dialogues(bad)


def test_check_command_prints_a_table_and_fails_on_a_failure(recommender, cache_dir, tmp_path):
    """`python -m chat --check PATH`, run as a user would: a pass/fail table on stdout, exit code 1 on a failure."""
    import os
    import subprocess
    import sys

    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "two.yaml").write_text(
        "- id: holds\n  turns:\n    - say: I loved Batman (1989)\n      expect: {liked: [Batman (1989)], no_clarify: true}\n"
        "- id: fails\n  turns:\n    - say: I loved Batman\n      expect: {no_clarify: true}\n")
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "RECS_CACHE_DIR": str(cache_dir), "PYTHONPATH": str(root)}
    proc = subprocess.run([sys.executable, "-m", "chat", "--check", str(suite)], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr
    rows = {line.split()[0]: line.split()[3] for line in proc.stdout.splitlines() if line.startswith(("holds", "fails"))}
    assert rows == {"holds": "pass", "fails": "FAIL"}, proc.stdout
    assert "1/2 dialogues passed" in proc.stdout
