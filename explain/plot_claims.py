"""Plot claims: the content words of a sentence that say what happens in the film, and whether the item's
description or subjects give them.

A plot claim is a content word (noun, verb, adjective) that is not a title, a name, a genre, a wish or a word of
the fixed explanation vocabulary below ("If you loved Inception, Shutter Island is a psychological thriller about
a marshal investigating a psychiatric facility": "marshal", "investigating", "psychiatric", "facility"). Each must
come from the description or the subjects, compared by a crude stem ("investigates" = "investigating"). Titles and
names are masked before this runs; genre, mood, number and claim words are judged by their own rules.

The decoding constraints read the same lists (`allowed_words`), so the model starts only words the checker would
let through: one vocabulary, two uses.
"""

from __future__ import annotations

import re
from functools import lru_cache

from explain.claim_words import (
    DECADE_WORDS,
    GENRE_CLAIMS,
    MOOD_CLAIMS,
    NUMBER_WORDS,
    UNSUPPORTED_CLAIMS,
    WISH_WORDS,
    ban_forms,
)

# Closed classes: articles, pronouns, prepositions, conjunctions, auxiliaries, quantifiers and the adverbs that
# carry no claim. None of them says what happens in a film.
FUNCTION_WORDS = frozenset("""
a an the this that these those it its it's itself they them their theirs he him his she her hers we us our you your
yours you're you'll you've you'd yourself who whom whose which what whatever whoever when where why how whether
and or but nor so yet for of to in on at by with from into onto upon over under about above below across after
before behind beside besides between beyond during except inside near off out outside since through throughout
till until toward towards within without along among amongst around against via per than as like unlike
is are was were be been being am isn't aren't wasn't weren't has have had having hasn't haven't do does did doing
don't doesn't didn't will would shall should can could may might must won't wouldn't can't couldn't shouldn't
there there's here that's what's let's who's
not no yes all any some each every both either neither none one ones other others another such same own
more most much many less least few fewer several enough lot lots plenty little bit
also even just only still again ever never always often sometimes once twice too very quite rather really so
then now soon already almost nearly about around well instead together else ahead away back up down
if because although though while unless whereas whenever wherever
""".split())

# The fixed explanation vocabulary: how a recommendation speaks to the viewer, true of any film it is said of.
EXPLANATION_WORDS = frozenset("""
love loved loves loving like liked likes enjoy enjoyed enjoys want wanted wants ask asked asking wish wished
fit fits suit suits suited match matches pick picks picked choose chose choice choices watch watched watching
see seen find found try give gives bring brings offer offers deliver delivers keep keeps kept make makes made
share shares shared mix mixes blend blends combine combines combining pack packs packed serve serves get gets
grip grips hook hooks hooked
come comes go goes look looking looks feel feels felt need needs recommend recommended consider check add adds
capture captures carry carries hold holds take takes turn turns put stay stays become becomes seem seems
show shows tell tells told follow follows following center centers centre centres focus focuses explore explores
set begin begins start starts end ends promise promises prefer appeal appeals guarantee enjoyable satisfy
fan fans lover lovers viewer viewers audience audiences people person anyone everyone someone something anything
story stories tale tales ride treat gem kind kinds type types sort
style mood tone taste tastes feel vibe mixture combination dose fix touch way ways time times moment moments
night nights evening tonight weekend hour hours favorite favorites favourite favourites wish wishes request
year years lead leads name names maker makers spirit energy heart experience pleasure delight
elements element genre genres category categories shade side blend mix list option options addition companion
great good better best perfect ideal fine solid strong excellent wonderful fantastic terrific superb enjoyable
engaging satisfying compelling memorable fresh new old older recent modern similar different whole full rich
right sure ready worth nice cool special familiar favorite true real
""".split())

# What an item is called, by the catalog's noun: a movie is also a film or a picture; a shop's product is no film.
NOUN_WORDS = {"movie": frozenset("movie movies film films picture pictures flick flicks".split())}


