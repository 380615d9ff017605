"""The item collection in an embedded ChromaDB, built once and reused across restarts.

The collection name carries a fingerprint of the catalog texts and the embedder,
so changing either builds a new collection (and drops the stale ones). Each collection
lives in its own store folder, named like it, so a store can be built under a temporary
name and renamed into place whole.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import uuid
from pathlib import Path

import numpy as np

from catalog.model import Catalog, Item
from retrieval.embedder import Embedder
from retrieval.filters import Filters, genre_key
from runtime.cache_files import build_dir, remove, set_aside

log = logging.getLogger("recs.index")
PREFIX = "items-"
BATCH = 4000  # below ChromaDB's maximum batch size
SELF_DISTANCE = 1e-3  # an item's own vector is at cosine distance ~0 (float rounding) from itself


def item_metadata(item: Item, genres: list[str]) -> dict:
    meta: dict = {"item_id": item.id, "title": item.title, "year": item.year or 0}
    for g in genres:
        meta[genre_key(g)] = g in item.genres
    return meta


class ItemIndex:
    """One ChromaDB store per collection, in `cache_dir/chroma/<collection name>/`.

    A store is built in a temporary folder and renamed into place, so a crash never leaves half of one.
    Opening it checks it (count, a few self-queries); a store that fails is set aside and rebuilt.
    """

    def __init__(self, catalog: Catalog, embedder: Embedder, cache_dir: Path):
        self.catalog = catalog
        self.embedder = embedder
        self.root = Path(cache_dir) / "chroma"
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

    def load(self):
        with self._lock:
            if self._collection is None:
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
        """Open the store and check it holds every item and finds items by their own vectors; raise otherwise."""
        self._client = self._client_for(path)
        collection = self._client.get_collection(self.collection_name, embedding_function=None)
        n = len(self.catalog)
        if collection.count() != n:
            raise ValueError(f"the collection holds {collection.count()} items, the catalog {n}")
        got = collection.get(include=["embeddings"], limit=n + 1)
        rows = [int(i) for i in got["ids"]]
        if sorted(rows) != list(range(n)):
            raise ValueError("the collection's ids are not the catalog's")
        matrix = np.zeros((n, len(got["embeddings"][0])), dtype=np.float32)
        matrix[rows] = np.asarray(got["embeddings"], dtype=np.float32)
        # The HNSW files are read only by queries: a few items must find themselves (or an identical twin).
        probes = sorted({0, n // 2, n - 1})
        found = collection.query(query_embeddings=matrix[probes].tolist(), n_results=1, include=["distances"])
        worst = max(float(d[0]) if d else 1.0 for d in found["distances"])
        if worst > SELF_DISTANCE:
            raise ValueError(f"the HNSW index does not find stored items (cosine distance {worst:.3f})")
        self._embeddings = matrix
        return collection

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
            collection = client.create_collection(self.collection_name, embedding_function=None,
                                                  configuration={"hnsw": {"space": "cosine"}})
            items = self.catalog.items
            vectors = self.embedder.encode([self.catalog.document(it) for it in items], progress=True)
            genres = self.catalog.genres
            for start in range(0, len(items), BATCH):
                chunk = items[start:start + BATCH]
                collection.add(
                    ids=[str(it.id) for it in chunk],
                    embeddings=vectors[start:start + BATCH],
                    metadatas=[item_metadata(it, genres) for it in chunk],
                    documents=[self.catalog.document(it) for it in chunk],
                )
        finally:
            client.close()  # flushes and releases the files before the folder is renamed

    def _drop_stale(self) -> None:
        """Remove stores of other catalogs or embedders, and the single-store layout of earlier versions."""
        for entry in self.root.iterdir():
            stale_store = entry.name.startswith(PREFIX) and entry.name != self.collection_name \
                and not entry.name.endswith(".damaged")
            old_layout = entry.name.startswith("chroma.sqlite3") or (entry.is_dir() and _is_uuid(entry.name))
            if stale_store or old_layout:
                log.info("dropping stale index %s", entry)
                try:
                    remove(entry)
                except OSError as err:  # in use or not ours: it only takes space
                    log.warning("could not drop stale index %s: %s", entry, err)

    @property
    def embeddings(self) -> np.ndarray:
        self.load()
        return self._embeddings

    def search(self, query: np.ndarray, n: int, filters: Filters | None = None) -> list[tuple[int, float]]:
        """Nearest items to a unit query vector: [(item_id, cosine similarity)], best first."""
        collection = self.load()
        where = filters.where() if filters else None
        result = collection.query(query_embeddings=[query.tolist()], n_results=n, where=where, include=["distances"])
        ids, distances = result["ids"][0], result["distances"][0]
        return [(int(i), 1.0 - float(d)) for i, d in zip(ids, distances)]


def _is_uuid(name: str) -> bool:
    try:
        uuid.UUID(name)
    except ValueError:
        return False
    return True
