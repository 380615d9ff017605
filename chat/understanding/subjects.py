"""Subjects the user rules out ("no superhero movies", "nothing with zombies", "I don't want anything about
vampires") or lets back in ("superheroes are fine"), matched against what the catalog says of its items.

A subject is words that follow a negation and that the catalog's own item texts use: an item's tags (a film's
subjects: "superhero", "zombie") or the words of its description. Matching is on whole words, in singular or
plural ("zombies" finds "zombie"), never inside other words ("war" is not "warrior"). A category word ("no
musicals") is left to the genres; a feeling ("nothing too dark") to the wishes; an everyday word ("no thanks",
"nothing long") is no subject: those are too common in English to name one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from chat.understanding.genres import _ALLOW_AFTER, _ALLOW_BEFORE, _EXCLUDE_AFTER
from chat.understanding.wishes import FEELINGS, phrasings_of
from chat.vocabulary import CategoryWords, normalize, word_forms

SUBJECT_MAX_ZIPF = 5.3  # wordfreq's Zipf scale: "sex" (5.2) and "blood" name a subject, "long" (6.0) does not
MAX_WORDS = 3  # "no talking animals", "nothing with serial killers": a subject is a short phrase
MAX_CACHED = 512  # subjects whose items are kept per catalog (the phrases come from users)

# What comes between the negation and the subject: "nothing with", "I don't want anything about", "no more".
_CUE = re.compile(
    r"\b(?:not (?:a |really a |much of a )?(?:big |huge )?fan of|not in the mood for|not into|tired of|sick of|"
    r"(?:don t|do not) (?:want|like|need)|can t stand|cannot stand|rather not have|"
    r"nothing|without|no|not|avoid|skip|hate|none)"
    r"(?:\s+(?:more|any|anything|something|movie|movies|film|films|flick|flicks|one|ones|stuff|of|the|a|an|another|too))*"
    r"(?:\s+(?:with|about|involving|featuring|that has|that have|where there are|containing))?\s+"
    r"(?P<phrase>\w+(?:\s+\w+){0,6})")
_CONNECTOR = re.compile(r"\s+(?:or|and|nor|neither)\s+")
# Words that end a subject ("no superhero movies please"): the catalog's nouns are added per catalog.
_ENDS = {"movie", "movies", "film", "films", "flick", "flicks", "stuff", "ones", "one", "please", "thanks", "either",
         "anymore", "tonight", "today", "this", "time", "though", "but", "for", "in", "at", "from", "by", "like",
         "than", "so", "i", "im", "because", "just", "only", "kind", "type", "sort", "thing", "things"}
# Negated words that rule nothing out ("no thanks", "nothing special", "not sure").
_IDIOMS = {"thanks", "thank", "idea", "clue", "rush", "hurry", "pressure", "worries", "worry", "problem", "preference",
           "matter", "way", "sure", "special", "else", "much", "really", "seen", "watched", "interested", "fan"}


@dataclass
class SubjectIndex:
    """Per catalog: each offered item's tags and description as normalized text, searched once per subject."""

    texts: list[str]  # row i = item i; "" for an item never offered
    tag_words: frozenset[str]  # every word of every tag: a subject people name ("superhero", "zombie")
    nouns: frozenset[str] = frozenset()  # the catalog's own nouns ("movie", "movies"): never a subject
    _cache: dict[str, frozenset[int]] = field(default_factory=dict)

    def items_about(self, phrase: str) -> frozenset[int]:
        """Items whose tags or description use the phrase, its last word in singular or plural."""
        if phrase not in self._cache:
            if len(self._cache) >= MAX_CACHED:
                self._cache.pop(next(iter(self._cache)))
            head, _, last = phrase.rpartition(" ")
            forms = sorted((f"{head} {f}" if head else f) for f in word_forms(last))
            rx = re.compile(r"\b(" + "|".join(map(re.escape, forms)) + r")\b")
            self._cache[phrase] = frozenset(i for i, text in enumerate(self.texts) if text and rx.search(text))
        return self._cache[phrase]


