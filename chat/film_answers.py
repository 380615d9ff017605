"""Answers to questions about one item ("what is Shutter Island about?", "who directed it?", "is it OK for kids?"),
from the catalog's facts only: its description, people, year, categories and tags.

Text taken from the description is quoted and says where it comes from ("From Wikipedia: ..."); what the
catalog does not know is said plainly, and nothing is guessed: no age rating is invented. A question changes
nothing the ranking reads (no like, no wish): the reply shows the same items as the last one, as a "why"
answer does (chat.answers). No LLM writes it, so it costs no more than a lookup.

The entry point is `answer_film_question`, called once per turn: it also keeps the item last talked about,
which "it" and "that one" point at in the next question.
"""

from __future__ import annotations

import re
from dataclasses import replace

from catalog.model import Catalog, Item
from chat.answers import clarifying_question, mention_notes
from chat.state import Clarification, SessionState
from chat.understanding import FilmQuestion, Understanding
from chat.understanding.categories import words_for

MAX_QUOTE_CHARS = 420  # a quote answers the question; the whole paragraph is for reading elsewhere
MAX_NAMES = 5  # people named in one answer

# Words of a description or tag that mark an item as scary, or as made for children: evidence, quoted with the answer.
_SCARY_CUES = re.compile(r"\b(horror|scary|terrifying|frightening|slasher|supernatural|ghosts?|haunted|haunting|demonic|demons?|"
                         r"zombies?|monsters?|possession|serial killer|psychological thriller)\b", re.IGNORECASE)
_KIDS_CUES = re.compile(r"\b(computer[- ]animated|animated|animation|family|children s|children's|for children|for kids|"
                        r"cartoon|pixar)\b", re.IGNORECASE)
_PLOT_CUES = re.compile(r"\b(follows|tells|story|centers|centres|centered|centred|revolves|is about|plot|set in|in the film|"
                        r"depicts|chronicles|portrays|focuses|must|tries|attempts|discovers|investigates)\b", re.IGNORECASE)
_RECEPTION = re.compile(r"\b(released|grossed|box office|received|premiered|nominated|academy award|oscars?|acclaim|budget|"
                        r"sequel|remake|highest-grossing|reviews)\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[a-z0-9)\"”’][.!?])\s+(?=[A-Z\"“])")
# Words people use for the categories that mean "scary", "tense" and "for children", looked up in the catalog's own
# category words, so each catalog answers with its own labels (Horror, Thriller, Children's, Animation for movies).
_SCARY_WORDS = ("scary", "horror", "slasher", "frightening")
_TENSE_WORDS = ("suspense", "thriller", "tense")
_KIDS_WORDS = ("kids", "children", "family", "animated", "cartoon", "childrens")


def answer_film_question(catalog: Catalog, state: SessionState, u: Understanding, ask: bool = True) -> str | None:
    """The answer to this message's question about an item, or None when it asks none (or `ask` is off:
    a replayed recording, which only updates the state). Either way it remembers the item last talked about."""
    named, q = _named_items(u), u.film_question
    if named or q is None:  # "I loved Get Out. Is it scary?"; a question naming nothing keeps the item for its "it"
        state.film_in_focus = named[0] if len(named) == 1 else None
    if q is None or not ask:
        return None
    # The rest of the message may have liked or disliked titles ("I loved Get Out, what is Us about?"): say so.
    noted = mention_notes(catalog, replace(u, mentions=[replace(m, source="shown") for m in u.mentions if m.source == "title"]))
    item, reply = _subject(catalog, state, q)
    if item is None:
        return " ".join(noted + [reply])
    state.film_in_focus = item.id
    parts: list[str] = []
    quoted: set[str] = set()  # a sentence quoted for one part of the question is not quoted again
    for ask_kind in q.asks:
        parts.append(_ANSWERS[ask_kind](catalog, item, q, quoted))
    return " ".join(noted + parts)


# --- what the question is about --------------------------------------------------------------------------------
def _named_items(u: Understanding) -> list[int]:
    ids: list[int] = []
    for m in u.mentions:
        if m.item_ids and m.item_ids[0] not in ids:
            ids.append(m.item_ids[0])
    return ids


