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


def test_cf_share_grows_with_the_liked_titles():
    from ranking.ranker import evidence_weight

    shares = [evidence_weight(0.6, n) for n in range(6)]
    assert shares[0] == pytest.approx(0.6)  # nothing liked: the well-liked prior keeps its share
    assert shares[1] == pytest.approx(0.2)  # one title: a third
    assert shares[2] == pytest.approx(0.4)
    assert shares[3] == shares[5] == pytest.approx(0.6)  # three titles are a profile


def test_cf_candidates_that_fit_narrow_filters_are_found_deep_in_the_cf_order(recommender):
    """With all weight on CF, the ranker must return the CF prior's best items among those that pass."""
    from ranking.ranker import HybridRanker, RankRequest
    from retrieval.filters import Filters

    catalog, cf = recommender.catalog, recommender.cf
    liked = [next(i.id for i in catalog.items if i.display == t)
             for t in ("Star Wars (1977)", "Alien (1979)", "Fargo (1996)")]
    filters = Filters(exclude_ids=set(liked), genres_any={"Film-Noir"}, year_min=1990, year_max=1999)
    ranker = HybridRanker(catalog, recommender.index, cf, cf_weight=1.0, candidates=5)
    got = [r.item_id for r in ranker.rank(RankRequest(None, liked, [], filters, k=5)).items]

    scores = cf.scores(liked)
    passing = [i for i in np.argsort(-scores, kind="stable") if filters.accepts(catalog[int(i)])]
    assert got == [int(i) for i in passing[:5]]
    unfiltered_rank = {int(i): r for r, i in enumerate(np.argsort(-scores, kind="stable"))}
    assert max(unfiltered_rank[i] for i in got) >= 50  # the case only a deep search gets right


def test_talked_about_titles_join_the_cf_fold_in_only_where_the_catalog_says_so():
    """The movies catalog (ReDial conversations) folds in seen and other-side titles and gives the CF prior
    its whole share from one title; ML-100K's defaults fold in liked titles only, the share growing to three."""
    from catalog import load_catalog
    from chat.state import SessionState
    from ranking.ranker import PREMISE_CF_WEIGHT, HybridRanker

    state = SessionState(liked=[1], seen=[2, 1], mentioned=[3], disliked=[3])
    assert state.cf_context() == [2]  # neither a positive again nor a disliked title
    movies = HybridRanker(load_catalog(None), None, None, cf_weight=0.8)
    assert movies.folded_in([1], state.cf_context()) == ([1, 2], [2])
    assert movies.cf_share([1], []) == pytest.approx(0.8)
    plain = HybridRanker(load_catalog("ml-100k"), None, None, cf_weight=0.7)
    assert plain.folded_in([1], [2]) == ([1], [])
    assert plain.cf_share([1], [2]) == pytest.approx(0.7 / 3)
    # A premise with nothing to fold in from: the prior is popularity alone, and yields to the premise's words;
    # once a title is named, the prior has its usual share again.
    assert movies.cf_share([], [], premise=True) == pytest.approx(PREMISE_CF_WEIGHT)
    assert PREMISE_CF_WEIGHT < movies.cf_share([], [])
    assert movies.cf_share([1], [], premise=True) == pytest.approx(0.8)