def _build(catalog) -> SubjectIndex:
    texts = [normalize(" ".join((*item.tags, item.description))) if item.titled else "" for item in catalog.items]
    tag_words = frozenset(w for item in catalog.items if item.titled for tag in item.tags for w in normalize(tag).split())
    nouns = frozenset(normalize(f"{catalog.noun} {catalog.nouns}").split())
    return SubjectIndex(texts, tag_words, nouns)


_INDEXES: dict[str, SubjectIndex] = {}  # catalog fingerprint -> its index


def subjects_for(catalog) -> SubjectIndex:
    """The catalog's subject index, built once per catalog content."""
    key = catalog.fingerprint
    if key not in _INDEXES:
        if len(_INDEXES) >= 8:
            _INDEXES.pop(next(iter(_INDEXES)))
        _INDEXES[key] = _build(catalog)
    return _INDEXES[key]


def _is_subject_word(word: str, index: SubjectIndex) -> bool:
    from wordfreq import zipf_frequency

    return (word.isalpha() and len(word) >= 3 and word not in _ENDS and word not in index.nouns
            and zipf_frequency(word, "en") < SUBJECT_MAX_ZIPF)


def _phrase(words: list[str], index: SubjectIndex, categories: CategoryWords) -> str:
    """The subject a run of words starts with, or "": 'superhero movies please' -> 'superhero'."""
    taken: list[str] = []
    for word in words:
        if len(taken) == MAX_WORDS or word in _ENDS or word in index.nouns or categories.pattern.fullmatch(word):
            break
        taken.append(word)
    phrase = " ".join(taken)
    if not taken or taken[0] in _IDIOMS or phrase in FEELINGS or categories.pattern.search(phrase):
        return ""
    if not all(_is_subject_word(w, index) or i < len(taken) - 1 for i, w in enumerate(taken)):
        return ""  # the head word must be rare enough to name something; "talking" may lead it
    if index.items_about(phrase):
        return phrase
    # "scary zombies": the catalog may not use the whole phrase, but it has the subject
    return taken[-1] if len(taken) > 1 and taken[-1] in index.tag_words and index.items_about(taken[-1]) else ""


def read_subjects(text: str, index: SubjectIndex, categories: CategoryWords,
                  excluded_now: list[str] = ()) -> tuple[list[str], list[str]]:
    """(subjects ruled out, subjects let back in) in a normalized text. Only what `excluded_now` holds
    can be let back in, as it is written there ("zombies are fine" lifts "zombie")."""
    excluded: list[str] = []
    for cue in _CUE.finditer(text):
        for part in _CONNECTOR.split(cue["phrase"]):
            phrase = _phrase(part.split(), index, categories)
            if phrase and phrase not in excluded:
                excluded.append(phrase)
    # "zombie movies are not my thing": a subject the catalog tags, ruled out after it
    for m in re.finditer(r"\b\w+\b", text):
        word = m.group(0)
        if word in index.tag_words and _EXCLUDE_AFTER.match(text[m.end():]) and _is_subject_word(word, index) \
                and word not in excluded and word not in FEELINGS and not categories.pattern.fullmatch(word):
            excluded.append(word)
    allowed = []
    for subject in excluded_now:
        for m in _mentions(text, subject):
            if _ALLOW_AFTER.match(text[m.end():]) or _ALLOW_BEFORE.search(text[:m.start()]):
                allowed.append(subject)
                break
    return [s for s in excluded if s not in allowed], allowed


def _mentions(text: str, phrase: str):
    head, _, last = phrase.rpartition(" ")
    forms = sorted((f"{head} {f}" if head else f) for f in word_forms(last))
    return re.finditer(r"\b(" + "|".join(map(re.escape, forms)) + r")\b", text)


def same_subject(a: str, b: str) -> bool:
    """Whether two phrasings name one subject: 'zombies' and 'zombie'; a wish label ('superheroes') and a subject."""
    a_forms = {p for x in phrasings_of(a) for p in _forms(x)}
    return bool(a_forms & {p for x in phrasings_of(b) for p in _forms(x)})


def _forms(phrase: str) -> set[str]:
    head, _, last = phrase.rpartition(" ")
    return {(f"{head} {f}" if head else f) for f in word_forms(last)}