def _subject(catalog: Catalog, state: SessionState, q: FilmQuestion) -> tuple[Item | None, str]:
    """The item asked about, or None and what to say instead (not in the catalog, which one, points at nothing)."""
    noun = catalog.noun
    if q.missing:
        return None, f"I don't have a {noun} called {q.missing} in the catalog, so I can't tell you about it."
    if q.dangling:
        if not state.last_items:
            return None, f"I haven't shown you any {catalog.nouns} yet, so '{q.text}' doesn't point at one."
        return None, f"I showed {len(state.last_items)}, so '{q.text}' doesn't point at one of them."
    if q.candidates:
        asked = Clarification(q.text, tuple(q.candidates), "interested", question=q)
        state.pending.insert(0, asked)  # asked first: the answer ("the first one") names the subject of this question
        return None, clarifying_question(catalog, asked)
    ids = list(q.item_ids)
    if q.pronoun:
        if state.film_in_focus is not None:
            ids = [state.film_in_focus]
        elif len(state.last_items) == 1:
            ids = list(state.last_items)
        elif state.last_items:
            listing = ", ".join(f"{n}. {catalog[i].display}" for n, i in enumerate(state.last_items, 1))
            return None, (f"Which one do you mean: {listing}? Ask again with its title or its number, "
                          "as in 'tell me more about the second one'.")
        else:
            return None, f"Which {noun} do you mean? Ask again with its title."
    if not ids:
        return None, f"Which {noun} do you mean? Ask again with its title."
    # Duplicate rows of one item (ml-100k lists a few twice): answer from the row that knows most.
    best = max(ids, key=lambda i: (bool(catalog[i].description), len(catalog[i].people), len(catalog[i].genres), -ids.index(i)))
    return catalog[best], ""


# --- the answers, one per kind of question ---------------------------------------------------------------------
def _about(catalog: Catalog, item: Item, q: FilmQuestion, quoted: set[str]) -> str:
    sentences = _sentences(item.description)
    lead = ""
    if sentences:
        plot = [s for s in sentences[1:] if _PLOT_CUES.search(s) and not _RECEPTION.search(s)]
        chosen = [sentences[0]] + (plot or [s for s in sentences[1:2] if not _RECEPTION.search(s)])
        lead = f"{item.display}. {_quote(catalog, chosen, quoted)}"
    else:
        lead = f"I have no description of {item.display}."
    facts = []
    if item.genres:
        facts.append(f"{catalog.category_labels.capitalize()}: {', '.join(item.genres)}")
    if item.directors:
        facts.append(f"directed by {_names(item.directors)}")
    if item.cast:
        facts.append(f"starring {_names(item.cast)}")
    if item.tags and not sentences:
        facts.append(f"tagged {', '.join(item.tags)}")
    if item.year and not sentences:
        facts.append(f"from {item.year}")
    if not facts and not sentences:
        return f"{lead} The catalog knows nothing else about it."
    return f"{lead} {'; '.join(facts)}." if facts else lead


def _director(catalog: Catalog, item: Item, q: FilmQuestion, quoted: set[str]) -> str:
    if item.directors:
        return f"{item.display} was directed by {_names(item.directors)}."
    said = [s for s in _sentences(item.description) if re.search(r"\bdirect(ed|or|ion)\b", s, re.IGNORECASE)]
    if said:
        return f"The catalog lists no director for {item.display}, but {_quote(catalog, said[:1], quoted, lower=True)}"
    return f"The catalog doesn't say who directed {item.display}."


def _people(catalog: Catalog, item: Item, q: FilmQuestion, quoted: set[str]) -> str:
    if item.cast:
        more = " among others" if len(item.cast) > MAX_NAMES else ""
        return f"{item.display} stars {_names(item.cast)}{more}."
    said = [s for s in _sentences(item.description) if re.search(r"\b(stars?|starring|starred|cast|features?)\b", s, re.IGNORECASE)]
    if said:
        return f"The catalog lists no cast for {item.display}, but {_quote(catalog, said[:1], quoted, lower=True)}"
    return f"The catalog doesn't say who is in {item.display}."


def _year(catalog: Catalog, item: Item, q: FilmQuestion, quoted: set[str]) -> str:
    if item.year:
        return f"{item.title} came out in {item.year}."
    return f"The catalog doesn't know when {item.title} came out."


def _genre(catalog: Catalog, item: Item, q: FilmQuestion, quoted: set[str]) -> str:
    labels = catalog.category_labels
    first = _sentences(item.description)[:1]
    evidence = f" {_quote(catalog, first, quoted)}" if first and first[0] not in quoted else ""
    if not item.genres:
        return f"The catalog lists no {labels} for {item.display}.{evidence}"
    listed = ", ".join(item.genres)
    if not q.genre:
        return f"{item.display} is listed as {listed}.{evidence}"
    if q.genre in item.genres:
        return f"Yes: the catalog lists {item.display} as {q.genre} ({labels}: {listed}).{evidence}"
    return f"Not as far as the catalog knows: it lists {item.display} as {listed}, not {q.genre}.{evidence}"


