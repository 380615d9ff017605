"""The item collection in an embedded ChromaDB, built once and reused across restarts.

The collection name carries a fingerprint of the catalog texts and the embedder,
so changing either builds a new collection (and drops the stale ones).
"""

from __future__ import annotations

import hashlib
import logging
import threading
from pathlib import Path

import numpy as np

from catalog.model import Catalog, Item
from retrieval.embedder import Embedder
from retrieval.filters import Filters, genre_key

log = logging.getLogger("recs.index")
PREFIX = "items-"
BATCH = 4000  # below ChromaDB's maximum batch size


def item_metadata(item: Item, genres: list[str]) -> dict:
    meta: dict = {"item_id": item.id, "title": item.title, "year": item.year or 0}
    for g in genres:
        meta[genre_key(g)] = g in item.genres
    return meta


class ItemIndex:
    def __init__(self, catalog: Catalog, embedder: Embedder, cache_dir: Path):
        self.catalog = catalog
        self.embedder = embedder
        self.path = Path(cache_dir) / "chroma"
        self._collection = None
        self._embeddings: np.ndarray | None = None  # (n_items, dim), row i = item i
        self._lock = threading.Lock()
        self.built_now = False  # True when this process built the collection (cold start)

    @property
    def collection_name(self) -> str:
        model_key = hashlib.sha256(self.embedder.name.encode()).hexdigest()[:8]
        return f"{PREFIX}{self.catalog.fingerprint}-{model_key}"

    def load(self):
        with self._lock:
            if self._collection is None:
                self._collection = self._open_or_build()
        return self._collection

    def _open_or_build(self):
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        self.path.mkdir(parents=True, exist_ok=True)
        client = chromadb.PersistentClient(path=str(self.path), settings=ChromaSettings(anonymized_telemetry=False))
        name = self.collection_name
        for col in client.list_collections():
            if col.name.startswith(PREFIX) and col.name != name:
                log.info("dropping stale collection %s", col.name)
                client.delete_collection(col.name)
        collection = client.get_or_create_collection(
            name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
        )
        if collection.count() != len(self.catalog):
            self._build(client, name)
            collection = client.get_collection(name, embedding_function=None)
        got = collection.get(include=["embeddings"], limit=len(self.catalog) + 1)
        matrix = np.zeros((len(self.catalog), len(got["embeddings"][0])), dtype=np.float32)
        matrix[[int(i) for i in got["ids"]]] = np.asarray(got["embeddings"], dtype=np.float32)
        self._embeddings = matrix
        return collection

    def _build(self, client, name: str) -> None:
        log.info("building collection %s for %d items with %s", name, len(self.catalog), self.embedder.name)
        client.delete_collection(name)  # a half-built collection from a crash is rebuilt whole
        collection = client.create_collection(name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}})
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
        self.built_now = True

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
