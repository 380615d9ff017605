"""Is an explanation one clean, grammatical sentence? The form half of the claim checker (explain/claims.py).

It reads the sentence with titles and people masked (a title is one word here) and says why it is not one whole
sentence of a sensible length: too short or long, not ended, more than one, markup, the first person, a word
left hanging at the end ("... starring Keanu Reeves and."), a start on "And", a main clause that starts with "and" after an
"If ..." clause ("If you loved Deadpool, and people who loved it also loved it."), a word or phrase said twice
in a row, an unclosed quote or bracket.
"""

from __future__ import annotations

import re

MIN_WORDS, MAX_WORDS = 6, 40
_SENTENCE_END = re.compile(r"[.!?]+(?=\s+[\"“'A-Z0-9])")
# A sentence cannot end on these: an article, a conjunction, a possessive, a preposition that needs its object
# ("the kind you asked for." and "a film to fall in love with." end well: not "for", "with", "in")
_NO_LAST_WORD = {"the", "a", "an", "and", "or", "but", "nor", "of", "by", "from", "into", "its", "his", "her", "their",
                 "your", "our", "is", "are", "was", "were", "who", "which", "whose", "than", "if", "because", "while",
                 "when", "where", "whether"}
# Clauses that need a main clause after them ("If you loved Alien, ...")
_SUBORDINATE = re.compile(r"^(?:if|since|as|although|though|because|when|while|whether|once|unless|like|fans of|for)\b", re.I)


def form_problems(text: str, title_mark: str, item_mark: str, person_mark: str) -> list[str]:
    """Why the masked sentence is not one clean sentence; empty when it is."""
    form: list[str] = []
    text = text.replace(item_mark, title_mark)
    words = text.replace(title_mark, " T ").split()
    if len(words) < MIN_WORDS:
        form.append(f"too short ({len(words)} words)")
    if len(words) > MAX_WORDS:
        form.append(f"too long ({len(words)} words)")
    if text.rstrip("\"”)'’")[-1:] not in ".!?" or text.endswith("…"):
        form.append("not a complete sentence")
    first = text.lstrip("\"“'‘(")[:1]
    if not (first.isupper() or first.isdigit() or first in (title_mark, person_mark)):  # "Nolan's ..." starts one
        form.append("does not start like a sentence")
    if len(_SENTENCE_END.findall(text.replace(title_mark, "T"))) >= 1:
        form.append("more than one sentence")
    if re.search(r"[\n*#<>{}\[\]|]|^\w+:", text):
        form.append("markup or a label")
    # The reply speaks to the viewer about the pick; "I'm not sure I'd recommend it" or "I asked for comedy"
    # (seen from a server model without decoding constraints) says nothing true about the item.
    if re.search(r"\b(?:I|I'm|I'd|I'll|I've|I’m|I’d)(?![\w'’])|\b(?:me|my|mine|myself)\b", text):
        form.append("speaks in the first person")
    form += grammar_problems(text.replace(title_mark, " Title ").replace(person_mark, " Person "))
    return form


def grammar_problems(text: str) -> list[str]:
    """What breaks the grammar in ways a word list can see (no parser: SmolLM2's slips are of these kinds)."""
    problems: list[str] = []
    plain = re.findall(r"[\w'’-]+", text.lower())
    if plain and plain[0] in ("and", "but", "or", "nor", "so", "because"):  # "And that's the way it is always."
        problems.append(f"starts with {plain[0]!r}")
    if plain and plain[-1] in _NO_LAST_WORD and text.rstrip()[-1:] in ".!?":
        problems.append(f"ends on {plain[-1]!r}")
    # "If you loved Deadpool, and people who ...": the "If" clause never gets its main clause
    head = re.match(r"^([^,]+),\s+(\w+)", text)
    if head and _SUBORDINATE.match(head.group(1).lstrip("\"“'‘(")) and head.group(2).lower() in ("and", "but", "or", "nor", "so"):
        problems.append(f"no main clause after {head.group(1).split()[0]!r} (goes on with {head.group(2)!r})")
    if re.search(r"\b(\w+)\s+\1\b", text, re.I):
        problems.append("a word twice in a row")
    for i in range(len(plain) - 3):
        if plain[i:i + 2] == plain[i + 2:i + 4]:
            problems.append("a phrase twice in a row")
            break
    # "people who loved it also loved it": a phrase of two words said twice says nothing
    pairs = [" ".join(plain[i:i + 2]) for i in range(len(plain) - 1)]
    if any(pairs.count(p) > 1 and p.split()[1] in ("it", "this", "them") for p in set(pairs)):
        problems.append("says the same thing twice")
    if text.count("(") != text.count(")") or (text.count('"') % 2 and not text.count("“")):
        problems.append("an unclosed quote or bracket")
    return problems


def opening(text: str, words: int = 2) -> str:
    """The first words of a text, lower case: "If you loved Alien..." -> "if you"."""
    return " ".join(re.findall(r"[\w']+", text.lower())[:words])


def openings_alike(texts: list[str], words: int = 2) -> bool:
    """Whether every text of a reply (three or more) opens with the same words."""
    return len(texts) >= 3 and len({opening(t, words) for t in texts}) == 1
