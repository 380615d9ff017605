import numpy as np
import pytest

from ranking.fusion import cascade, fuse, minmax, mmr, rrf, weighted

SEM = np.array([0.9, 0.5, 0.1, 0.3])
CF = np.array([0.0, 1.0, 0.2, 0.9])


def test_weighted_moves_from_semantic_to_cf_order():
    assert np.argmax(weighted(SEM, CF, 0.0)) == 0
    assert np.argmax(weighted(SEM, CF, 1.0)) == 1
    assert minmax(np.array([2.0, 2.0])).tolist() == [0.0, 0.0]


def test_rrf_uses_ranks_only():
    a = rrf(SEM, CF, 0.5)
    b = rrf(SEM * 100, CF ** 3, 0.5)  # same orders, other scales
    assert np.argsort(-a).tolist() == np.argsort(-b).tolist()


def test_cascade_keeps_semantic_top_and_orders_them_by_cf():
    scores = cascade(SEM, CF, 0.0, keep=2)  # keeps items 0 and 1, then CF puts 1 first
    assert np.argsort(-scores)[:2].tolist() == [1, 0]
    assert scores[2] < scores[0] and scores[3] < scores[0]


def test_unknown_fusion_lists_the_known_ones():
    with pytest.raises(ValueError, match="weighted, rrf, cascade"):
        fuse("magic", SEM, CF, 0.5)


def test_mmr_trades_relevance_for_diversity():
    emb = np.array([[1, 0], [0.99, 0.14], [0, 1]], dtype=np.float32)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    scores = np.array([1.0, 0.95, 0.5])
    assert mmr(scores, emb, 2, 0.0) == [0, 1]  # relevance only: the two near-duplicates
    assert mmr(scores, emb, 2, 0.7) == [0, 2]  # diversity: the near-duplicate gives way
