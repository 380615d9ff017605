"""Turn one user message into structured signals: title mentions with sentiment, genres, years, mood.

Rule-based on purpose: it is fast (well under a millisecond), deterministic, and every
decision can be traced to a pattern below. The LLM is never asked to parse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from chat.linker import TitleLinker, normalize

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
_ALLOW_AFTER = re.compile(r"^\s*(s|movies|films)?\s*(is|are)\s+(fine|ok|okay|alright|good|allowed)\b")

# Sentiment of a title mention, read from the words around it in the same clause.
_NEG_BEFORE = re.compile(
    r"\b(didn t|did not|don t|do not|never|doesn t|does not) (really )?(like|liked|love|loved|enjoy|enjoyed|care for)\b"
    r"|\b(hated?|dislike[sd]?|disliked|not a fan of|can t stand|couldn t stand|not into|no more|not|bored by)\b"
)
_SEEN_BEFORE = re.compile(r"\b(seen|watched|saw|already)\b")
_POS_BEFORE = re.compile(r"\b(lov(e|ed|ing)|lik(e|ed)|enjoy(ed)?|ador(e|ed)|fan of|favou?rite|great|similar to|more like)\b")
_NEG_AFTER = re.compile(
    r"^\s*(was|is|were|felt|seemed)?\s*(really |so |too |pretty |kind of )?"
    r"(boring|bad|awful|terrible|dull|overrated|meh|horrible|a bore|not good|not great|not for me|too slow|disappointing)\b"
)
_POS_AFTER = re.compile(r"^\s*(was|is|were)?\s*(really |so )?(great|amazing|awesome|brilliant|good|fantastic|excellent|a favou?rite)\b")
_SEEN_AFTER = re.compile(r"^\s*(already|before)\b")
CUE_WORDS = {
    "loved", "love", "liked", "like", "enjoyed", "hated", "hate", "seen", "watched", "saw", "disliked",
    "adored", "than", "fan",
}
# A phrase after one of these cues is meant as a title; if nothing in the catalog fits, say so.
_TITLE_CUE = re.compile(
    r"\b(loved|liked|enjoyed|adored|hated|disliked|seen|watched|saw|didn t like|did not like|similar to|something like|movies like|films like)\s+"
    r"(?P<phrase>[^,.;!?]+)"
)
_NOT_A_TITLE_START = re.compile(
    r"^(and|or|but|then|it|them|that|this|those|these|one|ones|the one|the first|the second|the last|some|something|anything|"
    r"movies|films|a movie|a film|most|all|every|to|when|how|what|more|less|a lot|lots|very|so|too|much|many|"
    r"any|him|her|you|me|watching|seeing|your|their|his)\b"
)


@dataclass
class MentionSignal:
    item_ids: tuple[int, ...]
    text: str
    sentiment: str  # "liked" | "disliked" | "seen"
    fuzzy: bool = False


@dataclass
class YearSignal:
    year_min: int | None = None
    year_max: int | None = None
    relative: str | None = None  # "older" | "newer": resolved against the last reply's items
    clear: bool = False
    text: str = ""


@dataclass
class Understanding:
    message: str
    mentions: list[MentionSignal] = field(default_factory=list)
    unknown_titles: list[str] = field(default_factory=list)
    genres_wanted: set[str] = field(default_factory=set)
    genres_excluded: set[str] = field(default_factory=set)
    genres_allowed: set[str] = field(default_factory=set)  # "horror is fine": lift an exclusion
    years: YearSignal | None = None
    mood: str = ""  # what is left once titles and constraints are taken out

    @property
    def contradictions(self) -> set[str]:
        return self.genres_wanted & self.genres_excluded


def understand(message: str, linker: TitleLinker) -> Understanding:
    text = normalize(message)
    words = text.split()
    cue_positions = {i + 1 for i, w in enumerate(words) if w in CUE_WORDS}
    cue_positions |= {i + 2 for i, w in enumerate(words[:-1]) if w in CUE_WORDS and words[i + 1] in ("the", "a", "an")}
    result = Understanding(message=message)

    found = linker.find(message, cue_positions)
    spans = [(m.start, m.end) for m in found]
    previous = "liked"
    for k, m in enumerate(found):
        clause_start = _clause_start(words, m.start, spans[k - 1][1] if k else 0)
        before = " ".join(words[clause_start:m.start])
        after_end = spans[k + 1][0] if k + 1 < len(found) else len(words)
        after = " ".join(words[m.end:after_end])
        inherit = previous if k and clause_start == spans[k - 1][1] and before in ("", "and", "or", "nor") else None
        sentiment = _sentiment(before, after, inherit)
        previous = sentiment
        result.mentions.append(MentionSignal(m.item_ids, m.text, sentiment))

    rest = _remove_spans(words, spans)
    for cue in _TITLE_CUE.finditer(rest):
        phrase = _trim_phrase(cue["phrase"])
        if not phrase or _NOT_A_TITLE_START.match(phrase) or _GENRE_RE.search(phrase):
            continue
        fuzzy = linker.fuzzy(phrase)
        if fuzzy is not None:
            sentiment = _sentiment(cue.group(1), "", None)
            result.mentions.append(MentionSignal(fuzzy.item_ids, fuzzy.text, sentiment, fuzzy=True))
            rest = rest.replace(cue["phrase"], " ", 1)
        elif len(phrase.split()) <= 6:
            result.unknown_titles.append(phrase)
            rest = rest.replace(phrase, " ", 1)  # an unknown title is not a mood

    _read_genres(rest, result)
    result.years = _read_years(rest)
    result.mood = _mood(rest)
    return result


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
        # The closest cue wins; on a tie ("didn't like") negation beats "like".
        best = max((neg, 2, "disliked"), (seen, 1, "seen"), (pos, 0, "liked"))
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
    for m in _GENRE_RE.finditer(text):
        genre = GENRE_SYNONYMS[m.group(1)]
        if _ALLOW_AFTER.match(text[m.end():]):
            result.genres_allowed.add(genre)
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
        return YearSignal(start, start + 9, text=m[0])
    before, after = _BEFORE.search(text), _AFTER.search(text)
    if before or after:
        signal = YearSignal(text=" ".join(x[0] for x in (before, after) if x))
        if before:
            signal.year_max = int(before[2]) - (0 if before[1] in ("until", "up to") else 1)
        if after:
            signal.year_min = int(after[2]) + (0 if after[1] == "since" else 1)
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
    r"older|newer|recent|already|please|in|on|at|by|pretty|quite|tonight)\b"
)


def _mood(text: str) -> str:
    """Content words that describe what the user wants ("tense tonight", "feel good")."""
    text = _GENRE_RE.sub(" ", text)
    text = re.sub(r"\b\d{2,4}\s?s?\b", " ", text)
    words = _MOOD_STOP.sub(" ", text).split()
    return " ".join(words[:30])
