"""Wishes: the words of a message that say what the user wants to feel or see ("tense", "feel-good",
"time travel"), each recognised from a fixed vocabulary and kept under one label.

Only labels leave this module: the preference text, the explanations and the embedder's query see
"feel-good", never the rest of what the user typed ("my friends think great" is no wish). A wish
under a negation ("nothing too dark") is not one.
"""

from __future__ import annotations

import re

from lexicon.wishes import WISHES  # label -> phrasings; below chat and explain, which both read it

# Labels that say how something should feel or whom it is for, not what it is about.
FEELING_LABELS = ("tense", "funny", "feel-good", "dark", "scary", "romantic", "sad", "mind-bending", "epic", "relaxing",
                  "quirky", "violent", "smart", "action-packed", "fun", "for kids", "for a group")
FEELINGS = frozenset(p for label in FEELING_LABELS for p in (label, *WISHES[label]))  # their phrasings
_PHRASE_TO_WISH = {phrase: label for label, phrases in WISHES.items() for phrase in phrases}
_WISH_RE = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _PHRASE_TO_WISH), key=len, reverse=True)) + r")\b")
_NEGATED = re.compile(r"\b(no|not|nothing|without|never|avoid|hate|don t want|do not want|too much|isn t|wasn t)\b(\s+\w+){0,2}\s*$")
# "is a classic", "was so much fun", "that sounds fun": a verdict on a title, not a wish.
_VERDICT_BEFORE = re.compile(r"\b(is|was|s|sounds|sounded|looks|looked|seems|seemed|were|are)\s+(so |really |very |pretty |a |such a |so much )*$")


def read_wishes(text: str, catalog_words: re.Pattern | None = None) -> list[str]:
    """The wish labels a normalized text names, in order, once each; then the words it shares with the
    catalog's item texts (`catalog_words`, from chat.understanding.categories), each its own label."""
    hits = [(m, _PHRASE_TO_WISH[m.group(1)]) for m in _WISH_RE.finditer(text)]
    if catalog_words is not None:
        hits += [(m, m.group(1)) for m in catalog_words.finditer(text) if m.group(1) not in _PHRASE_TO_WISH]
    found: list[str] = []
    for m, label in hits:
        before = text[:m.start()][-50:]
        if _NEGATED.search(before) or _VERDICT_BEFORE.search(before):
            continue
        if label not in found:
            found.append(label)
    return found


def phrasings_of(label: str) -> tuple[str, ...]:
    """A wish label with the phrasings that name it ('zombies' -> 'zombie', 'zombies', 'undead'); a word of the
    catalog's texts is its own only phrasing."""
    return (label, *WISHES.get(label, ()))
