"""README.md of the built catalog: the dataset card, written by the build from the build's own counts.

Everything in it is computed from the sources (counts, rejected links, the genre table, the
sources' checksums), never from the clock or the paths given on the command line, so the card is
as reproducible as the data and cannot drift from it.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

from catalog.movie_build.build import Build
from catalog.movie_build.dbpedia import MAX_CAST
from catalog.movie_build.genres import MOVIELENS_GENRES
from catalog.movie_build.wikidata import MAX_SUBJECTS
from catalog.movie_build.wikipedia_films import MAX_CAST as WIKIPEDIA_CAST

COMMAND = "python -m catalog build-movies ../shared/data/movies/sources data/movies"
EXAMPLES = 8

# (file under sources/, what the build takes from it, licence and origin): from the sources' README.
SOURCES = (
    ("redial/movies.csv", "the films: ids, titles, years", "CC BY 4.0; ReDial (Li et al., NeurIPS 2018), ReDialData/website"),
    ("redial/train.jsonl", "interactions (4,113 training dialogues)",
     "CC BY 4.0; ReDial training dialogues from the data folders of KGSF, CFCRS, Kepler-aSI-CRS, Irreel/ConversationRecSys, "
     "ShupeiLi/KGSF, amitkumar590/redial_sentimental_analysis and aarushi-nema/UniCRS_GraphRAG"),
    ("links/redial_imdb.csv", "ReDial id -> IMDb id (a join key only)", "identifiers from the iEvaLM-CRS repository (MIT)"),
    ("links/redial_dbpedia.json", "ReDial id -> DBpedia URI", "KGSF repository (data/id2entity.pkl, converted to JSON)"),
    ("wikidata/movie_uri.json", "IMDb id -> Wikidata film", "Wikidata, CC0; MindReader export (MI-911/data-collection-api)"),
    ("wikidata/movies.csv", "labels and years that check the IMDb links", "Wikidata, CC0; MindReader export"),
    ("wikidata/movie_genres.json", "genre QIDs per film", "Wikidata, CC0; MindReader export"),
    ("wikidata/genres.json", "genre labels", "Wikidata, CC0; MindReader export"),
    ("wikidata/categories.csv", "labels of the hierarchy's other nodes", "Wikidata, CC0; MindReader export"),
    ("wikidata/subclasses.csv", "the genre hierarchy", "Wikidata, CC0; MindReader export"),
    ("wikidata/movie_directors.json", "director QIDs per film", "Wikidata, CC0; MindReader export"),
    ("wikidata/movie_subject.csv", "main subjects per film", "Wikidata, CC0; MindReader export"),
    ("wikidata/subjects.json", "subject labels", "Wikidata, CC0; MindReader export"),
    ("dbpedia/entity2id.json", "the graph's URIs", "DBpedia, CC BY-SA 3.0; BitbanChou/LLMKB (the UniCRS files)"),
    ("dbpedia/relation2id.json", "relation names", "DBpedia, CC BY-SA 3.0; BitbanChou/LLMKB"),
    ("dbpedia/dbpedia_subkg.json", "director, starring and genre edges", "DBpedia, CC BY-SA 3.0; BitbanChou/LLMKB"),
    ("wikipedia/first_sentences.txt", "descriptions where no article is joined", "Wikipedia, CC BY-SA; BitbanChou/LLMKB"),
    *((f"wikipedia-movies/movies-{decade}s.json", "articles: opening paragraph, page name, cast, genres",
       "Wikipedia text and facts, CC BY-SA 4.0 (Wikipedia contributors); prust/wikipedia-movie-data (MIT), commit 91ae721")
      for decade in range(1900, 2030, 10)),
    ("wikipedia-movies/film-lists-2016.json", "directors (and cast, genres) from the list pages",
     "Wikipedia, CC BY-SA; prust/wikipedia-movie-data, commit bc306a8"),
    ("wikidata-films/wikidata-movies.json.gz", "IMDb id -> English Wikipedia page, year, genre and director QIDs",
     "Wikidata, CC0; travswim/wikidata-movie-analysis, commit 7288cd4"),
    ("wikidata-films/genres.json.gz", "labels of those genre QIDs", "Wikidata, CC0; travswim/wikidata-movie-analysis"),
)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def shown(film) -> str:
    """'Headhunter (2009)': the film as ReDial names it, spaces collapsed."""
    return " ".join(film.name.split())


def _films(films, limit: int = EXAMPLES) -> str:
    return "; ".join(shown(f) for f in films[:limit]) + ("; ..." if len(films) > limit else "")


def _untitled_sentence(untitled) -> str:
    """What the card says of the films ReDial names only by a year ('' when there are none)."""
    if not untitled:
        return ""
    named = [f'{film.id} "{film.name.strip()}"' for film in untitled]
    ids = " and ".join(named) if len(named) < 3 else ", ".join(named)
    why = (" (182022's IMDb link leads to a 2008 Woody Allen film, while its two training dialogues call it Superbad)"
           if any(film.id == "182022" for film in untitled) else "")
    return (f" {len(untitled)} names are only a year (ids {ids}): their title is empty, and they get no other field: "
            f"there is no title to check a link against{why}. The product holds them for their interactions and ids "
            "and never links, shows or recommends them (`Item.titled`).")


def _joined(result: Build) -> str:
    ways = Counter(result.wikipedia.joined_by.values())
    refused = [f"{shown(f)} -> {title} ({year})" for f, title, year in result.wikipedia.refused_years]
    directors = Counter(result.wikipedia.directors_from.values())
    by_title = [f"{shown(f)} -> {title} ({year})" for f, title, year in result.wikipedia.refused_titles]
    return (f"{ways['imdb']:,} through the IMDb id, {ways['title']:,} by title and year; IMDb joins refused by the year: "
            f"{len(refused)}, e.g. " + "; ".join(refused[:EXAMPLES]) + f"; refused because the titles share too little "
            f"(rapidfuzz similarity of the title keys under 60): {len(by_title)}: " + "; ".join(by_title) + ". Directors from the 2016 lists: "
            f"{directors['lists']:,}, from the article's \"directed by\": {directors['paragraph']:,}")


def _sources_table(sources: Path) -> list[str]:
    rows = ["| file | used for | licence; origin | sha256 (first 16) |", "|---|---|---|---|"]
    rows += [f"| `{name}` | {use} | {licence} | `{sha256(sources / name)}` |" for name, use, licence in SOURCES]
    return rows


def _rejections(result: Build) -> list[str]:
    db, wd = result.dbpedia, result.wikidata
    kinds = Counter(problem for _, _, problem in db.rejected)
    kind_examples = [f"{shown(f)} -> {uri.rsplit('/', 1)[-1].rstrip('>')}" for f, uri, p in db.rejected if p == "kind"]
    year_examples = [f"{shown(f)} -> {uri.rsplit('/', 1)[-1].rstrip('>')}" for f, uri, p in db.rejected if p == "year"]
    relinked = [f"{shown(f)}: {(old or 'no link').rsplit('/', 1)[-1].rstrip('>')} -> {new.rsplit('/', 1)[-1].rstrip('>')}"
                for f, old, new in db.relinked]
    imdb = [f"{shown(f)} -> {label} ({year})" for f, label, year in wd.rejected]
    return [
        f"- DBpedia links rejected as another kind of work (film series, franchise, album, soundtrack, novel, TV "
        f"series, video game, ...): **{kinds['kind']}**, e.g. " + "; ".join(kind_examples[:EXAMPLES]) + ".",
        f"- DBpedia links rejected because the URI's year differs from ReDial's by more than one: **{kinds['year']}**"
        + (", e.g. " + "; ".join(year_examples[:EXAMPLES]) if year_examples
           else " (every URI that states a year agrees with ReDial: the wrong links are among those without one)") + ".",
        f"- DBpedia links replaced by the one film URI of the graph with the same title and ReDial's year (or, when "
        f"none, one year off; the old link had no year, was rejected, or was missing): **{len(db.relinked)}**, e.g. " + "; ".join(relinked[:EXAMPLES]) + ".",
        f"- IMDb links rejected because Wikidata's year of the linked film differs from ReDial's by more than one: "
        f"**{len(wd.rejected)}**, e.g. " + "; ".join(imdb[:EXAMPLES]) + ".",
        f"- IMDb links dropped because the named Wikidata directors share no surname with the directors of a DBpedia "
        f"film that has ReDial's title and year (and Wikidata does not confirm the title and year): "
        f"**{len(wd.contradicted)}**: {_films(wd.contradicted, 40)}.",
        f"- Wikidata director QIDs named through DBpedia: {result.directors.named_qids:,}; left unnamed because their "
        f"films disagree on the name: {result.directors.ambiguous_qids}.",
    ]


def _genre_table(result: Build) -> list[str]:
    mapper = result.wikidata.mapper
    counts = Counter(q for qids in result.wikidata.genre_qids.values() for q in qids)
    rows = sorted(((n, mapper.labels.get(q, q), mapper.genres_of(q)) for q, n in counts.items()),
                  key=lambda row: (-row[0], row[1]))
    return ["| Wikidata genre | films | MovieLens genres |", "|---|---|---|"] + [
        f"| {label} | {n:,} | {', '.join(genres) or '(none)'} |" for n, label, genres in rows]


def card_text(result: Build, sources: Path) -> str:
    per_genre = Counter(g for item in result.items for g in item["genres"])
    untitled = [film for film in result.films if not film.title]
    lines = [
        "# Movies people talk about: the catalog",
        "",
        f"The {len(result.items):,} films of ReDial's movie list (the films crowd workers mentioned in movie-recommendation "
        "dialogues), each with what open sources state about it: genres, directors, cast, main subjects and a "
        "description (the opening paragraph of its English Wikipedia article where one is joined), plus the interactions of ReDial's training dialogues. It is this project's default catalog "
        "(`load_catalog()`; `catalog.toml` says how to read it). Item ids are ReDial `movieId`s, so ReDial-style test "
        "cases score against it directly.",
        "",
        "Rebuilt, from the repository root, with",
        "",
        "```bash",
        COMMAND,
        "```",
        "",
        "by `catalog/build_movies.py` and the package `catalog/movie_build/` (one module per source). The same sources give "
        "byte-identical files (everything is sorted; nothing depends on time or place), and `tests/test_build_movies.py` "
        "checks that these files equal a fresh build.",
        "",
        "## Licence",
        "",
        "This derived data is licensed **CC BY-SA** (Creative Commons Attribution-ShareAlike), because it contains DBpedia "
        "data (CC BY-SA 3.0) and Wikipedia text (CC BY-SA). It credits: ReDial (Li et al., \"Towards Deep Conversational "
        "Recommendations\", NeurIPS 2018; CC BY 4.0), Wikidata (CC0), DBpedia, Wikipedia and its authors, and the "
        "repositories the files were gathered from (below). Each description taken from an article names its page in "
        "the item's `wikipedia` field (\"Get_Out\": https://en.wikipedia.org/wiki/Get_Out), the credit its CC BY-SA "
        "licence asks for: the text is by Wikipedia's contributors. No poster or other image is included.",
        "",
        "**Not included:** no MovieLens data (its terms forbid redistribution; the genre *names* of MovieLens are used as a "
        "vocabulary only), and nothing from ReDial's test dialogues: the build reads only the files listed below, and "
        "`redial-test-dev.jsonl` (the evaluation set) did not influence the films, counts or weights.",
        "",
        "## Files",
        "",
        "| file | what |",
        "|---|---|",
        "| `items.jsonl` | one film per line, in movieId order: `{\"id\", \"title\", \"year\", \"genres\", \"directors\", \"cast\", "
        "\"subjects\", \"description\", \"wikipedia\"}` (`wikipedia`: the page the description is from, or empty) |",
        "| `interactions.csv` | `user,item,weight`: one user per training dialogue (`d<conversationId>`), one row per film it "
        "mentions |",
        "| `catalog.toml` | the catalog spec (README \"Your own catalog\"): columns, noun, genre words and synonyms "
        "(from `catalog/movie_words.py`) |",
        "| `README.md` | this card |",
        "",
        "## Sources",
        "",
        "From `../shared/data/movies/sources/` (see its README); each keeps its licence.",
        "",
        *_sources_table(sources),
        "",
        "## Fields: where each comes from",
        "",
        "Each field is filled only from a source that states it; nothing is guessed, and a film the sources say nothing "
        "about keeps empty fields.",
        "",
        "- `id`, `title`, `year`: ReDial's `movieId` and `movieName`. \"Headhunter  (2009)\" -> \"Headhunter\", 2009 (spaces "
        "collapsed); a name without \"(YYYY)\" has year null; URL escapes left in the list are undone (\"Why Him%3F\" -> "
        "\"Why Him?\"); \"Matrix, The\" would become \"The Matrix\" (no name is written so today). Titles stay as people "
        "wrote them." + _untitled_sentence(untitled),
        "- **The Wikipedia article** of a film is found through its IMDb id (`links/redial_imdb.csv`) and the English "
        "Wikipedia page that Wikidata gives for that IMDb id (`wikidata-films/`), refused where the article's year differs "
        "from ReDial's by more than one or the two titles share too little to name one film; else by normalised title and year (plus or minus one) where exactly one article "
        "fits and its opening sentence calls the work a film. Through the IMDb id, misnamed ReDial titles find their "
        f"article (\"Jumanji (2017)\" is Jumanji: Welcome to the Jungle). Joined: {_joined(result)}.",
        "- `genres`: where the article states genres (the list pages' labels, or the kind of film its opening sentence "
        "names: \"a 2017 American psychological horror film\"), they decide, mapped to the 18 MovieLens names "
        "(\"Animated\" -> Animation, \"Family\" -> Children's, \"Noir\" -> Film-Noir, \"Superhero\" -> Action plus the "
        "subject \"superhero\", \"Biography\" -> Drama; `catalog/movie_build/wikipedia_films.py` has the table); a Wikidata "
        "genre stays beside them only when DBpedia or the 2016 lists state it too. Elsewhere: Wikidata genres of the "
        "film reached through its IMDb id (both exports), mapped onto the MovieLens names "
        f"({', '.join(MOVIELENS_GENRES)}), DBpedia genre edges, the 2016 lists' genre column and the description's "
        "first sentence, each through the same label rule. Films per genre: "
        f"{', '.join(f'{g} {per_genre[g]:,}' for g in MOVIELENS_GENRES)}.",
        "- `directors`: the 2016 lists' `director` column for the article's row (else ReDial's title and year); else the "
        "article's own \"directed by\" phrase in a sentence about the film (the first, or one that opens \"The film\", "
        "\"It\", \"Directed by\"); else DBpedia `director` edges of the film's (checked) URI; for films DBpedia lacks, "
        "Wikidata's director QIDs (either export), named where DBpedia names that QID unambiguously (one director on both "
        "sides of some film, and such films agree); else the first sentence's \"directed by\". A DBpedia name is the URI's "
        "last part, URL-decoded, `_` as spaces, without a disambiguation (\"Chris_Evans_(actor)\" -> \"Chris Evans\").",
        f"- `cast`: the article's cast (the list page's row), else the 2016 lists' cast column (\"voices of\" and brackets "
        f"dropped), at most {WIKIPEDIA_CAST}; else DBpedia `starring` edges, at most {MAX_CAST}, ordered by how many works "
        "of the graph star the person (the graph lists them alphabetically).",
        "- `subjects` (the items' tags): the article's subject labels (\"Superhero\", \"Spy\", \"Sports\") and the kinds its "
        "opening sentence names (\"superhero\", \"heist\", \"psychological\"); then Wikidata main subjects "
        f"(`movie_subject.csv`, labels from `subjects.json`), lower-cased, at most {MAX_SUBJECTS}; then the film's finer "
        "Wikidata genres as keywords ('heist film' -> 'heist'; genres that only repeat a MovieLens genre, or whose genres "
        "the film's genres contradict, are left out), at most 8 in all.",
        "- `description`: the article's opening paragraph as the source gives it, whitespace collapsed; its page is in "
        "`wikipedia`. Where no article is joined: a Wikipedia first sentence (`wikipedia/first_sentences.txt`) that starts "
        "with the film's title followed by \" is \"/\" was \", calls the work one film, and whose first year is the film's "
        "year (parentheses between title and verb removed; a sentence the source cut inside a name is trimmed to its last "
        "whole clause).",
        "- `interactions.csv`: from `redial/train.jsonl` only (4,113 training dialogues). Each film a dialogue mentions "
        "(`movieMentions` and `@id` marks) gets 1.0; the seeker's `liked` = 1 makes it 2.0, `liked` = 0 makes it 0.5 "
        "(disliked but discussed). Only films of `movies.csv`; sorted by dialogue, then film.",
        "",
        "## Counts and coverage (as printed by the build)",
        "",
        "```",
        *result.coverage_lines(),
        "```",
        "",
        f"Films with a Wikidata film through an accepted IMDb link: {result.wikidata.linked:,}; with a DBpedia URI: "
        f"{len(result.dbpedia.uri):,}; directors from DBpedia: {result.directors.from_dbpedia:,}, from Wikidata QIDs named "
        f"through DBpedia: {result.directors.from_wikidata:,}; films whose genres DBpedia added to: {result.dbpedia_genre_films}.",
        "",
        "## Links checked and rejected",
        "",
        "Both link files were made by title matching, so some point to another work of the same name. A link is checked "
        "against what its target states, and a rejected link brings no facts:",
        "",
        *_rejections(result),
        "",
        "A DBpedia URI without parentheses (\"Total_Recall\") states nothing to check and is kept; so is an IMDb link to a "
        "film whose year the export does not give. Some such links are still wrong.",
        "",
        "## Genre mapping",
        "",
        "A Wikidata genre label is mapped by the genre words it contains (\"romantic comedy\" -> Romance, Comedy; \"crime "
        "thriller\" -> Crime, Thriller; \"science fiction film\" -> Sci-Fi; \"biographical film\" -> Drama; \"children's "
        "film\", \"family film\" -> Children's; \"film noir\" -> Film-Noir). A label without one is walked up Wikidata's "
        "subclass hierarchy until a mapped genre is hit on each path (\"superhero film\" -> action, adventure and science "
        "fiction film; \"heist film\" -> crime film; \"neo-noir\" -> film noir). Labels that lead to none (\"LGBT-related "
        "film\", \"independent film\", \"buddy film\", \"teen film\") map to nothing. Set by hand: \"mockumentary\" -> "
        "Comedy; \"docudrama\" -> Drama; \"comic science fiction\" -> Comedy, Sci-Fi; \"pseudo-documentary\" and \"live "
        "action\" -> nothing. The labels on the catalog's films:",
        "",
        "<details><summary>every Wikidata genre label on the films, and its mapping</summary>",
        "",
        *_genre_table(result),
        "",
        "</details>",
        "",
    ]
    return "\n".join(lines)
