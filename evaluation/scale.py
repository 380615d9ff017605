"""`scale`: how retrieval and ranking latency, and the ALS fit time, grow with the catalog.

Catalogs of N synthetic items with random unit embeddings (384 dimensions, like the real
embedder), random years and genres go through the same ChromaDB path as the product (a
persistent collection with cosine HNSW and the same metadata), and requests go through the
product's `HybridRanker` (retrieval, CF prior, fusion). The CF prior is a random N x 64 factor
matrix scored like the product's (factors @ user vector). ALS fit time is measured with the
product's `fit_als` and `ALSConfig` defaults on synthetic users x items matrices whose item
popularity follows a power law.
"""

from __future__ import annotations

import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from tqdm import tqdm

DIM = 384
SIZES = (10_000, 100_000, 1_000_000)  # synthetic catalog sizes measured by default
ALS_SIZES = (1_000_000, 10_000_000)  # synthetic interaction counts for the ALS fit time
FACTORS = 64
CANDIDATES = 100  # semantic candidates per request (the product ships 400: `--candidates 400`)
GENRES = ["Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama", "Fantasy",
          "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western"]


class _RandomCF:
    """Stands in for cf.als.CFModel: scores = item factors @ (mean of the liked items' factors)."""

    def __init__(self, factors: np.ndarray):
        self.item_factors = factors

    def scores(self, liked, item_ids=None, weights=None):
        user = np.average(self.item_factors[liked], axis=0, weights=weights)
        return self.item_factors @ user


def synthetic_catalog(n: int, rng: np.random.Generator):
    from catalog.model import Catalog, Interactions, Item

    years = rng.integers(1930, 1999, size=n)
    n_genres = rng.integers(1, 4, size=n)
    picks = rng.integers(0, len(GENRES), size=(n, 3))
    items = [Item(i, str(i), f"Item {i}", int(years[i]), tuple(sorted({GENRES[g] for g in picks[i, :n_genres[i]]})))
             for i in range(n)]
    empty = Interactions(np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.float32), np.zeros(0, np.int64), 0)
    return Catalog(items=items, interactions=empty, name=f"synthetic-{n}")


COLLECTION = "items-synthetic"


def _client(path: str):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    return chromadb.PersistentClient(path=path, settings=ChromaSettings(anonymized_telemetry=False))


def _index(catalog, emb: np.ndarray, path: str, collection):
    from retrieval.index import ItemIndex

    index = ItemIndex(catalog, embedder=None, cache_dir=path)
    index._collection, index._embeddings = collection, emb  # the given collection, not a rebuild
    return index


def build_index(catalog, emb: np.ndarray, path: str, progress: bool):
    """A ChromaDB collection built as retrieval.index builds it (same batches and metadata), from given vectors."""
    from retrieval.index import add_items

    collection = _client(path).create_collection(COLLECTION, embedding_function=None,
                                                 configuration={"hnsw": {"space": "cosine"}})
    add_items(collection, catalog.items, emb, catalog.genres, [it.title for it in catalog.items], progress)
    return _index(catalog, emb, path, collection)


def built_index(catalog, emb: np.ndarray, path: str):
    """The collection an earlier run with the same size and seed left in `path`; None when there is none whole."""
    from chromadb.errors import NotFoundError

    client = _client(path)
    try:
        collection = client.get_collection(COLLECTION, embedding_function=None)
    except NotFoundError:
        return None
    if collection.count() != len(catalog):  # an interrupted build
        client.delete_collection(COLLECTION)
        return None
    return _index(catalog, emb, path, collection)


@contextmanager
def index_folder(keep: str | None, n: int, seed: int):
    """A temporary folder, or `keep/synthetic-<n>-seed<seed>/`, kept for the next run with the same size and seed."""
    if keep is None:
        with tempfile.TemporaryDirectory(prefix="convrec-scale-") as tmp:
            yield tmp
    else:
        folder = Path(keep) / f"synthetic-{n}-seed{seed}"
        folder.mkdir(parents=True, exist_ok=True)
        yield str(folder)


