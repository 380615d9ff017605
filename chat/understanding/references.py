"""References to the last reply ("the second one", "that one", "all of them"), answers to our
clarifying question ("the first one", "1992"), and questions about the last reply ("why Aliens?")."""

from __future__ import annotations

import re

from dataclasses import dataclass

from chat.linker import ARTICLES, canonical
from chat.understanding.sentiment import _sentiment
from chat.understanding.signals import MentionSignal, Question, Understanding

# References to the items of the last reply: "the second one", "#2", "the last one", "that one", "all of them".
_ORDINALS = {
    "first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "sixth": 5, "seventh": 6, "eighth": 7,
    "ninth": 8, "tenth": 9, "1st": 0, "2nd": 1, "3rd": 2, "4th": 3, "5th": 4, "6th": 5, "7th": 6, "8th": 7,
    "9th": 8, "10th": 9, "last": -1, "final": -1,
}
_ITEM_NOUNS = {"one", "movie", "film", "pick", "suggestion", "option", "title", "choice", "recommendation"}
_NUMBER_WORDS = {"number", "no", "option", "pick", "choice", "item", "nr"}
# "the first time", "the last few years" are no references.
_NOT_AFTER_ORDINAL = {
    "time", "times", "half", "place", "part", "world", "season", "day", "days", "week", "weeks", "year", "years",
    "month", "months", "night", "few", "couple", "two", "three", "minute", "minutes", "act", "thing", "things",
    "decade", "century", "movies", "films", "date", "scene", "hour", "hours",
}
# "the last" is a reference only before these words ("the last one was boring", not "the last crusade")
_AFTER_LAST = _ITEM_NOUNS | {
    "", "was", "is", "s", "sounds", "looks", "seems", "sounded", "looked", "seemed", "please", "and", "or", "but", "i",
    "too", "though", "instead", "then", "it", "isn", "wasn", "doesn", "also", "so", "because", "since", "as", "we",
    "you", "again", "already", "yes", "no", "maybe", "either", "of", "on", "in", "from", "for",
}
_THIS = {"that", "this"}
_AFTER_CUE_LOOKBEHIND = "|".join(f"(?<={w} )" for w in ("seen", "watched", "saw", "liked", "loved", "hated", "disliked", "enjoyed",
                                                          "see", "watch", "like", "love", "enjoy", "hate"))
_ALL = re.compile(r"\b(all of (them|those|these|em)|them all|all (five|four|three|ten|5|4|3|10)|every one of (them|those|these)|"
                  r"none of (them|those|these|em)|both of (them|those|these)|"
                  rf"(?:{_AFTER_CUE_LOOKBEHIND})(them|those|these|both))\b")
_IT_AFTER_CUE = {"seen", "watched", "saw", "loved", "liked", "hated", "disliked", "enjoyed", "adored",
                 "see", "watch", "love", "like", "hate", "enjoy", "adore"}

# Questions about the last reply ("why did you pick Aliens?", "why the second one?"): answered, never re-ranked.
_WHY = re.compile(
    r"^(so |and |but |ok |okay |hmm |hm |wait |just curious |curious |then )*(why|how come|what makes|what made|explain|reason for)\b(?! not\b)"
    r"|\bwhy (did|do|would|have|has) you (pick|picked|choose|chose|suggest|suggested|recommend|recommended|include|included|show|"
    r"showed|put|list|go with|think)\b"
    r"|\bwhy (is|s|was|are|were) .*\b(on|in) (the|your|this|that) (list|picks|suggestions)\b"
)
_RESET = re.compile(r"\b(start over|start again|start from scratch|reset everything|clean slate|new search|from scratch)\b"
                    r"|^(ok |okay |so |please |let s |lets )*(reset|forget (everything|all that|all of that|what i said))\b")
_DISMISS = re.compile(r"^(none|neither|never mind|nevermind|forget it|no|nope|none of (them|those|these)|not any of (them|those|these)|"
                      r"doesn t matter|any|whatever)\b")
_CHOOSE_ALL = re.compile(r"\b(all of them|all of those|all of these|all|both|each of them|every one|them all)\b")


@dataclass
class _Reference:
    start: int
    end: int
    item_ids: tuple[int, ...]
    text: str
    none_of: bool = False