def noun_words(noun: str, nouns: str) -> frozenset[str]:
    """The words that name an item of a catalog whose item is called `noun` (plural `nouns`)."""
    return frozenset({noun.lower(), nouns.lower(), "item", "items"}) | NOUN_WORDS.get(noun.lower(), frozenset())


# -ly words that are no adverbs of manner: they may state something ("a deadly virus")
_LY_CONTENT = frozenset("family ally rally belly bully jelly lily holy ugly silly jolly early daily deadly elderly "
                        "lonely lovely friendly curly fly italy july reply supply assembly monopoly anomaly".split())


@lru_cache(maxsize=1)
def claim_vocabulary() -> frozenset[str]:
    """Every word a genre, mood, wish or claim pattern can match, and number and decade words: judged elsewhere."""
    patterns = [*GENRE_CLAIMS, *MOOD_CLAIMS, *(w for words in WISH_WORDS.values() for w in words),
                *UNSUPPORTED_CLAIMS.values()]
    # single words only: "game" of "video games" or "edge" of "edge of your seat" is judged by no rule on its own
    words = {part for pattern in patterns for form in ban_forms(pattern) if " " not in form for part in form.split("-")}
    from lexicon.wishes import WISHES

    words |= {part for label, phrases in WISHES.items() for phrase in (label, *phrases) if " " not in phrase
              for part in phrase.split("-")}
    return frozenset(w for w in words | set(NUMBER_WORDS) | set(DECADE_WORDS) if w)


def stem(word: str) -> str:
    """A crude stem for comparing forms: "investigates", "investigating" and "investigate" -> "investigat"."""
    word = word.lower().replace("’", "'").removesuffix("'s").removesuffix("'")
    if word.endswith(("ies", "ied")) and len(word) > 4:
        word = word[:-3] + "y"
    else:
        for suffix in ("ing", "ed", "es", "s"):
            if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
                word = word[: -len(suffix)]
                break
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


def is_adverb(word: str) -> bool:
    """A manner adverb ("beautifully"): no plot claim by itself."""
    return word.endswith("ly") and len(word) > 4 and word not in _LY_CONTENT


def ordinary(word: str) -> bool:
    """A word any explanation may use: grammar, the explanation vocabulary, or a word another rule judges."""
    word = word.lower().replace("’", "'")
    return (word in FUNCTION_WORDS or word in EXPLANATION_WORDS or word in claim_vocabulary() or is_adverb(word)
            or stem(word) in _ordinary_stems())


@lru_cache(maxsize=1)
def _ordinary_stems() -> frozenset[str]:
    return frozenset(stem(w) for w in EXPLANATION_WORDS | claim_vocabulary())


def fact_words(facts) -> set[str]:
    """The words the item's description, subjects and premise give, lower case."""
    item = facts.item
    text = " ".join((item.description or "", *item.tags, *facts.subjects, facts.premise or ""))
    return {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z'’]*", text)}


def plot_claims(masked: str, facts, other_words: set[str] = frozenset()) -> tuple[list[str], list[str]]:
    """(unsupported, supported) plot claims of a sentence whose titles and people are masked. ``other_words``:
    more words the facts give (the catalog's nouns, the user's wishes), no claims."""
    given = fact_words(facts)
    stems = {stem(w) for w in given}
    unsupported: list[str] = []
    supported: list[str] = []
    for m in re.finditer(r"[A-Za-z][A-Za-z'’]*(?:-[A-Za-z'’]+)*", masked):
        token = m.group(0)
        if token[0].isupper() and masked[:m.start()].strip(" \"“'‘("):
            continue  # a capital inside the sentence starts a name or a title: the name rules judge it
        word = token.lower().replace("’", "'")
        parts = [word] if word in given or ordinary(word) else word.split("-")
        for part in parts:
            part = part.removesuffix("'s").removesuffix("'")
            if len(part) < 2 or part in other_words or ordinary(part):
                continue
            if part in given or stem(part) in stems:
                if part not in supported:
                    supported.append(part)
            elif part not in unsupported:
                unsupported.append(part)
    return unsupported, supported
