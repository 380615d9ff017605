"""The claim checker: is an explanation true of its item, tied to the user, and one clean sentence?

Everything an explanation may say comes from `explain.facts.Facts`: the item's title, year and
genres, the user's liked titles, recognised wishes and asked-for genres and years. A sentence is

* faithful when it makes no claim those facts do not support: no genre or genre-like word the item
  lacks ("a romantic comedy" about Fargo), no mood its genres or year do not support or the user asked
  against ("a feel-good western" to someone who wants something tense), no year, decade or number that is not the item's, no title
  but the item's and the liked ones, no capitalised name but the people of the item's facts (its
  directors and first-billed cast, each in the role the facts give: "directed by" a director, "starring"
  a cast member), no claim of a kind nothing here supports (awards, adaptations, sequels, box office,
  plot; cast and direction only when the facts name them), no plot word its description or subjects do not
  give (explain/plot_claims.py), no person named as its maker ("Ben Kingsley's Shutter Island") who is not its
  director, and nothing said about another film: a liked title may be compared ("If you loved Inception, ..."),
  not described ("Martin Scorsese directed Shutter Island" on The Departed's card);
* personalised when it names a liked title, a recognised wish, an asked-for genre, the asked-for
  years, or a genre the user's liked movies share while speaking to the user;
* well-formed when it is one complete, grammatical sentence of a sensible length (explain/sentence_form.py).

The same checker runs in the explainer, before any text is shown, and in
`python -m evaluation explanations`, which measures it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from explain.claim_words import (
    DECADE_WORDS,
    GENRE_CLAIMS,
    MOOD_CLAIMS,
    NUMBER_WORDS,
    PEOPLE_CLAIMS,
    UNSUPPORTED_CLAIMS,
    WISH_WORDS,
    non_words,
)
from explain.facts import Facts, unsupported_mood
from explain.plot_claims import NOUN_WORDS, noun_words, plot_claims
from explain.sentence_form import form_problems
from explain.title_forms import part_of_title, split_display, title_forms

_TITLE_MARK = "\u2063"  # an invisible separator stands in for a liked title the sentence may name
_ITEM_MARK = "\u2064"  # and an invisible plus for the item's own title
_PERSON_MARK = "\u2062"  # and an invisible times for a person the facts name
# Names listed before this one under the same role word: "starring Alan Rickman and Richard Curtis" puts both
# in the cast (a name already checked is a mark by then; longer names are masked first).
# (?-i:...): the role checks search with re.I, under which [A-Z] would take any word, role words included.
_LISTED = r"(?:(?:\u2062|(?:(?-i:[A-Z])[\w.'’-]*\s+){0,3}(?-i:[A-Z])[\w.'’-]*)(?:\s*,\s*(?:and\s+)?|\s+and\s+))*"
# What follows a person made the film's subject: "Marilyn Monroe is a classic comedy", or with a second name
# (perhaps masked already) "Marilyn Monroe and Tom Ewell are classic romantic comedies"
_PERSON_AS_FILM = re.compile(
    r"\s+(?:(?:is|was|are|were)\s+(?:a|an|the)\s+(?!directors?|filmmakers?|stars?|leads?|actors?|actress)"
    r"|and\s+(?:[A-Z\u2062][\w.'’-]*\s+){1,3}(?:are|were)\s+(?!directed|starring|in\b)"
    r"|,\s+(?:the|a|an)\s+(?:\w+\s+){0,2}?(?:movie|film|picture|classic|comedy|thriller|drama)\b)", re.I)
# Crude words: a sentence shown to a stranger never carries one (SmolLM2 once wrote "comedy-dumbfuck")
_CRUDE = re.compile(r"\w*(?:fuck|shit|cunt)\w*|\b(?:bitch|crap|piss|whore|slut|asshole|bastard|damn|dumbass)\w*", re.I)
_NEGATED = re.compile(r"\b(?:no|not|non|without|nor|never|less|zero)\b[\w\s-]{0,12}$", re.IGNORECASE)
_SEQUEL_TITLE = re.compile(r"\b(?:[2-9]|II|III|IV|V|VI|Part|Chapter|Returns?|Again|Strikes Back)\b")
# Capitalised words that name nothing: sentence openers and the pronoun "I".
_ORDINARY_CAPITALS = {"i", "i'm", "i'd", "i'll", "i've", "ok", "okay"}
_LINK_WORDS = {"of", "the", "and", "a", "an", "in", "on", "to", "for", "de", "la", "le", "von", "van"}
_CAPITAL_RUN = re.compile(
    r"(?<![\w'’-])([A-Z][\w'’.&-]*(?:\s+(?:(?:of|the|and|a|an|in|on|to|for|de|la|le|von|van)\s+)*[A-Z][\w'’.&-]*)*)"
)
_YEAR = re.compile(r"(?<![\w.])(1[89]\d\d|20\d\d)(s)?(?!\w)")
_SHORT_DECADE = re.compile(r"(?<!\w)['’]?([2-9]0)['’]?s(?!\w)")
_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)?(?:st|nd|rd|th)?(?!\w)")  # ordinals too: "his 10th film"
# What follows "<person>'s" that makes the person its maker: a title, or a few words and a kind of film
_MADE_THING = re.compile(r"\s*(?:[\u2063\u2064]|(?:[\w-]+\s+){0,3}?(?:film|movie|picture|flick|classic|comedy|comedies|drama|"
                         r"thriller|western|musical|documentary|romance|adventure|fantasy|horror|mystery|noir|animation|"
                         r"cartoon|tale|story|epic|ride|pick|satire|spoof|parody|romp)s?\b)", re.I)


@dataclass
class Verdict:
    text: str
    problems: list[str] = field(default_factory=list)  # unsupported claims; empty: faithful
    form: list[str] = field(default_factory=list)  # why it is not one clean sentence; empty: well-formed
    ties: list[str] = field(default_factory=list)  # what ties it to the user; empty: not personalised
    # facts beyond genre and year it uses: a person, a subject, a liked title, a phrase of the description
    specifics: list[str] = field(default_factory=list)

    @property
    def faithful(self) -> bool:
        return not self.problems

    @property
    def well_formed(self) -> bool:
        return not self.form

    @property
    def personalised(self) -> bool:
        return bool(self.ties)

    @property
    def acceptable(self) -> bool:
        """Fit to show: faithful and well-formed."""
        return self.faithful and self.well_formed


class ClaimChecker:
    """Judges sentences against facts; `linker` tells catalog titles from other names: anything with
    ``is_catalog_title(phrase, cutoff)`` (chat's `TitleLinker`, handed in: explain imports nothing of chat)."""

    def __init__(self, linker=None):
        self.linker = linker
        self._genre_rx = [(re.compile(rf"\b(?:{p})\b", re.IGNORECASE), genres) for p, genres in GENRE_CLAIMS.items()]
        self._mood_rx = [(re.compile(rf"\b(?:{p})\b", re.IGNORECASE), wish) for p, wish in MOOD_CLAIMS.items()]
        self._claim_rx = [(label, re.compile(rf"\b(?:{p})\b", re.IGNORECASE)) for label, p in UNSUPPORTED_CLAIMS.items()]
        self._wish_rx: dict[str, re.Pattern] = {}
        self._number_word_rx = re.compile(r"\b(" + "|".join(NUMBER_WORDS) + r")\b", re.IGNORECASE)
        self._decade_word_rx = re.compile(r"\b(" + "|".join(DECADE_WORDS) + r")\b", re.IGNORECASE)

    def check(self, text: str, facts: Facts) -> Verdict:
        text = " ".join((text or "").split())
        verdict = Verdict(text)
        if not text:
            verdict.form.append("empty")
            return verdict
        masked, named = self._mask_titles(text, facts, verdict)
        masked, people = self._mask_people(masked, facts, verdict)
        plain = masked.replace("won't", "will not").replace("won’t", "will not")
        plain = re.sub(r"(?<=\w)-\s+(?=\w)", "-", plain)  # "feel- good" states what "feel-good" does
        self._genres(plain, facts, verdict)
        self._moods(plain, facts, verdict)
        self._numbers(plain, facts, verdict)
        self._claim_types(plain, facts, verdict)
        self._names(masked, facts, verdict)
        self._about_the_user(masked, named, facts, verdict)
        self._about_another_film(masked, named, people, facts, verdict)
        unsupported, plot = plot_claims(plain, facts, self._other_words(facts))
        verdict.problems += [f"says {w!r}, which neither its description nor its subjects give" for w in unsupported]
        verdict.problems += [f"calls the item a {w!r}" for w in self._other_kinds(plain)]
        verdict.form += form_problems(masked, _TITLE_MARK, _ITEM_MARK, _PERSON_MARK)
        for word in non_words(masked, _fact_words(facts)):
            verdict.form.append(f"uses {word!r}, no English word")
        if crude := _CRUDE.search(masked):  # titles and people masked: "Dumb and Dumber" is a title, not a word
            verdict.problems.append(f"uses a crude word ({crude.group(0)!r})")
        self._ties(plain, named, facts, verdict)
        verdict.ties += [f"asked-for person {p}" for p in facts.wanted_people if p in people]
        verdict.ties += [f"{p} of liked {t}" for p, t, _ in facts.shared_people if p in people and t in named]
        verdict.specifics = _specifics(plain, named, people, facts, plot)
        return verdict

    # --- titles -----------------------------------------------------------------------------
    def _mask_titles(self, text: str, facts: Facts, verdict: Verdict) -> tuple[str, set[str]]:
        """Replace the titles the sentence may name by a mark; a wrong year after one is a problem.

        Returns the masked text and which of the allowed titles were named ("item" or a liked display title).
        """
        named: set[str] = set()
        # form -> its owners in order (the item first): "The Hunger Games" is the main part of the item
        # "The Hunger Games: Mockingjay - Part 2 (2015)" and the whole of a liked "The Hunger Games (2012)"
        owners: dict[str, list[tuple[str, int | None]]] = {}
        for owner, display in [("item", facts.item.display)] + [(t, t) for t in facts.liked]:
            title, year = split_display(display)
            for form in title_forms(title):
                owners.setdefault(form, []).append((owner, year))
        for form in sorted(owners, key=len, reverse=True):
            rx = re.compile(rf"(?<![\w]){re.escape(form)}(?![\w])(\s*\((\d{{4}})\))?", re.IGNORECASE)

            def mark(m, form=form):
                said = int(m.group(2)) if m.group(2) else None
                owner, year = next(((o, y) for o, y in owners[form] if said is None or y in (None, said)), owners[form][0])
                if said and year and said != year:
                    verdict.problems.append(f"gives {form} the year {said} (it is {year})")
                named.add(owner)
                return _ITEM_MARK if owner == "item" else _TITLE_MARK

            text = rx.sub(mark, text)
        return text, named

    def _mask_people(self, text: str, facts: Facts, verdict: Verdict) -> tuple[str, set[str]]:
        """Replace the people the facts name by a mark (they are no invented names); a wrong role is a problem.

        Returns the masked text and the people named."""
        named: set[str] = set()
        for person in sorted(facts.names(), key=len, reverse=True):
            for m in reversed(list(re.finditer(rf"(?<![\w]){re.escape(person)}(?:['’]s|(?<=s)['’])?(?![\w])", text))):
                before, after = text[:m.start()][-80:], text[m.end():][:20]
                directing = re.search(rf"\b(?:directed by|director|filmmaker|from)\s+(?:the\s+)?{_LISTED}$", before, re.I) \
                    or re.match(r"\s+(?:directed|directs)\b|,?\s+(?:the\s+)?(?:director|filmmaker)\b", after, re.I)
                acting = re.search(rf"\b(?:starring|stars|featuring|with|actor|actress)\s+{_LISTED}$", before, re.I) \
                    or re.match(r"\s+(?:stars|starred|plays|played|acts)\b", after, re.I)
                possessive = m.group(0).endswith(("'s", "’s", "s'", "s’"))
                if not possessive and _PERSON_AS_FILM.match(text[m.end():]):
                    verdict.problems.append(f"calls {person} the film")
                if possessive and _MADE_THING.match(text[m.end():]) and person not in facts.directors:
                    # "Ben Kingsley's Shutter Island": only a director makes a film theirs
                    verdict.problems.append(f"calls {person} its maker, but " + (
                        f"the facts name {person} in its cast" if person in facts.item.cast else "no fact says so"))
                elif directing and person not in facts.directors:
                    verdict.problems.append(f"says {person} directed it, but the facts name {person} in its cast"
                                            if person in facts.item.cast else f"says {person} directed it, which no fact says")
                elif acting and person not in facts.item.cast and not directing:
                    verdict.problems.append(f"puts {person} in its cast, which no fact says")
                elif person not in facts.directors and person not in facts.item.people:
                    verdict.problems.append(f"names {person}, who is not among its facts")
                # "... and Robert Downey Jr." ends the sentence with the name's own full stop
                end = "." if person.endswith(".") and not text[m.end():].strip() else ""
                text = text[:m.start()] + _PERSON_MARK + end + text[m.end():]
                named.add(person)
        return text, named

    # --- claims -----------------------------------------------------------------------------
    def _genres(self, text: str, facts: Facts, verdict: Verdict) -> None:
        have = set(facts.item.genres)
        said = set()
        for rx, genres in self._genre_rx:
            if genres and facts.catalog_genres and not facts.catalog_genres & set(genres):
                continue  # this catalog has none of the word's genres: it claims no category here
            for m in rx.finditer(text):
                word = m.group(0).lower()
                if have & set(genres) or word in said or _NEGATED.search(text[:m.start()]):
                    continue
                said.add(word)
                verdict.problems.append(f"calls it {word!r}, but it is {', '.join(facts.item.genres) or 'no genre'}")

    def _moods(self, text: str, facts: Facts, verdict: Verdict) -> None:
        """"A feel-good western" to someone who asked for something tense; "a tense comedy"; "a classic" from 1995."""
        for rx, wish in self._mood_rx:
            m = rx.search(text)
            if not m or _NEGATED.search(text[:m.start()]):
                continue
            why = unsupported_mood(facts, wish)
            if why:
                verdict.problems.append(f"calls it {m.group(0).lower()!r}, but {why}")

    def _numbers(self, text: str, facts: Facts, verdict: Verdict) -> None:
        year, decade = facts.item.year, facts.decade
        for m in _YEAR.finditer(text):
            value = int(m.group(1))
            if m.group(2):  # "1980s"
                if decade != value // 10 * 10 or value % 10:
                    verdict.problems.append(f"says {m.group(0)}, but it is from {year}")
            elif value != year:
                verdict.problems.append(f"says {value}, but it is from {year}")
        rest = _YEAR.sub(" ", text)
        for m in _SHORT_DECADE.finditer(rest):
            if decade is None or decade % 100 != int(m.group(1)):
                verdict.problems.append(f"says the {m.group(1)}s, but it is from {year}")
        for m in self._decade_word_rx.finditer(rest):
            if decade != DECADE_WORDS[m.group(1).lower()]:
                verdict.problems.append(f"says the {m.group(1).lower()}, but it is from {year}")
        rest = _SHORT_DECADE.sub(" ", rest)
        # a number the description states is a fact ("a 12-year-old boy", "a group of four friends"); years are not
        # (a description's "the 2003 novel" is no year of the film)
        described = lambda n: re.search(rf"(?<![\w.]){re.escape(n)}(?!\w)", facts.item.description or "", re.I)  # noqa: E731
        for m in _NUMBER.finditer(rest):
            if not described(m.group(0)):
                verdict.problems.append(f"states the number {m.group(0)}, which no fact gives")
        for m in self._number_word_rx.finditer(rest):
            if not described(m.group(0)):
                verdict.problems.append(f"states the number {m.group(0).lower()!r}, which no fact gives")

    def _claim_types(self, text: str, facts: Facts, verdict: Verdict) -> None:
        for label, rx in self._claim_rx:
            m = rx.search(text)
            if not m:
                continue
            if label == "remake or sequel" and _SEQUEL_TITLE.search(facts.item.title):
                continue  # the title itself says it continues a story
            if label in PEOPLE_CLAIMS and getattr(facts, PEOPLE_CLAIMS[label]):
                continue  # "directed by", "starring": the facts name them (roles are checked with the names)
            if label == "plot" and facts.item.description:
                continue  # what happens is judged word by word against the description (plot_claims)
            verdict.problems.append(f"claims {label} ({m.group(0)!r}), which no fact supports")

    def _names(self, text: str, facts: Facts, verdict: Verdict) -> None:
        """Capitalised spans left after the allowed titles: other movies, people, studios, places."""
        for m in _CAPITAL_RUN.finditer(text):
            span = m.group(1).rstrip(".'’-&")
            words = [w for w in span.split() if w.lower() not in _LINK_WORDS and not is_genre_word(w)]
            if not words or len(words) == 1 and words[0].lower() in _ORDINARY_CAPITALS:
                continue
            dated = re.match(r"\s*\(\d{4}\)", text[m.end():])  # "Gatsby (1997)": a title, wherever it stands
            if len(span.split()) == 1 and _starts_sentence(text, m.start()) and not self._exact_title(span) and not dated:
                continue  # an ordinary word that opens a sentence
            if part_of_title(span, facts):
                continue  # a short form of an allowed title: "Willy Wonka" for Willy Wonka and the Chocolate Factory
            # "Disney and Pixar": each part on its own, unless the whole is one title ("Romeo and Juliet")
            parts = [span] if self._is_title(span) else [p for p in re.split(r"\s+(?:and|&)\s+(?:the\s+)?", span) if p]
            for part in parts:
                if self._is_title(part):
                    verdict.problems.append(f"names another title, {part!r}")
                elif part.lower() not in _ORDINARY_CAPITALS and not is_genre_word(part) and not _described(part, facts):
                    verdict.problems.append(f"names {part!r}, which no fact mentions")
        for quoted in re.findall(r"[\"“«]([^\"”»]{2,80})[\"”»]", text):
            if self._is_title(quoted) and f"names another title, {quoted!r}" not in verdict.problems:
                verdict.problems.append(f"names another title, {quoted!r}")

    def _about_the_user(self, text: str, named: set[str], facts: Facts, verdict: Verdict) -> None:
        """"If you loved Jaws" about Jaws itself: the user said no such thing (only liked titles were loved)."""
        if "item" in named and re.search(
                rf"\byou(?:'ve| have)?\s+(?:(?:really|also|already|truly|just|once|both)\s+)?"
                rf"(?:loved|liked|enjoyed|adored|seen|watched)\s+(?:the\s+(?:film|movie|classic)\s+)?{_ITEM_MARK}",
                text, re.IGNORECASE):
            if not any(split_display(t)[0] == facts.item.title for t in facts.liked):
                verdict.problems.append(f"says the user loved {facts.item.title}, which they did not say")
        # "If you loved the action thriller", "If you loved Action": the user loved the titles they named, nothing else
        loved = re.search(r"^(?:if|since)\s+you(?:'ve| have)?\s+(?:really\s+)?(?:loved|liked|enjoyed)\s+(?:the\s+(?:film|movie|classic)\s+)?(\S)", text, re.I)
        if loved and loved.group(1) not in (_TITLE_MARK, _ITEM_MARK):
            verdict.problems.append("says the user loved something they did not name")
        # "Since you asked for Pulp Fiction": users ask for kinds of movie; a title they loved or the pick itself
        # was never asked for.
        if re.search(rf"\byou(?:'re| are| were)?\s+(?:asked|asking|wanted|requested|looking)\s+(?:for\s+)?"
                     rf"[{_ITEM_MARK}{_TITLE_MARK}]", text, re.IGNORECASE):
            verdict.problems.append("says the user asked for a title, which they did not")

    def _wish_pattern(self, wish: str) -> re.Pattern:
        """The words that refer to a wish: our list, else the understanding's phrasings of it, else the label."""
        if wish not in self._wish_rx:
            words = list(WISH_WORDS.get(wish, ()))
            if not words:
                from lexicon.wishes import WISHES

                words = [re.escape(p).replace(r"\ ", r"[- ]") for p in WISHES.get(wish, ())]
            self._wish_rx[wish] = re.compile(r"\b(?:" + "|".join([re.escape(wish), *words]) + r")\b", re.IGNORECASE)
        return self._wish_rx[wish]

    def _exact_title(self, span: str) -> bool:
        # ratio 100 at the cutoff: only a title in the linker's own canonical form, no near miss
        return self.linker is not None and len(span) > 3 and self.linker.is_catalog_title(span, cutoff=100.0)

    def _is_title(self, span: str) -> bool:
        return self.linker is not None and self.linker.is_catalog_title(span)

    # --- other films, ties ---------------------------------------------------------------------
    def _about_another_film(self, text: str, named: set[str], people: set[str], facts: Facts, verdict: Verdict) -> None:
        """A liked title may be compared ("If you loved Inception, ...", "Fans of Alien"), never described: "Martin
        Scorsese directed Shutter Island" on The Departed's card, "John R. Leonetti's The Conjuring is a horror movie"
        on Annabelle's. Only what the facts share between them may be said (the item's director also directed a
        liked title), and then in a sentence about the item."""
        liked = _TITLE_MARK
        said = []
        if re.search(rf"{liked}\s*(?:\(\d{{4}}\)\s*)?(?:is|was|are|were|has|had|follows|features|stars|tells|brings)\b", text, re.I) \
                or re.search(rf"{liked}\s*,\s*(?:(?:which|that)\s+(?!you\b)|(?:an?|directed|starring)\b)", text, re.I):
            said.append("describes a liked title, not this film")
        role = re.search(rf"(?:{_PERSON_MARK}['’]s\s+|\b(?:directed|directs|made|makes|starred in|stars in|starring in|"
                         rf"plays in|played in)\s+(?:the\s+(?:film|movie)\s+)?){liked}", text, re.I)
        if role:
            shared = facts.shared_people and any(p in people for p, _, _ in facts.shared_people)
            if not shared or "item" not in named:
                said.append("says who made or stars in a liked title, not this film")
        for why in said:
            verdict.problems.append(f"speaks of another film: {why}")

    def _other_kinds(self, text: str) -> list[str]:
        """Words for another catalog's kind of item ("a fun action movie" said of a shop's tent)."""
        catalog = getattr(self.linker, "catalog", None)
        if catalog is None:
            return []
        ours = noun_words(catalog.noun, catalog.nouns)
        words = {w.lower() for w in re.findall(r"[A-Za-z]+", text)}
        return sorted(w for kind in NOUN_WORDS.values() for w in kind if w in words and w not in ours)

    def _other_words(self, facts: Facts) -> set[str]:
        """Words the facts give beyond the description: the user's wishes, the kinds of item, the asked-for years."""
        words = " ".join((*facts.wishes, *facts.item.genres, facts.period or ""))
        catalog = getattr(self.linker, "catalog", None)
        # The catalog's own word for its items ("a shop's product is no movie"); without one, a movie's words.
        kinds = noun_words(catalog.noun, catalog.nouns) if catalog is not None else noun_words("movie", "movies")
        return {w.lower() for w in re.findall(r"[A-Za-z]+", words)} | kinds

    def _ties(self, text: str, named: set[str], facts: Facts, verdict: Verdict) -> None:
        verdict.ties += [f"liked {t}" for t in facts.liked if t in named]
        verdict.ties += [f"wish {w}" for w in facts.wishes if self._wish_pattern(w).search(text)]
        speaks_to_user = re.search(r"\b(?:you|your|you're|you've|you'll)\b", text, re.IGNORECASE)
        for rx, genres in self._genre_rx:
            if not rx.search(text):
                continue
            if set(genres) & set(facts.wanted_genres):
                verdict.ties.append(f"asked-for genre {rx.search(text).group(0).lower()}")
            elif speaks_to_user and set(genres) & set(facts.shared_genres) and facts.liked:
                verdict.ties.append(f"genre of liked movies {rx.search(text).group(0).lower()}")
        if facts.period and facts.item.year and re.search(
                rf"\b{facts.item.year}\b|\b{facts.decade}s\b|['’]?\b{facts.decade % 100:02d}s\b", text):
            verdict.ties.append(f"asked-for years {facts.period}")
        verdict.ties = list(dict.fromkeys(verdict.ties))


def _specifics(text: str, named: set[str], people: set[str], facts: Facts, plot: list[str]) -> list[str]:
    """The facts beyond genre and year a (masked) sentence uses: liked titles and people it names, subjects of
    the item it mentions, and the plot words it takes from the item's description."""
    used = [f"liked {t}" for t in facts.liked if t in named] + [f"person {p}" for p in sorted(people)]
    used += [f"subject {s}" for s in facts.subjects if re.search(rf"\b{re.escape(s)}\b", text, re.IGNORECASE)
             and not all(is_genre_word(w) for w in s.split())]  # "romantic comedy" is a genre
    used += [f"description {w!r}" for w in plot]
    return used


def _described(span: str, facts: Facts) -> bool:
    """Whether every word of a capitalised span is a capitalised word of the item's description ("Deputy U.S.
    Marshal Edward Daniels" in Shutter Island's): a name the source states, not one the model made up."""
    capitals = set(re.findall(r"[A-Z][\w'’.-]*", facts.item.description or ""))
    words = [w.rstrip(".,") for w in span.split() if w.lower() not in _LINK_WORDS]
    return bool(words) and all(w in capitals or w + "." in capitals for w in words)


def _fact_words(facts: Facts) -> set[str]:
    """Every word the facts and the user's wishes give (a rare subject like "kaiju" is no invented word)."""
    item = facts.item
    text = " ".join((item.description, *item.tags, *facts.subjects, *facts.wishes, *item.genres))
    return {w.lower() for w in re.findall(r"[A-Za-z]+", text)}


def is_genre_word(word: str) -> bool:
    word = word.strip(".,;:!?'’")
    return word.lower() in ("film-noir", "children's") or any(re.fullmatch(p, word, re.IGNORECASE) for p in GENRE_CLAIMS)


def _starts_sentence(text: str, at: int) -> bool:
    before = text[:at].rstrip(" \"“'‘(")
    return not before or before[-1] in ".!?:" or before.endswith((_TITLE_MARK, _ITEM_MARK)) and not before[:-1].strip()
