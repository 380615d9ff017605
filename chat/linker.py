"""Link the titles people type to catalog items.

People write "the empire strikes back", "Empire Strikes Back, The", "star wars (1977)",
"Godfather" or "Termintor". We index several normalized aliases per item and scan the
message for the longest alias spans (exact), then fall back to fuzzy matching
(rapidfuzz) for spans that follow a cue such as "loved" or "seen".

Aliases are compared in a *canonical* form, so the common ways of writing a sequel meet:
roman numerals and number words become digits and "part" before a number is dropped
("the godfather part ii" = "godfather part 2" = "godfather 2"). A title with a subtitle is
also known by its main part when that part ends in a sequel number ("Terminator 2: Judgment
Day" -> "terminator 2") or names no other movie, and by its subtitle ("the wrath of khan") when
the user capitalizes it or puts it after a cue.

Ambiguity rule (no year given; the year always decides):
  * several movies carry the same title ("Cape Fear" 1962 and 1991), or
  * the words are the full title of one movie and the start of 2 or more other titles
    ("Batman" -> Batman Returns, Batman Forever, Batman & Robin), or
  * the words are no title but the shared name of 2 or more titles ("Star Trek", "Three Colors"):
the mention gets `candidates` (and the dialogue asks which one is meant) unless one of them
is much better known: when the best-known candidate has at least `DOMINANCE` times the
ratings of every other one, it is taken ("Alien" -> Alien (1979), not Alien 3 or Alien:
Resurrection; "Scream" -> Scream (1996)). A full title that starts only one other title is
always taken as itself ("The Godfather", "The Terminator"). A name shared by titles but
naming none of them always asks.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from catalog.model import Catalog, Item
from chat.vocabulary import normalize, words_for  # normalize stays importable from here

ARTICLES = ("the", "a", "an")
MAX_SPAN = 20  # words in the longest alias we look for
# Titles made of everyday words ("Heat", "Big", "Speed", "Something to Talk About") only
# count when the user capitalized or quoted them, or put them right after a cue like "loved".
COMMON_SINGLE_ZIPF = 4.0  # one content word at least this frequent in English
COMMON_ALL_ZIPF = 5.5  # every content word at least this frequent
DOMINANCE = 2.0  # a candidate with this many times the ratings of every other one is taken without asking
MAX_CANDIDATES = 6  # at most this many candidates are offered in a clarifying question

_NUMBERS = {
    "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7", "viii": "8", "ix": "9",
    "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
    "ten": "10", "eleven": "11", "twelve": "12",
}
_PART_WORDS = {"part", "pt", "episode", "chapter", "vol", "volume"}
# Well-known names that the catalog's titles do not contain (keyed by the catalog's display title).
EXTRA_ALIASES: dict[str, tuple[str, ...]] = {
    "Star Wars (1977)": ("star wars 4", "star wars episode 4", "star wars a new hope", "a new hope"),
    "The Empire Strikes Back (1980)": ("star wars 5", "star wars episode 5", "star wars the empire strikes back"),
    "Return of the Jedi (1983)": ("star wars 6", "star wars episode 6", "star wars return of the jedi"),
    "Terminator 2: Judgment Day (1991)": ("t2",),
}


def canonical_words(words: list[str]) -> list[str]:
    """Normalized words -> the form aliases are compared in: numerals as digits, no 'part' before a number."""
    out = [_NUMBERS.get(w, w) for w in words]
    return [w for i, w in enumerate(out) if not (w in _PART_WORDS and i + 1 < len(out) and out[i + 1].isdigit())]


def canonical(text: str) -> str:
    return " ".join(canonical_words(normalize(text).split()))


def _main_and_subtitle(title: str) -> tuple[str, str]:
    """'Star Trek VI: The Undiscovered Country' -> ('Star Trek VI', 'The Undiscovered Country')."""
    if ":" not in title:
        return title, ""
    main, _, sub = title.partition(":")
    return main.strip(), sub.strip()


def aliases(item: Item) -> set[str]:
    """Canonical names an item may be called by (its full title, without article, with year)."""
    names = {item.title}
    main = re.sub(r"\s*\([^()]*\)$", "", item.title)  # drop an alternative title in parentheses
    names.add(main)
    alt = re.search(r"\(([^()]*)\)$", item.title)
    if alt and len(alt.group(1)) > 3:
        names.add(alt.group(1))
    return _variants(names, item.year)


def _variants(names: set[str], year: int | None) -> set[str]:
    found: set[str] = set()
    for name in names:
        n = canonical(name)
        if not n:
            continue
        found.add(n)
        words = n.split()
        if words[0] in ARTICLES and len(words) > 1:
            found.add(" ".join(words[1:]))
    if year:
        found |= {f"{a} {year}" for a in list(found)}
    return found


@dataclass(frozen=True)
class Mention:
    item_ids: tuple[int, ...]  # the movie meant (several ids only for the catalog's duplicate rows)
    start: int  # word span in the normalized message
    end: int
    text: str  # the words as matched
    fuzzy: bool = False
    candidates: tuple[int, ...] = ()  # set when the words fit several movies: ask which one (oldest first)
    missing: str = ""  # a title written with its year that the catalog lacks: "Avengers: Infinity War (2018)"

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1


class TitleLinker:
    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        # Only items with a name can be named: an untitled one would answer to its bare year ("2015").
        self.titled = [item for item in catalog.items if item.titled]
        pop = catalog.popularity
        # Duplicate rows (same title and year twice in ml-100k) are one movie: the better-known row leads.
        by_display: dict[str, list[int]] = {}
        for item in self.titled:
            by_display.setdefault(item.display, []).append(item.id)
        self.same_movie: dict[int, tuple[int, ...]] = {}
        for ids in by_display.values():
            ids.sort(key=lambda i: -pop[i])
            for i in ids:
                self.same_movie[i] = tuple(ids)
        self.alias_to_ids: dict[str, list[int]] = {}
        for item in self.titled:
            for alias in aliases(item):
                self.alias_to_ids.setdefault(alias, []).append(item.id)
        self._add_main_titles_and_subtitles()
        # Word prefixes of titles: "batman" starts "batman returns", "batman forever", ...
        self.prefix_to_ids: dict[str, set[int]] = {}
        for alias, ids in self.alias_to_ids.items():
            last = alias.split()[-1]
            if last.isdigit() and len(last) == 4:
                continue  # "batman 1989" is the title itself plus its year
            for prefix in _word_prefixes(alias):
                self.prefix_to_ids.setdefault(prefix, set()).update(ids)
        # Nicknames ("star wars 6") are no titles of their own: they never make "star wars" ambiguous.
        for title, extra in EXTRA_ALIASES.items():
            ids = by_display.get(title)
            if ids:
                for alias in extra:
                    self.alias_to_ids.setdefault(canonical(alias), []).append(ids[0])
        # Most popular first, so an ambiguous alias offers the best-known item first.
        for ids in self.alias_to_ids.values():
            ids[:] = sorted(set(ids), key=lambda i: -pop[i])
        self._alias_list = list(self.alias_to_ids)
        self.needs_cue = {a for a in self._alias_list if _is_everyday_phrase(a)} | self._subtitles
        # Titles that are category words ("War", "Fantasia" is fine) count only when capitalized or quoted.
        category_words = words_for(self.catalog).phrases
        self.needs_capital = {a for a in self._alias_list
                              if a in category_words or " ".join(a.split()[1:]) in category_words and a.split()[0] in ARTICLES}
        self.series = self._series_names()

    def _add_main_titles_and_subtitles(self) -> None:
        """'Terminator 2: Judgment Day' is also 'terminator 2' and 'judgment day' when those name no other movie."""
        mains: dict[str, set[int]] = {}
        subs: dict[str, set[int]] = {}
        for item in self.titled:
            main, sub = _main_and_subtitle(re.sub(r"\s*\([^()]*\)$", "", item.title))
            if not sub:
                continue
            for alias in _variants({main}, item.year):
                mains.setdefault(alias, set()).add(item.id)
            if not re.match(r"(?i)part\b", sub):
                for alias in _variants({sub}, item.year):
                    subs.setdefault(alias, set()).add(item.id)
        self._subtitles: set[str] = set()
        # Ids under each word prefix of the aliases so far: "does a longer title start with this one?" in one lookup.
        under_prefix: dict[str, set[int]] = {}

        def index_prefixes(alias: str, ids) -> None:
            for prefix in _word_prefixes(alias):
                under_prefix.setdefault(prefix, set()).update(ids)

        for alias, ids in self.alias_to_ids.items():
            index_prefixes(alias, ids)
        for table, is_sub in ((mains, False), (subs, True)):
            for alias, ids in table.items():
                words = alias.split()
                if alias in self.alias_to_ids or len(ids) > 1 or all(w.isdigit() for w in words):
                    continue  # "alien" (from Alien: Resurrection) already names Alien (1979)
                if is_sub and len([w for w in words if w not in ARTICLES and not w.isdigit()]) < 2:
                    continue  # one-word subtitles ("Resurrection", "Bloodline") are too vague
                main_words = [w for w in words if not (len(w) == 4 and w.isdigit())]
                if not is_sub and not main_words[-1].isdigit() and under_prefix.get(alias, set()) - ids:
                    continue  # a longer alias of another movie begins with this one ("terminator" -> "terminator 2")
                self.alias_to_ids[alias] = list(ids)
                index_prefixes(alias, ids)
                if is_sub:
                    self._subtitles.add(alias)

    def _series_names(self) -> dict[str, set[int]]:
        """Names shared by 2+ titles before a colon or a sequel number ("star trek", "three colors")."""
        series: dict[str, set[int]] = {}
        for item in self.titled:
            main, sub = _main_and_subtitle(re.sub(r"\s*\([^()]*\)$", "", item.title))
            words = canonical(main).split()
            if words and words[0] in ARTICLES:
                words = words[1:]
            if len(words) > 1 and words[-1].isdigit() and len(words[-1]) < 4:
                words = words[:-1]
            elif not sub:
                continue
            name = " ".join(words)
            if name and not all(w.isdigit() for w in words):
                series.setdefault(name, set()).add(item.id)
        return {n: ids for n, ids in series.items() if len(ids) > 1 and n not in self.alias_to_ids
                and not _is_everyday_phrase(n)}

    # --- finding titles in a message ------------------------------------------------
    def find(self, message: str, cue_positions: set[int] | None = None) -> list[Mention]:
        """Title mentions in a message, left to right, longest match first, no overlaps.

        `cue_positions` are word indexes right after a cue word ("loved", "seen"): a short
        common-word title counts there even in lower case.
        """
        words, capitalized, dated = _words_with_case(message)
        canon = [_NUMBERS.get(w, w) for w in words]
        cue_positions = cue_positions or set()
        mentions = self._dated_titles(message, words, canon, capitalized, dated)
        taken = {i for m in mentions for i in range(m.start, m.end)}
        i = 0
        while i < len(words):
            match = None if i in taken else self._match_at(words, canon, capitalized, cue_positions, i)
            if match and not taken & set(range(match.start, match.end)):
                mentions.append(match)
                i = match.end
            else:
                i += 1
        return sorted(mentions, key=lambda m: m.start)

    def mentioned_items(self, text: str) -> list[int]:
        """The catalog items a text names, in order, an ambiguous name as its best-known reading."""
        ids: list[int] = []
        for m in self.find(text):
            if m.missing:
                continue
            best = max(m.candidates, key=lambda c: self.catalog.popularity[c]) if m.ambiguous else m.item_ids[0]
            if best not in ids:
                ids.append(self.same_movie[best][0])
        return ids

    def _dated_titles(self, message, words, canon, capitalized, dated) -> list[Mention]:
        """Titles written with their year in parentheses, as people and recorded dialogues often do:
        "Superman (1978)". The longest words before the year that name a catalog movie of that year
        (give or take one: sources disagree) link to it; when none does, the capitalized words before
        the year are a title the catalog lacks, and no part of them may link to another movie."""
        mentions: list[Mention] = []
        floor = 0
        for y in sorted(dated):
            year = int(words[y])
            best = None
            # "Godfather, The (1972)": MovieLens' trailing article may stand before the year.
            ends = (y, y - 1) if y - 1 > floor and words[y - 1] in ARTICLES else (y,)
            spans = [(start, end) for end in ends for start in range(max(floor, end - MAX_SPAN), end)]
            for start, end in sorted(spans, key=lambda se: se[0] - se[1]):  # longest first
                span = " ".join(canonical_words(canon[start:end]))
                ids = [i for i in self.alias_to_ids.get(span, []) + sorted(self.series.get(span, ()))
                       if self.catalog[i].year and abs(self.catalog[i].year - year) <= 1]
                if ids:
                    exact = [i for i in ids if self.catalog[i].year == year] or ids
                    best = Mention(self.same_movie[exact[0]], start, y + 1, f"{span} {year}")
                    break
            if best is None:
                start = y
                while start > floor and (capitalized[start - 1] or canon[start - 1].isdigit()
                                         or (canon[start - 1] in _TITLE_LINKS and start - 1 > floor and capitalized[start - 2])):
                    start -= 1
                if start == y:
                    continue  # "(1995)" alone names nothing
                best = Mention((), start, y + 1, " ".join(words[start:y + 1]), missing=_raw_title(message, words[start:y], year))
            mentions.append(best)
            floor = y + 1
        return mentions

    def _match_at(self, words, canon, capitalized, cue_positions, i) -> Mention | None:
        if words[i] in _PART_WORDS:
            return None
        for n in range(min(MAX_SPAN, len(words) - i), 0, -1):
            span = " ".join(canonical_words(canon[i:i + n]))
            if len(span) < 2 or (span.isdigit() and n == 1 and f"{span} {words[i + 1] if i + 1 < len(words) else ''}" not in self.alias_to_ids):
                continue  # "I'm" is no mention of "M" (1931), "1990" no mention of a title; "m 1931", "187 1997" are
            ids = self.alias_to_ids.get(span)
            series = self.series.get(span) if not ids else None
            if not ids and not series:
                continue
            if span in self.needs_cue and not (capitalized[i] or i in cue_positions):
                continue
            if span in self.needs_capital and not capitalized[i]:
                continue
            end = i + n
            # "star wars 1977", "godfather, the (1972)": take the year too when it names one of the items.
            year_at = end + 1 if end + 1 < len(words) and words[end] in ARTICLES else end
            if year_at < len(words) and words[year_at].isdigit() and len(words[year_at]) == 4:
                with_year = self.alias_to_ids.get(f"{span} {words[year_at]}")
                if with_year:
                    return Mention(self.same_movie[with_year[0]], i, year_at + 1, f"{span} {words[year_at]}")
                pool = self._candidates(span, ids or [], series or set())
                dated = [c for c in pool if self.catalog[c].year == int(words[year_at])]
                if len(dated) == 1:
                    return Mention(self.same_movie[dated[0]], i, year_at + 1, f"{span} {words[year_at]}")
            # "batman from 1992": a year right after an ambiguous title picks one of its candidates.
            if end + 1 < len(words) and words[end] == "from" and words[end + 1].isdigit():
                pool = self._candidates(span, ids or [], series or set())
                dated = [c for c in pool if self.catalog[c].year == int(words[end + 1])]
                if len(pool) > 1 and len(dated) == 1:
                    return Mention(self.same_movie[dated[0]], i, end + 2, f"{span} {words[end]} {words[end + 1]}")
            return self._mention(span, ids or [], series or set(), i, end)
        return None

    def _mention(self, span: str, ids: list[int], series: set[int], start: int, end: int,
                 fuzzy: bool = False) -> Mention:
        pool = self._candidates(span, ids, series)
        ask = self._should_ask(span, ids, pool)
        best = ids[0] if ids else max(pool, key=lambda c: self.catalog.popularity[c])
        candidates = self._offer(pool) if ask else ()
        return Mention(self.same_movie[best], start, end, span, fuzzy=fuzzy, candidates=candidates)

    def _candidates(self, span: str, ids: list[int], series: set[int]) -> list[int]:
        """Distinct movies the words may mean: exact titles first, then titles they start (no duplicates rows)."""
        movies: list[int] = []
        for i in list(ids) + sorted(series) + sorted(self.prefix_to_ids.get(span, set()) if ids else []):
            lead = self.same_movie[i][0]
            if lead not in movies:
                movies.append(lead)
        return movies

    def _should_ask(self, span: str, ids: list[int], pool: list[int]) -> bool:
        if span.split()[-1].isdigit() and len(span.split()[-1]) == 4:
            return False  # a year was given
        exact = {self.same_movie[i][0] for i in ids}
        others = [c for c in pool if c not in exact]
        if not exact:
            return len(pool) > 1  # a series name that is no title: always ask
        if len(exact) == 1 and len(others) < 2:
            return False  # "the godfather" (only Part II starts with it) is The Godfather
        if len(pool) < 2:
            return False
        pop = self.catalog.popularity
        counts = sorted((pop[c] for c in pool), reverse=True)
        return counts[0] < DOMINANCE * counts[1]

    def _offer(self, pool: list[int]) -> tuple[int, ...]:
        pop = self.catalog.popularity
        top = sorted(pool, key=lambda c: -pop[c])[:MAX_CANDIDATES]
        return tuple(sorted(top, key=lambda c: (self.catalog[c].year or 0, self.catalog[c].title)))

    def fuzzy(self, phrase: str, cutoff: float = 86.0) -> Mention | None:
        """Best catalog title for a phrase with typos ("termintor"), or None."""
        query = canonical(phrase)
        if len(query) < 4:
            return None
        hit = process.extractOne(query, self._alias_list, scorer=fuzz.ratio, score_cutoff=cutoff)
        if not hit:
            return None
        alias = hit[0]
        return self._mention(alias, self.alias_to_ids[alias], set(), 0, 0, fuzzy=True)

    def is_catalog_title(self, phrase: str, cutoff: float = 92.0) -> bool:
        """Whether a phrase names a catalog item (used to check generated text)."""
        query = canonical(re.sub(r"\(\d{4}\)", "", phrase))
        if query in self.alias_to_ids:
            return True
        return process.extractOne(query, self._alias_list, scorer=fuzz.ratio, score_cutoff=cutoff) is not None

    def items(self, mention: Mention) -> list[Item]:
        return [self.catalog[i] for i in mention.item_ids]


def _word_prefixes(alias: str) -> list[str]:
    """The shorter word prefixes of an alias: "star wars 1977" -> ["star", "star wars"]."""
    words = alias.split()
    return [" ".join(words[:n]) for n in range(1, len(words))]


def _is_everyday_phrase(alias: str) -> bool:
    from wordfreq import zipf_frequency

    words = alias.split()
    content = [w for w in words if w not in ARTICLES and not w.isdigit()]
    if not content:
        return len(words) < 2 or not (len(words[-1]) == 4 and words[-1].isdigit())  # "187 1997" is specific
    if len(content) < len(words) - sum(w in ARTICLES for w in words):
        return False  # a number or year makes it specific: "alien 3", "batman 1989"
    freqs = [zipf_frequency(w, "en") for w in content]
    return (len(content) == 1 and freqs[0] >= COMMON_SINGLE_ZIPF) or min(freqs) >= COMMON_ALL_ZIPF


# Small words inside a capitalized title ("Raiders of the Lost Ark", "Beauty and the Beast").
_TITLE_LINKS = {"of", "the", "a", "an", "and", "in", "on", "to", "for", "with", "at", "from", "by", "de", "la", "vs", "or"}


def _words_with_case(message: str) -> tuple[list[str], list[bool], set[int]]:
    """Normalized words of the message, whether each was capitalized or quoted in the original, and
    the positions of years written in parentheses ("Alien (1979)")."""
    # Without combining marks, as `normalize` has them: a mark splits no word ("Z\u0351a\u0346lgo" is one word,
    # as in the word list understanding reads; otherwise word positions disagree).
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", message) if not unicodedata.combining(ch))
    raw = re.findall(r"\(\s*\d{4}\s*\)|[\w'&]+|[\"“”«»]", unicodedata.normalize("NFKC", plain))
    words: list[str] = []
    capitalized: list[bool] = []
    dated: set[int] = set()
    quoted = False
    for token in raw:
        if token in "\"“”«»":
            quoted = not quoted
            continue
        if token.startswith("("):
            dated.add(len(words))
            words.append(token.strip("( )"))
            capitalized.append(False)
            continue
        norm = normalize(token)
        for part in norm.split():
            words.append(part)
            capitalized.append(token[:1].isupper() or quoted)
    return words, capitalized, dated


def _raw_title(message: str, words: list[str], year: int) -> str:
    """The title as the user wrote it ("Avengers: Infinity War (2018)"), else its normalized words."""
    pattern = r"[\W_]+".join(re.escape(w) for w in words) + r"[\W_]*\(\s*" + str(year) + r"\s*\)"
    m = re.search(pattern, unicodedata.normalize("NFKC", message), flags=re.IGNORECASE)
    return m.group(0) if m else f"{' '.join(words)} ({year})"
