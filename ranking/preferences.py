"""Soft preferences: genres and periods the user leans towards, which move items up without removing any.

A hard filter (`retrieval.filters.Filters`) is for what the user rules in or out ("only comedies",
"no horror", "before 1990"); everything else people say about genres and periods ("I like comedies",
"something from the 80s", "a classic") is a preference. Several wanted genres widen the choice: an item
with any of them matches, one with more of them matches better.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from catalog.model import Item

YEAR_DECAY = 2.0  # years outside a preferred period after which an item's period match halves


@dataclass
class Preferences:
    genres: set[str] = field(default_factory=set)
    year_min: int | None = None
    year_max: int | None = None
    people_items: frozenset[int] = frozenset()  # items of the people the user asked for ("with Tom Hanks")
    topic_items: frozenset[int] = frozenset()  # items whose catalog text states a wished-for topic ("heist")

    def __bool__(self) -> bool:
        return (bool(self.genres) or self.year_min is not None or self.year_max is not None or bool(self.people_items)
                or bool(self.topic_items))

    def fits(self, item: Item) -> bool:
        """Whether an item has a wanted genre and person (when any is wanted) and lies in the period (when one is given)."""
        genres_ok = not self.genres or bool(self.genres & set(item.genres))
        genres_ok = genres_ok and (not self.people_items or item.id in self.people_items)
        return genres_ok and (self.year_match([item])[0] >= 1.0 if self.year_min is not None or self.year_max is not None else True)

    def genre_match(self, items: list[Item]) -> np.ndarray:
        """1 for an item with every wanted genre, 0.5 and up for one with some of them, 0 with none."""
        if not self.genres:
            return np.zeros(len(items))
        return np.array([(0.5 + 0.5 * len(self.genres & set(it.genres)) / len(self.genres)) if self.genres & set(it.genres)
                         else 0.0 for it in items])

    def person_match(self, items: list[Item]) -> np.ndarray:
        """1 for an item of a wanted person, else 0."""
        return np.array([float(it.id in self.people_items) for it in items])

    def topic_match(self, items: list[Item]) -> np.ndarray:
        """1 for an item whose catalog text states a wished-for topic, else 0."""
        return np.array([float(it.id in self.topic_items) for it in items])

    def year_match(self, items: list[Item]) -> np.ndarray:
        """1 inside the preferred period, halving every YEAR_DECAY years outside it; 0 for an unknown year."""
        if self.year_min is None and self.year_max is None:
            return np.zeros(len(items))
        years = np.array([it.year or 0 for it in items], dtype=np.float64)
        lo = -np.inf if self.year_min is None else self.year_min
        hi = np.inf if self.year_max is None else self.year_max
        outside = np.maximum(lo - years, 0) + np.maximum(years - hi, 0)
        return np.where(years > 0, 0.5 ** (outside / YEAR_DECAY), 0.0)
