"""Wikipedia's film articles (prust/wikipedia-movie-data): the opening paragraph, cast, genres and directors.

`wikipedia-movies/movies-<decade>s.json` holds the films of Wikipedia's "List of American films of YEAR"
pages with each article's opening paragraph (`extract`), its page name (`href`), cast and genres;
`film-lists-2016.json` holds the same list pages' rows up to 2016 with a `director` column.

A ReDial film reaches its article in two ways, the first that works:
1. through its IMDb id (`links/redial_imdb.csv`) and Wikidata's English Wikipedia page for that IMDb id
   (`wikidata-films/wikidata-movies.json.gz`), which needs no title matching and so also finds films ReDial
   misnamed ("Jumanji (2017)" is Jumanji: Welcome to the Jungle). The link is refused where the article's
   year differs from ReDial's by more than one (an IMDb id that points at a remake or a sequel), or where the
   two titles share too little to be one film's names (ReDial's "It (1990)" has Goodfellas' IMDb id, "Heat
   (1996)" Poison Ivy II's): that costs a few true renamings ("Fast 8") and keeps wrong facts out;
2. by normalised title and year (plus or minus one), where exactly one article fits and its opening
   sentence calls the work a film (the list pages also link television series and books).

Directors come from the 2016 lists' row for the same article (its title and year), and otherwise from the
paragraph's own "directed by" phrase in a sentence about this film ("X is a 2014 American action film
directed by Chad Stahelski", "The film was directed by Ryan Coogler", "Directed by Tim Miller, it ...").
Names are read as the source writes them; a pronoun ("directed by him") gives none.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from rapidfuzz import fuzz

from catalog.movie_build.redial import Film
from catalog.movie_build.titles import title_key
from catalog.movie_build.wikidata_films import WikidataFilms, imdb_links
from catalog.movie_build.wikipedia import film_head, first_sentence

YEAR_TOLERANCE = 1
MAX_CAST = 8
MIN_TITLE_SIMILARITY = 60  # rapidfuzz token_set_ratio of the title keys (or of them without spaces: "MASH", "M*A*S*H")

# Wikipedia's genre labels in the catalog's vocabulary (MovieLens' 18 names) and as subjects: "Superhero" is
# Action plus the subject "superhero"; a label that says no genre ("Spy", "Sports") is a subject only;
# "Silent", "Short", "Independent" and "Live Action" describe the form, not the kind of story.
WIKIPEDIA_GENRES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "Action": (("Action",), ()), "Adventure": (("Adventure",), ()), "Animated": (("Animation",), ()),
    "Comedy": (("Comedy",), ()), "Crime": (("Crime",), ()), "Documentary": (("Documentary",), ()),
    "Drama": (("Drama",), ()), "Family": (("Children's",), ()), "Fantasy": (("Fantasy",), ()),
    "Horror": (("Horror",), ()), "Musical": (("Musical",), ()), "Mystery": (("Mystery",), ()),
    "Noir": (("Film-Noir",), ()), "Romance": (("Romance",), ()), "Science Fiction": (("Sci-Fi",), ()),
    "Suspense": (("Thriller",), ()), "Thriller": (("Thriller",), ()), "War": (("War",), ()),
    "Western": (("Western",), ()),
    "Superhero": (("Action",), ("superhero",)), "Slasher": (("Horror",), ("slasher",)),
    "Martial Arts": (("Action",), ("martial arts",)), "Satire": (("Comedy",), ("satire",)),
    "Biography": (("Drama",), ("biographical",)),  # as MovieLens files biographies (and catalog.movie_build.genres)
    "Spy": ((), ("spy",)), "Sports": ((), ("sports",)), "Sport": ((), ("sports",)), "Disaster": ((), ("disaster",)),
    "Supernatural": ((), ("supernatural",)), "Teen": ((), ("teen",)), "Political": ((), ("political",)),
    "Legal": ((), ("legal",)), "Historical": ((), ("historical",)), "Dance": ((), ("dance",)),
    "Found Footage": ((), ("found footage",)), "Erotic": ((), ("erotic",)), "Performance": ((), ("concert",)),
    "Silent": ((), ()), "Short": ((), ()), "Independent": ((), ()), "Live Action": ((), ()),
}

# A person's name as written: capitalised words, initials ("J. J."), particles ("von", "de"), hyphens.
_NAME_WORD = r"(?:[A-Z]\.(?:\s?[A-Z]\.)*|[A-ZÀ-Ý][A-Za-zà-ÿ'’]*(?:-[A-Za-zà-ÿ'’]+)*)"
_PARTICLE = r"(?:von|van|de|del|der|da|di|du|la|le|St\.)"
_NAME = rf"{_NAME_WORD}(?:\s(?:{_PARTICLE}\s)?{_NAME_WORD}){{0,3}}"
_DIRECTED_BY = re.compile(rf"(?<!co-)directed by (?P<names>{_NAME}(?:(?:,\s|,?\sand\s){_NAME})*)")
# Sentences about the article's own film: its first sentence, or one that opens on the film or the phrase.
_ABOUT_THIS_FILM = re.compile(r"^(?:The film|It|Directed by|The movie)\b|^[^.]*?,\s(?:it|the film)\s(?:was|is)\s")
_NOT_NAMES = {"The", "It", "He", "She", "They", "His", "Her", "Their"}
_CAST_NOISE = re.compile(r"^(?:voices? of|narrated by|with|and|starring)(?:\s+|$)", re.I)


@dataclass
class WikipediaFilm:
    page: str  # the English Wikipedia page name ("Get_Out"): the credit for its text
    title: str
    year: int
    extract: str
    cast: list[str]
    genres: list[str]  # Wikipedia's labels as given ("Animated", "Superhero")


@dataclass
class WikipediaFacts:
    films: dict[str, WikipediaFilm] = field(default_factory=dict)  # ReDial id -> its article
    joined_by: dict[str, str] = field(default_factory=dict)  # ReDial id -> "imdb" or "title"
    directors: dict[str, list[str]] = field(default_factory=dict)  # from the lists, else the "directed by" phrase
    directors_from: dict[str, str] = field(default_factory=dict)  # ReDial id -> "lists" or "paragraph"
    list_cast: dict[str, list[str]] = field(default_factory=dict)  # the 2016 lists' cast, where no article has one
    list_genres: dict[str, list[str]] = field(default_factory=dict)  # the 2016 lists' genre words, as written
    refused_years: list[tuple[Film, str, int]] = field(default_factory=list)  # IMDb joins refused by the year
    refused_titles: list[tuple[Film, str, int]] = field(default_factory=list)  # IMDb joins refused by the title


def _page_name(href: str) -> str:
    return unquote(href).replace("_", " ").strip()


def read_articles(folder: Path) -> list[dict]:
    rows = []
    for path in sorted(folder.glob("movies-*s.json")):
        with open(path, encoding="utf-8") as handle:
            rows += [row for row in json.load(handle) if row.get("extract") and row.get("href")]
    return rows


_INFOBOX = re.compile(r"\s*\|\s*\w+\s*=.*$")  # a few extracts run on into their infobox ("| director = ...")
_PRONUNCIATION = re.compile(r"\s*\(/[^()]*\)")


def clean_extract(text: str) -> str:
    """The paragraph with whitespace collapsed, infobox residue and pronunciations cut, ending on a whole sentence."""
    text = _PRONUNCIATION.sub("", _INFOBOX.sub("", " ".join(text.split()))).strip()
    if text.endswith((".", "!", "?", '"')):
        return text
    whole = sentences(text)[:-1]  # the last one was cut by the source
    return " ".join(whole) if whole else ""


def clean_people(names: list[str]) -> list[str]:
    """The list pages' cells split on commas, with 'voices of' and stray brackets dropped."""
    out = []
    for cell in names:
        for name in cell.split(","):
            name = _CAST_NOISE.sub("", " ".join(name.split())).strip(" ()[]")
            if name and any(c.isalpha() for c in name) and not any(c in name for c in "()[]"):
                out.append(name)
    return list(dict.fromkeys(out))


