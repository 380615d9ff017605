"""What an item's description says it is about, and who made it: the premise and the maker.

Descriptions are Wikipedia opening paragraphs ("Shutter Island is a 2010 American psychological thriller film
directed by Martin Scorsese ... Leonardo DiCaprio stars as Deputy U.S. Marshal Edward "Teddy" Daniels, who is
investigating a psychiatric facility ...") or one-line blurbs. The premise is the noun phrase of the sentence
that states what the film is about ("follows ...", "is about ...", "stars X as a ..., who ..."), cut at a clause
boundary so that a one-sentence explanation of 40 tokens can carry it. Nothing is paraphrased: every word of a
premise is a word of the description, so the checker can hold a sentence to it.
"""

from __future__ import annotations

import re
from functools import lru_cache

MAX_PREMISE_WORDS = 13  # a 40-token sentence must hold the opener, the title, the genres and this
MIN_PREMISE_WORDS = 4  # shorter is no premise ("a man", "the Good")

_ABBREVIATION = re.compile(r"(?:\b[A-Z]|\bU\.S|\bU\.K|\bMr|\bMrs|\bMs|\bDr|\bJr|\bSr|\bSt|\bLt|\bCol|\bGen|\bCapt|\bSgt|"
                           r"\bvs|\bInc|\bCo|\bBros|\bNo|\bVol|\bft)\.$")
# "<subject> follows <premise>": the subject must be the film or its story, not a person or a studio.
_CUES = (r"follows|details|tells the (?:story|tale) of|tells of|cent(?:er|re)s (?:on|around)|revolves around|focuses on|"
         r"is about|was about|concerns|depicts|chronicles|deals with|is the story of")
_SUBJECT_CUE = re.compile(rf"(?:\b(?i:the|its)\s+(?:film|movie|story|plot|narrative|picture|premise)|(?<![\w'’])[\w'’]+['’]s\s+"
                          rf"(?:plot|story)|\b(?i:it))\s+(?:also\s+|mainly\s+|primarily\s+)?(?:{_CUES})\s+(?P<np>.+)$")
# "The film stars Leonardo DiCaprio as a professional thief who steals information ..."
_NAME = r"(?:[A-Z]\.|[A-Z][\w'’-]+|(?:de|del|da|di|van|von|der|le|la)\b)"
_STARS_AS = re.compile(rf"(?<![\w-])(?:stars?|starring|starred)\s+(?:{_NAME}\s+){{1,5}}as\s+(?P<np>.+)$")
_STARS_AS_SUBJECT = re.compile(rf"^(?:{_NAME}\s+){{1,5}}(?:stars|starred|plays|played)\s+(?:as\s+)?(?P<np>.+)$")
# "... is a 2009 American comedy film about three friends who ..."
_ABOUT = re.compile(r"\b(?:film|movie|comedy|drama|thriller|story|tale|musical|western|documentary)\s+about\s+(?P<np>.+)$")
# "In the film, Wade Wilson hunts the man who ...": a clause, read as "Wade Wilson, who hunts the man who ..."
_IN_THE_FILM = re.compile(rf"^In the (?:film|movie|story),\s+(?P<np>(?:(?:the|a|an)\s+)?(?:{_NAME}\s+){{1,4}}[a-z]+s\b.+)$")
# A premise ends before one of these once it is long enough: a clause boundary first, else a phrase boundary
_CLAUSE_END = re.compile(r",|;|\s(?:after|when|while|before|until|as|but|where|which|whose|following|so|in order)\s")
# (not "of", "to", "by", "with", "and": what follows them often completes the word before: "in search of",
# "teamed with", "a slow-witted and kindhearted man")
_PHRASE_END = re.compile(r"\s(?:in|on|at|during|through|across|near|inside|aboard)\s")
_WEAK_END = re.compile(r"\s(?:to|by|from|for|with|and|into|against|between)\s")  # not "of": "in search of"
_TRAILING = {"the", "a", "an", "of", "and", "or", "to", "in", "on", "at", "by", "with", "for", "from", "his", "her",
             "their", "its", "who", "that", "which", "is", "are", "was", "were", "has", "have", "up", "out", "off",
             "down", "over", "back", "away", "must", "can", "will", "named", "called", "just", "only", "also", "even",
             "still", "one", "being", "as"}
# "Sam Witwicky, a teenager who ...": the character's name before the role is dropped (the role says more)
_LEADING_NAME = re.compile(rf"^(?:{_NAME}\s*)+,\s+(?=(?:a|an)\s)")
_DIRECTED_BY = re.compile(
    rf"(?i:directed)\b(?:(?!\bby\b)[\w\s,-]){{0,60}}\bby\s+(?P<names>{_NAME}(?:\s+{_NAME}){{0,3}}"
    rf"(?:(?:,\s*|\s+and\s+){_NAME}(?:\s+{_NAME}){{0,3}})*)")


