"""Plain data classes for items, interactions and the catalog that holds them (no I/O here)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import Mapping

import numpy as np


@dataclass(frozen=True)
class Item:
    id: int  # dense index 0..n-1, used inside this project only; the outside sees source_id
    source_id: str  # the catalog's own id, as in its files ("181", "B00X4WHP5E")
    title: str  # as people write it: "The Empire Strikes Back"
    year: int | None
    genres: tuple[str, ...]  # the catalog's categories (genres for movies)
    description: str = ""
    tags: tuple[str, ...] = ()  # free words people attached (MovieLens tags.csv, a product's keywords, a film's subjects)
    directors: tuple[str, ...] = ()  # people who made it ("Christopher Nolan")
    cast: tuple[str, ...] = ()  # main cast, in billing order ("Tom Hanks", "Robin Wright")
    # Any other fields of the source row ("brand", "price"); shown, never used for ranking.
    extra: Mapping[str, object] = field(default_factory=dict, compare=False, hash=False)

    @property
    def titled(self) -> bool:
        """False for a row its source gives no name (ReDial lists two films only as "(2015)"): such an item is
        kept for its interactions and its id, and never linked, shown or recommended."""
        return bool(self.title)

    @property
    def display(self) -> str:
        """'The Empire Strikes Back (1980)'."""
        return f"{self.title} ({self.year})" if self.year else self.title

    @property
    def people(self) -> tuple[str, ...]:
        """Everyone the item's facts name: directors first, then cast."""
        return tuple(dict.fromkeys((*self.directors, *self.cast)))

    def document(self, category_words: Mapping[str, str] | None = None, heading: str = "Genres") -> str:
        """The text the embedder reads: title, categories and their words, tags, description, then people.

        'Alien (1979). Genres: Horror, Sci-Fi. horror, scary, ...; science fiction, ...'
        The embedder reads only the first 256 or so tokens, so what says what the item is comes first: the
        short tags, then the description (a premise: "a heist goes wrong"), and the lists of people last, where
        a long cast is cut instead of the description. The category part stays (even empty) for an item with
        nothing else, so catalogs that have only titles and categories keep the texts, and so the caches,
        they always had.
        """
        words = category_words or {}
        text = self.display + "."
        if self.genres or not (self.description or self.tags or self.people):
            described = "; ".join(words.get(g, g.lower()) for g in self.genres)
            text += f" {heading}: {', '.join(self.genres)}. {described}."
        if self.tags:
            text += " Tags: " + ", ".join(self.tags) + "."
        if self.description:
            text += " " + self.description.strip()
        if self.directors:
            text += " Directed by " + ", ".join(self.directors) + "."
        if self.cast:
            text += " Starring " + ", ".join(self.cast) + "."
        return text


@dataclass
class Interactions:
    """Parallel arrays, one entry per rating (or purchase, click, play)."""

    user: np.ndarray  # int32 dense user index
    item: np.ndarray  # int32 dense item index (Item.id)
    rating: np.ndarray  # float32 (1.0 where the catalog has no rating or weight)
    timestamp: np.ndarray  # int64 seconds (0 where the catalog has none)
    n_users: int

    def __len__(self) -> int:
        return len(self.user)


def plural(noun: str) -> str:
    """'movie' -> 'movies', 'category' -> 'categories', 'dress' -> 'dresses'."""
    if noun.endswith("y") and noun[-2:-1] not in tuple("aeiou"):
        return noun[:-1] + "ies"
    if noun.endswith(("s", "x", "z", "ch", "sh")):
        return noun + "es"
    return noun + "s"


@dataclass
class Catalog:
    items: list[Item]
    interactions: Interactions
    name: str = "catalog"
    noun: str = "item"  # what one item is called in replies and prompts: "movie", "book", "product"
    nouns: str = ""  # its plural when not regular ("" -> plural(noun))
    category_label: str = "category"  # what a category is called: "genre" for movies
    category_labels: str = ""  # its plural when not regular ("" -> plural(category_label))
    # category -> words that describe it, added to each item's text for the embedder
    category_words: dict[str, str] = field(default_factory=dict)
    # words people use -> a category name ("sci fi" -> "Sci-Fi"); the category names themselves need no entry
    category_synonyms: dict[str, str] = field(default_factory=dict)
    source: str = ""  # where it was read from, and as what format (for messages)
    example: str = ""  # a first message to show people ("" -> one naming the two most popular items)
    description_source: str = ""  # who wrote the descriptions ("Wikipedia"); "" when the catalog does not say
    # ranking settings tuned for this catalog (catalog.toml's [ranking]; keys in catalog.spec.RANKING_KEYS)
    ranking: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.nouns = self.nouns or plural(self.noun)
        self.category_labels = self.category_labels or plural(self.category_label)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, item_id: int) -> Item:
        return self.items[item_id]

    @cached_property
    def example_request(self) -> str:
        """What a first message could say: the catalog's own example, else one naming its two best-known items."""
        if self.example:
            return self.example
        order = np.argsort(-self.popularity, kind="stable")
        top = [self.items[int(i)].title for i in order if self.items[int(i)].titled][:2]
        return "I loved " + " and ".join(top) if top else f"Show me a few {self.nouns}"

    @property
    def template_words(self) -> dict[str, str]:
        """What templates say about this catalog: noun, nouns, example."""
        return {"noun": self.noun, "nouns": self.nouns, "example": self.example_request}

    def document(self, item: Item) -> str:
        """The item's text for the embedder, with this catalog's words per category."""
        return item.document(self.category_words, self.category_labels.capitalize())

    def by_source_id(self, source_id) -> Item | None:
        """The item with the catalog's own id (as in its files), or None."""
        index = self._source_index.get(str(source_id))
        return None if index is None else self.items[index]

    @cached_property
    def _source_index(self) -> dict[str, int]:
        return {it.source_id: it.id for it in self.items}

    @cached_property
    def untitled_ids(self) -> frozenset[int]:
        """Items without a name: held (their interactions teach the CF prior), never offered to anyone."""
        return frozenset(it.id for it in self.items if not it.titled)

    @cached_property
    def genres(self) -> list[str]:
        """Every category in the catalog, sorted."""
        return sorted({g for it in self.items for g in it.genres})

    @cached_property
    def popularity(self) -> np.ndarray:
        """Number of interactions per item (float32, shape (n_items,))."""
        return np.bincount(self.interactions.item, minlength=len(self.items)).astype(np.float32)

    @cached_property
    def year_range(self) -> tuple[int, int] | None:
        """(oldest, newest) year, or None when no item has a year."""
        years = [it.year for it in self.items if it.year and it.titled]  # what can be offered: replies quote these
        return (min(years), max(years)) if years else None

    @cached_property
    def fingerprint(self) -> str:
        """Changes whenever an item's text or the interactions change; keys the caches."""
        h = hashlib.sha256()
        for it in self.items:
            h.update(self.document(it).encode())
        h.update(self.interactions.item.tobytes())
        h.update(self.interactions.user.tobytes())
        h.update(self.interactions.rating.tobytes())
        return h.hexdigest()[:16]
