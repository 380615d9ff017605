"""Questions about one item: "what is Shutter Island about?", "who directed the second one?", "is it scary?".

A question names its subject with a title, a reference to the last reply ("the second one"), a pronoun
("it", "that one": the item last talked about, resolved by chat.film_answers) or a title the catalog does
not have ("what is Zorgon Blasters about?"). The words of the question ("directed", "scary", "about") and
its subject are taken out of the message, so they never become a like, a wish or a wanted genre; the rest
of the message is read as usual ("I loved Get Out, what is Shutter Island about?" still likes Get Out).

"Have you seen X?" is no question here: it keeps its meaning of interest (chat.understanding.sentiment).
"""

from __future__ import annotations

import re
from functools import lru_cache

from chat.understanding.categories import words_for
from chat.understanding.people import people_for
from chat.understanding.references import _Reference
from chat.understanding.signals import FilmQuestion, Understanding

# The subject slot: a title or reference (@n), a pronoun, or free words that may name a title the catalog lacks.
_PRONOUN = r"(?:the|that|this) (?:one|movie|film)|it|that|this"
_S = rf"(?P<s>(?:(?:the|a|an) )?(?:(?:movie|film) )?@\d+|{_PRONOUN}|(?P<free>[a-z0-9][a-z0-9 ]*?))"
_END = r"(?=$| (?:and|or|please|then|too|though|exactly|again|at all|for me|btw|anyway|by the way)\b)"
_SCARY = r"scary|frightening|creepy|spooky|terrifying|horrifying|gory|violent|disturbing|too intense"
_KIDS = (r"(?:(?:my|the|our|young|little|small|younger) )*(?:kids?|children|child|a child|a kid|families|family|the family|"
         r"son|daughter|toddlers?|teens?|teenagers?|little ones|(?:a |an )?(?:\d+|\w+) year olds?)")
