"""Turn one user message into structured signals: title mentions with sentiment, genres, years, mood.

With the session's state as context it also reads references to the last reply's items ("more
like the second one", "not that one", "I've seen the last one"), answers to an open clarifying
question ("the first one", "1992", "Batman Returns"), and questions about the last reply ("why did
you pick Aliens?"), which change nothing.

Rule-based on purpose: it is fast (about a millisecond for a typical message), deterministic,
and every decision can be traced to a pattern below. The LLM is never asked to parse.
"""


from __future__ import annotations

import re

from chat.linker import TitleLinker, normalize
from chat.understanding.categories import text_words_for, words_for
from chat.understanding.genres import _read_genres
from chat.understanding.film_questions import read_film_question
from chat.understanding.people import people_for, read_people
from chat.understanding.premise import read_premise
from chat.understanding.subjects import read_subjects, same_subject, subjects_for
from chat.understanding.wishes import read_wishes
from chat.understanding.references import _WHY, _RESET, _Reference, _question, _references, _resolve_choice
from chat.understanding.sentiment import _clause_start, _sentiment, reaction
from chat.understanding.signals import Ambiguity, FilmQuestion, MentionSignal, Question, Understanding, YearSignal
from chat.understanding.titles import CUE_WORDS, _NOT_A_TITLE_START, _SOFT_TITLE_CUE, _TITLE_CUE, _fuzzy_phrase, _trim_phrase
from chat.understanding.years import _read_years

__all__ = ["Ambiguity", "FilmQuestion", "MentionSignal", "Question", "Understanding", "YearSignal", "understand"]


# Contractions typed without the apostrophe ("dont", "havent", "im"): the patterns read "don t", "haven t", "i m".
_APOSTROPHE_LESS = re.compile(
    r"\b(do|does|did|have|has|had|is|are|was|were|could|would|should|wo|ca|ai)(n)t\b"
    r"|\b(i)(m|ve)\b|\b(that|what|there|it)(s)\b(?= (a|an|the|so|really|great|good|not|been|one|my)\b)",
    flags=re.IGNORECASE)


_FRANCHISE = {"franchise", "series", "trilogy", "saga", "movies", "films", "sequels"}


def _written_as_title(message: str, phrase: str) -> bool:
    """Whether the user wrote a phrase as a title: capitalized or quoted ("I loved Zorgon Blasters"), so that an
    unknown one is worth reporting; "I watched with my friends" is no title."""
    words = phrase.split()
    m = re.search(r"[\W_]*".join(re.escape(w) for w in words), message, flags=re.IGNORECASE) if words else None
    if m is None:
        return False
    quoted = message[max(0, m.start() - 1):m.start()] in "\"'“‘«" and m.start() > 0
    return quoted or m.group(0)[:1].isupper()


def _with_apostrophe(m: re.Match) -> str:
    if m.group(2):
        return m.group(1) + "n't"
    return (m.group(3) or m.group(5)) + "'" + (m.group(4) or m.group(6))


