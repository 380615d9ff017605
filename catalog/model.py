"""Plain data classes for items and interactions (no I/O here)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property

import numpy as np

# Words that describe what watching a genre feels like. They go into the text we
# embed, so that a mood ("something tense", "make me laugh") lands near the
# right items even though the catalog only has titles, years and genres.
GENRE_WORDS: dict[str, str] = {
    "Action": "action, fights, chases, explosions",
    "Adventure": "adventure, quests, journeys, exploration",
    "Animation": "animated, cartoon",
    "Children's": "family friendly, for kids, children",
    "Comedy": "comedy, funny, humorous, lighthearted, laughs",
    "Crime": "crime, gangsters, heists, police",
    "Documentary": "documentary, real events, non-fiction",
    "Drama": "drama, emotional, serious",
    "Fantasy": "fantasy, magic, myth",
    "Film-Noir": "film noir, dark, detectives, cynical",
    "Horror": "horror, scary, frightening, gore",
    "Musical": "musical, songs, dancing",
    "Mystery": "mystery, whodunit, puzzles",
    "Romance": "romance, love story, romantic",
    "Sci-Fi": "science fiction, sci-fi, space, future, aliens, technology",
    "Thriller": "thriller, tense, suspense, gripping, edge of your seat",
    "War": "war, soldiers, battles",
    "Western": "western, cowboys, frontier",
}


@dataclass(frozen=True)
class Item:
    id: int  # dense index 0..n-1, the id used everywhere in this project
    source_id: str  # the id in the dataset files
    title: str  # as people write it: "The Empire Strikes Back"
    year: int | None
    genres: tuple[str, ...]

    @property
    def display(self) -> str:
        """'The Empire Strikes Back (1980)'."""
        return f"{self.title} ({self.year})" if self.year else self.title

    def document(self) -> str:
        """The text that represents the item for the embedder."""
        words = "; ".join(GENRE_WORDS.get(g, g.lower()) for g in self.genres)
        genres = ", ".join(self.genres)
        return f"{self.display}. Genres: {genres}. {words}."


@dataclass
class Interactions:
    """Parallel arrays, one entry per rating."""

    user: np.ndarray  # int32 dense user index
    item: np.ndarray  # int32 dense item index (Item.id)
    rating: np.ndarray  # float32
    timestamp: np.ndarray  # int64
    n_users: int

    def __len__(self) -> int:
        return len(self.user)


@dataclass
class Catalog:
    items: list[Item]
    interactions: Interactions
    name: str = "catalog"

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, item_id: int) -> Item:
        return self.items[item_id]

    @cached_property
    def genres(self) -> list[str]:
        """Every genre in the catalog, sorted."""
        return sorted({g for it in self.items for g in it.genres})

    @cached_property
    def popularity(self) -> np.ndarray:
        """Number of interactions per item (float32, shape (n_items,))."""
        return np.bincount(self.interactions.item, minlength=len(self.items)).astype(np.float32)

    @cached_property
    def year_range(self) -> tuple[int, int]:
        years = [it.year for it in self.items if it.year]
        return min(years), max(years)

    @cached_property
    def fingerprint(self) -> str:
        """Changes whenever an item's text or the interactions change; keys the caches."""
        h = hashlib.sha256()
        for it in self.items:
            h.update(it.document().encode())
        h.update(self.interactions.item.tobytes())
        h.update(self.interactions.user.tobytes())
        h.update(self.interactions.rating.tobytes())
        return h.hexdigest()[:16]
