"""Fault injection on the real caches: damaged caches are set aside and rebuilt, and the real CLI or
app then answers a turn; caches that cannot be written stop start-up with one line.

Every kind of damage (truncated, emptied, overwritten with garbage, deleted) hits all three caches
(ALS model, ChromaDB store, converted LLM) in one start, so each start repairs three caches: four
starts cover the twelve cases. The start after the deletions is killed (kill -9) in the middle of
its cold build of all three, and the restart must serve. Cheaper checks (no restart) cover the
other HNSW files, which only a query reads.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from runtime.cache_files import CacheWriteError, remove, write_file

ROOT = Path(__file__).resolve().parents[1]
RNG = np.random.default_rng(12)
TURN = "I loved Alien (1979), something tense"
SMALL_TURN, SMALL_LIKED = "I loved Picture Number 7", "Picture Number 7 (1957)"
K = 2  # picks per answer: each start explains them with the LLM, fewer is faster


# --- damage ---------------------------------------------------------------------------------------
# Each writes a new file instead of changing the old one in place: the LLM weights are hard links
# to the session's cache, which must stay whole.
def truncated(path: Path) -> None:
    data = path.read_bytes()
    path.unlink()
    path.write_bytes(data[: len(data) // 2])


def emptied(path: Path) -> None:
    path.unlink()
    path.write_bytes(b"")


def garbage(path: Path) -> None:
    size = max(path.stat().st_size, 64)
    path.unlink()
    path.write_bytes(RNG.integers(0, 256, size, dtype=np.uint8).tobytes())


def deleted(path: Path) -> None:
    remove(path)


class Caches:
    """The cache files of one cache folder."""

    def __init__(self, root: Path):
        self.root = root

    @property
    def als(self) -> Path:
        (path,) = (self.root / "als").glob("als-*.npz")
        return path

    @property
    def store(self) -> Path:
        (path,) = [p for p in (self.root / "chroma").glob("items-*") if p.suffix != ".damaged"]
        return path

    @property
    def segment(self) -> Path:
        (path,) = [p for p in self.store.iterdir() if p.is_dir()]
        return path

    @property
    def llm(self) -> Path:
        (path,) = [p for p in (self.root / "llm").iterdir() if not p.name.startswith(".") and p.suffix != ".damaged"]
        return path

    def damaged(self) -> list[str]:
        return sorted(p.name for p in self.root.rglob("*.damaged"))

    def temporaries(self) -> list[str]:
        return sorted(p.name for p in self.root.rglob(".*.tmp"))


def copy_caches(source: Path, target: Path) -> Caches:
    """A copy of built caches; the big LLM weights as hard links (damage replaces, never edits)."""
    shutil.copytree(source / "als", target / "als")
    shutil.copytree(source / "chroma", target / "chroma")
    shutil.copytree(source / "llm", target / "llm", copy_function=os.link)
    return Caches(target)


def chat(cache: Path, *args: str, data: Path | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    env = {**os.environ, "RECS_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT), "RECS_K": str(K)}
    if data:
        env["RECS_DATA"] = str(data)
    return subprocess.run([sys.executable, "-m", "chat", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)


def damage_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "is damaged" in line]


def assert_served(proc: subprocess.CompletedProcess, liked: str = "Alien (1979)") -> dict:
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    (turn,) = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(turn["items"]) == K and all(i["why"] for i in turn["items"])
    assert turn["state"]["liked"] == [liked]
    return turn


@pytest.fixture(scope="module")
def built(recommender, cache_dir) -> Path:
    """The session's cache folder, with every cache built (the recommender fixture warmed up)."""
    assert recommender.llm.model is not None and recommender.settings.cache_dir == cache_dir
    return cache_dir


@pytest.fixture(scope="module")
def small(built, tmp_path_factory) -> tuple[Path, Path]:
    """A 40-item catalog (its folder) and its caches, the session's converted LLM included: rebuilding
    its index takes a second instead of embedding ml-100k again, so most starts below only pay for the
    LLM conversion. The ml-100k caches are damaged once, in the case killed mid-rebuild."""
    from test_caches import write_dataset

    from chat.recommender import Recommender
    from chat.settings import Settings

    root = tmp_path_factory.mktemp("small")
    write_dataset(root / "data")
    Recommender(Settings(data=root / "data", cache_dir=root / "cache", use_llm=False)).warm_up()
    shutil.copytree(built / "llm", root / "cache" / "llm", copy_function=os.link)
    return root / "data", root / "cache"