def understand(message: str, linker: TitleLinker, state=None) -> Understanding:
    """Read one message. `state` (a SessionState, read only) gives the context: the items of the
    last reply, for "the second one", and an open clarifying question, for "the first one"."""
    message = re.sub(r"#\s*(\d+)", r" number \1 ", message)
    message = _APOSTROPHE_LESS.sub(_with_apostrophe, message)
    text = normalize(message)
    words = text.split()
    last_items = list(getattr(state, "last_items", None) or [])
    pending = state.pending[0] if state is not None and getattr(state, "pending", None) else None
    cue_positions = {i + 1 for i, w in enumerate(words) if w in CUE_WORDS}
    cue_positions |= {i + 2 for i, w in enumerate(words[:-1]) if w in CUE_WORDS and words[i + 1] in ("the", "a", "an")}
    result = Understanding(message=message)
    categories = words_for(linker.catalog)  # the catalog's category names and synonyms

    if _RESET.search(text):
        result.reset = True
        return result

    found = linker.find(message, cue_positions)
    taken: set[int] = set()  # word positions already explained
    if pending is not None:
        found = _resolve_choice(words, found, pending, linker, result, taken)
    for m in found:
        taken |= set(range(m.start, m.end))
    refs = [] if pending is not None and result.choice == "resolved" else _references(words, taken, last_items, found)
    for r in refs:
        taken |= set(range(r.start, r.end))

    if _WHY.search(text):
        result.question = _question(found, refs, last_items, linker)
        return result
    # "what is X about?", "who directed the second one?": its words and subject are no like, wish or genre
    found, refs = read_film_question(result, words, found, refs, taken, message, linker, pending)

    spans = sorted([(m.start, m.end, m) for m in found] + [(r.start, r.end, r) for r in refs], key=lambda x: x[0])
    previous = "liked"
    for k, (start, end, m) in enumerate(spans):
        clause_start = _clause_start(words, start, spans[k - 1][1] if k else 0)
        before = " ".join(words[clause_start:start])
        after_end = spans[k + 1][0] if k + 1 < len(spans) else len(words)
        after = " ".join(words[end:after_end])
        inherit = previous if k and clause_start == spans[k - 1][1] and before in ("", "and", "or", "nor") else None
        sentiment = _sentiment(before, after, inherit)
        previous = sentiment
        if isinstance(m, _Reference) and not m.item_ids:
            result.dangling.append(m.text)
        elif isinstance(m, _Reference):
            if m.none_of and sentiment == "liked":
                sentiment = "disliked"  # "none of those" is a no to all of them
            for item_id in m.item_ids:
                result.mentions.append(MentionSignal((item_id,), m.text, sentiment, source="shown"))
        elif m.missing:
            if m.missing not in result.missing_titles:
                result.missing_titles.append(m.missing)
        elif m.ambiguous and m.end < len(words) and words[m.end] in _FRANCHISE:
            # "the Die Hard franchise": the whole series, no question about which one
            said = {"liked": "interested", "unseen": "interested"}.get(sentiment, sentiment)
            result.mentions += [MentionSignal(linker.same_movie[c], m.text, said) for c in m.candidates]
            taken.add(m.end)
        elif m.ambiguous:
            result.ambiguous.append(Ambiguity(m.text, m.candidates, sentiment))
        else:
            result.mentions.append(MentionSignal(m.item_ids, m.text, sentiment))

    fresh = list(getattr(state, "fresh_items", None) or [])
    if not spans and fresh and (said := reaction(text)):
        # "Yes, loved it" right after the other side named titles is about those titles.
        result.mentions += [MentionSignal((item_id,), "that", said, source="shown") for item_id in fresh]

    rest = " ".join(w for i, w in enumerate(words) if i not in taken)
    # People before title cues: "a movie with Tom Hanks" names a person, not an unknown title.
    result.people, rest = read_people(rest, people_for(linker.catalog))
    # Subjects before title cues: in "not a fan of vampires" the word is a subject ruled out, not the film Vampire.
    result.subjects_excluded, result.subjects_allowed = read_subjects(
        rest, subjects_for(linker.catalog), categories, list(getattr(state, "subjects_excluded", None) or []))
    for cue_re, report in ((_TITLE_CUE, True), (_SOFT_TITLE_CUE, False)):
        for cue in cue_re.finditer(rest):
            phrase = _trim_phrase(cue["phrase"])
            if not phrase or _NOT_A_TITLE_START.match(phrase) or categories.pattern.search(phrase) \
                    or any(phrase == s or phrase.startswith(s + " ") for s in result.subjects_excluded):
                continue
            fuzzy = _fuzzy_phrase(linker, phrase, 86.0 if report else 90.0)
            if fuzzy is not None:
                sentiment = _sentiment(cue.string[:cue.end(1)][-40:], "", None)  # "not a fan of" is no like
                if fuzzy.ambiguous:
                    result.ambiguous.append(Ambiguity(fuzzy.text, fuzzy.candidates, sentiment))
                else:
                    result.mentions.append(MentionSignal(fuzzy.item_ids, fuzzy.text, sentiment, fuzzy=True))
                rest = rest.replace(phrase, " ", 1)
            elif (report and len(phrase.split()) <= 6 and not phrase.startswith(("a ", "an ")) and phrase not in result.unknown_titles
                  and _written_as_title(message, phrase)):
                # ("something like a road trip" describes, it names nothing)
                result.unknown_titles.append(phrase)
                rest = rest.replace(phrase, " ", 1)  # an unknown title is not a mood

    # "a movie about a man who loses his memory": the premise goes whole to the embedder; its words lean no genre
    # ("about a family") and make no wish of the catalog's words ("memory"), but a fixed wish ("heist") still counts.
    result.premise = "" if result.film_question else read_premise(  # "tell me something about X" asks, wishes nothing
        message, linker.catalog.nouns, categories, people_for(linker.catalog))
    beside = " ".join(rest.replace(result.premise, " ").split()) if result.premise else rest
    _read_genres(beside, result, categories)
    result.years = _read_years(rest)
    wishes = dict.fromkeys(read_wishes(rest) + read_wishes(beside, text_words_for(linker.catalog)))
    # "I don't want a movie about zombies" rules a subject out, "superheroes are fine" lets one back in: neither is a wish
    result.wishes = [w for w in wishes if not any(same_subject(w, s) for s in result.subjects_excluded + result.subjects_allowed)]
    return result
