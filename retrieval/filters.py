"""Hard constraints on candidates, as one object that renders to a ChromaDB `where` and checks items in Python.

`accepts` checks one item; `mask` checks many at once against `ItemFacts`, the catalog's filterable
facts as arrays (how a million-item catalog is filtered in milliseconds instead of by a metadata scan).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from catalog.model import Item


class ItemFacts:
    """Genres and years of every item as arrays; row i is item i (the catalog's dense ids), except in `rows`."""

    def __init__(self, items: Sequence[Item], genres: Sequence[str]):
        self.column = {g: j for j, g in enumerate(genres)}  # genre -> column of `has_genre`
        rows = [i for i, it in enumerate(items) for g in it.genres if g in self.column]
        cols = [self.column[g] for it in items for g in it.genres if g in self.column]
        self.has_genre = np.zeros((len(items), len(genres)), dtype=bool)  # (n_items, n_genres)
        self.has_genre[rows, cols] = True
        self.years = np.array([it.year or 0 for it in items], dtype=np.int64)  # 0: unknown
        self.ids: np.ndarray | None = None  # the item id of each row where row i is not item i (`rows`)

    def __len__(self) -> int:
        return len(self.years)

    def rows(self, ids: np.ndarray) -> ItemFacts:
        """The facts of some items, row j = item ids[j] (a sample checked often stays contiguous in memory)."""
        part = ItemFacts([], [])
        part.column, part.has_genre, part.years = self.column, self.has_genre[ids], self.years[ids]
        part.ids = np.asarray(ids, dtype=np.int64) if self.ids is None else self.ids[ids]
        return part

    def row_ids(self) -> np.ndarray:
        """The item id of each row."""
        return np.arange(len(self)) if self.ids is None else self.ids


def genre_key(genre: str) -> str:
    """Metadata key of a genre flag: "Children's" -> 'g_childrens'."""
    return "g_" + "".join(ch for ch in genre.lower() if ch.isalnum())


@dataclass
class Filters:
    exclude_ids: set[int] = field(default_factory=set)
    genres_any: set[str] = field(default_factory=set)  # at least one of these
    genres_none: set[str] = field(default_factory=set)  # none of these
    year_min: int | None = None
    year_max: int | None = None
    only_ids: set[int] | None = None  # None: any item; else only these ("only Nolan films")
    # Items about an excluded subject ("no superhero movies"): unlike `exclude_ids` (what was shown, liked, seen),
    # these are a share of the catalog spread like a genre's, so a search at scale estimates them as it does genres.
    about_none: set[int] = field(default_factory=set)

    def where(self) -> dict | None:
        clauses: list[dict] = []
        if self.only_ids is not None:
            clauses.append({"item_id": {"$in": sorted(self.only_ids) or [-1]}})
        if self.exclude_ids or self.about_none:
            clauses.append({"item_id": {"$nin": sorted(self.exclude_ids | self.about_none)}})
        if self.genres_any:
            anys = [{genre_key(g): True} for g in sorted(self.genres_any)]
            clauses.append(anys[0] if len(anys) == 1 else {"$or": anys})
        clauses += [{genre_key(g): False} for g in sorted(self.genres_none)]
        if self.year_min is not None:
            clauses.append({"year": {"$gte": self.year_min}})
        if self.year_max is not None:
            clauses.append({"year": {"$lte": self.year_max}})
        if self.year_min is None and self.year_max is not None:
            clauses.append({"year": {"$gt": 0}})  # year 0 marks "unknown"
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def __bool__(self) -> bool:
        return bool(self.exclude_ids or self.about_none or self.genres_any or self.genres_none) or self.only_ids is not None \
            or self.year_min is not None or self.year_max is not None

    def mask(self, facts: ItemFacts, ids: np.ndarray | None = None) -> np.ndarray:
        """`accepts` for many items at once: one bool per id in `ids` (rows of `facts` indexed by item id); None: one
        per row of `facts` (`ItemFacts.rows` included: each row is checked as the item it holds)."""
        if ids is not None:
            ids = np.asarray(ids, dtype=np.int64)
        ok = np.ones(len(facts) if ids is None else len(ids), dtype=bool)
        rows = facts.row_ids() if ids is None else ids
        if self.only_ids is not None:
            ok &= np.isin(rows, _array(self.only_ids))
        for excluded in (self.exclude_ids, self.about_none):
            if excluded:
                ok &= ~np.isin(rows, _array(excluded))
        if self.genres_any or self.genres_none:
            has_genre = facts.has_genre if ids is None else facts.has_genre[ids]
            if self.genres_any:
                ok &= has_genre[:, self._columns(facts, self.genres_any)].any(axis=1)
            if self.genres_none:
                ok &= ~has_genre[:, self._columns(facts, self.genres_none)].any(axis=1)
        if self.year_min is not None or self.year_max is not None:
            years = facts.years if ids is None else facts.years[ids]
            ok &= years != 0
            if self.year_min is not None:
                ok &= years >= self.year_min
            if self.year_max is not None:
                ok &= years <= self.year_max
        return ok

    @staticmethod
    def _columns(facts: ItemFacts, genres: set[str]) -> list[int]:
        return [facts.column[g] for g in sorted(genres) if g in facts.column]  # a genre no item has matches none

    def accepts(self, item: Item) -> bool:
        if self.only_ids is not None and item.id not in self.only_ids:
            return False
        if item.id in self.exclude_ids or item.id in self.about_none:
            return False
        genres = set(item.genres)
        if self.genres_any and not genres & self.genres_any:
            return False
        if genres & self.genres_none:
            return False
        if (self.year_min is not None or self.year_max is not None) and not item.year:
            return False
        if self.year_min is not None and item.year < self.year_min:
            return False
        if self.year_max is not None and item.year > self.year_max:
            return False
        return True


def _array(ids: set[int]) -> np.ndarray:
    return np.fromiter(ids, dtype=np.int64, count=len(ids))