_PATTERNS: dict[str, list[str]] = {
    "about": [
        rf"\bwhat (?:is|s|was|are) {_S} about\b",
        rf"\bwhat (?:is|s|was) (?:the )?(?:plot|story|storyline|premise|synopsis) (?:of|in|for) {_S}{_END}",
        rf"\btell me (?:a (?:little )?bit |a little |something |some more |anything )?(?:more )?about {_S}{_END}",
        rf"\b(?:more|any) (?:info|information|details) (?:about|on) {_S}{_END}",
        rf"\bwhat happens in {_S}{_END}",
        rf"\bdescribe {_S}{_END}",
        rf"\bwhat (?:is|s) {_S} like{_END}",
        r"^(?:so |and |ok |okay |hmm |wait )*what (?:is|s) (?P<s>(?:the )?@\d+|(?:the|that|this) (?:one|movie|film))$",
    ],
    "director": [
        rf"\bwho (?:directed|made|shot|helmed) {_S}{_END}",
        rf"\bwho (?:is|s|was) (?:the )?director (?:of|for|on) {_S}{_END}",
        rf"\bwho (?:is|s|was) behind {_S}{_END}",
        rf"\b(?:was|is) {_S} directed by (?:who|whom)\b",
        rf"\bwho (?:was|is) {_S} (?:directed|made) by\b",
        r"\bwho (?:is|s|was) the director$",
    ],
    "people": [
        rf"\bwho (?:is|s|was|are|were) (?:in|starring in|acting in|playing in|the (?:stars?|leads?|actors?|cast) (?:of|in)) "
        rf"{_S}{_END}",
        rf"\bwho (?:stars|starred|acts|acted|plays|played|appears|appeared) in {_S}{_END}",
        rf"\b(?:what|who) (?:is|s|are|was|were) the (?:cast|actors|stars) (?:of|in|for) {_S}{_END}",
        r"\bwho (?:stars|starred|is starring|s starring|is in the cast)$",
        r"\bwho (?:is|s|are|were) the (?:cast|actors|stars)$",
    ],
    "year": [
        rf"\bwhen (?:did|does|was|is) {_S} (?:come|came) out\b",
        rf"\bwhen (?:was|is|were) {_S} (?:released|made|filmed|out|from)\b",
        rf"\bwhat year (?:is|was|s|did|does) {_S} (?:from|come out|came out|released|made|out)\b",
        rf"\bwhat year (?:is|was|s) {_S}{_END}",
        rf"\bhow old is {_S}{_END}",
        rf"\bwhen {_S} (?:came|come) out\b",
    ],
    "scary": [
        rf"\b(?:is|s|was) {_S} (?:too |very |really |that |so |kind of |a bit |pretty |at all )?(?:{_SCARY})\b",
        rf"\bhow (?:scary|frightening|creepy|violent|gory) (?:is|was) {_S}{_END}",
        rf"\b(?:will|would|does|did|can) {_S} (?:scare|frighten|give (?:me|us|them|him|her) nightmares)\b",
    ],
    "kids": [
        rf"\b(?:is|s|was) {_S} (?:ok|okay|fine|good|suitable|appropriate|safe|alright|all right|right|too scary|too violent|"
        rf"too much|meant|made|only) for {_KIDS}\b",
        rf"\b(?:is|s|was) {_S} (?:a )?(?:kid|kids|family|child|children) (?:friendly|safe)\b",
        rf"\bcan {_KIDS} (?:watch|see) {_S}{_END}",
        rf"\bwhat (?:is|s|was) {_S} rated\b",
        rf"\bwhat (?:is|s) the (?:age |mpaa |parental )?rating (?:of|for|on) {_S}{_END}",
        rf"\b(?:is|s|was) {_S} rated (?:r|pg|pg 13|g|nc 17)\b",
        r"\b(?:what|which) (?:age|mpaa|parental) rating\b",
    ],
    "genre": [
        rf"\bwhat (?:genre|genres|kind of (?:movie|film)|type of (?:movie|film)|sort of (?:movie|film)|kind|type) "
        rf"(?:is|s|was|are) {_S}{_END}",
        rf"\b(?:is|s|was) {_S} (?:a |an )?(?:really |kind of |sort of |more of a |more |actually )?(?:a |an )?"
        r"(?P<cat>{cats})(?: (?:movie|film|one))?(?=$| (?:or|and|too|at all|though|right)\b)",
    ],
}
# Free words that are no title: "is anything scary", "what is a movie about grief", "tell me about yourself".
_NOT_A_SUBJECT = re.compile(
    r"^(?:a|an|any|some|something|anything|everything|nothing|there|these|those|them|they|you|yourself|me|us all|your|my|"
    r"the best|the plot|the story|good|great|more|other|another|one|which|what|how|why|who|its|it s)\b"
    r"|\b(?:movies?|films?|picks?|ones|recommendations?|suggestions?|options?)\b")


@lru_cache(maxsize=8)
def _compiled(cats: str) -> list[tuple[str, re.Pattern]]:
    return [(kind, re.compile(p.replace("{cats}", cats) if "{cats}" in p else p))
            for kind, patterns in _PATTERNS.items() for p in patterns]


