"""Per-session dialogue state: what the user said, liked, disliked, saw, and asked for."""

from __future__ import annotations

from dataclasses import dataclass, field

from catalog.model import Catalog
from retrieval.filters import Filters

MAX_MOOD_FRAGMENTS = 6  # the preference text keeps the latest mood words, not every turn forever


@dataclass
class SessionState:
    turns: list[str] = field(default_factory=list)
    moods: list[str] = field(default_factory=list)
    liked: list[int] = field(default_factory=list)
    disliked: list[int] = field(default_factory=list)
    seen: list[int] = field(default_factory=list)
    shown: list[int] = field(default_factory=list)  # every item recommended so far
    last_items: list[int] = field(default_factory=list)  # the items of the latest reply, in order
    explanations: dict[int, str] = field(default_factory=dict)  # item id -> the text shown for it
    genres_wanted: set[str] = field(default_factory=set)
    genres_excluded: set[str] = field(default_factory=set)
    year_min: int | None = None
    year_max: int | None = None

    # --- changes -----------------------------------------------------------------
    def mark(self, item_id: int, sentiment: str) -> None:
        """Record liked / disliked / seen; the latest word about an item wins."""
        for bucket in (self.liked, self.disliked, self.seen):
            if item_id in bucket:
                bucket.remove(item_id)
        {"liked": self.liked, "disliked": self.disliked, "seen": self.seen}[sentiment].append(item_id)

    def want_genres(self, genres: set[str]) -> None:
        self.genres_wanted = set(genres)  # a new request replaces the old one
        self.genres_excluded -= genres

    def exclude_genres(self, genres: set[str]) -> None:
        self.genres_excluded |= genres
        self.genres_wanted -= genres

    def allow_genres(self, genres: set[str]) -> None:
        self.genres_excluded -= genres

    def add_mood(self, mood: str) -> None:
        if mood and mood not in self.moods:
            self.moods = (self.moods + [mood])[-MAX_MOOD_FRAGMENTS:]

    # --- views -------------------------------------------------------------------
    def filters(self) -> Filters:
        excluded = set(self.liked) | set(self.disliked) | set(self.seen) | set(self.shown)
        return Filters(
            exclude_ids=excluded, genres_any=set(self.genres_wanted), genres_none=set(self.genres_excluded),
            year_min=self.year_min, year_max=self.year_max,
        )

    def constraints(self) -> dict:
        return {
            "genres_wanted": sorted(self.genres_wanted),
            "genres_excluded": sorted(self.genres_excluded),
            "year_min": self.year_min,
            "year_max": self.year_max,
        }

    def retrieval_text(self) -> str:
        """What the embedder reads: mood words and wanted genres (liked items enter as vectors)."""
        parts = list(self.moods)
        if self.genres_wanted:
            parts.append(" ".join(sorted(self.genres_wanted)) + " movies")
        return ". ".join(parts)

    def preference_text(self, catalog: Catalog) -> str:
        """A readable summary of what the user told us, shown to them and kept across turns."""
        parts = []
        if self.liked:
            parts.append("Likes " + ", ".join(catalog[i].display for i in self.liked) + ".")
        if self.disliked:
            parts.append("Dislikes " + ", ".join(catalog[i].display for i in self.disliked) + ".")
        if self.seen:
            parts.append("Has seen " + ", ".join(catalog[i].display for i in self.seen) + ".")
        if self.moods:
            parts.append("Wants something " + "; ".join(self.moods) + ".")
        if self.genres_wanted:
            parts.append("Genres: " + ", ".join(sorted(self.genres_wanted)) + ".")
        if self.genres_excluded:
            parts.append("No " + ", ".join(sorted(self.genres_excluded)) + ".")
        if self.year_min or self.year_max:
            parts.append(f"Years {self.year_min or 'any'} to {self.year_max or 'any'}.")
        return " ".join(parts)

    def snapshot(self, catalog: Catalog) -> dict:
        return {
            "preference_text": self.preference_text(catalog),
            "liked": [catalog[i].display for i in self.liked],
            "disliked": [catalog[i].display for i in self.disliked],
            "seen": [catalog[i].display for i in self.seen],
            "constraints": self.constraints(),
        }
