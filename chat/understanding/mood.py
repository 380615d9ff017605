"""The mood: content words that describe what the user wants."""

from __future__ import annotations

import re

from chat.understanding.genres import _GENRE_RE

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
