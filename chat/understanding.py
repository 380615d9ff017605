"""Turn one user message into structured signals: title mentions with sentiment, genres, years, mood.

With the session's state as context it also reads references to the last reply's items ("more
like the second one", "not that one", "I've seen the last one"), answers to an open clarifying
question ("the first one", "1992", "Batman Returns"), and questions about the last reply ("why did
you pick Aliens?"), which change nothing.

Rule-based on purpose: it is fast (about a millisecond for a typical message), deterministic,
and every decision can be traced to a pattern below. The LLM is never asked to parse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from chat.linker import ARTICLES, TitleLinker, canonical, normalize

# Genre words people use -> catalog genre. Multi-word phrases first.
GENRE_SYNONYMS: dict[str, str] = {
    "science fiction": "Sci-Fi", "sci fi": "Sci-Fi", "scifi": "Sci-Fi",
    "film noir": "Film-Noir", "noir": "Film-Noir",
    "love story": "Romance", "love stories": "Romance", "rom com": "Romance", "romcom": "Romance",
    "romance": "Romance", "romantic": "Romance", "romances": "Romance",
    "action": "Action", "adventure": "Adventure", "adventures": "Adventure",
    "animation": "Animation", "animated": "Animation", "cartoon": "Animation", "cartoons": "Animation",
    "kids": "Children's", "children": "Children's", "childrens": "Children's", "family": "Children's",
    "comedy": "Comedy", "comedies": "Comedy", "funny": "Comedy", "hilarious": "Comedy", "laugh": "Comedy",
    "crime": "Crime", "gangster": "Crime", "gangsters": "Crime", "heist": "Crime", "mafia": "Crime",
    "documentary": "Documentary", "documentaries": "Documentary",
    "drama": "Drama", "dramas": "Drama",
    "fantasy": "Fantasy", "magic": "Fantasy",
    "horror": "Horror", "scary": "Horror", "slasher": "Horror", "slashers": "Horror",
    "musical": "Musical", "musicals": "Musical",
    "mystery": "Mystery", "mysteries": "Mystery", "whodunit": "Mystery",
    "thriller": "Thriller", "thrillers": "Thriller", "suspense": "Thriller",
    "war": "War", "western": "Western", "westerns": "Western", "cowboy": "Western", "cowboys": "Western",
}
_GENRE_RE = re.compile(r"\b(" + "|".join(sorted(map(re.escape, GENRE_SYNONYMS), key=len, reverse=True)) + r")\b")
_NEGATION_BEFORE = re.compile(
    r"\b(no|not|without|nothing|never|avoid|except|hate|hated|dislike|don t want|do not want|no more|"
    r"anything but|not a|not in the mood for|tired of|skip|none of)\b(\s+\w+){0,2}\s*$"
)
_ALLOW_AFTER = re.compile(
    r"^\s*(s|movies|films)?\s*(is|are|would be|will be|is also|are also|s)\s+(fine|ok|okay|alright|good|allowed|acceptable|back on)\b"
    r"|^\s*(s|movies|films)?\s*(is|are) (back|not a problem|no problem)\b"
)
_ALLOW_BEFORE = re.compile(
    r"\b(don t mind|do not mind|fine with|ok with|okay with|happy with|open to|bring back|include|allow|add back)\s+(some\s+)?$"
)
_EXCLUDE_AFTER = re.compile(
    r"^\s*(s|movies|films)?\s*((is|are) not|isn t|aren t) (really )?(my thing|for me|my cup of tea|my kind of thing|an option)\b"
    r"|^\s*(s|movies|films)?\s*(is|are)?\s*(not (really )?(my thing|for me)|a no|out|off the table|not my cup of tea|no thanks)\b"
)
_ANY_GENRE = re.compile(r"\b(any genre|any kind|whatever genre|all genres|no genre preference|forget (about )?the genres?|genre doesn t matter)\b")

# Sentiment of a mention (a title, or a reference to a shown item such as "the second one"),
# read from the words around it in the same clause. Closest cue wins; on a tie the order is
# unseen > disliked > seen > liked ("haven't seen", "didn't like").
_NEG_BEFORE = re.compile(
    r"\b(didn t|did not|don t|do not|never|doesn t|does not|wouldn t|would not) (really |much |particularly )?"
    r"(like|liked|love|loved|enjoy|enjoyed|care for|cared for|want|need|recommend)\b"
    r"|\b(hated?|dislike[sd]?|disliked|not (a |really a |much of a )?(big |huge |great )?fan of|can t stand|couldn t stand|not into|no more|not|"
    r"bored by|fell asleep (during|in|watching)|drop|remove|skip|get rid of|not interested in|no to|pass on|instead of|rather not)\b"
)
_UNSEEN_BEFORE = re.compile(
    r"\b(haven t|have not|never|not|didn t|did not|don t|do not) (yet |actually |ever )?(seen|watched|see|watch|heard of|know)\b"
    r"|\bnever heard of\b"
)
_SEEN_BEFORE = re.compile(r"\b(seen|watched|saw|already|know|familiar with)\b")
_POS_BEFORE = re.compile(
    r"\b(lov(e|ed|ing)|lik(e|ed)|enjoy(ed)?|ador(e|ed)|fan of|favou?rite|great|similar to|more like|"
    r"interested in|go with|i ll take|i ll watch|let s watch|let s do|want|pick|choose|take)\b"
)
_VERB = r"(was|is|were|felt|seemed|seems|sounds|sound|looks|look)"
_DEGREE = r"(really |so |too |pretty |kind of |a bit |a little |quite |rather |sort of |very |just |way too )?"
_NEG_AFTER = re.compile(
    rf"^\s*{_VERB}?\s*{_DEGREE}"
    r"(boring|bad|awful|terrible|dull|overrated|meh|horrible|a bore|not good|not great|not for me|too slow|too long|"
    r"disappointing|sucks|sucked|lame|not my thing|not my cup of tea|no thanks|nah|not interesting|forgettable|awful|stupid)\b"
    r"|^\s*(wasn t|isn t|was not|is not|doesn t (look|sound)|does not (look|sound)|didn t (do it|work) for me)\s*"
    r"(very |that |so |really |too |all that )?(good|great|funny|scary|interesting|my thing|for me|appealing|fun|it)?\b"
    r"|^\s*((and|but) )?(i |we )?(really )?(hated|disliked|didn t like|did not like|didn t enjoy|did not enjoy) (it|that one|them)\b"
)
_POS_AFTER = re.compile(
    rf"^\s*{_VERB}?\s*(really |so |pretty |very |just )?"
    r"(great|amazing|awesome|brilliant|good|fantastic|excellent|a favou?rite|my favou?rite|one of my favou?rites|perfect|"
    r"interesting|fun|cool|nice|promising|wonderful|a classic|a masterpiece)\b"
    r"|^\s*(please|it is|that s it|yes)\b"
    r"|^\s*((and|but) )?(i |we )?(really |totally |absolutely )?(loved|liked|enjoyed|adored) (it|that one|them)\b"
)
_SEEN_AFTER = re.compile(r"^\s*(already|before|i ve seen( it)?|i have seen( it)?|seen( it)?|watched( it)?)\b")
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
    r"stuff|things|yours|mine|my|our|i|we|they|he|she)\b"
)

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
_AFTER_CUE_LOOKBEHIND = "|".join(f"(?<={w} )" for w in ("seen", "watched", "saw", "liked", "loved", "hated", "disliked", "enjoyed"))
_ALL = re.compile(r"\b(all of (them|those|these|em)|them all|all (five|four|three|ten|5|4|3|10)|every one of (them|those|these)|"
                  r"none of (them|those|these|em)|both of (them|those|these)|"
                  rf"(?:{_AFTER_CUE_LOOKBEHIND})(them|those|these|both))\b")
_IT_AFTER_CUE = {"seen", "watched", "saw", "loved", "liked", "hated", "disliked", "enjoyed", "adored"}

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
class YearSignal:
    year_min: int | None = None
    year_max: int | None = None
    relative: str | None = None  # "older" | "newer": resolved against the last reply's items
    clear: bool = False
    conflict: bool = False  # "after 1990 and before 1980": no year can satisfy both
    text: str = ""


@dataclass
class Understanding:
    message: str
    mentions: list[MentionSignal] = field(default_factory=list)
    unknown_titles: list[str] = field(default_factory=list)
    ambiguous: list[Ambiguity] = field(default_factory=list)
    choice: str | None = None  # with a clarification open: "resolved" | "dismissed" | "unresolved"
    question: Question | None = None
    reset: bool = False
    genres_wanted: set[str] = field(default_factory=set)
    genres_excluded: set[str] = field(default_factory=set)
    genres_allowed: set[str] = field(default_factory=set)  # "horror is fine": lift an exclusion
    genres_clear: bool = False  # "any genre"
    years: YearSignal | None = None
    mood: str = ""  # what is left once titles and constraints are taken out

    @property
    def contradictions(self) -> set[str]:
        return self.genres_wanted & self.genres_excluded

    @property
    def has_signal(self) -> bool:
        """Whether the message says anything besides answering (or not) our question."""
        return bool(self.mentions or self.unknown_titles or self.ambiguous or self.genres_wanted
                    or self.genres_excluded or self.genres_allowed or self.genres_clear or self.years
                    or self.mood or self.reset)


def understand(message: str, linker: TitleLinker, state=None) -> Understanding:
    """Read one message. `state` (a SessionState, read only) gives the context: the items of the
    last reply, for "the second one", and an open clarifying question, for "the first one"."""
    message = re.sub(r"#\s*(\d+)", r" number \1 ", message)
    text = normalize(message)
    words = text.split()
    last_items = list(getattr(state, "last_items", None) or [])
    pending = state.pending[0] if state is not None and getattr(state, "pending", None) else None
    cue_positions = {i + 1 for i, w in enumerate(words) if w in CUE_WORDS}
    cue_positions |= {i + 2 for i, w in enumerate(words[:-1]) if w in CUE_WORDS and words[i + 1] in ("the", "a", "an")}
    result = Understanding(message=message)

    if _RESET.search(text):
        result.reset = True
        return result

    found = linker.find(message, cue_positions)
    taken: set[int] = set()  # word positions already explained
    if pending is not None:
        found = _resolve_choice(words, found, pending, linker, result, taken)
    for m in found:
        taken |= set(range(m.start, m.end))
    refs = [] if pending is not None and result.choice == "resolved" else _references(words, taken, last_items, found)
    for r in refs:
        taken |= set(range(r.start, r.end))

    if _WHY.search(text):
        result.question = _question(found, refs, last_items, linker)
        return result

    spans = sorted([(m.start, m.end, m) for m in found] + [(r.start, r.end, r) for r in refs], key=lambda x: x[0])
    previous = "liked"
    for k, (start, end, m) in enumerate(spans):
        clause_start = _clause_start(words, start, spans[k - 1][1] if k else 0)
        before = " ".join(words[clause_start:start])
        after_end = spans[k + 1][0] if k + 1 < len(spans) else len(words)
        after = " ".join(words[end:after_end])
        inherit = previous if k and clause_start == spans[k - 1][1] and before in ("", "and", "or", "nor") else None
        sentiment = _sentiment(before, after, inherit)
        previous = sentiment
        if isinstance(m, _Reference):
            if m.none_of and sentiment == "liked":
                sentiment = "disliked"  # "none of those" is a no to all of them
            for item_id in m.item_ids:
                result.mentions.append(MentionSignal((item_id,), m.text, sentiment, source="shown"))
        elif m.ambiguous:
            result.ambiguous.append(Ambiguity(m.text, m.candidates, sentiment))
        else:
            result.mentions.append(MentionSignal(m.item_ids, m.text, sentiment))

    rest = " ".join(w for i, w in enumerate(words) if i not in taken)
    for cue_re, report in ((_TITLE_CUE, True), (_SOFT_TITLE_CUE, False)):
        for cue in cue_re.finditer(rest):
            phrase = _trim_phrase(cue["phrase"])
            if not phrase or _NOT_A_TITLE_START.match(phrase) or _GENRE_RE.search(phrase):
                continue
            fuzzy = _fuzzy_phrase(linker, phrase, 86.0 if report else 90.0)
            if fuzzy is not None:
                sentiment = _sentiment(cue.group(1), "", None)
                if fuzzy.ambiguous:
                    result.ambiguous.append(Ambiguity(fuzzy.text, fuzzy.candidates, sentiment))
                else:
                    result.mentions.append(MentionSignal(fuzzy.item_ids, fuzzy.text, sentiment, fuzzy=True))
                rest = rest.replace(phrase, " ", 1)
            elif report and len(phrase.split()) <= 6 and not phrase.startswith(("a ", "an ")) and phrase not in result.unknown_titles:
                # ("something like a road trip" describes, it names nothing)
                result.unknown_titles.append(phrase)
                rest = rest.replace(phrase, " ", 1)  # an unknown title is not a mood

    _read_genres(rest, result)
    result.years = _read_years(rest)
    result.mood = _mood(rest)
    return result


@dataclass
class _Reference:
    start: int
    end: int
    item_ids: tuple[int, ...]
    text: str
    none_of: bool = False


def _references(words: list[str], taken: set[int], last_items: list[int], titles) -> list[_Reference]:
    """Words that point at items of the last reply, in word positions not already used by titles."""
    if not last_items:
        return []
    refs: list[_Reference] = []
    n = len(words)

    def free(a: int, b: int) -> bool:
        return not any(i in taken for i in range(a, b)) and not any(r.start < b and a < r.end for r in refs)

    def add(a: int, b: int, ids, none_of: bool = False) -> None:
        if free(a, b) and ids:
            refs.append(_Reference(a, b, tuple(ids), " ".join(words[a:b]), none_of))

    def at(index: int):
        return [last_items[index]] if -len(last_items) <= index < len(last_items) else []

    text = " ".join(words)
    for m in _ALL.finditer(text):
        a = len(text[:m.start()].split())
        b = a + len(m.group(0).split())
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
        elif w == "it" and i and words[i - 1] in _IT_AFTER_CUE and not any(t.end <= i for t in titles):
            add(i, i + 1, at(0))  # "I've seen it": the single (or first) item shown
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
            elif w.isdigit() and 1 <= int(w) <= len(cands):
                index = int(w) - 1
            elif w in ("original", "oldest", "earliest"):
                index = 0
            elif w in ("newest", "latest", "recent", "newer"):
                index = -1
            if index is not None and -len(cands) <= index < len(cands):
                chosen, used = [cands[index]], {i}
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


def _clause_start(words: list[str], start: int, floor: int) -> int:
    for i in range(start - 1, floor - 1, -1):
        if words[i] in ("but", "however", "though", "although", "while", "whereas"):
            return i + 1
    return floor


def _sentiment(before: str, after: str, inherit: str | None) -> str:
    if _NEG_AFTER.search(after):
        return "disliked"
    if _POS_AFTER.search(after):
        return "liked"
    if before:
        neg, seen, pos = _last(_NEG_BEFORE, before), _last(_SEEN_BEFORE, before), _last(_POS_BEFORE, before)
        unseen = _last(_UNSEEN_BEFORE, before)
        # The closest cue wins; on a tie ("didn't like", "haven't seen") the negation wins.
        best = max((unseen, 3, "unseen"), (neg, 2, "disliked"), (seen, 1, "seen"), (pos, 0, "liked"))
        if best[0] >= 0:
            # "I saw X and loved it" reads as liked; "seen" only wins when it is the closest cue.
            return best[2]
    if _SEEN_AFTER.search(after):
        return "seen"
    return inherit or "liked"


def _last(pattern: re.Pattern, text: str) -> int:
    ends = [m.end() for m in pattern.finditer(text)]
    return max(ends) if ends else -1


def _remove_spans(words: list[str], spans: list[tuple[int, int]]) -> str:
    keep = [w for i, w in enumerate(words) if not any(s <= i < e for s, e in spans)]
    return " ".join(keep)


def _trim_phrase(phrase: str) -> str:
    phrase = re.split(r"\b(and i|but|because|since|so|though|which|who|when|tonight|today|last|yesterday)\b", phrase)[0]
    phrase = re.sub(r"\b(it|a lot|so much|very much|too|as well|also|already|before|again)\s*$", "", phrase.strip())
    return phrase.strip()


def _read_genres(text: str, result: Understanding) -> None:
    if _ANY_GENRE.search(text):
        result.genres_clear = True
    for m in _GENRE_RE.finditer(text):
        genre = GENRE_SYNONYMS[m.group(1)]
        if _ALLOW_AFTER.match(text[m.end():]) or _ALLOW_BEFORE.search(text[:m.start()]):
            result.genres_allowed.add(genre)
        elif _EXCLUDE_AFTER.match(text[m.end():]):
            result.genres_excluded.add(genre)
        elif _NEGATION_BEFORE.search(text[:m.start()][-60:]):
            result.genres_excluded.add(genre)
        else:
            result.genres_wanted.add(genre)


_DECADE = re.compile(r"\b(?:(19|20)(\d)0 ?s|(\d)0 ?s|(twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties))\b")
_DECADE_WORDS = {"twenties": 2, "thirties": 3, "forties": 4, "fifties": 5, "sixties": 6, "seventies": 7, "eighties": 8, "nineties": 9}
_BEFORE = re.compile(r"\b(before|older than|earlier than|prior to|until|up to|pre)\s+(\d{4})\b")
_AFTER = re.compile(r"\b(after|newer than|later than|since|from after|post)\s+(\d{4})\b")
_BETWEEN = re.compile(r"\bbetween\s+(\d{4})\s+and\s+(\d{4})\b")
_IN_YEAR = re.compile(r"\b(?:from|in|of)\s+(\d{4})\b")
_YEAR_ON = re.compile(r"\b(\d{4})\s+(on|onwards|onward|or later|and later|or newer|and newer|and up|or after|and after)\b")
_YEAR_BACK = re.compile(r"\b(\d{4})\s+(or earlier|and earlier|or older|and older|or before|and before)\b")
_AROUND = re.compile(r"\b(around|circa|about|roughly|approximately|ca)\s+(\d{4})\b")
_PART_OF_DECADE = {"early": (0, 3), "mid": (3, 6), "late": (6, 9)}


def _read_years(text: str) -> YearSignal | None:
    if re.search(r"\b(any (year|period|decade|era|age)|don t care (about|when))\b", text):
        return YearSignal(clear=True, text="any year")
    if m := _BETWEEN.search(text):
        lo, hi = sorted((int(m[1]), int(m[2])))
        return YearSignal(lo, hi, text=m[0])
    if m := _DECADE.search(text):
        if m[4]:
            start = 1900 + 10 * _DECADE_WORDS[m[4]]
        elif m[1]:
            start = int(m[1]) * 100 + int(m[2]) * 10
        else:
            start = 1900 + int(m[3]) * 10 if int(m[3]) >= 2 else 2000 + int(m[3]) * 10
        part = re.search(r"\b(early|mid|late)\s+(the\s+)?$", text[:m.start()])
        if part:
            lo, hi = _PART_OF_DECADE[part[1]]
            return YearSignal(start + lo, start + hi, text=f"{part[1]} {m[0]}")
        return YearSignal(start, start + 9, text=m[0])
    if m := _AROUND.search(text):
        return YearSignal(int(m[2]) - 2, int(m[2]) + 2, text=m[0])
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
            return YearSignal(year, year, text=m[0])
    if re.search(r"\b(classic|classics|old movies|old films|oldies|black and white)\b", text):
        return YearSignal(year_max=1969, text="classic")
    if re.search(r"\b(older|earlier|not so new|less recent)\b", text):
        return YearSignal(relative="older", text="older")
    if re.search(r"\b(newer|more recent|recent|latest|new releases|modern)\b", text):
        return YearSignal(relative="newer", text="newer")
    return None


_MOOD_STOP = re.compile(
    r"\b(i|i m|i ve|i d|me|my|we|you|it|a|an|the|and|or|but|so|please|want|would|like|loved|liked|love|"
    r"something|anything|movie|movies|film|films|recommend|recommendation|recommendations|show|give|suggest|"
    r"some|to|watch|see|for|of|with|that|this|is|was|are|be|can|could|maybe|also|just|really|very|"
    r"hi|hello|hey|thanks|thank|what|about|how|no|not|more|less|one|ones|[a-z]|ve|ll|re|didn|don|doesn|"
    r"seen|watched|saw|hated|hate|disliked|boring|from|before|after|since|until|between|actually|fine|ok|okay|"
    r"older|newer|recent|already|please|in|on|at|by|pretty|quite|tonight|"
    r"sounds?|looks?|seems?|enjoy|enjoys|loves|likes|"
    r"yes|yeah|yep|nope|nah|drop|remove|skip|first|second|third|fourth|fifth|last|final|number|option|pick|"
    r"why|did|do|does|choose|chose|picked|instead|rather|those|these|them|all|none|both|either|neither|"
    r"meant|mean|sorry|oh|well|hmm|too|either|other|else|different|again|still|now|then|there|here|"
    r"have|has|had|haven|never|know|heard|your|yours|our|us|lot|lots|much|many|bit|little|any|other|"
    r"hate|dislike|dislikes|favorite|favourite|fan|big|huge|take|go|let|lets|s|t|d|m|enjoyed|adored|"
    r"bad|awful|terrible|dull|overrated|meh|horrible|disappointing|thing|things|stuff|kind|sort|type|"
    r"genre|genres|year|years|era|decade|decades|around|circa|about|early|mid|late|onwards|later|earlier|"
    r"earlier|modern|new|old|classic|classics|anymore|instead|maybe|perhaps|though|which|who|when|where|"
    r"fine|allowed|mind|open|include|bring|back|okay|ok|alright|out|table|scratch|over|start|reset|forget|"
    r"wasn|isn|aren|weren|haven|hasn|won|wouldn|couldn|shouldn|time|night|week|yesterday|ago|went|got|"
    r"cup|tea|my|thing|no|thanks|actually|sure|right|wrong|fan|favorites|favourites)\b"
)


# What a reaction says about a title or a shown item ("sounds great", "was boring") is no mood.
_VERDICT = re.compile(
    r"\b(sounds?|looks?|seems?|was|is|were|felt|wasn t|isn t|weren t|was not|is not|not)\s+"
    r"(really |so |pretty |very |just |a bit |kind of |that |too )?"
    r"(great|good|awesome|amazing|interesting|perfect|nice|cool|fun|promising|wonderful|brilliant|fantastic|excellent|"
    r"boring|bad|awful|terrible|dull|overrated|meh|horrible|disappointing|lame|stupid)\b"
)


def _mood(text: str) -> str:
    """Content words that describe what the user wants ("tense tonight", "feel good")."""
    text = _VERDICT.sub(" ", text)
    text = _GENRE_RE.sub(" ", text)
    text = re.sub(r"\b\d{2,4}\s?s?\b", " ", text)
    words = _MOOD_STOP.sub(" ", text).split()
    return " ".join(words[:30])