def latency(n: int, queries: int, seed: int, progress: bool, keep: str | None = None, candidates: int = CANDIDATES) -> dict:
    from ranking.ranker import HybridRanker, RankRequest
    from retrieval.filters import Filters

    rng = np.random.default_rng(seed)
    catalog = synthetic_catalog(n, rng)
    emb = rng.standard_normal((n, DIM)).astype(np.float32)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    factors = rng.standard_normal((n, FACTORS)).astype(np.float32) * 0.1
    with index_folder(keep, n, seed) as folder:
        index = built_index(catalog, emb, folder) if keep else None
        build_s = None
        if index is None:
            t = time.perf_counter()
            index = build_index(catalog, emb, folder, progress)
            build_s = round(time.perf_counter() - t, 2)
        ranker = HybridRanker(catalog, index, _RandomCF(factors), candidates=candidates)
        stages: dict[str, list[float]] = {"retrieve": [], "cf": [], "rank": [], "total": []}
        for q in tqdm(range(queries + 3), desc=f"queries {n:,}", disable=not progress, leave=False):
            liked = [int(i) for i in rng.choice(n, size=3, replace=False)]
            text = rng.standard_normal(DIM).astype(np.float32)
            text /= np.linalg.norm(text)
            genre = {GENRES[int(rng.integers(len(GENRES)))]} if q % 2 else set()
            req = RankRequest(text, liked, [], Filters(exclude_ids=set(liked), genres_any=genre), k=5)
            t = time.perf_counter()
            result = ranker.rank(req)
            total = (time.perf_counter() - t) * 1000
            if q < 3:
                continue  # warm-up
            for stage in ("retrieve", "cf", "rank"):
                stages[stage].append(result.timings_ms[stage])
            stages["total"].append(total)
    return {
        "items": n,
        "build_s": build_s,  # None: reused from --keep-index
        "queries": queries,
        "candidates": candidates,
        "ms": {s: {"p50": round(float(np.percentile(v, 50)), 2), "p95": round(float(np.percentile(v, 95)), 2)}
               for s, v in stages.items()},
    }


def als_fit_time(nnz: int, seed: int) -> dict:
    import scipy.sparse as sp

    from cf.als import ALSConfig, fit_als

    rng = np.random.default_rng(seed)
    n_users, n_items = max(nnz // 100, 100), max(nnz // 200, 100)
    weights = 1.0 / np.arange(1, n_items + 1) ** 0.8  # power-law item popularity
    items = rng.choice(n_items, size=nnz, p=weights / weights.sum()).astype(np.int32)
    users = rng.integers(0, n_users, size=nnz, dtype=np.int32)
    m = sp.csr_matrix((np.ones(nnz, np.float32), (users, items)), shape=(n_users, n_items))
    m.sum_duplicates()
    m.data[:] = 1.0
    config = ALSConfig()
    t = time.perf_counter()
    fit_als(m, config, progress=False)
    return {"interactions": int(m.nnz), "requested": nnz, "users": n_users, "items": n_items,
            "factors": config.factors, "iterations": config.iterations, "fit_s": round(time.perf_counter() - t, 2)}


def as_flag(sizes) -> str:
    """(10_000, 100_000) -> "10000,100000", as --sizes and --als-sizes take them."""
    return ",".join(str(n) for n in sizes)


def run(sizes=SIZES, als_sizes=ALS_SIZES, queries=50, seed=0, progress=True, keep: str | None = None,
        candidates: int = CANDIDATES) -> dict:
    """`keep`: a folder where built indexes stay for later runs (a million items take long to build)."""
    started = time.perf_counter()
    out = {"command": "scale", "seed": seed, "latency": [], "als": []}
    for n in sizes:
        out["latency"].append(latency(n, queries, seed, progress, keep, candidates))
    for nnz in tqdm(als_sizes, desc="ALS fits", disable=not progress or not als_sizes, leave=False):
        out["als"].append(als_fit_time(nnz, seed))
    out["growth"] = growth(out)
    out["seconds"] = round(time.perf_counter() - started, 1)
    return out


def growth(result: dict) -> dict:
    """Log-log slope between the smallest and largest size: 1.0 is linear, 0 is flat."""
    g = {}
    lat = result["latency"]
    if len(lat) >= 2:
        a, b = lat[0], lat[-1]
        ratio = np.log(b["items"] / a["items"])
        if a["build_s"] and b["build_s"]:
            g["build_s"] = round(float(np.log(b["build_s"] / max(a["build_s"], 1e-9)) / ratio), 2)
        for s in ("retrieve", "cf", "rank", "total"):
            g[f"{s}_p50"] = round(float(np.log(max(b["ms"][s]["p50"], 1e-3) / max(a["ms"][s]["p50"], 1e-3)) / ratio), 2)
    als = result["als"]
    if len(als) >= 2:
        g["als_fit_s"] = round(float(np.log(als[-1]["fit_s"] / als[0]["fit_s"]) / np.log(als[-1]["interactions"] / als[0]["interactions"])), 2)
    return g


def format_table(result: dict) -> str:
    lines = ["items      build s   retrieve p50/p95 ms   cf p50/p95 ms   rank p50/p95 ms   total p50/p95 ms"]
    for r in result["latency"]:
        ms = r["ms"]
        build = "reused" if r["build_s"] is None else f"{r['build_s']:.1f}"
        lines.append(f"{r['items']:<10,} {build:>8}" + "".join(
            f"{ms[s]['p50']:>12.1f} / {ms[s]['p95']:<6.1f}" for s in ("retrieve", "cf", "rank", "total")))
    lines.append("\ninteractions   users    items   ALS fit s")
    for r in result["als"]:
        lines.append(f"{r['interactions']:<14,} {r['users']:<8,} {r['items']:<7,} {r['fit_s']:9.1f}")
    if result.get("growth"):
        lines.append(f"\ngrowth (log-log slope, 1 = linear): {result['growth']}")
    return "\n".join(lines)
