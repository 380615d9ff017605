"""Wikidata's (and DBpedia's) genre labels mapped onto the 18 MovieLens genre names.

The chat's claim checker and mood words know MovieLens' names (Action ... Western), so the catalog
speaks that vocabulary. A label is mapped by the genre words it contains ("romantic comedy" ->
Romance + Comedy, "crime thriller" -> Crime + Thriller, "science fiction film" -> Sci-Fi); a label
without one is walked up Wikidata's subclass hierarchy (wikidata/subclasses.csv) until a mapped genre
is hit on each path ("superhero film" -> action film, adventure film, science fiction film;
"heist film" -> crime film). A label that neither names a genre nor leads to one ("LGBT-related
film", "independent film", "buddy film") maps to nothing. No genre is ever taken from a title.

A few labels are mapped by hand because their words or their parents mislead: a mockumentary is a
comedy, not a documentary; a pseudo-documentary ("found footage") is fiction; "live-action" is not
action.
"""

from __future__ import annotations

import re
from collections import deque
from typing import Iterable, Mapping

MOVIELENS_GENRES = (
    "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama", "Fantasy",
    "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western",
)

# Words that name a genre inside a label (lower case, whole words). "biographical" is Drama as in
# MovieLens; "family film" is Children's.
_GENRE_WORDS: tuple[tuple[str, str], ...] = (
    (r"(?<!live )(?<!live-)\baction\b", "Action"),
    (r"\badventure\b", "Adventure"),
    (r"\banimat(?:ed|ion)\b|\banime\b|\bcartoons?\b", "Animation"),
    (r"\bchildren'?s\b|\bfamily film\b", "Children's"),
    (r"\bcomed(?:y|ies)\b", "Comedy"),
    (r"\bcrime\b", "Crime"),
    (r"\bdocumentar(?:y|ies)\b", "Documentary"),
    (r"\bdrama\b|\bmelodrama\b|\bbiographical\b", "Drama"),
    (r"\bfantasy\b", "Fantasy"),
    (r"\bfilm noir\b", "Film-Noir"),
    (r"\bhorror\b", "Horror"),
    (r"\bmusical\b", "Musical"),
    (r"\bmyster(?:y|ies)\b", "Mystery"),
    (r"\bromance\b|\bromantic\b", "Romance"),
    (r"\bscience fiction\b|\bsci-fi\b", "Sci-Fi"),
    (r"\bthrillers?\b|\bsuspense\b", "Thriller"),
    (r"\bwar\b", "War"),
    (r"\bwestern\b", "Western"),
)
_PATTERNS = tuple((re.compile(pattern), genre) for pattern, genre in _GENRE_WORDS)

# Labels whose words or parents would mislead (see the module docstring); an empty tuple stops the walk.
OVERRIDES: dict[str, tuple[str, ...]] = {
    "mockumentary": ("Comedy",),
    "pseudo-documentary": (),
    "docudrama": ("Drama",),
    "comic science fiction": ("Comedy", "Sci-Fi"),
    "live action": (),
}


def clean_label(label: str) -> str:
    """'Drama_(film_and_television)' -> 'drama'; 'Science fiction film' -> 'science fiction film'."""
    label = re.sub(r"\s*\([^()]*\)$", "", label.replace("_", " "))
    return " ".join(label.lower().split())


def label_genres(label: str) -> tuple[str, ...] | None:
    """The MovieLens genres a label names, () for a label mapped to nothing on purpose, None when it names none."""
    label = clean_label(label)
    if label in OVERRIDES:
        return OVERRIDES[label]
    found = tuple(sorted({genre for pattern, genre in _PATTERNS if pattern.search(label)}))
    return found or None


# Kinds that say no more than a MovieLens genre or nothing at all: they are no keywords.
_PLAIN_KINDS = {"action", "adventure", "animated", "animation", "comedy", "crime", "documentary", "drama", "fantasy",
                "horror", "musical", "mystery", "romance", "science fiction", "thriller", "war", "western", "fiction",
                "feature", "independent", "live action", "short", "3d", "silent", "children's", "family", "speculative fiction"}
_KIND_SUFFIX = re.compile(r"\s+(film|films|movie|cinema|film genre)$")


def keyword_of_kind(label: str) -> str | None:
    """A fine Wikidata genre as a keyword: 'heist film' -> 'heist', 'spy film' -> 'spy'; None for a plain genre."""
    kind = _KIND_SUFFIX.sub("", clean_label(label)).strip()
    if not kind or kind in _PLAIN_KINDS or kind.startswith("q") and kind[1:].isdigit():
        return None
    return kind


class GenreMapper:
    """Maps Wikidata genre QIDs to MovieLens genres through labels and the subclass hierarchy."""

    def __init__(self, labels: Mapping[str, str], parents: Mapping[str, Iterable[str]]):
        self.labels = labels
        self.parents = {child: sorted(set(up)) for child, up in parents.items()}
        self._cache: dict[str, tuple[str, ...]] = {}

    def genres_of(self, qid: str) -> tuple[str, ...]:
        """Genres of one genre QID: its own label's, or else those first hit on each path up the hierarchy."""
        if qid not in self._cache:
            self._cache[qid] = self._walk(qid)
        return self._cache[qid]

    def _walk(self, start: str) -> tuple[str, ...]:
        found: set[str] = set()
        seen = {start}
        queue = deque([start])
        while queue:  # breadth first; the hierarchy has self-loops ("melodrama" -> "melodrama"), hence `seen`
            qid = queue.popleft()
            mapped = label_genres(self.labels.get(qid, ""))
            if mapped is not None:
                found.update(mapped)  # a mapped genre ends its path: its parents are broader, not more
                continue
            for parent in self.parents.get(qid, ()):
                if parent not in seen:
                    seen.add(parent)
                    queue.append(parent)
        return tuple(sorted(found))

    def map_all(self, qids: Iterable[str]) -> tuple[str, ...]:
        return tuple(sorted({genre for qid in qids for genre in self.genres_of(qid)}))
