"""The item collection in ChromaDB, built once and reused across restarts: embedded, or on a Chroma server.

The collection name carries a fingerprint of the catalog texts and the embedder,
so changing either builds a new collection (and drops the stale ones of the same catalog source:
stores of other catalogs stay, so switching RECS_DATA back and forth rebuilds nothing). Each collection
lives in its own store folder, named like it, so a store can be built under a temporary
name and renamed into place whole. With a server URL the same collection lives on a
Chroma server instead (retrieval.chroma_server).

Filtered search on a big catalog does not hand the filter to ChromaDB, which applies a
`where` by scanning every item's metadata (2.2 s at a million items): it over-fetches an
unfiltered query and filters the hits here, against the catalog's facts as arrays, and falls
back to the filtered query only when too few hits pass.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import math
import threading
import uuid
from functools import cached_property
from pathlib import Path

import numpy as np
from tqdm import tqdm

from catalog.model import Catalog, Item
from retrieval.embedder import Embedder
from retrieval.filters import Filters, ItemFacts, genre_key
from runtime.cache_files import build_dir, remove, set_aside

log = logging.getLogger("recs.index")
PREFIX = "items-"
SOURCE_FILE = "catalog-source.txt"  # in each store: which catalog it was built from, so only its own stale stores go
BATCH = 4000  # below ChromaDB's maximum batch size
SELF_PROBES = 16  # items that must find themselves when a store is opened
SELF_DISTANCE = 1e-3  # an item's own vector is at cosine distance ~0 (float rounding) from itself
# Up to this many items the filtered query is cheap (its metadata scan takes milliseconds) and stays in use:
# HNSW is approximate, and a filtered query and a filtered over-fetch can find different near neighbours.
FILTERED_QUERY_MAX_ITEMS = 5_000
MARGIN = 3.0  # standard deviations of the passing hits an over-fetch allows for
RETRY_OVERFETCH = 1.5  # a second fetch: this many times the hits that the share seen near the query calls for
MAX_FETCH = 20_000  # a filter so narrow that it needs more hits than this goes to the filtered query
SHARE_SAMPLE = 20_000  # items whose facts estimate the share that passes a filter
PROGRESS_FROM = 50_000  # catalogs at least this big show a progress bar while they are added


def item_metadata(item: Item, genres: list[str]) -> dict:
    meta: dict = {"item_id": item.id, "title": item.title, "year": item.year or 0}
    for g in genres:
        meta[genre_key(g)] = g in item.genres
    return meta


def add_items(collection, items: list[Item], vectors, genres: list[str], documents: list[str],
              progress: bool | None = None) -> None:
    """Add items in batches ChromaDB accepts; `progress` None: a bar for big catalogs only."""
    show = len(items) >= PROGRESS_FROM if progress is None else progress
    for start in tqdm(range(0, len(items), BATCH), desc=f"index {len(items):,} items", unit="batch",
                      disable=not show, leave=False):
        chunk = items[start:start + BATCH]
        collection.add(ids=[str(it.id) for it in chunk], embeddings=vectors[start:start + BATCH],
                       metadatas=[item_metadata(it, genres) for it in chunk], documents=documents[start:start + BATCH])


class ItemIndex:
    """One ChromaDB store per collection, in `cache_dir/chroma/<collection name>/`, or on a server at `url`.

    A store is built in a temporary folder and renamed into place, so a crash never leaves half of one.
    Opening it checks it (count, a few self-queries); a store that fails is set aside and rebuilt.
    """

    def __init__(self, catalog: Catalog, embedder: Embedder, cache_dir: Path, url: str | None = None):
        self.catalog = catalog
        self.embedder = embedder
        self.root = Path(cache_dir) / "chroma"
        self.url = url  # a Chroma server (http://host:port); None: the embedded store under cache_dir
        self.filtered_query_max_items, self.max_fetch = FILTERED_QUERY_MAX_ITEMS, MAX_FETCH
        self._client = None
        self._collection = None
        self._embeddings: np.ndarray | None = None  # (n_items, dim), row i = item i
        self._lock = threading.Lock()
        self.built_now = False  # True when this process built the collection (cold start)

    @property
    def collection_name(self) -> str:
        model_key = hashlib.sha256(self.embedder.name.encode()).hexdigest()[:8]
        return f"{PREFIX}{self.catalog.fingerprint}-{model_key}"

    @property
    def path(self) -> Path:
        return self.root / self.collection_name

    @property
    def location(self) -> str:
        """Where the collection lives, for start-up messages."""
        return f"{self.url} collection {self.collection_name}" if self.url else str(self.path)

    @cached_property
    def facts(self) -> ItemFacts:
        return ItemFacts(self.catalog.items, self.catalog.genres)

    def load(self):
        with self._lock:
            if self._collection is None:
                if self.url:
                    from retrieval.chroma_server import open_or_build

                    self._collection = open_or_build(self)
                else:
                    self._collection = self._open_or_build()
        return self._collection

    def _open_or_build(self):
        path = self.path
        if path.exists():
            try:
                return self._open_checked(path)
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as err:  # ChromaDB's Rust core reports some damage as a PanicException (a BaseException)
                self._close()
                set_aside(path, err)
        if build_dir(path, self._build):
            self.built_now = True
        self._drop_stale()
        return self._open_checked(path)

    def _client_for(self, path: Path):
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        return chromadb.PersistentClient(path=str(path), settings=ChromaSettings(anonymized_telemetry=False))

    def _open_checked(self, path: Path):
        """Open the store and check it; raise otherwise."""
        self._client = self._client_for(path)
        collection = self._client.get_collection(self.collection_name, embedding_function=None)
        self._embeddings = self.checked_embeddings(collection)
        return collection

    def checked_embeddings(self, collection) -> np.ndarray:
        """The item vectors, after checking the collection holds every item and finds items by their own vectors."""
        n = len(self.catalog)
        if collection.count() != n:
            raise ValueError(f"the collection holds {collection.count()} items, the catalog {n}")
        got = collection.get(include=["embeddings"], limit=n + 1)
        rows = [int(i) for i in got["ids"]]
        if sorted(rows) != list(range(n)):
            raise ValueError("the collection's ids are not the catalog's")
        matrix = np.zeros((n, len(got["embeddings"][0])), dtype=np.float32)
        matrix[rows] = np.asarray(got["embeddings"], dtype=np.float32)
        # The HNSW files are read only by queries: items spread over the catalog must find themselves (or an
        # identical twin). Damage to the link lists can spare a few entry paths, so one probe per
        # sixteenth of the catalog, not three (a query of 16 vectors costs milliseconds).
        probes = sorted(set(np.linspace(0, n - 1, min(n, SELF_PROBES)).astype(int).tolist()))
        found = collection.query(query_embeddings=matrix[probes].tolist(), n_results=1, include=["distances"])
        worst = max(float(d[0]) if d else 1.0 for d in found["distances"])
        if worst > SELF_DISTANCE:
            raise ValueError(f"the HNSW index does not find stored items (cosine distance {worst:.3f})")
        return matrix

    def _close(self) -> None:
        if self._client is not None:
            try:
                self._client.close()  # releases the store's files, so it can be moved aside
            except Exception as err:  # a damaged store may fail to close too; it is set aside anyway
                log.debug("closing ChromaDB client: %s", err)
            self._client = None
        # ChromaDB (1.5) keeps one system per path for the process, even one whose start failed on a
        # damaged file: a new client at the same path would get that broken system back.
        from chromadb.api.shared_system_client import SharedSystemClient

        system = SharedSystemClient._identifier_to_system.pop(str(self.path), None)
        SharedSystemClient._identifier_to_refcount.pop(str(self.path), None)
        if system is not None:
            try:
                system.stop()
            except Exception as err:  # half started: nothing more to release
                log.debug("stopping ChromaDB system: %s", err)

    def _build(self, folder: Path) -> None:
        log.info("building collection %s for %d items with %s", self.collection_name, len(self.catalog), self.embedder.name)
        client = self._client_for(folder)
        try:
            self.fill(client.create_collection(self.collection_name, embedding_function=None,
                                               configuration={"hnsw": {"space": "cosine"}}))
        finally:
            client.close()  # flushes and releases the files before the folder is renamed
        (folder / SOURCE_FILE).write_text(self.catalog.source, encoding="utf-8")

    def fill(self, collection) -> None:
        """Embed every item's text and add it, with its metadata, to an empty collection."""
        documents = [self.catalog.document(it) for it in self.catalog.items]
        vectors = self.embedder.encode(documents, progress=True)
        add_items(collection, self.catalog.items, vectors, self.catalog.genres, documents)

    def _drop_stale(self) -> None:
        """Remove earlier stores of this catalog source (its texts or the embedder changed), stores that do not
        say their source (built by earlier versions), and the single-store layout of earlier versions."""
        for entry in self.root.iterdir():
            stale_store = entry.name.startswith(PREFIX) and entry.name != self.collection_name \
                and not entry.name.endswith(".damaged") and self._same_source(entry)
            old_layout = entry.name.startswith("chroma.sqlite3") or (entry.is_dir() and _is_uuid(entry.name))
            if stale_store or old_layout:
                log.info("dropping stale index %s", entry)
                try:
                    remove(entry)
                except OSError as err:  # in use or not ours: it only takes space
                    log.warning("could not drop stale index %s: %s", entry, err)

    def _same_source(self, store: Path) -> bool:
        try:
            return (store / SOURCE_FILE).read_text(encoding="utf-8") == self.catalog.source
        except FileNotFoundError:
            return True
        except OSError:  # unreadable: not ours to judge, it only takes space
            return False

    @property
    def embeddings(self) -> np.ndarray:
        self.load()
        return self._embeddings

    def search(self, query: np.ndarray, n: int, filters: Filters | None = None) -> list[tuple[int, float]]:
        """Nearest items to a unit query vector that pass the filters: [(item_id, cosine similarity)], best first."""
        collection = self.load()
        if filters and len(self.catalog) > self.filtered_query_max_items:
            hits = self._search_over_fetched(collection, query, n, filters)
            if hits is not None:
                return hits
        ids, distances = _query(collection, query, n, filters.where() if filters else None)
        return [(int(i), 1.0 - float(d)) for i, d in zip(ids, distances)]

    def _search_over_fetched(self, collection, query: np.ndarray, n: int, filters: Filters):
        """The n best passing items from an unfiltered query for more; None when too few of those pass.

        How many to fetch follows from the share of the catalog that passes the filters; where fewer pass
        near this query than in the catalog at large, a second fetch uses the share seen in the first.
        """
        total = len(self.catalog)
        wanted = n + len(filters.exclude_ids)
        share = max(self._share_passing(filters), 1e-9)
        # Of `fetch` hits unrelated to the filters, Binomial(fetch, share) pass: fetch so that `wanted` lies
        # MARGIN standard deviations below the number expected to pass (exactly `wanted` with exclusions only).
        fetch = math.ceil((wanted + MARGIN * math.sqrt(wanted * (1 - share))) / share)
        for _ in range(2):
            fetch = min(fetch, total)
            if fetch > self.max_fetch:
                break
            ids, distances = _query(collection, query, fetch)
            ids = np.fromiter(map(int, ids), dtype=np.int64, count=len(ids))
            keep = np.flatnonzero(filters.mask(self.facts, ids))[:n]
            if len(keep) == n or len(ids) >= total:
                return [(int(ids[j]), 1.0 - float(distances[j])) for j in keep]
            fetch = math.ceil(fetch * RETRY_OVERFETCH * n / max(len(keep), 1))
        log.debug("an over-fetch of %d found too few items that pass the filters: filtered query", fetch)
        return None

    def _share_passing(self, filters: Filters) -> float:
        """Share of the catalog that passes the filters other than the exclusions, estimated on a fixed sample."""
        rest = dataclasses.replace(filters, exclude_ids=set())
        return float(rest.mask(self._sample).mean()) if rest else 1.0

    @cached_property
    def _sample(self) -> ItemFacts:
        n = len(self.catalog)
        return self.facts.rows(np.sort(np.random.default_rng(0).choice(n, size=min(n, SHARE_SAMPLE), replace=False)))


def _query(collection, query: np.ndarray, n: int, where: dict | None = None) -> tuple[list[str], list[float]]:
    result = collection.query(query_embeddings=[query.tolist()], n_results=n, where=where, include=["distances"])
    return result["ids"][0], result["distances"][0]


def _is_uuid(name: str) -> bool:
    try:
        uuid.UUID(name)
    except ValueError:
        return False
    return True
