"""Hard constraints on candidates, as one object that renders to a ChromaDB `where` and checks items in Python."""

from __future__ import annotations

from dataclasses import dataclass, field

from catalog.model import Item


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

    def where(self) -> dict | None:
        clauses: list[dict] = []
        if self.exclude_ids:
            clauses.append({"item_id": {"$nin": sorted(self.exclude_ids)}})
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

    def accepts(self, item: Item) -> bool:
        if item.id in self.exclude_ids:
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
