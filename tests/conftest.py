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


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("recs-cache")


@pytest.fixture(scope="session")
def settings(cache_dir):
    from chat.settings import Settings

    return Settings(cache_dir=cache_dir)


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
