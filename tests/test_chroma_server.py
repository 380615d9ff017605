"""The index on a Chroma server (RECS_CHROMA_URL): a real `chroma run` on a free loopback port, started here."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from chat.recommender import Recommender
from chat.settings import Settings
from chat.state import SessionState
from evaluation.latency import free_port
from runtime.errors import ConfigError
from servers import stop, wait_until_answers
from test_caches import write_dataset

ROOT = Path(__file__).resolve().parents[1]
CHROMA = Path(sys.executable).parent / "chroma"  # the CLI the chromadb package installs next to python
START_WAIT_S = 60  # a cold start on a busy 2-core machine; only a server that never answers fails


@pytest.fixture(scope="module")
def chroma_url(recommender, tmp_path_factory):
    """A server whose store starts as a copy of the session's embedded ml-100k store (what `chroma run --path`
    on an existing cache folder serves): the ml-100k dialogue needs no second embedding of the catalog."""
    folder = tmp_path_factory.mktemp("chroma-server")
    shutil.copytree(recommender.index.path, folder / "db")
    port = free_port()
    command = [str(CHROMA if CHROMA.exists() else shutil.which("chroma")), "run", "--path", str(folder / "db"),
               "--host", "127.0.0.1", "--port", str(port)]
    with open(folder / "server.log", "wb") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                  env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})  # loopback only
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answers(server, f"{url}/api/v2/heartbeat", folder / "server.log", START_WAIT_S, "chroma run")
        yield url
    finally:
        stop(server, grace_s=10)


def _client(url: str):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    return chromadb.HttpClient(host=url, settings=ChromaSettings(anonymized_telemetry=False))


def _served(base: Recommender, **settings) -> Recommender:
    """A Recommender on the server that borrows the session's embedder: one model load per test session."""
    rec = Recommender(Settings(use_llm=False, **settings))
    rec.embedder = base.embedder  # a cached property: set before first use
    rec.warm_up()
    return rec


def _picks(rec: Recommender, turns: list[str]) -> list[list[int]]:
    state = SessionState()
    return [[item["id"] for item in rec.run_turn(state, turn, k=10, use_llm=False)["items"]] for turn in turns]


def test_a_dialogue_through_a_chroma_server_picks_what_the_embedded_index_picks(chroma_url, recommender, settings):
    served = _served(recommender, data=settings.data, cache_dir=settings.cache_dir, chroma_url=chroma_url)
    assert not served.index.built_now  # the server's collection passed the same checks as an embedded store
    assert chroma_url in " ".join(served.describe())

    turns = ["I loved Toy Story, something funny", "no animation"]
    on_server, embedded = _picks(served, turns), _picks(recommender, turns)
    assert on_server == embedded
    assert on_server[1] and on_server[1] != on_server[0]  # the second turn's filter changed the picks
    assert not any("Animation" in served.catalog[i].genres for i in on_server[1])

    collection = _client(chroma_url).get_collection(served.index.collection_name)
    assert collection.count() == len(served.catalog)


def test_a_collection_is_built_on_the_server_then_reused_and_rebuilt_when_damaged(chroma_url, recommender, tmp_path):
    write_dataset(tmp_path / "data")
    dialogue = ["I loved Picture Number 7, something funny", "no horror"]
    embedded = _served(recommender, data=tmp_path / "data", cache_dir=tmp_path / "embedded")
    built = _served(recommender, data=tmp_path / "data", cache_dir=tmp_path / "cache", chroma_url=chroma_url)
    assert built.index.built_now and not built.index.path.exists()  # on the server, not in the cache folder
    assert _picks(built, dialogue) == _picks(embedded, dialogue)

    assert not _served(recommender, data=tmp_path / "data", cache_dir=tmp_path / "cache", chroma_url=chroma_url).index.built_now
    name = built.index.collection_name
    client = _client(chroma_url)
    client.get_collection(name).delete(ids=["0", "1", "2"])  # as if someone had removed items

    rebuilt = _served(recommender, data=tmp_path / "data", cache_dir=tmp_path / "cache", chroma_url=chroma_url)
    assert rebuilt.index.built_now
    assert client.get_collection(name).count() == len(rebuilt.catalog) == 40
    leftovers = [c.name for c in client.list_collections() if c.name.startswith(name) and c.name != name]
    assert leftovers == []  # the temporary build was renamed into place


def test_a_chroma_url_where_nothing_listens_names_the_setting_and_the_fix(tmp_path):
    port = free_port()  # free: nothing listens there
    url = f"http://127.0.0.1:{port}"
    rec = Recommender(Settings(chroma_url=url, cache_dir=tmp_path, use_llm=False))
    with pytest.raises(ConfigError) as caught:
        rec.index.load()
    message = str(caught.value)
    assert f"RECS_CHROMA_URL={url!r}" in message and f"chroma run --path <folder> --host 127.0.0.1 --port {port}" in message

    # From the command line: one line that says so, no traceback.
    env = {k: v for k, v in os.environ.items() if not k.startswith("RECS_")}
    env.update(RECS_CHROMA_URL=url, RECS_CACHE_DIR=str(tmp_path))
    done = subprocess.run([sys.executable, "-m", "chat", "--no-llm", "--json", "something funny"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert [line for line in done.stderr.splitlines() if line.startswith("error:")] == [f"error: {message}"]


@pytest.mark.parametrize("bad", ["127.0.0.1:8000", "chroma://127.0.0.1:8000", "localhost"])
def test_a_chroma_url_without_http_is_refused_with_the_fix(bad):
    with pytest.raises(ValueError, match=rf"chroma_url={bad!r}.*RECS_CHROMA_URL.*http://127.0.0.1:8000"):
        Settings(chroma_url=bad)
    with pytest.raises(ValueError, match=r"RECS_CHROMA_URL"):
        Settings.from_env({"RECS_CHROMA_URL": bad})

