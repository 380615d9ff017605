"""'What I know about you' as a list of entries the user can see and remove one by one."""

from __future__ import annotations

from catalog.model import Catalog
from chat.state import SessionState


def entries(state: SessionState, catalog: Catalog) -> list[str]:
    """Readable entries, each removable with `forget`."""
    out = [f"Liked: {catalog[i].display}" for i in state.liked]
    out += [f"Disliked: {catalog[i].display}" for i in state.disliked]
    out += [f"Seen: {catalog[i].display}" for i in state.seen]
    out += [f"Interested in: {catalog[i].display}" for i in state.interested]
    out += [f"Only genre: {g}" for g in sorted(state.genres_only)]
    out += [f"Wants genre: {g}" for g in sorted(state.genres_wanted - state.genres_only)]
    out += [f"No genre: {g}" for g in sorted(state.genres_excluded)]
    if state.year_min is not None or state.year_max is not None:
        out.append(f"Years: {state.year_min or 'any'} to {state.year_max or 'any'}")
    if state.prefer_year_min is not None or state.prefer_year_max is not None:
        out.append(f"Prefers years: {state.prefer_year_min or 'any'} to {state.prefer_year_max or 'any'}")
    out += [f"Mood: {m}" for m in state.moods]
    return out


def forget(state: SessionState, catalog: Catalog, entry: str) -> bool:
    """Remove one entry (as `entries` wrote it). Returns False when there was no such entry."""
    if entry not in entries(state, catalog):
        return False
    kind, _, value = entry.partition(": ")
    buckets = {"Liked": state.liked, "Disliked": state.disliked, "Seen": state.seen, "Interested in": state.interested}
    if kind in buckets:
        bucket = buckets[kind]
        bucket[:] = [i for i in bucket if catalog[i].display != value]
    elif kind in ("Wants genre", "Only genre"):
        state.genres_wanted.discard(value)
        state.genres_only.discard(value)
    elif kind == "No genre":
        state.genres_excluded.discard(value)
    elif kind == "Years":
        state.year_min = state.year_max = None
    elif kind == "Prefers years":
        state.prefer_year_min = state.prefer_year_max = None
    elif kind == "Mood":
        state.moods = [m for m in state.moods if m != value]
    return True
