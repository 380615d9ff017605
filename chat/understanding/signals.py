"""What one message says, as plain data: mentions, ambiguities, questions, genres, years, mood."""

from __future__ import annotations

from dataclasses import dataclass, field

# Words by which the user restricts rather than leans ("only comedies", "nothing but 90s films"): they turn a
# genre or period preference into a filter (chat/understanding/genres.py, years.py).
RESTRICT_WORDS = r"only|just|nothing but|exclusively|strictly|solely"


@dataclass
class MentionSignal:
    item_ids: tuple[int, ...]
    text: str
    sentiment: str  # "liked" | "disliked" | "seen" | "unseen" ("I haven't seen it")
    fuzzy: bool = False
    source: str = "title"  # "title" | "shown" (a reference to the last reply) | "choice" (an answer to our question)


@dataclass
class Ambiguity:
    """A title that fits several movies: the dialogue asks which one is meant."""

    text: str
    candidates: tuple[int, ...]
    sentiment: str


@dataclass
class Question:
    """A question about the last reply ("why did you pick Aliens?"): answered from the ranking facts."""

    item_ids: list[int]  # the shown items asked about (all of them when none was named)
    not_shown: list[str] = field(default_factory=list)  # titles named that were not in the last reply


@dataclass
class FilmQuestion:
    """A question about one item ("what is Shutter Island about?", "is the first one scary?"): answered from its
    facts (chat.film_answers); the item asked about is neither liked nor wished for."""

    asks: list[str]  # in the order asked: "about" | "people" | "director" | "year" | "genre" | "scary" | "kids"
    item_ids: tuple[int, ...] = ()  # the item named or pointed at (several ids only for duplicate rows)
    candidates: tuple[int, ...] = ()  # a title that fits several items: ask which one first
    text: str = ""  # the words that named it ("shutter island", "the second one", "it")
    pronoun: bool = False  # "it", "that one": the item last talked about (resolved against the session)
    dangling: bool = False  # "the 9th one" of five: points at nothing
    missing: str = ""  # a title the catalog does not have, as written
    genre: str = ""  # "is it a comedy?": the category asked about


@dataclass
class YearSignal:
    year_min: int | None = None
    year_max: int | None = None
    relative: str | None = None  # "older" | "newer": resolved against the last reply's items
    clear: bool = False
    conflict: bool = False  # "after 1990 and before 1980": no year can satisfy both
    impossible: bool = False  # "from 99999", "the year 0": no film has that year
    soft: bool = False  # a period leaned towards ("from the 80s", "a classic"), not a restriction
    text: str = ""


@dataclass
class Understanding:
    message: str
    mentions: list[MentionSignal] = field(default_factory=list)
    unknown_titles: list[str] = field(default_factory=list)  # words after a cue that name no catalog title
    missing_titles: list[str] = field(default_factory=list)  # titles with a year the catalog lacks, as written
    ambiguous: list[Ambiguity] = field(default_factory=list)
    choice: str | None = None  # with a clarification open: "resolved" | "dismissed" | "unresolved"
    question: Question | None = None
    film_question: FilmQuestion | None = None  # "who directed the second one?": answered, nothing liked or re-ranked
    dangling: list[str] = field(default_factory=list)  # references that point at nothing ("the 9th one" of five)
    reset: bool = False
    genres_wanted: set[str] = field(default_factory=set)
    genres_only: set[str] = field(default_factory=set)  # "only comedies": the wanted genres restrict
    genres_excluded: set[str] = field(default_factory=set)
    genres_allowed: set[str] = field(default_factory=set)  # "horror is fine": lift an exclusion
    genres_clear: bool = False  # "any genre"
    years: YearSignal | None = None
    wishes: list[str] = field(default_factory=list)  # recognised wishes ("tense", "feel-good"), as labels
    people: list = field(default_factory=list)  # PersonSignal: "anything with Tom Hanks", "no Adam Sandler"
    subjects_excluded: list[str] = field(default_factory=list)  # "no superhero movies": subjects the catalog's texts use
    subjects_allowed: list[str] = field(default_factory=list)  # "superheroes are fine": lift one already excluded
    premise: str = ""  # what a wished-for item is about, in the user's words ("a heist that goes wrong")

    @property
    def contradictions(self) -> set[str]:
        return self.genres_wanted & self.genres_excluded

    @property
    def has_signal(self) -> bool:
        """Whether the message says anything besides answering (or not) our question."""
        return bool(self.mentions or self.unknown_titles or self.missing_titles or self.ambiguous or self.genres_wanted
                    or self.genres_excluded or self.genres_allowed or self.genres_clear or self.years
                    or self.wishes or self.people or self.subjects_excluded or self.subjects_allowed or self.premise
                    or self.reset)

