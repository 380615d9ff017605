"""`offline`: accuracy of every method on MovieLens under two protocols, hybrids tuned on validation.

For each protocol: ALS is fitted on the training split only (its factors, regularization and
alpha picked on validation NDCG@10 from a small grid); the content method scores items by
cosine with the mean embedding of the user's training items; each fusion strategy's weight,
cascade depth and candidate count are picked on validation NDCG@10; the test metrics are
then computed once with the picked values. Validation ranks every item outside the user's
training items; test ranks every item outside training and validation (both are history
by then). No sampled negatives.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import asdict

import numpy as np
from tqdm import tqdm

from catalog.loading import ML100K
from catalog import load_catalog
from cf.als import ALSConfig
from evaluation.methods import (
    ALS, STRATEGIES, Hybrid, candidate_sets, content_scores, hybrid_lists, item_embeddings, masked,
    popularity_scores, recency_weights,
)
from evaluation.metrics import evaluate, genre_matrix, topk
from evaluation.splits import PROTOCOLS, make_split, subsample_users

TUNE_METRIC = "ndcg@10"
K = 20  # longest list any metric reads
GRIDS = {
    "full": {
        "als": {"factors": (32, 64, 128), "regularization": (0.05, 0.5), "alpha": (1.0, 2.0, 5.0)},
        "candidates": (50, 100, 200, 400),
        "cf_weight": (0.0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.0),
        "keep": (10, 20, 30, 50, 100),
        "half_life": (None, 20.0, 5.0, 2.0, 1.0),
    },
    "quick": {  # for tests: a handful of configurations
        "als": {"factors": (32,), "regularization": (0.05,), "alpha": (2.0,)},
        "candidates": (50,),
        "cf_weight": (0.3, 0.7),
        "keep": (30,),
        "half_life": (None, 2.0),
    },
}


def tune_als(train, heldout, exclude, users, pop, genres, grid, progress=True):
    """Fit ALS on training for each grid point; keep the best on validation NDCG@10."""
    trials = []
    points = list(itertools.product(grid["factors"], grid["regularization"], grid["alpha"]))
    best = None
    for factors, reg, alpha in tqdm(points, desc="ALS grid", disable=not progress, leave=False):
        config = ALSConfig(factors=factors, regularization=reg, alpha=alpha)
        model = ALS.fit(train, config)
        lists = topk(masked(model.scores(users), exclude[users]), K)
        value = evaluate(lists, heldout[users], pop, genres)[TUNE_METRIC]
        trials.append({"factors": factors, "regularization": reg, "alpha": alpha, TUNE_METRIC: round(value, 5)})
        if best is None or value > best[0]:
            best = (value, model)
    return best[1], trials


def tune_content(inter, mask, n_items, emb, heldout, exclude, users, pop, genres, half_lives):
    """Recency half-life (in interactions) of the content profile, best on validation NDCG@10."""
    trials, best = [], None
    for hl in half_lives:
        weights = recency_weights(inter, mask, n_items, hl)
        lists = topk(masked(content_scores(weights, emb, users), exclude[users]), K)
        value = evaluate(lists, heldout[users], pop, genres)[TUNE_METRIC]
        trials.append({"half_life": hl, TUNE_METRIC: round(value, 5)})
        if best is None or value > best[0]:
            best = (value, hl, weights)
    return best[1], best[2], trials


def hybrid_grid(strategy: str, grid: dict) -> list[Hybrid]:
    if strategy in ("weighted", "rrf"):
        return [Hybrid(strategy, candidates=c, cf_weight=w) for c in grid["candidates"] for w in grid["cf_weight"]]
    return [Hybrid(strategy, candidates=c, keep=k) for c in grid["candidates"] for k in grid["keep"]]


def tune_hybrids(sem, cf, heldout, pop, genres, grid, progress=True):
    """Best configuration of each strategy on validation, and every trial."""
    out = {}
    cache: dict = {}
    configs = [(s, h) for s in STRATEGIES for h in hybrid_grid(s, grid)]
    bar = tqdm(configs, desc="fusion grid", disable=not progress, leave=False)
    for strategy, hybrid in bar:
        key = (STRATEGIES[strategy][0], hybrid.candidates)
        if key not in cache:
            cache[key] = candidate_sets(sem, cf, hybrid.candidates, key[0])
        lists = hybrid_lists(hybrid, sem, cf, K, cache[key])
        value = evaluate(lists, heldout, pop, genres)[TUNE_METRIC]
        entry = out.setdefault(strategy, {"best": None, "best_value": -1.0, "trials": []})
        entry["trials"].append({**hybrid.describe(), TUNE_METRIC: round(value, 5)})
        if value > entry["best_value"]:
            entry["best"], entry["best_value"] = hybrid, value
    return out


def run_protocol(catalog, emb, protocol, grid, users_limit=None, seed=0, progress=True) -> dict:
    inter = catalog.interactions
    n_items = len(catalog)
    split = make_split(protocol, inter, n_items)
    train = split.train(inter, n_items)
    pop_share = np.asarray(train.sum(axis=0)).ravel() / max(inter.n_users, 1)
    genres = genre_matrix([it.genres for it in catalog.items], catalog.genres)
    sample = subsample_users(inter.n_users, users_limit, seed)
    has_valid = np.asarray(split.valid.sum(axis=1)).ravel() > 0
    has_test = np.asarray(split.test.sum(axis=1)).ravel() > 0
    vu, tu = sample[has_valid[sample]], sample[has_test[sample]]
    history_test = (train + split.valid).tocsr()

    als, als_trials = tune_als(train, split.valid, train, vu, pop_share, genres, grid["als"], progress)
    als_default = ALS.fit(train, ALSConfig())
    half_life, content_weights, content_trials = tune_content(inter, split.train_mask, n_items, emb, split.valid,
                                                              train, vu, pop_share, genres, grid["half_life"])

    def single(users, exclude):
        return {
            "popularity": masked(popularity_scores(train, users), exclude[users]),
            "als": masked(als.scores(users), exclude[users]),
            "als-default": masked(als_default.scores(users), exclude[users]),
            "content": masked(content_scores(content_weights, emb, users), exclude[users]),
        }

    valid_scores = single(vu, train)
    tuning = tune_hybrids(valid_scores["content"], valid_scores["als"], split.valid[vu], pop_share, genres, grid, progress)
    chosen = max(tuning, key=lambda s: tuning[s]["best_value"])

    results = {"valid": {}, "test": {}}
    for phase, users, exclude, heldout, scores in (
        ("valid", vu, train, split.valid, valid_scores),
        ("test", tu, history_test, split.test, None),
    ):
        scores = scores or single(users, exclude)
        for name, s in scores.items():
            results[phase][name] = evaluate(topk(s, K), heldout[users], pop_share, genres)
        for strategy, entry in tuning.items():
            lists = hybrid_lists(entry["best"], scores["content"], scores["als"], K)
            results[phase][f"hybrid-{strategy}"] = evaluate(lists, heldout[users], pop_share, genres)
    return {
        "protocol": protocol,
        "n_train": int(split.train_mask.sum()),
        "n_valid_users": int(len(vu)),
        "n_test_users": int(len(tu)),
        "n_valid_items": int(split.valid[vu].nnz),
        "n_test_items": int(split.test[tu].nnz),
        "als_config": {k: v for k, v in asdict(als.config).items()},
        "als_trials": als_trials,
        "content_half_life": half_life,
        "content_trials": content_trials,
        "tuning": {
            s: {"best": e["best"].describe(), f"valid_{TUNE_METRIC}": round(e["best_value"], 5), "trials": e["trials"]}
            for s, e in tuning.items()
        },
        "chosen": {"method": f"hybrid-{chosen}", **tuning[chosen]["best"].describe()},
        "valid": results["valid"],
        "test": results["test"],
    }


def run(data=None, cache_dir=None, protocols=PROTOCOLS, users=None, grid="full", seed=0, progress=True) -> dict:
    from evaluation.methods import default_cache_dir

    data = ML100K if data is None else data  # an evaluation of MovieLens-100K, whatever the default catalog
    started = time.perf_counter()
    catalog = load_catalog(data)
    emb = item_embeddings(catalog, cache_dir or default_cache_dir())
    out = {
        "command": "offline",
        "dataset": catalog.name,
        "n_items": len(catalog),
        "n_users": catalog.interactions.n_users,
        "n_interactions": len(catalog.interactions),
        "grid": grid,
        "seed": seed,
        "protocols": {},
    }
    for protocol in protocols:
        out["protocols"][protocol] = run_protocol(catalog, emb, protocol, GRIDS[grid], users, seed, progress)
    out["seconds"] = round(time.perf_counter() - started, 1)
    return out


# --- printing ---------------------------------------------------------------------
TABLE_METRICS = ("recall@10", "precision@10", "ndcg@10", "hit@10", "f1@10", "mrr@10", "recall@20", "ndcg@20",
                 "coverage@10", "popularity@10", "diversity@10")


def format_table(result: dict) -> str:
    lines = []
    for protocol, r in result["protocols"].items():
        lines.append(f"\n== {protocol}: test on {r['n_test_users']} users ({r['n_test_items']} held-out items); "
                     f"chosen {r['chosen']} ==")
        lines.append(_table(r["test"], TABLE_METRICS))
        lines.append("tuned on validation (NDCG@10): " + "; ".join(
            f"{s} {e['best']} -> {e['valid_ndcg@10']:.4f}" for s, e in r["tuning"].items()))
        lines.append(f"ALS config: {r['als_config']}; content recency half-life: {r['content_half_life']}")
    return "\n".join(lines)


def _table(rows: dict, metrics) -> str:
    name_w = max(len(n) for n in rows) + 2
    head = "method".ljust(name_w) + "".join(m.rjust(14) for m in metrics)
    body = [n.ljust(name_w) + "".join(f"{v[m]:14.4f}" for m in metrics) for n, v in rows.items()]
    return "\n".join([head] + body)
