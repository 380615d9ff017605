"""The Hugging Face Space build, rehearsed offline (`make space-check`): requirements.txt alone, a hub cache
standing for the hub, app.py with a Space's variables, one turn through gradio_client."""

import shutil

import pytest

from deploy import space_check


@pytest.mark.skipif(shutil.which("python3.11") is None, reason="python3.11 makes the Space's environment")
def test_the_app_builds_and_answers_as_a_space_runs_it():
    line = space_check.run("python3.11")
    assert line.startswith("space-check ok: venv from requirements.txt"), line
    assert "picks for" in line and "from the hub cache" in line