def _references(words: list[str], taken: set[int], last_items: list[int], titles) -> list[_Reference]:
    """Words that point at items of the last reply, in word positions not already used by titles.
    A reference that points at nothing ("the last one" before anything was shown, "the 9th one" after
    five) comes back with no item ids, so that it can be answered and is no title or wish."""
    refs: list[_Reference] = []
    n = len(words)

    def free(a: int, b: int) -> bool:
        return not any(i in taken for i in range(a, b)) and not any(r.start < b and a < r.end for r in refs)

    def add(a: int, b: int, ids, none_of: bool = False) -> None:
        if free(a, b):
            refs.append(_Reference(a, b, tuple(ids), " ".join(words[a:b]), none_of))

    def at(index: int):
        return [last_items[index]] if -len(last_items) <= index < len(last_items) else []

    text = " ".join(words)
    for m in _ALL.finditer(text):
        a = len(text[:m.start()].split())
        b = a + len(m.group(0).split())
        if any(t.end <= a for t in titles) and not m.group(0).startswith("none"):
            continue  # "the Die Hard movies ... all of them": about the titles just named, not the last reply
        add(a, b, last_items, none_of=m.group(0).startswith("none"))
    for i, w in enumerate(words):
        nxt = words[i + 1] if i + 1 < n else ""
        if w in _ORDINALS:
            has_the = i > 0 and words[i - 1] == "the"
            if nxt in _NOT_AFTER_ORDINAL or (w in ("last", "final") and not (has_the and nxt in _AFTER_LAST)):
                continue
            if not (has_the or nxt in _ITEM_NOUNS):
                continue
            a = i - 1 if has_the else i
            b = i + 2 if nxt in _ITEM_NOUNS else i + 1
            add(a, b, at(_ORDINALS[w]))
        elif w in _NUMBER_WORDS and nxt.isdigit() and 1 <= int(nxt) <= 20:
            add(i - 1 if i and words[i - 1] == "the" else i, i + 2, at(int(nxt) - 1))
        elif w in _THIS and nxt in ("one", "movie", "film"):
            add(i, i + 2, at(0))
        elif w in ("it", "that", "this") and i and words[i - 1] in _IT_AFTER_CUE and not any(t.end <= i for t in titles):
            add(i, i + 1, at(0))  # "I've seen it", "loved that": the single (or first) item shown
    return sorted(refs, key=lambda r: r.start)


def _resolve_choice(words, found, pending, linker, result: Understanding, taken: set[int]):
    """Answer to "Which Batman do you mean?": a position, a year, a title or a distinctive word."""
    catalog = linker.catalog
    cands = list(pending.candidates)
    chosen: list[int] = []
    used: set[int] = set()
    rest_found = []
    for m in found:  # a title among the candidates ("Batman Returns")
        hit = [c for c in cands if set(linker.same_movie[c]) & set(m.item_ids) or c in m.candidates and not m.item_ids]
        if hit and not chosen and not m.ambiguous:
            chosen, used = hit[:1], set(range(m.start, m.end))
        else:
            rest_found.append(m)
    text = " ".join(words)
    if not chosen:
        for i, w in enumerate(words):
            index = None
            if w in _ORDINALS:
                index = _ORDINALS[w]
            elif w.isdigit() and len(w) == 4:
                dated = [c for c in cands if catalog[c].year == int(w)]
                if len(dated) == 1:
                    chosen, used = dated, {i}
                    break
            elif w.isdigit() and 1 <= int(w) <= 20:
                index = int(w) - 1
            elif w in ("original", "oldest", "earliest"):
                index = 0
            elif w in ("newest", "latest", "recent", "newer"):
                index = -1
            if index is not None and -len(cands) <= index < len(cands):
                chosen, used = [cands[index]], {i}
                break
            if index is not None:  # "the 7th one" of four: asked again, and told how many there are
                lo = i - 1 if i and words[i - 1] in ("the", "number", "no") else i
                hi = i + 2 if i + 1 < len(words) and words[i + 1] in ("one", "movie", "film") else i + 1
                result.dangling.append(" ".join(words[lo:hi]))
                taken |= set(range(lo, hi))
                break
    if not chosen:
        shared = set.intersection(*(set(canonical(catalog[c].title).split()) for c in cands))
        hits = []
        for c in cands:
            own = set(canonical(catalog[c].title).split()) - shared - set(ARTICLES) - {"and", "of", "in", "the", "a"}
            if own & set(words):
                hits.append(c)
        if len(hits) == 1:
            chosen = hits
            used = {i for i, w in enumerate(words) if w in set(canonical(catalog[hits[0]].title).split())}
    if not chosen and _CHOOSE_ALL.search(text):
        chosen = cands
        used = set(range(len(words)))
    if chosen:
        result.choice = "resolved"
        # What the user said about it stands, unless this answer says otherwise ("the second one, but I hated it").
        others = " ".join(w for i, w in enumerate(words) if i not in used)
        sentiment = _sentiment(others, "", pending.sentiment)
        for c in chosen:
            result.mentions.append(MentionSignal(linker.same_movie[c], catalog[c].display, sentiment, source="choice"))
        # the words of the answer ("the first one", "1992") are no constraint or mood
        lo, hi = (min(used), max(used) + 1) if used else (0, 0)
        while lo > 0 and words[lo - 1] in ("the", "i", "meant", "mean", "one", "oh", "sorry", "that", "s"):
            lo -= 1
        while hi < len(words) and words[hi] in ("one", "movie", "film", "please", "of", "course"):
            hi += 1
        taken |= set(range(lo, hi))
        return rest_found
    if _DISMISS.search(text):
        result.choice = "dismissed"
        taken |= set(range(len(words)))
        return []
    result.choice = "unresolved"
    return found


def _question(found, refs, last_items, linker) -> Question:
    asked: list[int] = []
    not_shown: list[str] = []
    for m in found:
        ids = [c for c in (m.candidates or m.item_ids) if c in last_items]
        same = [i for i in last_items if set(linker.same_movie[i]) & set(m.item_ids)]
        hit = (same or ids)[:1]
        if hit:
            asked += hit
        else:
            not_shown.append(linker.catalog[m.item_ids[0]].display)
    for r in refs:
        asked += [i for i in r.item_ids if i not in asked]
    if not asked and not not_shown:
        asked = list(last_items)
    return Question(list(dict.fromkeys(asked)), not_shown)
