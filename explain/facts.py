"""The facts an explanation may state about one pick, built from the catalog and the session in one place.

The LLM is given these facts to phrase, the decoder is constrained by them, the template is
built from them, and the claim checker judges every sentence against them. Only recognised
wishes enter ("tense", "for kids"), never the user's raw words.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalog.model import Catalog, Item
from cf.als import CFModel
from explain.claim_words import CLASSIC_BEFORE, OPPOSITE_WISHES, WISH_GENRES
from explain.premise import directors_named, premise

NEIGHBOUR_MIN_SIMILARITY = 0.2  # below this, "people who liked X also liked Y" would be a stretch
MAX_CAST = 3  # first-billed names an explanation may use


@dataclass(frozen=True)
class Facts:
    item: Item
    liked: tuple[str, ...] = ()  # display titles of the movies the user liked
    shared_genres: tuple[str, ...] = ()  # the item's genres that a liked movie or a wanted genre also has
    neighbour: str | None = None  # the liked movie the CF model ties closest to the item (display title)
    neighbour_similarity: float | None = None  # cosine of the two items' ALS factors
    wishes: tuple[str, ...] = ()  # recognised wishes of the user ("tense"), whether or not the item fits them
    fitting_wishes: tuple[str, ...] = ()  # the wishes this item fits, judged by its genres or year
    wanted_genres: tuple[str, ...] = ()  # the item's genres the user asked for
    period: str | None = None  # the years the user asked for, in words ("from 1980 to 1989")
    directors: tuple[str, ...] = ()  # the item's directors, as its catalog row names them, else as its description does
    cast: tuple[str, ...] = ()  # its first-billed cast (MAX_CAST)
    wanted_people: tuple[str, ...] = ()  # the item's people the user asked for ("anything with Tom Hanks")
    # (person, liked display title, "directed" | "stars in" there): someone the item shares with a movie the user
    # liked ("from the director of Memento")
    shared_people: tuple[tuple[str, str, str], ...] = ()
    subjects: tuple[str, ...] = ()  # what it is about, from the catalog ("heist", "time travel")
    # what its description says it is about, in the description's words (explain/premise.py): "a professional thief
    # who steals information by infiltrating the subconscious of his targets"
    premise: str | None = None
    # every category the catalog has; a genre word none of whose genres exist here (a shop has no "Horror")
    # is no claim about a category, so it is not judged by them. Empty: judge every genre word.
    catalog_genres: frozenset[str] = frozenset()

    @property
    def decade(self) -> int | None:
        return self.item.year // 10 * 10 if self.item.year else None

    def titles(self) -> tuple[str, ...]:
        """Titles a sentence may name: the item's and the liked movies'."""
        return (self.item.display, *self.liked)

    def names(self) -> tuple[str, ...]:
        """People a sentence may name: the item's directors and first-billed cast, and those the user asked for."""
        return tuple(dict.fromkeys((*self.directors, *self.cast, *self.wanted_people, *(p for p, _, _ in self.shared_people))))

    def role(self, person: str) -> str:
        """'directed' or 'stars in': what the item's facts say the person did (directing first)."""
        return "directed" if person in self.directors else "stars in"


def build_facts(item: Item, state, catalog: Catalog, cf: CFModel | None) -> Facts:
    """Facts for one pick. `state` is read loosely (a SessionState or anything with its fields)."""
    liked_ids = list(getattr(state, "liked", []) or [])
    liked_items = [catalog[i] for i in liked_ids]
    wanted = set(_wanted_genres(state))
    liked_genres = {g for it in liked_items for g in it.genres} | wanted
    neighbour, similarity = None, None
    if liked_ids and cf is not None:
        best, sim = cf.similar(item.id, liked_ids)[0]
        if sim >= NEIGHBOUR_MIN_SIMILARITY:
            neighbour, similarity = catalog[best].display, round(float(sim), 3)
    wishes = recognised_wishes(state)
    return Facts(
        item=item,
        liked=tuple(dict.fromkeys(it.display for it in liked_items)),
        shared_genres=tuple(g for g in item.genres if g in liked_genres),
        neighbour=neighbour,
        neighbour_similarity=similarity,
        wishes=wishes,
        fitting_wishes=tuple(w for w in wishes if item_fits_wish(item, w)),
        wanted_genres=tuple(g for g in item.genres if g in wanted),
        period=period_in_words(state),
        catalog_genres=catalog_genres(catalog),
        directors=item.directors or directors_named(item.description),
        cast=item.cast[:MAX_CAST],
        wanted_people=tuple(p for p in item.people if p in set(getattr(state, "people_wanted", None) or ())),
        shared_people=_shared_people(item, liked_items),
        subjects=item.tags[:3],
        premise=premise(item.description),
    )


def _shared_people(item: Item, liked_items: list[Item]) -> tuple[tuple[str, str, str], ...]:
    """The item's people who also made or star in a liked movie, each with the first such movie and their role there."""
    shared: dict[str, tuple[str, str, str]] = {}
    mine = (*(item.directors or directors_named(item.description)), *item.cast[:MAX_CAST])
    for liked in liked_items:
        if liked.id == item.id:
            continue
        for person in mine:
            if person in liked.people and person not in shared:
                shared[person] = (person, liked.display, "directed" if person in liked.directors else "stars in")
    return tuple(shared.values())


def catalog_genres(catalog: Catalog) -> frozenset[str]:
    """All categories of a catalog, computed once per catalog object."""
    cached = catalog.__dict__.get("_all_genres")
    if cached is None:
        cached = frozenset(g for item in catalog.items for g in item.genres)
        catalog.__dict__["_all_genres"] = cached
    return cached


def item_fits_wish(item: Item, wish: str) -> bool:
    if wish not in WISH_GENRES:
        return False  # a wish we cannot judge is not stated as a fact
    genres = WISH_GENRES[wish]
    if genres is None:
        return bool(item.year and item.year < CLASSIC_BEFORE)
    return any(g in item.genres for g in genres)


def unsupported_mood(facts: "Facts", wish: str) -> str | None:
    """Why stating the mood of ``wish`` about this item would be false, or None when it is supported."""
    if not item_fits_wish(facts.item, wish):
        if WISH_GENRES.get(wish, ()) is None:
            return f"it is from {facts.item.year}" if facts.item.year else "its year is unknown"
        return f"it is {', '.join(facts.item.genres) or 'no genre'}"
    against = sorted(OPPOSITE_WISHES.get(wish, set()) & set(facts.wishes))
    if against and wish not in facts.wishes:
        return f"the user asked for something {' and '.join(against)}"
    return None


def recognised_wishes(state) -> tuple[str, ...]:
    """The user's wishes: labels from the understanding's fixed vocabulary (`SessionState.moods`)."""
    return tuple(dict.fromkeys(getattr(state, "moods", None) or []))


def _wanted_genres(state) -> set[str]:
    """Genres the user asked for, hard or soft (the state's field names differ between versions)."""
    wanted: set[str] = set()
    for name in ("genres_wanted", "genres_preferred", "genres_only"):
        wanted |= set(getattr(state, name, None) or ())
    return wanted


def period_in_words(state) -> str | None:
    """The years asked for, hard ("before 1990") or else soft ("from the 80s"), in words."""
    year_min, year_max = getattr(state, "year_min", None), getattr(state, "year_max", None)
    if not (year_min or year_max):
        year_min, year_max = getattr(state, "prefer_year_min", None), getattr(state, "prefer_year_max", None)
    if year_min and year_max:
        return f"from {year_min} to {year_max}"
    if year_min:
        return f"from {year_min} on"
    if year_max:
        return f"up to {year_max}"
    return None