def sentences(text: str) -> list[str]:
    """A paragraph's sentences; "U.S.", "Dr." and initials ("John R. Leonetti") end none."""
    pieces = re.split(r"(?<=[.!?])\s+(?=[\"“A-Z0-9])", " ".join((text or "").split()))
    out: list[str] = []
    for piece in pieces:
        if out and _ABBREVIATION.search(out[-1]):
            out[-1] += " " + piece
        else:
            out.append(piece)
    return [s for s in out if s]


@lru_cache(maxsize=8192)
def premise(description: str) -> str | None:
    """The short noun phrase a description gives for what the item is about, or None when it gives none."""
    for sentence in sentences(description):
        body = sentence.rstrip(".!? ")
        for rx in (_SUBJECT_CUE, _STARS_AS, _STARS_AS_SUBJECT, _ABOUT, _IN_THE_FILM):
            m = rx.search(body)
            if not m:
                continue
            phrase = _tidy(m.group("np"))
            if rx is _IN_THE_FILM:
                phrase = re.sub(r"^((?:(?:the|a|an)\s+)?(?:\S+\s+){0,3}?\S+)\s+(?=[a-z]+s\b)", r"\1, who ", phrase, count=1)
            if rx in (_STARS_AS, _STARS_AS_SUBJECT) and not re.search(r"^(?:a|an)\s|\bwho\b|\bwhose\b", phrase):
                continue  # "as the Good", "as singer Elvis Presley": a role, no premise
            short = _shorten(phrase)
            if short:
                return short
    return None


def _says_what_happens(phrase: str) -> bool:
    """Not a list of names ("Jackie Chan and Chris Tucker") nor the cast ("an ensemble cast that consists of")."""
    words = phrase.split()
    lower = [w for w in words if w[:1].islower()]
    # "who fought", "who are forced": a verb whose object or complement was cut off
    hanging = len(words) > 2 and words[-2].lower() in {"who", "that", "which", "he", "she", "they", "as", "is", "are",
                                                       "was", "were", "be", "been"}
    return (len(lower) >= 3 and len(lower) * 2 >= len(words) and not hanging
            and not re.search(r"\b(?:cast|ensemble|stars?|voices|roles?|played|portrayed|prequel|sequel)\b|/|\s,|"
                              r"\b(?:who|that),", phrase))


@lru_cache(maxsize=8192)
def directors_named(description: str) -> tuple[str, ...]:
    """The people a description says directed the item ("directed by Martin Scorsese and ..."), in its order."""
    m = _DIRECTED_BY.search(description or "")
    if not m:
        return ()
    names = re.split(r"\s*,\s*(?:and\s+)?|\s+and\s+", m.group("names"))
    return tuple(n for n in names if len(n.split()) >= 2 and not re.search(r"\b(?:Pictures|Studios?|Films?|Entertainment)\b", n))


def _tidy(phrase: str) -> str:
    phrase = re.sub(r"\s*\([^()]*\)", "", phrase)  # "(Gonzalez)", "(Sarandon)": who plays whom
    phrase = re.sub(r"\s*[\"“][^\"”]{1,30}[\"”]\s*", " ", phrase)  # "Edward "Teddy" Daniels": the nickname
    phrase = re.sub(r",\s*played by .*?(?=,\s*(?:who|whose|that)\b)", "", phrase)  # ", played by Bateman, Day, ..."
    phrase = _LEADING_NAME.sub("", phrase)
    phrase = re.sub(rf"^(?:{_NAME}\s+)+(?:and\s+(?:{_NAME}\s+)+)?as\s+(?=[a-z])", "", phrase)  # "Jackie Chan and Chris Tucker as"
    return " ".join(phrase.split()).strip(" ,;:")


def _shorten(phrase: str) -> str | None:
    """The phrase, or its longest start within MAX_PREMISE_WORDS words that ends at a boundary and says what
    happens; a clause boundary counts two words more than a phrase boundary, which counts one more than a weak one
    (a cut there may leave a word hanging: "in search", "teamed")."""
    whole = _trimmed(phrase)
    if len(phrase.split()) <= MAX_PREMISE_WORDS:
        return whole if whole and _says_what_happens(whole) else None
    best, best_score = None, -1
    for bonus, boundary in ((2, _CLAUSE_END), (1, _PHRASE_END), (0, _WEAK_END)):
        for m in boundary.finditer(phrase):
            start = phrase[:m.start()]
            words = start.split()
            if len(words) > MAX_PREMISE_WORDS:
                break
            if words and words[-1][:1].isupper() and phrase[m.end():][:1].isupper():
                continue  # inside a name: "the Land of the Dead", "Tyrell Corporation"
            short = _trimmed(start) if words and words[-1].lower() not in _TRAILING else None
            if short and _says_what_happens(short) and len(short.split()) + bonus > best_score:
                best, best_score = short, len(short.split()) + bonus
    return best


def _trimmed(phrase: str) -> str | None:
    words = phrase.strip(" ,;:").split()
    while words and words[-1].lower() in _TRAILING:
        words.pop()
    return " ".join(words) if len(words) >= MIN_PREMISE_WORDS else None
