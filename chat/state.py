"""Per-session dialogue state: what the user said, liked, disliked, saw, and asked for."""

from __future__ import annotations

from dataclasses import dataclass, field

from catalog.model import Catalog
from ranking.preferences import Preferences
from retrieval.filters import Filters

MAX_MOOD_FRAGMENTS = 6  # the preference text keeps the latest wishes, not every turn's forever


@dataclass
class Clarification:
    """A title that fit several movies: we asked which one; the next turn answers."""

    text: str  # the words the user wrote ("batman")
    candidates: tuple[int, ...]  # in the order the question listed them
    sentiment: str  # what the user said about it: liked / disliked / seen / unseen
    question: object = None  # a FilmQuestion asked about it ("what is The Notebook about?"): answered, never marked


@dataclass
class SessionState:
    turns: list[str] = field(default_factory=list)
    liked: list[int] = field(default_factory=list)
    disliked: list[int] = field(default_factory=list)
    seen: list[int] = field(default_factory=list)
    interested: list[int] = field(default_factory=list)  # "sounds good", "have you seen X?": a taste signal, still recommendable
    shown: list[int] = field(default_factory=list)  # every item recommended so far
    # named by the other side of a recorded conversation (observe): what it talks about says something of the
    # taste being served, so these join the CF fold-in (never the chat's own picks: that would feed on itself)
    mentioned: list[int] = field(default_factory=list)
    # The published ReDial protocol counts a movie named again as a hit: its replay sets this, so that only
    # disliked items stay out. The chat itself never repeats (False).
    allow_repeats: bool = False
    fresh_items: list[int] = field(default_factory=list)  # named by the other side since the user last spoke
    last_items: list[int] = field(default_factory=list)  # the items of the latest reply, in order
    film_in_focus: int | None = None  # the one item the user's last message named or asked about: "is it scary?"
    explanations: dict[int, str] = field(default_factory=dict)  # item id -> the text shown for it
    diversity: float | None = None  # the user's diversity setting; None: the app's default
    moods: list[str] = field(default_factory=list)  # recognised wishes ("tense", "feel-good"), never raw words
    genres_wanted: set[str] = field(default_factory=set)  # soft: leaned towards ("I like comedies")
    genres_only: set[str] = field(default_factory=set)  # hard: "only comedies"
    genres_excluded: set[str] = field(default_factory=set)  # hard: "no horror"
    year_min: int | None = None  # hard: "before 1990", "something older" than what was shown
    year_max: int | None = None
    prefer_year_min: int | None = None  # soft: "from the 80s", "a classic"
    prefer_year_max: int | None = None
    people_wanted: list[str] = field(default_factory=list)  # soft: "anything with Tom Hanks" (names as the catalog writes them)
    people_only: list[str] = field(default_factory=list)  # hard: "only Nolan films"
    people_excluded: list[str] = field(default_factory=list)  # hard: "no Adam Sandler"
    # item ids of the people above, filled by the recommender from the catalog (the state has no catalog)
    people_items: dict[str, tuple[int, ...]] = field(default_factory=dict)
    subjects_excluded: list[str] = field(default_factory=list)  # hard: "no superhero movies" (as the user wrote it)
    subject_items: dict[str, tuple[int, ...]] = field(default_factory=dict)  # their items, found in the catalog's texts
    premise: str = ""  # soft: "a movie about a heist that goes wrong" -> "a heist that goes wrong", read by the embedder
    pending: list[Clarification] = field(default_factory=list)  # questions still to ask, the first is open
    # item id -> the ranking facts of a shown item (fused score, semantic similarity, CF score), for "why" answers
    rank_facts: dict[int, dict] = field(default_factory=dict)

    # --- changes -----------------------------------------------------------------
    def mark(self, item_id: int, sentiment: str) -> None:
        """Record liked / disliked / seen / interested; the latest word about an item wins.

        "unseen" ("I haven't seen it") only takes the item out of the seen list.
        """
        if sentiment == "unseen":
            if item_id in self.seen:
                self.seen.remove(item_id)
            return
        for bucket in (self.liked, self.disliked, self.seen, self.interested):
            if item_id in bucket:
                bucket.remove(item_id)
        {"liked": self.liked, "disliked": self.disliked, "seen": self.seen, "interested": self.interested}[sentiment].append(item_id)

    def cf_context(self) -> list[int]:
        """Items the conversation is about beyond the positives (seen, named by the other side), none disliked:
        the CF prior is folded in from these with the positives."""
        positives = set(self.positives())
        return [i for i in dict.fromkeys(self.seen + self.mentioned) if i not in positives and i not in self.disliked]

    def positives(self) -> list[int]:
        """Items that say what the user enjoys: the liked ones and those they are interested in."""
        return list(dict.fromkeys(self.liked + self.interested))

    def reset(self) -> None:
        """"Start over": forget preferences and constraints; what was shown stays shown."""
        keep = {"turns": self.turns, "shown": self.shown, "last_items": self.last_items,
                "explanations": self.explanations, "rank_facts": self.rank_facts, "diversity": self.diversity}
        fresh = SessionState(**keep)
        self.__dict__.update(fresh.__dict__)

    def clear_genres(self) -> None:
        self.genres_wanted, self.genres_only, self.genres_excluded = set(), set(), set()

    def want_genres(self, genres: set[str], only: bool = False) -> None:
        self.genres_wanted = set(genres)  # a new request replaces the old one
        self.genres_only = set(genres) if only else set()
        self.genres_excluded -= genres

    def exclude_genres(self, genres: set[str]) -> None:
        self.genres_excluded |= genres
        self.genres_wanted -= genres
        self.genres_only -= genres

    def allow_genres(self, genres: set[str]) -> None:
        self.genres_excluded -= genres

    def want_person(self, name: str, items: tuple[int, ...], only: bool = False) -> None:
        self.people_items[name] = items
        self.people_excluded = [p for p in self.people_excluded if p != name]
        self.people_wanted = [p for p in self.people_wanted if p != name] + [name]
        if only:
            self.people_only = [p for p in self.people_only if p != name] + [name]

    def exclude_person(self, name: str, items: tuple[int, ...]) -> None:
        self.people_items[name] = items
        self.people_wanted = [p for p in self.people_wanted if p != name]
        self.people_only = [p for p in self.people_only if p != name]
        self.people_excluded = [p for p in self.people_excluded if p != name] + [name]

    def exclude_subject(self, subject: str, items: tuple[int, ...]) -> None:
        self.subject_items[subject] = items
        self.subjects_excluded = [s for s in self.subjects_excluded if s != subject] + [subject]

    def allow_subject(self, subject: str) -> None:
        self.subjects_excluded = [s for s in self.subjects_excluded if s != subject]
        self.subject_items.pop(subject, None)

    def add_mood(self, mood: str) -> None:
        if mood and mood not in self.moods:
            self.moods = (self.moods + [mood])[-MAX_MOOD_FRAGMENTS:]

    # --- views -------------------------------------------------------------------
    def filters(self) -> Filters:
        excluded = set(self.disliked) if self.allow_repeats else set(self.liked) | set(self.disliked) | set(self.seen) | set(self.shown)
        excluded |= {i for name in self.people_excluded for i in self.people_items.get(name, ())}
        only = {i for name in self.people_only for i in self.people_items.get(name, ())} if self.people_only else None
        about = {i for s in self.subjects_excluded for i in self.subject_items.get(s, ())}
        return Filters(
            exclude_ids=excluded, genres_any=set(self.genres_only), genres_none=set(self.genres_excluded),
            year_min=self.year_min, year_max=self.year_max, only_ids=only, about_none=about,
        )

    def preferences(self) -> Preferences:
        people = frozenset(i for name in self.people_wanted for i in self.people_items.get(name, ()))
        return Preferences(set(self.genres_wanted), self.prefer_year_min, self.prefer_year_max, people_items=people)

    def constraints(self) -> dict:
        return {
            "genres_wanted": sorted(self.genres_wanted),
            "genres_only": sorted(self.genres_only),
            "genres_excluded": sorted(self.genres_excluded),
            "year_min": self.year_min,
            "year_max": self.year_max,
            "prefer_year_min": self.prefer_year_min,
            "prefer_year_max": self.prefer_year_max,
            "people_wanted": list(self.people_wanted),
            "people_only": list(self.people_only),
            "people_excluded": list(self.people_excluded),
            "subjects_excluded": list(self.subjects_excluded),
            "premise": self.premise,
        }

    def reference(self, index: int) -> int | None:
        """The item at a position of the last reply (0-based; -1 is the last one), or None."""
        if not self.last_items or not -len(self.last_items) <= index < len(self.last_items):
            return None
        return self.last_items[index]

    def retrieval_text(self, nouns: str = "movies") -> str:
        """What the embedder reads: the premise, the wishes and wanted genres (liked items enter as vectors).
        The premise comes first and whole: the item texts it should meet are descriptions."""
        parts = ([self.premise] if self.premise else []) + list(self.moods)
        if self.people_wanted:  # the item texts say "Directed by ..." and "Starring ...": the names find them
            parts.append(f"{nouns} with " + ", ".join(self.people_wanted))
        if self.genres_wanted:
            parts.append(" ".join(sorted(self.genres_wanted)) + " " + nouns)
        return ". ".join(parts)

    def preference_text(self, catalog: Catalog) -> str:
        """A readable summary of what the user told us, shown to them and kept across turns."""
        parts = []
        if self.liked:
            parts.append("Likes " + ", ".join(_names(catalog, self.liked)) + ".")
        if self.disliked:
            parts.append("Dislikes " + ", ".join(_names(catalog, self.disliked)) + ".")
        if self.seen:
            parts.append("Has seen " + ", ".join(_names(catalog, self.seen)) + ".")
        if self.interested:
            parts.append("Interested in " + ", ".join(_names(catalog, self.interested)) + ".")
        wants = list(self.moods) + ([f"about {self.premise}"] if self.premise else [])
        if wants:
            parts.append("Wants something " + ", ".join(wants) + ".")
        if self.people_only:
            parts.append("Only " + ", ".join(self.people_only) + ".")
        wanted = [p for p in self.people_wanted if p not in self.people_only]
        if wanted:
            parts.append("Likes the work of " + ", ".join(wanted) + ".")
        if self.people_excluded:
            parts.append("Nothing with " + ", ".join(self.people_excluded) + ".")
        if self.genres_only:
            parts.append("Only " + ", ".join(sorted(self.genres_only)) + ".")
        elif self.genres_wanted:
            parts.append("Genres: " + ", ".join(sorted(self.genres_wanted)) + ".")
        if self.genres_excluded or self.subjects_excluded:
            parts.append("No " + ", ".join(sorted(self.genres_excluded) + self.subjects_excluded) + ".")
        if self.year_min or self.year_max:
            parts.append(f"Years {self.year_min or 'any'} to {self.year_max or 'any'}.")
        if self.prefer_year_min or self.prefer_year_max:
            parts.append(f"Preferably {_period(self.prefer_year_min, self.prefer_year_max)}.")
        return " ".join(parts)

    def snapshot(self, catalog: Catalog) -> dict:
        snap = {
            "preference_text": self.preference_text(catalog),
            "liked": _names(catalog, self.liked),
            "disliked": _names(catalog, self.disliked),
            "seen": _names(catalog, self.seen),
            "interested": _names(catalog, self.interested),
            # the catalog's own ids of the same items, so a profile maps back to the catalog
            "ids": {name: [catalog[i].source_id for i in bucket] for name, bucket in
                    (("liked", self.liked), ("disliked", self.disliked), ("seen", self.seen), ("interested", self.interested))},
            "constraints": self.constraints(),
        }
        if self.pending:
            snap["clarifying"] = {"text": self.pending[0].text,
                                  "candidates": [catalog[i].display for i in self.pending[0].candidates]}
        return snap


def _names(catalog: Catalog, ids: list[int]) -> list[str]:
    """Display titles, once each (ml-100k lists a few movies twice under two ids)."""
    return list(dict.fromkeys(catalog[i].display for i in ids))


def _period(lo: int | None, hi: int | None) -> str:
    """'from 1980 to 1989', 'from 1995 on', 'up to 1979'."""
    if lo is not None and hi is not None:
        return f"from {lo} to {hi}"
    return f"from {lo} on" if lo is not None else f"up to {hi}"