def _split_names(text: str) -> list[str]:
    """'Anthony and Joe Russo' -> both Russos; 'Joel Coen, Ethan Coen' -> both."""
    parts = [p.strip() for p in re.split(r",\s(?:and\s)?|,?\sand\s", text) if p.strip()]
    if len(parts) > 1 and len(parts[0].split()) == 1 and len(parts[-1].split()) > 1:
        surname = parts[-1].split()[-1]
        parts = [p if len(p.split()) > 1 else f"{p} {surname}" for p in parts]
    return [p for p in parts if p.split()[0] not in _NOT_NAMES and len(p.split()) > 1 and not p.endswith("-")]


def sentences(paragraph: str) -> list[str]:
    out, rest = [], paragraph.strip()
    while rest:
        head = first_sentence(rest)
        if not head or len(head) >= len(rest):
            out.append(rest)
            break
        out.append(head)
        rest = rest[len(head):].strip()
    return out


def directed_by(extract: str) -> list[str]:
    """Directors the paragraph names in a sentence about this film; [] when none is named there."""
    for n, sentence in enumerate(sentences(extract)):
        if n and not _ABOUT_THIS_FILM.search(sentence):
            continue
        match = _DIRECTED_BY.search(sentence)
        if match:
            names = _split_names(match["names"])
            if names:
                return names
    return []


