"""Titles named after a cue ("loved Termintor") that exact linking missed: fuzzy matches and unknown titles."""

from __future__ import annotations

import re

from chat.linker import TitleLinker

CUE_WORDS = {
    "loved", "love", "liked", "like", "enjoyed", "hated", "hate", "seen", "watched", "saw", "disliked",
    "adored", "than", "fan",
}
# A phrase after one of these cues is meant as a title; if nothing in the catalog fits, say so.
_TITLE_CUE = re.compile(
    r"\b(loved|liked|enjoyed|adored|hated|disliked|seen|watched|saw|didn t like|did not like|similar to|something like|movies like|films like)\s+"
    r"(?P<phrase>[^,.;!?]+)"
)
# Weaker cues: a phrase after these is tried as a misspelled title, but not reported when nothing fits
# ("I like tense stuff" names no title).
_SOFT_TITLE_CUE = re.compile(r"\b(love|like|enjoy|adore|hate|more like|fan of)\s+(?P<phrase>[^,.;!?]+)")
_NOT_A_TITLE_START = re.compile(
    r"^(and|or|but|then|it|them|that|this|those|these|one|ones|the one|the first|the second|the last|some|something|anything|"
    r"movies|films|a movie|a film|most|all|every|to|when|how|what|more|less|a lot|lots|very|so|too|much|many|"
    r"any|him|her|you|me|watching|seeing|your|their|his|the third|the fourth|the fifth|number|none|both|either|neither|"
    r"stuff|things|yours|mine|my|our|i|we|they|he|she|with|for|in|on|at|by|about|from|of|as|because|if|until|"
    r"lately|recently|before|last|yesterday|today|tonight|"
    r"no|not|nothing|never|without)\b"  # "loved Alien, no superhero movies": the cue's title is taken, a negation follows
)


def _fuzzy_phrase(linker: TitleLinker, phrase: str, cutoff: float):
    """A misspelled title: the phrase, else its first part before 'and' / 'or', else a shorter start of it."""
    if len(phrase) < 5:
        return None
    first = re.split(r"\b(?:and|or|plus|also)\b", phrase)[0].strip()
    words = first.split()
    for attempt in [phrase] + [" ".join(words[:n]) for n in range(len(words), 0, -1)]:
        if len(attempt) >= 5:
            hit = linker.fuzzy(attempt, cutoff)
            if hit is not None:
                return hit
    return None


def _remove_spans(words: list[str], spans: list[tuple[int, int]]) -> str:
    keep = [w for i, w in enumerate(words) if not any(s <= i < e for s, e in spans)]
    return " ".join(keep)


def _trim_phrase(phrase: str) -> str:
    phrase = re.split(r"\b(and i|but|because|since|so|though|which|who|when|tonight|today|last|yesterday)\b", phrase)[0]
    phrase = re.sub(r"\b(it|a lot|so much|very much|too|as well|also|already|before|again)\s*$", "", phrase.strip())
    phrase = phrase.strip()
    return "" if phrase in ("the", "a", "an") else phrase  # "seen the last ..." cut at "last" names nothing
