"""The one interface every catalog format implements, and the helpers the formats share.

A loader reads one folder (or the files a catalog spec names) and returns a `Catalog` whose items
carry dense ids 0..n-1 and their own ids as `source_id`. `catalog.loading` picks the loader by
name (a spec's `format`) or by the files it finds.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from catalog.errors import CatalogError, listing
from catalog.model import Catalog, Interactions, Item

if TYPE_CHECKING:
    from catalog.spec import CatalogSpec


class CatalogLoader:
    name: ClassVar[str]  # the spec's `format` value
    expects: ClassVar[str]  # the files it reads, for messages: "u.item and u.data (MovieLens 100K as downloaded)"

    @classmethod
    def detect(cls, folder: Path) -> bool:
        """Whether the folder holds this format's files."""
        raise NotImplementedError

    def load(self, folder: Path, spec: CatalogSpec) -> Catalog:
        raise NotImplementedError


def require_file(folder: Path, name: str, loader: type[CatalogLoader]) -> Path:
    path = folder / name
    if not path.is_file():
        found = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
        raise CatalogError(path, f"missing; the {loader.name} format reads {loader.expects}. Found in the folder: {listing(found)}.",
                           "put the file there, or point RECS_DATA at the folder that has it")
    return path


def interactions_from_lists(users: list[str], items: list[int], ratings: list[float], timestamps: list[int]) -> Interactions:
    """Interactions from parallel lists whose items are already dense ids; users get dense ids in order of appearance."""
    index: dict[str, int] = {}
    dense = [index.setdefault(u, len(index)) for u in users]
    return Interactions(
        user=np.asarray(dense, dtype=np.int32),
        item=np.asarray(items, dtype=np.int32),
        rating=np.asarray(ratings, dtype=np.float32),
        timestamp=np.asarray(timestamps, dtype=np.int64),
        n_users=len(index),
    )


def interactions_from_columns(path: Path, item_column: str, users, item_ids, ratings, timestamps,
                              items: list[Item]) -> Interactions:
    """Interactions from pandas columns of source ids (vectorized: ml-25m has 25M rows).

    Rows whose item is not in the items file are dropped; when none is left, the ids cannot have
    been meant to match, and the error shows a few of each side.
    """
    import pandas as pd

    position = pd.Index([it.source_id for it in items]).get_indexer(item_ids.astype(str))
    known = position >= 0
    if len(position) and not known.any():
        theirs = list(dict.fromkeys(item_ids.astype(str)[:5]))
        ours = [it.source_id for it in items[:5]]
        raise CatalogError(path, f"no value of column '{item_column}' matches an item id of the items file "
                                 f"(found {listing(theirs)}; items have {listing(ours)}).",
                           "make both files use the same item ids, or name the right column in a catalog spec")
    user_codes, user_names = pd.factorize(users[known].astype(str))
    return Interactions(
        user=user_codes.astype(np.int32),
        item=position[known].astype(np.int32),
        rating=np.asarray(ratings[known], dtype=np.float32),
        timestamp=np.asarray(timestamps[known], dtype=np.int64),
        n_users=len(user_names),
    )
