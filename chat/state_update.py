"""What one understood message does to the session: the state updated, and the notes to tell the user.

`apply_understanding` is the one place an `Understanding` (chat.understanding) changes a `SessionState`:
titles marked, genres, periods, wishes and people wanted or excluded, a pending question answered.
It only reads the catalog (years, names, people); ranking happens after, in the recommender.
"""

from __future__ import annotations

from catalog import Catalog
from chat.answers import mention_notes
from chat.state import Clarification, SessionState
from chat.understanding import Understanding
from chat.understanding.people import people_for
from chat.understanding.subjects import same_subject, subjects_for

OLDER = 1979  # "something older" or "a classic" with nothing shown yet: leans towards films up to this year
NEWER_SPAN = 4  # "something recent" with nothing shown yet: leans towards the catalog's last few years


def apply_understanding(catalog: Catalog, state: SessionState, u: Understanding) -> list[str]:
    """Update the state from what was understood; return notes to tell the user."""
    notes: list[str] = []
    if u.reset:
        state.reset()
        return [f"Starting over: I forgot what you told me ({catalog.nouns} I already showed stay out of the picks)."]
    if state.pending and (u.choice in ("resolved", "dismissed") or u.has_signal):
        dropped = state.pending.pop(0)  # answered, waved off, or the user moved on: never guess
        if u.choice != "resolved":
            notes.append(f"I left '{dropped.text}' out.")
    notes += dangling_notes(state, u)
    for m in u.mentions:
        for item_id in m.item_ids:  # several ids only for ml-100k's duplicate rows of one movie
            state.mark(item_id, m.sentiment)
    notes += mention_notes(catalog, u)
    state.pending += [Clarification(a.text, a.candidates, a.sentiment) for a in u.ambiguous]
    if u.genres_clear:
        state.clear_genres()
    if u.missing_titles:
        names = ", ".join(u.missing_titles)
        notes.append(f"I don't have {names} in the catalog, so I left {'it' if len(u.missing_titles) == 1 else 'them'} out.")
    if u.unknown_titles:
        names = ", ".join(f"'{t}'" for t in u.unknown_titles)
        notes.append(f"I couldn't find {names} in the catalog, so I left it out.")
    contradictions = u.contradictions
    if contradictions:
        names = ", ".join(sorted(contradictions))
        notes.append(f"You asked both for and against {names}; I left {names} out. Say '{names.lower()} is fine' to bring it back.")
    state.exclude_genres(u.genres_excluded)
    if u.genres_wanted - contradictions:
        state.want_genres(u.genres_wanted - contradictions, only=bool(u.genres_only))
    state.allow_genres(u.genres_allowed)
    if u.years and u.years.impossible:
        lo, hi = catalog.year_range
        years = "years" if " and " in u.years.text else "year"
        notes.append(f"I can't use the {years} {u.years.text}: the catalog's movies are from {lo} to {hi}, "
                     "so I kept the years as they were.")
    elif u.years and u.years.conflict:
        notes.append(f"'{u.years.text}' cannot both hold, so I kept the years as they were.")
    elif u.years:
        notes += apply_years(catalog, state, u)
    for wish in u.wishes:
        for subject in [s for s in state.subjects_excluded if same_subject(wish, s)]:
            state.allow_subject(subject)  # "no zombies", then "something with zombies": the latest word wins, as for genres
        state.add_mood(wish)
    subjects = subjects_for(catalog)
    for subject in u.subjects_excluded:
        state.exclude_subject(subject, tuple(sorted(subjects.items_about(subject))))
        state.moods = [m for m in state.moods if not same_subject(m, subject)]
    for subject in u.subjects_allowed:
        state.allow_subject(subject)
    if u.premise:
        state.premise = u.premise  # a new premise replaces the old one, as a new genre request does
    people = people_for(catalog)
    for person in u.people:
        items = tuple(people.items.get(person.name, ()))
        if person.sentiment == "disliked":
            state.exclude_person(person.name, items)
        else:
            state.want_person(person.name, items, only=person.only)
    return notes


def dangling_notes(state: SessionState, u: Understanding) -> list[str]:
    """Say that "the 9th one" (of five), or "the last one" before anything was shown, points at nothing."""
    if not u.dangling:
        return []
    said = " / ".join(f"'{d}'" for d in dict.fromkeys(u.dangling))
    if state.pending:
        return [f"There are only {len(state.pending[0].candidates)} to choose from, so {said} is none of them."]
    if not state.last_items:
        return [f"I haven't shown you any movies yet, so {said} doesn't point at one."]
    return [f"I showed {len(state.last_items)}, so {said} doesn't point at one of them."]


def apply_years(catalog: Catalog, state: SessionState, u: Understanding) -> list[str]:
    """Set the period the turn asked for: a filter, a lean (soft or relative with nothing shown), or cleared."""
    y = u.years
    if y.clear:
        state.year_min = state.year_max = state.prefer_year_min = state.prefer_year_max = None
        return []
    if catalog.year_range is None:  # a catalog without years (a shop): a period cannot filter anything
        return [f"The {catalog.nouns} in this catalog have no years, so I can't go by '{y.text or 'the year'}'."]
    lo, hi = catalog.year_range
    shown_years = [catalog[i].year for i in state.last_items if catalog[i].year]
    if y.relative and not shown_years:
        # "Something older" with nothing shown to compare with leans the ranking; it cuts nothing off.
        state.prefer_year_min, state.prefer_year_max = (None, OLDER) if y.relative == "older" else (hi - NEWER_SPAN, None)
        return []
    if y.relative:
        if y.relative == "older":
            state.year_min, state.year_max = None, (min(shown_years) - 1) if shown_years else OLDER
        else:
            state.year_min, state.year_max = ((max(shown_years) + 1) if shown_years else hi - NEWER_SPAN), None
        return []
    if (y.year_min is not None and y.year_min > hi) or (y.year_max is not None and y.year_max < lo):
        when = y.text or "then"
        closest = f"the newest are from {hi}" if (y.year_min or 0) > hi else f"the oldest are from {lo}"
        state.prefer_year_min = state.prefer_year_max = None
        state.year_min, state.year_max = (hi - 1, None) if (y.year_min or 0) > hi else (None, lo + 9)
        return [f"The catalog has nothing {when}: {closest}, so here are the closest."]
    if y.soft:
        state.prefer_year_min, state.prefer_year_max = y.year_min, y.year_max
    else:
        state.year_min, state.year_max = y.year_min, y.year_max
    return []


def has_signal(state: SessionState) -> bool:
    """Whether the session has told anything to rank by (else: well-liked picks and one question)."""
    return bool(state.liked or state.interested or state.moods or state.genres_wanted or state.genres_excluded
                or state.year_min or state.year_max or state.prefer_year_min or state.prefer_year_max
                or state.disliked or state.seen or state.people_wanted or state.people_excluded
                or state.subjects_excluded or state.premise)
