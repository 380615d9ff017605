"""The direct transformers path must give what sentence-transformers gives for the default embedder."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from retrieval.embedder import Embedder, locate_default_embedder
from retrieval.mean_pooling import mean_pooling_layout

TEXTS = [
    "Star Wars (1977). Action, Adventure, Romance, Sci-Fi, War.",
    "  something tense tonight  ",
    "no horror 😱 please, 我喜欢科幻电影",
    "<script>alert(1)</script>",
    "x",
    "a very long request " * 200,  # past the 256-token limit: truncated the same way
]


@pytest.fixture(scope="module")
def reference():
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(locate_default_embedder()), device="cpu")
    return model.encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True, batch_size=4)


def test_default_embedder_runs_without_sentence_transformers(reference):
    embedder = Embedder()
    got = embedder.encode(TEXTS, batch_size=4)
    assert embedder.runner == "transformers"
    assert got.shape == reference.shape and got.dtype == np.float32
    np.testing.assert_allclose(got, reference, atol=2e-5)
    assert "via transformers" in embedder.describe()


def test_importing_and_loading_the_default_embedder_skips_sentence_transformers():
    code = ("import sys; from retrieval.embedder import Embedder; Embedder().encode(['hi']); "
            "assert 'sentence_transformers' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[1])


def test_other_layouts_go_through_sentence_transformers(tmp_path, reference):
    folder = tmp_path / "cls-pooling"
    shutil.copytree(locate_default_embedder(), folder)
    config = folder / "1_Pooling" / "config.json"
    pooling = json.loads(config.read_text())
    assert mean_pooling_layout(folder) == {"max_seq_length": 256, "normalize": True}
    pooling.update(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
    config.write_text(json.dumps(pooling))
    assert mean_pooling_layout(folder) is None

    embedder = Embedder(str(folder))
    got = embedder.encode(TEXTS[:2])
    assert embedder.runner == "sentence-transformers"
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    assert not np.allclose(got, reference[:2], atol=1e-3)  # CLS pooling really is another model
