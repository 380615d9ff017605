"""What the user says about a mention: liked, disliked, seen or unseen, from the words around it."""

from __future__ import annotations

import re

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
_SEEN_BEFORE = re.compile(r"\b(seen|watched|saw|already|know|familiar with|did see|did watch)\b")
# "Have you seen Jaws?", "do you know Heat?": the user brings a title up, a sign of interest in it.
_ASKED_ABOUT = re.compile(r"\byou (ever |also |already )?(seen|watched|saw|see|watch|like|liked|love|loved|know|heard of|enjoy|enjoyed)\s*$")
_POS_BEFORE = re.compile(
    r"\b(lov(e|ed|ing)|lik(e|ed)|enjoy(ed)?|ador(e|ed)|fan of|favou?rite|great|similar to|more like|"
    r"interested in|go with|i ll take|i ll watch|let s watch|let s do|want|pick|choose|take)\b"
)
_VERB = r"(was|is|were|felt|seemed|seems|sounds|sound|looks|look)"
_DEGREE = r"(really |so |too |pretty |kind of |a bit |a little |quite |rather |sort of |very |just |way too )?"
_PRONOUN = r"((it|that|this|that one|this one|they|those|both|both of them) )?"
_NEG_AFTER = re.compile(
    rf"^\s*{_PRONOUN}{_VERB}?\s*{_DEGREE}"
    r"(boring|bad|awful|terrible|dull|overrated|meh|horrible|a bore|not good|not great|not for me|too slow|too long|"
    r"disappointing|sucks|sucked|lame|not my thing|not my cup of tea|no thanks|nah|not interesting|forgettable|awful|stupid)\b"
    r"|^\s*(wasn t|isn t|was not|is not|doesn t (look|sound)|does not (look|sound)|didn t (do it|work) for me)\s*"
    r"(very |that |so |really |too |all that )?(good|great|funny|scary|interesting|my thing|for me|appealing|fun|it)?\b"
    r"|^\s*((and|but) )?(i |we )?(really )?(hated|disliked|didn t like|did not like|didn t enjoy|did not enjoy) (it|that one|them)\b"
)
_POS_AFTER = re.compile(
    rf"^\s*{_PRONOUN}{_VERB}?\s*(really |so |pretty |very |just )?"
    r"(great|amazing|awesome|brilliant|good|fantastic|excellent|a favou?rite|my favou?rite|one of my favou?rites|perfect|"
    r"interesting|fun|cool|nice|promising|wonderful|a classic|a masterpiece)\b"
    r"|^\s*(please|it is|that s it|yes)\b"
    r"|^\s*((and|but) )?(i |we )?(really |totally |absolutely )?(loved|liked|enjoyed|adored) (it|that one|them)\b"
)
_SEEN_AFTER = re.compile(r"^\s*(already|before|i ve seen( it)?|i have seen( it)?|seen( it)?|watched( it)?)\b")


def _clause_start(words: list[str], start: int, floor: int) -> int:
    for i in range(start - 1, floor - 1, -1):
        if words[i] in ("but", "however", "though", "although", "while", "whereas"):
            return i + 1
    return floor


def _sentiment(before: str, after: str, inherit: str | None) -> str:
    if _ASKED_ABOUT.search(before) and not _NEG_AFTER.search(after):
        return "interested"
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


# A reply to the other side's "Have you seen X?" or "How about X?" that names nothing itself.
_YES = re.compile(r"^(yes|yeah|yep|yup|yea|i have|i did|i ve seen|i have seen|i saw|seen (it|that|both|them))\b")
_NO = re.compile(r"^(no|nope|nah|not yet|never|i haven t|i have not|i didn t|haven t|not seen)\b")
_INTEREST = re.compile(
    r"\b(sounds?|looks?|seems?) (really |so |pretty |very )?(good|great|interesting|fun|cool|nice|awesome|amazing|promising)\b"
    r"|\b(check (it|that|them|those|this) out|have to (watch|see|check)|want to (see|watch)|will (try|watch|see)|i ll (try|watch|see|take)|"
    r"add (it|that|them) to my list|on my list|worth a (try|watch|shot)|give (it|that) a (try|shot|go))\b"
)
_REACTION_POS = re.compile(r"\b(lov(e|ed)|lik(e|ed)|enjoy(ed)?|great|awesome|amazing|favou?rite|fantastic|excellent|classic|good one|good movie)\b")


def reaction(text: str) -> str | None:
    """What a message without titles says about what the other side just named, or None.

    "Yes, loved it" -> liked; "I did see it, I didn't like it" -> disliked; "yes" -> seen; "never seen it"
    -> unseen; "no, but it sounds good" / "I'll check it out" -> interested.
    """
    negative = _last(_NEG_BEFORE, text) >= 0 and _last(_NEG_BEFORE, text) >= _last(_REACTION_POS, text)
    unseen = _UNSEEN_BEFORE.search(text) or _NO.match(text)
    if _INTEREST.search(text) and (unseen or not _YES.match(text)):
        return "interested"
    if unseen:
        return "unseen"
    if negative:
        return "disliked"
    if _REACTION_POS.search(text) and (_YES.match(text) or _SEEN_BEFORE.search(text) or _POS_AFTER.search(text)
                                       or re.search(r"\b(it|that|this|those|them|both) (was|is|were|are)\b", text)):
        return "liked"
    if _YES.match(text) or _SEEN_BEFORE.search(text):
        return "seen"
    return None