def _scary(catalog: Catalog, item: Item, q: FilmQuestion, quoted: set[str]) -> str:
    listed = ", ".join(item.genres)
    labels = catalog.category_labels
    scary = [g for g in item.genres if g in _categories(catalog, _SCARY_WORDS)]
    tense = [g for g in item.genres if g in _categories(catalog, _TENSE_WORDS)]
    said = [s for s in _sentences(item.description) if _SCARY_CUES.search(s)][:1]
    tagged = [t for t in item.tags if _SCARY_CUES.search(t)]
    if scary or said or tagged:
        bits = []
        if scary:
            bits.append(f"the catalog lists {item.display} as {', '.join(scary)} ({labels}: {listed})")
        if tagged:
            bits.append(f"it is tagged {', '.join(tagged)}")
        head = "Probably yes: " + "; ".join(bits) + "." if bits else f"Probably yes, for {item.display}:"
        return f"{head} {_quote(catalog, said, quoted)}".strip() if said else head
    first = _sentences(item.description)[:1]
    evidence = f" {_quote(catalog, first, quoted)}" if first and first[0] not in quoted else ""
    scary_names = " or ".join(sorted(_categories(catalog, _SCARY_WORDS))) or "scary"
    if tense:
        return (f"Tense rather than frightening, as far as the catalog knows: it lists {item.display} as {', '.join(tense)}, "
                f"not {scary_names} ({labels}: {listed}).{evidence}")
    if item.genres or first:
        shown = f" ({labels}: {listed})" if item.genres else ""
        return f"Probably not: nothing the catalog knows about {item.display} marks it as scary{shown}.{evidence}"
    return f"The catalog knows too little about {item.display} to say whether it is scary."


def _kids(catalog: Catalog, item: Item, q: FilmQuestion, quoted: set[str]) -> str:
    listed = ", ".join(item.genres)
    labels = catalog.category_labels
    rating = "I know no age rating for it (the catalog has none), so check one before showing it to young children."
    scary = [g for g in item.genres if g in _categories(catalog, _SCARY_WORDS)]
    kids = [g for g in item.genres if g in _categories(catalog, _KIDS_WORDS)]
    sentences = _sentences(item.description)
    if scary or any(_SCARY_CUES.search(s) for s in sentences):
        said = [s for s in sentences if _SCARY_CUES.search(s)][:1]
        listed_as = f": the catalog lists {item.display} as {', '.join(scary)} ({labels}: {listed})" if scary else ""
        quote = f" {_quote(catalog, said, quoted)}" if said and said[0] not in quoted else ""
        return f"Probably not for young children{listed_as}.{quote} {rating}"
    said = [s for s in sentences if _KIDS_CUES.search(s)][:1]
    if kids or said:
        listed_as = f"the catalog lists {item.display} as {', '.join(kids)} ({labels}: {listed})" if kids else ""
        quote = f" {_quote(catalog, said, quoted)}" if said and said[0] not in quoted else ""
        head = f"It looks made for families: {listed_as}." if listed_as else f"It looks made for families, {item.display}:"
        return f"{head}{quote} {rating}"
    known = f" ({labels}: {listed})" if item.genres else ""
    return f"Nothing the catalog knows says {item.display} is made for children{known}. {rating}"


_ANSWERS = {"about": _about, "director": _director, "people": _people, "year": _year, "genre": _genre,
            "scary": _scary, "kids": _kids}


# --- helpers ------------------------------------------------------------------------------------------------------
def _sentences(text: str) -> list[str]:
    text = " ".join((text or "").split())
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()] if text else []


def _quote(catalog: Catalog, sentences: list[str], quoted: set[str], lower: bool = False) -> str:
    """'From Wikipedia: "..."' (the catalog's own word for its source, or a neutral one), trimmed to a few sentences."""
    kept: list[str] = []
    for s in sentences:
        if kept and len(" ".join(kept + [s])) > MAX_QUOTE_CHARS:
            break
        kept.append(s)
    quoted.update(kept)
    source = catalog.description_source  # the catalog spec's word (data/movies: "Wikipedia"), else a neutral one
    lead = f"from {source}" if source else "from its description"
    lead = lead if lower else lead[0].upper() + lead[1:]
    return f'{lead}: "{" ".join(kept)}"'


def _categories(catalog: Catalog, words: tuple[str, ...]) -> set[str]:
    """The catalog's categories that people call by these words ("scary" -> Horror), through its own synonyms."""
    phrases = words_for(catalog).phrases
    return {phrases[w] for w in words if w in phrases}


def _names(names) -> str:
    names = list(names)[:MAX_NAMES]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
