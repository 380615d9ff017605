"""Periods in the user's words: decades, ranges, single years, "older" / "newer"."""

from __future__ import annotations

import re

from chat.understanding.signals import RESTRICT_WORDS, YearSignal

_DECADE = re.compile(r"\b(?:(1\d|2\d)(\d)0 ?s|(\d)0 ?s|(twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties))\b")
_DECADE_WORDS = {"twenties": 2, "thirties": 3, "forties": 4, "fifties": 5, "sixties": 6, "seventies": 7, "eighties": 8, "nineties": 9}
_BEFORE = re.compile(r"\b(before|older than|earlier than|prior to|until|up to|pre)\s+(\d{4})\b")
_AFTER = re.compile(r"\b(after|newer than|later than|since|from after|post)\s+(\d{4})\b")
_BETWEEN = re.compile(r"\bbetween\s+(\d{4})\s+and\s+(\d{4})\b")
_IN_YEAR = re.compile(r"\b(?:from|in|of)\s+(\d{4})\b")
_YEAR_ON = re.compile(r"\b(\d{4})\s+(on|onwards|onward|or later|and later|or newer|and newer|and up|or after|and after)\b(?!\s*\d)")
_YEAR_BACK = re.compile(r"\b(\d{4})\s+(or earlier|and earlier|or older|and older|or before|and before)\b(?!\s*\d)")
_AROUND = re.compile(r"\b(around|circa|about|roughly|approximately|ca)\s+(\d{4})\b")
_PART_OF_DECADE = {"early": (0, 3), "mid": (3, 6), "late": (6, 9)}
# A number where a year goes ("from 99999", "the year 0", "-500 to 10000") that no film can have.
_YEAR_SLOT = re.compile(r"\b(year|years|from|in|before|after|since|until|to|between|around)\s+(\d+)\b")
FIRST_FILM_YEAR, LAST_PLAUSIBLE_YEAR = 1870, 2100


# The user restricts a period rather than leaning towards it: "only from the 80s", "nothing but 90s films".
# "that is a classic": a verdict on a title, no wish for old films.
_IS_A_CLASSIC = re.compile(r"\b(is|s|was|were|are|such)\s+(a |an |such a |real |true |total |an absolute )*(real |true |total )?classics?\b")
# Asking for old films ("a classic", "some old movies", "classic films"), as opposed to praising one
# ("the classics are good like X", "my favorite and a classic"), which recorded talk is full of.
_CLASSIC_WISH = re.compile(
    r"\b(old movies|old films|oldies|black and white|older movies|older films|classic (movies|films)|"
    r"(a|some|any|an|more|old|good old|watch a|want a) (good |real )?(old )?classics?)\b")
_RESTRICT = re.compile(rf"\b({RESTRICT_WORDS}|must be|has to be|have to be)\b")


def _read_years(text: str) -> YearSignal | None:
    """Hard bounds ("before 1990", "between 1980 and 1985") restrict; decades, single years, "around 1990"
    and "classic" are leaned towards unless the user says "only"."""
    signal = _read_period(text)
    if signal is not None and signal.soft and _RESTRICT.search(text):
        signal.soft = False
    return signal


def _read_period(text: str) -> YearSignal | None:
    if re.search(r"\b(any (year|period|decade|era|age)|don t care (about|when))\b", text):
        return YearSignal(clear=True, text="any year")
    if signal := _impossible_year(text):
        return signal
    if m := _BETWEEN.search(text):
        lo, hi = sorted((int(m[1]), int(m[2])))
        return YearSignal(lo, hi, text=m[0])
    if decades := [_decade(m, text) for m in _DECADE.finditer(text)]:
        # "the 80s and the 90s": all of them, as one span
        return YearSignal(min(d.year_min for d in decades), max(d.year_max for d in decades),
                          text="from the " + " and the ".join(d.text for d in decades), soft=True)
    if m := _AROUND.search(text):
        return YearSignal(int(m[2]) - 2, int(m[2]) + 2, text=m[0], soft=True)
    before, after = _BEFORE.search(text), _AFTER.search(text)
    on, back = _YEAR_ON.search(text), _YEAR_BACK.search(text)
    if before or after or on or back:
        signal = YearSignal(text=" and ".join(x[0] for x in (after, on, before, back) if x))
        if before:
            signal.year_max = int(before[2]) - (0 if before[1] in ("until", "up to") else 1)
        if back:
            signal.year_max = int(back[1])
        if after:
            signal.year_min = int(after[2]) + (0 if after[1] == "since" else 1)
        if on:
            signal.year_min = int(on[1]) + (1 if on[2] in ("or after", "and after") else 0)
        if signal.year_min is not None and signal.year_max is not None and signal.year_min > signal.year_max:
            signal.conflict = True
        return signal
    if m := _IN_YEAR.search(text):
        year = int(m[1])
        if 1800 <= year <= 2100:
            return YearSignal(year, year, text=m[0], soft=True)
    if _CLASSIC_WISH.search(text) and not _IS_A_CLASSIC.search(text):
        return YearSignal(year_max=1979, text="classic", soft=True)
    if re.search(r"\b(older|earlier|not so new|less recent)\b", text):
        return YearSignal(relative="older", text="older")
    if re.search(r"\b(newer|more recent|recent|latest|new releases|modern)\b", text):
        return YearSignal(relative="newer", text="newer")
    return None


def _decade(m: re.Match, text: str) -> YearSignal:
    """One decade ("80s", "1980s", "eighties"), or its early / mid / late part."""
    if m[4]:
        start = 1900 + 10 * _DECADE_WORDS[m[4]]
    elif m[1]:
        start = int(m[1]) * 100 + int(m[2]) * 10
    else:
        start = 1900 + int(m[3]) * 10 if int(m[3]) >= 2 else 2000 + int(m[3]) * 10
    part = re.search(r"\b(early|mid|late)\s+(the\s+)?$", text[:m.start()])
    if part:
        lo, hi = _PART_OF_DECADE[part[1]]
        return YearSignal(start + lo, start + hi, text=f"{part[1]} {m[0]}", soft=True)
    return YearSignal(start, start + 9, text=m[0], soft=True)


def _impossible_year(text: str) -> YearSignal | None:
    """A year no film can have, where a year goes: said back to the user, never used as a bound.
    Three digits or more, or any number after "year" ("the year 0"); "in 2 hours" is no year."""
    years = [str(int(m[2])) for m in _YEAR_SLOT.finditer(text)
             if (m[1].startswith("year") or len(m[2]) >= 3) and not FIRST_FILM_YEAR <= int(m[2]) <= LAST_PLAUSIBLE_YEAR]
    return YearSignal(impossible=True, text=" and ".join(dict.fromkeys(years))) if years else None
