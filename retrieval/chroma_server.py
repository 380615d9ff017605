"""The item collection on a Chroma server (`chroma run --path DIR --port P`), chosen by RECS_CHROMA_URL.

The same collection as the embedded store, under the same fingerprinted name, opened with the same
checks. A collection that fails them is dropped and rebuilt. A new one is built under a temporary
name and renamed into place when whole, so a crash never leaves half of one under the real name.
Collections of other catalogs or embedders are left alone: other instances of the app may serve from
them (the embedded store drops its stale ones: its cache folder belongs to this app alone).
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from runtime.cache_files import describe
from runtime.errors import ConfigError

if TYPE_CHECKING:
    from retrieval.index import ItemIndex

log = logging.getLogger("recs.index")
SETTING = "RECS_CHROMA_URL"


def unreachable(url: str, err: BaseException) -> ConfigError:
    """The error for a server that does not answer, naming the setting, the URL and both fixes."""
    parsed = urlparse(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or (443 if parsed.scheme == "https" else 80)
    return ConfigError(
        f"{SETTING}={url!r}: no Chroma server answers there ({describe(err)}): start one with "
        f"`chroma run --path <folder> --host {host} --port {port}`, or set {SETTING} to the URL of a running "
        f"Chroma server, or unset {SETTING} to keep the index in the cache folder"
    )


def connect(url: str):
    """An HttpClient for the server at `url`; a ConfigError when nothing answers there."""
    import chromadb
    import httpx
    from chromadb.config import Settings as ChromaSettings

    try:
        # A full URL as the host keeps its port and any path prefix (chromadb's resolve_url).
        return chromadb.HttpClient(host=url, ssl=url.startswith("https://"),
                                   settings=ChromaSettings(anonymized_telemetry=False))
    except (ValueError, httpx.HTTPError, OSError) as err:  # chromadb says "Could not connect" as a ValueError
        raise unreachable(url, err) from err


def open_or_build(index: ItemIndex):
    """The index's collection on the server, checked; built first when missing or damaged."""
    import httpx

    try:
        return _open_or_build(index)
    except (httpx.TransportError, ConnectionError) as err:  # the server went away while we talked to it
        raise unreachable(index.url, err) from err


def _open_or_build(index: ItemIndex):
    from chromadb.errors import ChromaError, NotFoundError

    client = connect(index.url)
    index._client = client
    name = index.collection_name
    try:
        collection = client.get_collection(name, embedding_function=None)
    except NotFoundError:
        collection = None
    if collection is not None:
        try:
            index._embeddings = index.checked_embeddings(collection)
            return collection
        except (ValueError, ChromaError) as err:  # too few items, or an HNSW index that does not find them
            log.warning("collection %s on %s failed its check (%s): rebuilding it", name, index.url, err)
            client.delete_collection(name)
    _build(index, client, name)
    collection = client.get_collection(name, embedding_function=None)
    index._embeddings = index.checked_embeddings(collection)
    return collection


def _build(index: ItemIndex, client, name: str) -> None:
    from chromadb.errors import ChromaError

    log.info("building collection %s on %s for %d items", name, index.url, len(index.catalog))
    temporary = f"{name}-building-{uuid.uuid4().hex[:12]}"
    collection = client.create_collection(temporary, embedding_function=None, configuration={"hnsw": {"space": "cosine"}})
    try:
        index.fill(collection)
        collection.modify(name=name)
    except ChromaError as err:
        if not _exists(client, name):
            raise
        log.info("another instance built %s meanwhile (%s): using that one", name, err)
    except BaseException:
        _drop(client, temporary)
        raise
    else:
        index.built_now = True
        return
    _drop(client, temporary)


def _exists(client, name: str) -> bool:
    return name in {c.name for c in client.list_collections()}


def _drop(client, name: str) -> None:
    try:
        client.delete_collection(name)
    except Exception as err:  # it only takes space on the server; the next build uses a new name
        log.warning("could not drop the unfinished collection %s: %s", name, err)
