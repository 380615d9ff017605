"""A premise: what a wished-for film is about, in the user's words ("a movie about a heist that goes wrong",
"something about grief", "a film about a man who loses his memory").

The words after "about" are kept whole, so the embedder reads them against the items' descriptions: cut into
wish labels they would say little ("memory") or nothing ("grief"). Only the clause they stand in is kept, up
to a comma or a word that starts another request ("but", "please", "from the 90s"), and a premise under a
negation ("nothing about vampires", "I don't want a movie about zombies") is none: that is a subject ruled out.
"""

from __future__ import annotations

import re

from chat.understanding.people import PeopleIndex
from chat.vocabulary import CategoryWords, normalize

MAX_WORDS = 12
# The thing that is about something: "a movie about", "something about", "a comedy about" (a category word).
_NOUNS = r"movie|movies|film|films|flick|flicks|something|anything|one|story|stories|stuff|show|shows"
_ABOUT = re.compile(rf"\b(?P<noun>[\w-]+)\s+(?:(?:that is|that s|thats|which is|that are)\s+)?(?:(?:all|mostly|really)\s+)?about\s+"
                    r"(?P<premise>[^.,;:!?()\"“”]+)", flags=re.IGNORECASE)
_NEGATED = re.compile(r"\b(no|not|nothing|without|never|avoid|hate|don t want|do not want|don t like|rather not)\b(\s+\w+){0,4}\s*$")
# Where a premise ends and another request starts.
_END = re.compile(r"\b(but|please|preferably|ideally|something|anything|and no|no|nothing|not|rather than|instead|"
                  r"(from|before|after|since) (the )?(early |late |mid )?(\d|twenties|thirties|forties|fifties|sixties|"
                  r"seventies|eighties|nineties))\b")
# A premise of these words only points at something ("something about it", "the second one"): no premise.
_POINTERS = {"it", "that", "this", "those", "these", "them", "him", "her", "one", "ones", "the", "a", "an", "first", "second",
             "third", "fourth", "fifth", "last", "other", "same", "what", "which", "why", "how", "you", "me", "us", "my",
             "your", "movie", "movies", "film", "films", "s"}


def read_premise(message: str, nouns: str, categories: CategoryWords, people: PeopleIndex | None = None) -> str:
    """The premise a message asks for, normalized ('a heist that goes wrong'), or ''."""
    own = set(normalize(nouns).split())
    for m in _ABOUT.finditer(message):
        noun = normalize(m["noun"])
        if not (re.fullmatch(_NOUNS, noun) or noun in own or categories.pattern.fullmatch(noun)):
            continue
        if _NEGATED.search(normalize(re.split(r"[.,;!?]", message[:m.start("noun")])[-1])):  # in its own clause
            continue
        premise = normalize(m["premise"])
        end = _END.search(premise)
        premise = premise[:end.start()] if end else premise
        if people is not None and (found := people.find(premise)):
            premise = premise[:found[0][0]]  # "about boxing with Sylvester Stallone": the person is read as a person
        words = premise.split()[:MAX_WORDS]
        while words and words[-1] in ("and", "or", "with", "that", "who", "which", "in", "of", "a", "the"):
            words.pop()
        if any(w not in _POINTERS for w in words):
            return " ".join(words)
    return ""