def same_film_names(ours: str, theirs: str) -> bool:
    """Whether two titles can name one film: "Jumanji" and "Jumanji: Welcome to the Jungle" can, "It" and "Goodfellas" not."""
    a, b = title_key(ours), title_key(theirs)
    return max(fuzz.token_set_ratio(a, b), fuzz.ratio(a.replace(" ", ""), b.replace(" ", ""))) >= MIN_TITLE_SIMILARITY


def _is_film(extract: str) -> bool:
    sentence = sentences(extract)[0] if extract else ""
    return film_head(sentence) is not None


def join_articles(sources: Path, films: list[Film], wikidata_films: WikidataFilms) -> WikipediaFacts:
    folder = sources / "wikipedia-movies"
    articles = read_articles(folder)
    by_page = {}
    by_title_year: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for row in articles:
        by_page.setdefault(_page_name(row["href"]), row)
        by_title_year[(title_key(row["title"]), int(row["year"]))].append(row)
    links = imdb_links(sources)
    facts = WikipediaFacts()
    chosen: dict[str, dict] = {}
    for film in films:
        if not film.title:
            continue
        linked = wikidata_films.by_imdb.get(links.get(film.id, ""))
        row = by_page.get(linked.page) if linked and linked.page else None
        if row is not None and film.year is not None and abs(int(row["year"]) - film.year) > YEAR_TOLERANCE:
            facts.refused_years.append((film, row["title"], int(row["year"])))
            row = None
        if row is not None and not same_film_names(film.title, row["title"]):
            facts.refused_titles.append((film, row["title"], int(row["year"])))
            row = None
        if row is not None:
            chosen[film.id], facts.joined_by[film.id] = row, "imdb"
            continue
        if film.year is None:
            continue
        fits = {r["href"]: r for y in range(film.year - YEAR_TOLERANCE, film.year + YEAR_TOLERANCE + 1)
                for r in by_title_year.get((title_key(film.title), y), []) if _is_film(r["extract"])}
        if len(fits) == 1:
            chosen[film.id], facts.joined_by[film.id] = next(iter(fits.values())), "title"
    # Two ReDial ids on one article (a duplicate row of the list) both keep it: it is the same film.
    for film_id, row in chosen.items():
        facts.films[film_id] = WikipediaFilm(_page_name(row["href"]).replace(" ", "_"), row["title"], int(row["year"]),
                                             clean_extract(row["extract"]), clean_people(row.get("cast") or []),
                                             list(row.get("genres") or []))
    _read_lists(folder, films, facts)
    return facts


def _read_lists(folder: Path, films: list[Film], facts: WikipediaFacts) -> None:
    """Directors (and cast, genres) from the 2016 lists: the row of the joined article, else of ReDial's title and year."""
    with open(folder / "film-lists-2016.json", encoding="utf-8") as handle:
        rows = json.load(handle)
    by_title_year: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for row in rows:
        by_title_year[(title_key(row["title"]), int(row["year"]))].append(row)
    for film in films:
        if not film.title:
            continue
        article = facts.films.get(film.id)
        if article is not None:
            candidates = by_title_year.get((title_key(article.title), article.year), [])
        elif film.year is not None:
            candidates = [r for y in range(film.year - YEAR_TOLERANCE, film.year + YEAR_TOLERANCE + 1)
                          for r in by_title_year.get((title_key(film.title), y), [])]
        else:
            candidates = []
        row = candidates[0] if len(candidates) == 1 else None
        if row is not None:
            directors = clean_people(row.get("director") or [])
            if directors:
                facts.directors[film.id], facts.directors_from[film.id] = directors, "lists"
            cast = clean_people(row.get("cast") or [])
            if cast:
                facts.list_cast[film.id] = cast[:MAX_CAST]
            if row.get("genre"):
                facts.list_genres[film.id] = [g for g in row["genre"] if g]
        if film.id not in facts.directors and article is not None:
            named = directed_by(article.extract)
            if named:
                facts.directors[film.id], facts.directors_from[film.id] = named, "paragraph"


def wikipedia_genres(labels: list[str]) -> tuple[list[str], list[str]]:
    """Wikipedia's labels as (catalog genres, subjects)."""
    genres, subjects = [], []
    for label in labels:
        mapped, subject = WIKIPEDIA_GENRES.get(label, ((), ()))
        genres += mapped
        subjects += subject
    return sorted(set(genres)), list(dict.fromkeys(subjects))