# --- a damaged cache is rebuilt and the chat serves -----------------------------------------------
CLI_CASES = {
    # damage: (what it does to the ALS file, to the ChromaDB store, to the converted LLM)
    # "deleted" is also killed (kill -9) in the middle of its rebuild, which starts cold: all three are gone
    "truncated": (lambda c: truncated(c.als), lambda c: truncated(c.store / "chroma.sqlite3"),
                  lambda c: truncated(c.llm / "model.safetensors")),
    "emptied": (lambda c: emptied(c.als), lambda c: emptied(c.store / "chroma.sqlite3"),
                lambda c: emptied(c.llm / "config.json")),
    "deleted": (lambda c: deleted(c.als), lambda c: deleted(c.segment),
                lambda c: deleted(c.llm / "model.safetensors")),
}


def kill_while_writing_the_llm(cache: Path) -> str:
    """Start the CLI, kill -9 it while it writes the LLM cache (the longest write), return its stderr."""
    env = {**os.environ, "RECS_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT), "RECS_K": str(K)}
    log = cache.parent / "killed.log"
    with log.open("w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "chat", "--json", TURN], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.monotonic() + 600
    while not list((cache / "llm").glob(".*.tmp")) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
    assert proc.poll() is None, "the rebuild ended before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    llm = [p.name for p in (cache / "llm").iterdir() if not p.name.startswith(".")]
    assert not [name for name in llm if not name.endswith(".damaged")]  # no half LLM cache under its real name
    return log.read_text()


@pytest.mark.parametrize("damage", list(CLI_CASES))
def test_damaged_caches_are_rebuilt_and_the_cli_serves(built, small, tmp_path, damage):
    data, source = (None, built) if damage == "deleted" else small
    caches = copy_caches(source, tmp_path / "cache")
    names = [caches.als.name, caches.store.name, caches.llm.name]
    for hit in CLI_CASES[damage]:
        hit(caches)

    if damage == "deleted":
        first = kill_while_writing_the_llm(caches.root)
    proc = chat(caches.root, "--json", TURN if data is None else SMALL_TURN, data=data)
    assert_served(proc, "Alien (1979)" if data is None else SMALL_LIKED)
    if damage == "deleted":  # the killed start set the damaged caches aside; the restart only builds
        assert damage_lines(proc.stderr) == []
        proc.stderr = first
    # one line per cache, naming the file and the cause; each is kept aside once and rebuilt
    lines = damage_lines(proc.stderr)
    if damage == "deleted":  # a missing ALS file is simply trained again: nothing to set aside
        names = names[1:]
    assert len(lines) == len(names), proc.stderr[-3000:]
    for name in names:
        assert len([line for line in lines if f"/{name} is damaged (" in line]) == 1, lines
    assert caches.damaged() == sorted(f"{n}.damaged" for n in names)
    assert caches.als.is_file() and (caches.llm / "model.safetensors").is_file() and caches.segment.is_dir()
    assert caches.temporaries() == []


def test_damaged_caches_are_rebuilt_and_the_app_serves(small, tmp_path):
    """Overwritten with garbage, through app.py and its HTTP API."""
    from gradio_client import Client

    from evaluation.latency import free_port

    data, source = small
    caches = copy_caches(source, tmp_path / "cache")
    garbage(caches.als)
    garbage(caches.store / "chroma.sqlite3")
    garbage(caches.llm / "config.json")
    port = free_port()
    env = {**os.environ, "RECS_CACHE_DIR": str(caches.root), "RECS_PORT": str(port), "PYTHONPATH": str(ROOT),
           "RECS_DATA": str(data), "RECS_K": str(K)}
    log = tmp_path / "app.log"
    with log.open("w") as err:
        proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=err, stderr=err)
    try:
        client = None
        deadline = time.monotonic() + 600
        while client is None and time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()[-3000:]
            try:
                client = Client(f"http://127.0.0.1:{port}/", verbose=False)
            except Exception:  # not listening yet
                time.sleep(1)
        assert client is not None, log.read_text()[-3000:]
        history, *cards = client.predict(SMALL_TURN, api_name="/respond")
        assert len([c for c in cards[:10] if c]) == K
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    text = log.read_text()
    assert "Traceback" not in text
    assert len(damage_lines(text)) == 3, text[-3000:]
    assert len(caches.damaged()) == 3


# --- damage only a query finds ---------------------------------------------------------------------
HNSW_CASES = {
    "whole": lambda seg: None,  # the control: an undamaged copy passes the check
    "data truncated": lambda seg: truncated(seg / "data_level0.bin"),
    "data emptied": lambda seg: emptied(seg / "data_level0.bin"),
    "metadata garbage": lambda seg: garbage(seg / "index_metadata.pickle"),
    "header garbage": lambda seg: garbage(seg / "header.bin"),
    "lengths garbage": lambda seg: garbage(seg / "length.bin"),  # no error: the queries just go wrong
}


# ChromaDB's core keeps HNSW data per segment id for the whole process, and every copy of the store has
# the session store's segment id: the check runs in a fresh process, as at a real start.
CHECK_STORE = """
import sys
from pathlib import Path
from catalog import load_catalog
from retrieval.embedder import Embedder
from retrieval.index import ItemIndex
index = ItemIndex(load_catalog("ml-100k"), Embedder(), Path(sys.argv[1]))
try:
    index._open_checked(index.path)
except BaseException as err:  # ChromaDB's core may panic (a BaseException) on a damaged file
    print(f"{type(err).__name__}: {err}")
    sys.exit(3)
"""


@pytest.mark.parametrize("damage", list(HNSW_CASES))
def test_damaged_hnsw_files_fail_the_check_on_opening(built, tmp_path, damage):
    shutil.copytree(built / "chroma", tmp_path / "chroma")
    HNSW_CASES[damage](Caches(tmp_path).segment)
    proc = subprocess.run([sys.executable, "-c", CHECK_STORE, str(tmp_path)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == (0 if damage == "whole" else 3), proc.stdout + proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr


# --- caches that cannot be written ------------------------------------------------------------------
def test_a_cache_folder_that_cannot_be_made_stops_start_up_with_one_line(tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    cache = tmp_path / "a-file" / "cache"
    proc = chat(cache, "--json", TURN, "--no-llm", timeout=300)
    assert proc.returncode == 2
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith("error: cannot write the cache ") and str(cache) in line and "RECS_CACHE_DIR" in line


def test_a_full_disk_is_reported_with_the_path_and_the_fix(tmp_path):
    target = tmp_path / "als" / "model.npz"

    def full_disk(fileobj):  # the one fault a test cannot make for real without a small file system
        fileobj.write(b"partial")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with pytest.raises(CacheWriteError) as info:
        write_file(target, full_disk)
    assert str(target) in str(info.value) and "free disk space" in str(info.value)
    assert list(target.parent.iterdir()) == []  # no temporary left behind


# --- configuration errors: one line naming the setting, the value and the fix; exit status 2 ----------
def bad_settings(tmp_path: Path) -> dict[str, tuple[dict, list[str]]]:
    empty = tmp_path / "empty"
    empty.mkdir()
    garbage_model = tmp_path / "garbage-model"
    garbage_model.mkdir()
    (garbage_model / "config.json").write_text("{not json")
    data = tmp_path / "garbage-data"
    data.mkdir()
    (data / "d.item").write_bytes(b"\x00\xff garbage\n")
    (data / "d.inter").write_bytes(b"more garbage\n")
    no_items = tmp_path / "no-items"
    no_items.mkdir()
    (no_items / "d.item").write_text("item_id:token\tmovie_title:token_seq\n")
    (no_items / "d.inter").write_text("user_id:token\titem_id:token\n")
    return {  # name: (environment, words the line must hold)
        "embedder folder": ({"RECS_EMBEDDER": str(empty)}, ["RECS_EMBEDDER", str(empty)]),
        "llm config": ({"RECS_LLM": str(garbage_model)}, ["RECS_LLM", str(garbage_model), "config.json"]),
        "data garbage": ({"RECS_DATA": str(data)}, ["RECS_DATA", str(data), "Fix:"]),
        "data without items": ({"RECS_DATA": str(no_items)}, ["RECS_DATA", "no items"]),
        "number": ({"RECS_K": "many"}, ["RECS_K", "'many'", "whole number"]),
    }


@pytest.mark.parametrize("case", ["embedder folder", "llm config", "data garbage", "data without items", "number"])
def test_configuration_errors_in_the_cli(built, tmp_path, case):
    env, words = bad_settings(tmp_path)[case]
    proc = subprocess.run([sys.executable, "-m", "chat", "--json", TURN] + ([] if "llm" in case else ["--no-llm"]),
                          cwd=ROOT, env={**os.environ, "RECS_CACHE_DIR": str(built), "PYTHONPATH": str(ROOT), **env},
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and proc.stdout == ""
    (line,) = [line for line in proc.stderr.splitlines() if line.strip() and "Loading weights" not in line]
    assert line.startswith("error: ") and all(w in line for w in words), line


def test_configuration_errors_in_the_app(built, tmp_path):
    from evaluation.latency import free_port

    env = {**os.environ, "RECS_CACHE_DIR": str(built), "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "app.py"], cwd=ROOT, env={**env, "RECS_FUSION": "best"},
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and proc.stderr.strip().splitlines() == [
        "error: Setting fusion='best' is invalid: set RECS_FUSION to one of weighted, rrf, cascade"]

    import socket

    with socket.socket() as taken:  # a port in use: known only once the models are loaded and it listens
        port = free_port()
        taken.bind(("127.0.0.1", port))
        taken.listen()
        proc = subprocess.run([sys.executable, "app.py", "--no-llm", "--port", str(port)], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith(f"error: cannot listen on 127.0.0.1:{port}") and "RECS_PORT" in last