def read_film_question(result: Understanding, words: list[str], found, refs, taken: set[int], message: str, linker,
                       pending=None) -> tuple[list, list]:
    """Find a question about one item in the message; set `result.film_question` and take its words.
    Returns the title mentions and references left for the rest of `understand` to read."""
    chosen = [m for m in result.mentions if m.source == "choice"]
    if chosen and getattr(pending, "question", None) is not None:
        # "Which Notebook do you mean?" was asked for a question: the answer names its subject, no like.
        result.mentions = [m for m in result.mentions if m.source != "choice"]
        asked = pending.question
        result.film_question = FilmQuestion(list(asked.asks), chosen[0].item_ids, text=chosen[0].text, genre=asked.genre)
        return found, refs
    spans = sorted([(m.start, m.end, m) for m in found] + [(r.start, r.end, r) for r in refs], key=lambda s: s[0])
    tokens: list[tuple[str, int, int, object]] = []  # (text, first word, end word, title or reference)
    i = 0
    while i < len(words):
        span = next((s for s in spans if s[0] == i), None)
        if span is not None:
            tokens.append((f"@{len(tokens)}", span[0], span[1], span[2]))
            i = span[1]
        else:
            tokens.append((words[i], i, i + 1, None))
            i += 1
    text = " ".join(t[0] for t in tokens)
    categories = words_for(linker.catalog)
    cats = "|".join(sorted(map(re.escape, categories.phrases), key=len, reverse=True)) or r"(?!x)x"
    question: FilmQuestion | None = None
    used: set[int] = set()
    for kind, pattern in _compiled(cats):
        for m in pattern.finditer(text):
            subject = _subject(m, tokens, message, linker)
            if subject is None:
                continue
            said = m.group("cat") if "cat" in pattern.groupindex else None
            if said and re.fullmatch(_SCARY, said):
                continue  # "is it scary?" is the scary question, not one about a label
            genre = categories.category(said) if said else ""
            if question is None:
                question = subject
            elif (subject.item_ids, subject.text) != (question.item_ids, question.text) and not subject.pronoun:
                continue  # one item per answer: the first asked about
            if kind not in question.asks:
                question.asks.append(kind)
            question.genre = question.genre or genre
            first, last = _token_at(text, m.start()), _token_at(text, max(m.start(), m.end() - 1))
            used |= set(range(tokens[first][1], tokens[last][2]))
            break
    if question is None:
        return found, refs
    result.film_question = question
    taken |= used
    return ([m for m in found if not used & set(range(m.start, m.end))],
            [r for r in refs if not used & set(range(r.start, r.end))])


def _token_at(text: str, offset: int) -> int:
    return text[:offset].count(" ")


def _subject(m: re.Match, tokens, message: str, linker) -> FilmQuestion | None:
    """What the question is about, or None when its subject slot names nothing ("is anything scary")."""
    if "s" not in m.re.groupindex or m.group("s") is None:
        return FilmQuestion([], text="it", pronoun=True)  # "who's the director?": the item talked about
    said = m.group("s")
    ref = re.search(r"@(\d+)", said)
    if ref:
        target = tokens[int(ref.group(1))][3]
        if isinstance(target, _Reference):
            if not target.item_ids:
                return FilmQuestion([], text=target.text, dangling=True)
            if target.text.split()[0] in ("that", "this", "it"):  # "that one": the item last talked about
                return FilmQuestion([], tuple(target.item_ids), text=target.text, pronoun=True)
            return FilmQuestion([], tuple(target.item_ids), text=target.text)
        if target.missing:
            return FilmQuestion([], text=target.text, missing=target.missing)
        if target.ambiguous:
            return FilmQuestion([], candidates=tuple(target.candidates), text=target.text)
        return FilmQuestion([], tuple(target.item_ids), text=target.text)
    if "free" not in m.re.groupindex or m.group("free") is None:
        return FilmQuestion([], text=said, pronoun=True)
    phrase = re.sub(r"^the (?=\w)", "", said.strip())  # "the Zorgon Blaster": the article is no part of the name
    if ("@" in phrase or _NOT_A_SUBJECT.search(phrase) or not _written_as_title(message, phrase)
            or phrase in people_for(linker.catalog).aliases):  # "tell me about Tom Hanks" asks about no item
        return None
    hit = linker.fuzzy(phrase, 86.0) if len(phrase) >= 5 else None
    if hit is not None and hit.ambiguous:
        return FilmQuestion([], candidates=tuple(hit.candidates), text=phrase)
    if hit is not None:
        return FilmQuestion([], tuple(hit.item_ids), text=phrase)
    return FilmQuestion([], text=phrase, missing=_as_written(message, phrase))


def _words_pattern(phrase: str) -> re.Pattern:
    return re.compile(r"[\W_]*".join(re.escape(w) for w in phrase.split()), flags=re.IGNORECASE)


def _written_as_title(message: str, phrase: str) -> bool:
    """A title the catalog may lack is written capitalized or quoted ("what is Zorgon Blasters about?")."""
    m = _words_pattern(phrase).search(message)
    if m is None:
        return False
    quoted = m.start() > 0 and message[m.start() - 1] in "\"'“‘«"
    return quoted or m.group(0)[:1].isupper()


def _as_written(message: str, phrase: str) -> str:
    m = _words_pattern(phrase).search(message)
    return m.group(0) if m else phrase
