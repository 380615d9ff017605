"""Real components, created once per test session in a temporary cache folder.

The first use builds everything cold (ChromaDB index, ALS model, converted LLM), which
also exercises the cold-start path; every later test reuses them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
for key in [k for k in os.environ if k.startswith("RECS_")]:
    del os.environ[key]  # tests never pick up a developer's settings
# The suite's scripted dialogues and most tests were written for MovieLens-100K, so it is the suite's catalog
# (subprocesses inherit it); tests of the shipped movies catalog ask for it by name (the `movies` fixture).
os.environ["RECS_DATA"] = "ml-100k"


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("recs-cache")


@pytest.fixture(scope="session")
def settings(cache_dir):
    from chat.settings import Settings

    return Settings(cache_dir=cache_dir, data=Path("ml-100k"))


@pytest.fixture(scope="session")
def recommender(settings):
    from chat.recommender import Recommender

    rec = Recommender(settings)
    rec.warm_up()
    return rec


@pytest.fixture(scope="session")
def catalog(recommender):
    return recommender.catalog


@pytest.fixture()
def state():
    from chat.state import SessionState

    return SessionState()


@pytest.fixture(scope="session")
def server(recommender):
    from app import CSS, build_app
    from evaluation.latency import free_port

    demo = build_app(recommender)
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, css=CSS)
    yield f"http://127.0.0.1:{port}/"
    demo.close()


# --- the same pipeline on other catalogs (tests/test_any_catalog.py) ------------------------------------
def _sibling(base, data, cache_dir, use_llm=False):
    """A Recommender for another catalog that borrows the session's embedder and LLM: one model load per session."""
    from chat.recommender import Recommender
    from chat.settings import Settings

    rec = Recommender(Settings(data=data, cache_dir=cache_dir, use_llm=use_llm))
    rec.embedder, rec.llm = base.embedder, base.llm  # cached properties: set before first use
    rec.warm_up()
    return rec


@pytest.fixture(scope="session")
def ml100k_own_layout(recommender, cache_dir, tmp_path_factory):
    """ml-100k as grouplens.org ships it (u.item, u.data). Same catalog, so it shares the session's cache folder."""
    from catalog_files import write_ml100k_layout

    return _sibling(recommender, write_ml100k_layout(tmp_path_factory.mktemp("ml-100k")), cache_dir)


@pytest.fixture(scope="session")
def ml_latest(recommender, tmp_path_factory):
    """A small ml-latest-style folder (movies.csv, ratings.csv, tags.csv), in a cache folder of its own."""
    from catalog_files import write_ml_latest

    return _sibling(recommender, write_ml_latest(tmp_path_factory.mktemp("ml-latest")), tmp_path_factory.mktemp("cache-latest"))


@pytest.fixture(scope="session")
def movies(recommender, tmp_path_factory):
    """The shipped default catalog (data/movies: ReDial's 6,924 films), in a cache folder of its own."""
    return _sibling(recommender, None, tmp_path_factory.mktemp("cache-movies"))


@pytest.fixture(scope="session")
def shop(tmp_path_factory):
    from catalog.demo_shop import write_shop

    return write_shop(tmp_path_factory.mktemp("shop"))


@pytest.fixture(scope="session")
def shop_recommender(recommender, shop, tmp_path_factory):
    return _sibling(recommender, shop.spec, tmp_path_factory.mktemp("cache-shop"), use_llm=True)


@pytest.fixture(scope="session")
def shop_server(shop_recommender):
    from app import CSS, build_app
    from evaluation.latency import free_port

    demo = build_app(shop_recommender)
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, css=CSS)
    yield f"http://127.0.0.1:{port}/"
    demo.close()
