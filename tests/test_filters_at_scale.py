"""Filtering a big catalog in numpy finds what filtering item by item or inside ChromaDB finds.

The paths a million-item catalog takes (retrieval.index's over-fetch, ranking.ranker's partial sort)
are forced here on a small synthetic catalog in a real ChromaDB, and checked against the plain ones.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from evaluation.scale import DIM, GENRES, synthetic_catalog
from ranking.ranker import CF_CANDIDATES, HybridRanker, best_first
from retrieval.filters import Filters, ItemFacts

N = 2000


@pytest.fixture(scope="module")
def catalog():
    rng = np.random.default_rng(11)
    base = synthetic_catalog(N, rng)
    # Some items with an unknown year and some with no genre: the edge cases of year and genre filters.
    items = [dataclasses.replace(it, year=None) if it.id % 17 == 0 else
             dataclasses.replace(it, genres=()) if it.id % 23 == 0 else it for it in base.items]
    return dataclasses.replace(base, items=items)


def random_filters(rng: np.random.Generator, n_items: int) -> Filters:
    f = Filters(exclude_ids=set(rng.integers(n_items, size=int(rng.integers(0, 40))).tolist()))
    if rng.random() < 0.5:
        f.genres_any = set(rng.choice(GENRES, size=int(rng.integers(1, 3)), replace=False).tolist())
    if rng.random() < 0.3:
        f.genres_none = {str(rng.choice(GENRES))}
    if rng.random() < 0.3:
        f.year_min = int(rng.integers(1930, 1995))
    if rng.random() < 0.3:
        f.year_max = int(rng.integers(1940, 2000))
    if rng.random() < 0.3:  # items about an excluded subject ("no superhero"): a share of the catalog, like a genre
        f.about_none = set(rng.choice(n_items, size=int(rng.integers(1, n_items // 4)), replace=False).tolist())
    if rng.random() < 0.1:
        f.only_ids = set(rng.choice(n_items, size=int(rng.integers(1, n_items // 2)), replace=False).tolist())
    return f


def test_mask_agrees_with_accepts(catalog):
    rng = np.random.default_rng(0)
    facts = ItemFacts(catalog.items, catalog.genres)
    ids = rng.permutation(N)
    sample = np.sort(rng.choice(N, size=300, replace=False))
    for _ in range(200):
        f = random_filters(rng, N)
        assert f.mask(facts, ids).tolist() == [f.accepts(catalog[int(i)]) for i in ids], f
        assert f.mask(facts).tolist() == [f.accepts(item) for item in catalog.items], f  # every item, row i = item i
        # a sample's rows are checked as the items they hold (the share a search at scale estimates from them)
        assert f.mask(facts.rows(sample)).tolist() == [f.accepts(catalog[int(i)]) for i in sample], f
        assert f.mask(facts.rows(sample).rows(np.arange(0, len(sample), 3))).tolist() == \
            [f.accepts(catalog[int(i)]) for i in sample[::3]], f
    assert Filters().mask(facts, ids).all() and not Filters()


def test_best_first_is_the_head_of_the_stable_full_sort():
    rng = np.random.default_rng(1)
    for _ in range(200):
        scores = rng.integers(0, 20, size=int(rng.integers(1, 500))).astype(np.float32)  # many ties
        if rng.random() < 0.5:
            scores = scores / 7 + rng.standard_normal(len(scores)).astype(np.float32) * (rng.random() < 0.5)
        m = int(rng.integers(1, len(scores) + 5))
        assert best_first(scores, m).tolist() == np.argsort(-scores, kind="stable")[:m].tolist()


def test_cf_candidates_are_those_of_a_walk_down_the_full_order(catalog):
    """The ranker's blockwise search equals the item-by-item walk it replaced."""
    rng = np.random.default_rng(2)
    ranker = HybridRanker(catalog, index=None, cf=None)
    for _ in range(100):
        scores = rng.integers(0, 50, size=N).astype(np.float64) / 50  # ties, like a popularity prior
        f = random_filters(rng, N)
        taken = dict.fromkeys(rng.integers(N, size=int(rng.integers(0, 400))).tolist())
        walk = [int(i) for i in np.argsort(-scores, kind="stable")
                if int(i) not in taken and f.accepts(catalog[int(i)])][:CF_CANDIDATES]
        assert ranker._cf_candidates(scores, taken, f) == walk


@pytest.fixture(scope="module")
def index(catalog, tmp_path_factory):
    """The synthetic catalog in a real ChromaDB, built the way `python -m evaluation scale` builds its catalogs."""
    from evaluation.scale import build_index

    rng = np.random.default_rng(4)
    emb = rng.standard_normal((N, DIM)).astype(np.float32)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    return build_index(catalog, emb, str(tmp_path_factory.mktemp("chroma-synthetic")), progress=False)


def test_over_fetched_search_finds_the_nearest_passing_items(index, catalog):
    rng = np.random.default_rng(5)
    emb = index.embeddings
    index.filtered_query_max_items, index.max_fetch = 0, 10 * N  # every filtered search over-fetches, as on 1M items
    found = exact = 0
    for _ in range(30):
        q = emb[rng.integers(N, size=2)].mean(axis=0)
        q /= np.linalg.norm(q)
        f = random_filters(rng, N)
        hits = index.search(q, 50, f)
        ids, sims = [i for i, _ in hits], np.array([s for _, s in hits])
        assert all(f.accepts(catalog[i]) for i in ids)
        assert np.all(np.diff(sims) <= 1e-6) and np.allclose(sims, emb[ids] @ q, atol=1e-4)
        passing = np.flatnonzero(f.mask(index.facts, np.arange(N)))
        best = set(passing[np.argsort(-(emb[passing] @ q), kind="stable")[:50]].tolist())
        assert len(ids) == len(best)  # all of them when fewer than 50 pass
        found, exact = found + len(best & set(ids)), exact + len(best)
    assert found / exact >= 0.9  # HNSW is approximate; filtering after it loses next to nothing


def test_an_excluded_subject_is_estimated_as_a_share_not_counted_as_exclusions(index, catalog):
    """Items about an excluded subject are spread like a genre's: the over-fetch estimates them from the sample instead
    of fetching one more hit per excluded item (which, for a subject of a tenth of a million items, is no over-fetch)."""
    rng = np.random.default_rng(6)
    about = set(rng.choice(N, size=N // 2, replace=False).tolist())
    f = Filters(about_none=about)
    assert abs(index._share_passing(f) - 0.5) < 0.01  # the sample holds every item of this small catalog
    assert index._share_passing(Filters(exclude_ids=about)) == 1.0  # exclusions are counted, never estimated
    index.filtered_query_max_items, index.max_fetch = 0, 10 * N
    hits = index.search(index.embeddings[3], 50, f)
    assert len(hits) == 50 and not {i for i, _ in hits} & about
    index.filtered_query_max_items, index.max_fetch = 10 * N, 10 * N  # the filtered query: ChromaDB's own where
    assert not {i for i, _ in index.search(index.embeddings[3], 50, f)} & about


def test_too_few_passing_hits_fall_back_to_the_filtered_query(index):
    q = index.embeddings[7]
    f = Filters(genres_any={"Documentary"}, genres_none={"Drama"}, year_min=1990)
    index.filtered_query_max_items, index.max_fetch = 0, 60  # an over-fetch that cannot find 50 passing items
    fallback = index.search(q, 50, f)
    index.filtered_query_max_items, index.max_fetch = 10 * N, 10 * N  # the filtered query itself
    assert fallback == index.search(q, 50, f) and len(fallback) > 0
