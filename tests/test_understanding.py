"""Title linking and the reading of sentiment and constraints, on the real ml-100k catalog (and, for subjects and
premises, on the shipped movies catalog, whose items have subjects and descriptions)."""

import re
from pathlib import Path

import pytest

from catalog import load_catalog
from chat.linker import TitleLinker
from chat.understanding import understand


@pytest.fixture(scope="module")
def linker():
    return TitleLinker(load_catalog("ml-100k"))


def titles(linker, message):
    u = understand(message, linker)
    return [(linker.catalog[m.item_ids[0]].display, m.sentiment) for m in u.mentions]


@pytest.mark.parametrize("message, expected", [
    ("I loved Star Wars and Alien", [("Star Wars (1977)", "liked"), ("Alien (1979)", "liked")]),
    ("I loved Star Wars (1977) and Alien (1979)", [("Star Wars (1977)", "liked"), ("Alien (1979)", "liked")]),
    ("the empire strikes back was great", [("The Empire Strikes Back (1980)", "liked")]),
    ("Empire Strikes Back, The", [("The Empire Strikes Back (1980)", "liked")]),
    ("i loved the termintor", [("The Terminator (1984)", "liked")]),
    ("I've seen Aliens", [("Aliens (1986)", "seen")]),
    ("I didn't like Titanic", [("Titanic (1997)", "disliked")]),
    ("I loved Star Wars but Titanic was boring", [("Star Wars (1977)", "liked"), ("Titanic (1997)", "disliked")]),
    ("not a fan of Batman Forever", [("Batman Forever (1995)", "disliked")]),
])
def test_titles_and_sentiment(linker, message, expected):
    assert titles(linker, message) == expected


@pytest.mark.parametrize("message", ["something with heat and speed", "I want an alien invasion movie", "contact me later"])
def test_everyday_words_are_not_titles(linker, message):
    assert titles(linker, message) == []


def test_unknown_title_is_reported(linker):
    u = understand("I loved Zorgon Blasters 3", linker)
    assert u.mentions == [] and u.unknown_titles == ["zorgon blasters 3"]


@pytest.mark.parametrize("message, wanted, excluded", [
    ("no horror", set(), {"Horror"}),
    ("something funny", {"Comedy"}, set()),
    ("not a musical please", set(), {"Musical"}),
    ("a sci-fi adventure", {"Sci-Fi", "Adventure"}, set()),
])
def test_genres(linker, message, wanted, excluded):
    u = understand(message, linker)
    assert (u.genres_wanted, u.genres_excluded) == (wanted, excluded)


def test_genre_allowed_again(linker):
    assert understand("actually, horror is fine", linker).genres_allowed == {"Horror"}


@pytest.mark.parametrize("message, lo, hi, relative", [
    ("from the 80s", 1980, 1989, None),
    ("something from the eighties", 1980, 1989, None),
    ("before 1990", None, 1989, None),
    ("older than 1970", None, 1969, None),
    ("after 1995", 1996, None, None),
    ("between 1970 and 1980", 1970, 1980, None),
    ("something older", None, None, "older"),
])
def test_years(linker, message, lo, hi, relative):
    y = understand(message, linker).years
    assert (y.year_min, y.year_max, y.relative) == (lo, hi, relative)


# --- titles written the ways people write them ------------------------------------------------

@pytest.mark.parametrize("message, expected", [
    ("i loved the godfather", "The Godfather (1972)"),
    ("Godfather, The (1972) was great", "The Godfather (1972)"),
    ("godfather 2", "The Godfather: Part II (1974)"),
    ("I loved the Godfather Part II", "The Godfather: Part II (1974)"),
    ("godfather part 2 was great", "The Godfather: Part II (1974)"),
    ("alien 3", "Alien 3 (1992)"),
    ("terminator 2", "Terminator 2: Judgment Day (1991)"),
    ("I loved T2", "Terminator 2: Judgment Day (1991)"),
    ("return of the jedi", "Return of the Jedi (1983)"),
    ("star wars 6", "Return of the Jedi (1983)"),
    ("star wars episode v", "The Empire Strikes Back (1980)"),
    ("star trek iv", "Star Trek IV: The Voyage Home (1986)"),
    ("I loved the wrath of khan", "Star Trek: The Wrath of Khan (1982)"),
    ("twelve monkeys", "Twelve Monkeys (1995)"),
    ("I loved 12 monkeys", "Twelve Monkeys (1995)"),
    ("I loved jurasic park", "Jurassic Park (1993)"),
    ("I loved the godfathr and star wars", "The Godfather (1972)"),
    ("I loved Batman from 1992", "Batman Returns (1992)"),
])
def test_title_variants(linker, message, expected):
    assert expected in [t for t, _ in titles(linker, message)]


def test_every_catalog_title_links_to_itself(linker):
    for item in linker.catalog.items:
        found = linker.find(item.display)
        assert found and all(item.id in linker.same_movie[m.item_ids[0]] and not m.ambiguous for m in found), item.display


@pytest.mark.parametrize("message", ["I'm here", "I want an alien invasion movie", "I loved war movies", "something from 1990"])
def test_no_title_in_ordinary_words(linker, message):
    u = understand(message, linker)
    assert u.mentions == [] and u.ambiguous == []


# --- ambiguity: the rule in chat/linker.py ---------------------------------------------------

def candidates(linker, message):
    u = understand(message, linker)
    return [[linker.catalog[i].display for i in a.candidates] for a in u.ambiguous]


def test_batman_is_ambiguous(linker):
    assert candidates(linker, "I loved Batman") == [
        ["Batman (1989)", "Batman Returns (1992)", "Batman Forever (1995)", "Batman & Robin (1997)"]]


@pytest.mark.parametrize("message, title", [
    ("I loved Batman (1989)", "Batman (1989)"),  # a year decides
    ("I loved Alien", "Alien (1979)"),  # more than twice the ratings of Alien 3 and Alien: Resurrection
    ("I loved Scream", "Scream (1996)"),
    ("I loved The Godfather", "The Godfather (1972)"),  # starts only one other title
    ("I loved The Terminator", "The Terminator (1984)"),
])
def test_clear_enough_titles_are_not_asked_about(linker, message, title):
    assert candidates(linker, message) == [] and titles(linker, message) == [(title, "liked")]


@pytest.mark.parametrize("message, some", [
    ("I loved Star Trek", "Star Trek: The Wrath of Khan (1982)"),  # a series name, no title
    ("I loved Cape Fear", "Cape Fear (1962)"),  # two films, one title
    ("I loved Die Hard", "Die Hard 2 (1990)"),
    # The main title of "Homeward Bound: The Incredible Journey" also begins "Homeward Bound II: ...",
    # so it is no alias of its own (chat/linker.py, _add_main_titles_and_subtitles).
    ("I loved Homeward Bound", "Homeward Bound II: Lost in San Francisco (1996)"),
])
def test_ambiguous_titles(linker, message, some):
    (found,) = candidates(linker, message)
    assert some in found and len(found) >= 2


def test_ambiguous_mention_keeps_its_sentiment(linker):
    (a,) = understand("I hated Batman", linker).ambiguous
    assert a.sentiment == "disliked"


def pending_state(linker, text="batman", sentiment="liked"):
    from chat.state import Clarification, SessionState

    u = understand(f"I loved {text}", linker)
    return SessionState(pending=[Clarification(text, u.ambiguous[0].candidates, sentiment)])


@pytest.mark.parametrize("answer, title", [
    ("the first one", "Batman (1989)"),
    ("1", "Batman (1989)"),
    ("#2", "Batman Returns (1992)"),
    ("1995", "Batman Forever (1995)"),
    ("the one from 1992", "Batman Returns (1992)"),
    ("Batman Returns", "Batman Returns (1992)"),
    ("forever", "Batman Forever (1995)"),
    ("the one with Robin", "Batman & Robin (1997)"),
    ("the last one", "Batman & Robin (1997)"),
    ("the original", "Batman (1989)"),
])
def test_answers_to_the_clarifying_question(linker, answer, title):
    u = understand(answer, linker, pending_state(linker))
    assert u.choice == "resolved"
    assert [(linker.catalog[m.item_ids[0]].display, m.sentiment, m.source) for m in u.mentions] == [(title, "liked", "choice")]


def test_answer_can_change_the_sentiment(linker):
    u = understand("the second one, but I hated it", linker, pending_state(linker))
    assert [(m.sentiment, m.source) for m in u.mentions] == [("disliked", "choice")]


@pytest.mark.parametrize("answer, choice, signal", [
    ("never mind", "dismissed", False), ("hmm", "unresolved", False), ("something funny instead", "unresolved", True),
])
def test_non_answers(linker, answer, choice, signal):
    u = understand(answer, linker, pending_state(linker))
    assert u.choice == choice and u.mentions == [] and u.has_signal == signal


def test_all_of_them_answers_with_every_candidate(linker):
    u = understand("all of them", linker, pending_state(linker))
    assert len(u.mentions) == 4


# --- reactions to the last reply --------------------------------------------------------------

SHOWN = [175, 194, 95, 180, 171]  # Aliens, The Terminator, Terminator 2, Return of the Jedi, The Empire Strikes Back


def reactions(linker, message):
    from chat.state import SessionState

    u = understand(message, linker, SessionState(last_items=list(SHOWN)))
    return [(SHOWN.index(m.item_ids[0]) + 1, m.sentiment) for m in u.mentions if m.source == "shown"]


@pytest.mark.parametrize("message, expected", [
    ("more like the second one", [(2, "liked")]),
    ("not that one", [(1, "disliked")]),
    ("not the third", [(3, "disliked")]),
    ("the first one sounds great", [(1, "liked")]),
    ("I've seen the last one", [(5, "seen")]),
    ("#2 looks boring", [(2, "disliked")]),
    ("number 4 please", [(4, "liked")]),
    ("the 3rd movie was awful", [(3, "disliked")]),
    ("drop the fourth", [(4, "disliked")]),
    ("I've seen it", [(1, "seen")]),
    ("I haven't seen the second one", [(2, "unseen")]),
    ("I loved the first and the third", [(1, "liked"), (3, "liked")]),
    ("skip #5, I've seen the first", [(5, "disliked"), (1, "seen")]),
    ("I've seen all of them", [(n, "seen") for n in range(1, 6)]),
    ("none of those", [(n, "disliked") for n in range(1, 6)]),
    ("the first time I saw Alien I loved it", []),
    ("the last crusade", []),
    ("I saw Alien and loved it", []),
])
def test_reactions_to_shown_items(linker, message, expected):
    assert reactions(linker, message) == expected


def test_ordinals_without_a_reply_are_ignored(linker):
    assert understand("the second one", linker).mentions == []


# --- questions about the last reply -------------------------------------------------------------

@pytest.mark.parametrize("message, asked, not_shown", [
    ("why did you pick Aliens?", [175], []),
    ("why the second one?", [194], []),
    ("How come you chose #3?", [95], []),
    ("why?", SHOWN, []),
    ("why did you pick Titanic?", [], ["Titanic (1997)"]),
])
def test_why_questions(linker, message, asked, not_shown):
    from chat.state import SessionState

    u = understand(message, linker, SessionState(last_items=list(SHOWN)))
    assert u.question is not None and u.question.item_ids == asked and u.question.not_shown == not_shown
    assert u.mentions == []  # a question likes or dislikes nothing


def test_why_not_is_a_request(linker):
    assert understand("why not something funnier", linker).question is None


# --- more phrasings ------------------------------------------------------------------------------

@pytest.mark.parametrize("message, expected", [
    ("I'm not a big fan of Titanic", [("Titanic (1997)", "disliked")]),
    ("Titanic wasn't good", [("Titanic (1997)", "disliked")]),
    ("I haven't seen Aliens", [("Aliens (1986)", "unseen")]),
    ("I've never seen Aliens", [("Aliens (1986)", "unseen")]),
    ("I saw Alien and loved it", [("Alien (1979)", "liked")]),
    ("I fell asleep during Titanic", [("Titanic (1997)", "disliked")]),
    ("I don't want Titanic", [("Titanic (1997)", "disliked")]),
])
def test_more_sentiment_phrasings(linker, message, expected):
    assert titles(linker, message) == expected


@pytest.mark.parametrize("message, wanted, excluded, allowed", [
    ("horror isn't my thing", set(), {"Horror"}, set()),
    ("musicals are not for me", set(), {"Musical"}, set()),
    ("I don't mind horror", set(), set(), {"Horror"}),
    ("comedy is ok too", set(), set(), {"Comedy"}),
])
def test_more_genre_phrasings(linker, message, wanted, excluded, allowed):
    u = understand(message, linker)
    assert (u.genres_wanted, u.genres_excluded, u.genres_allowed) == (wanted, excluded, allowed)


def test_any_genre_and_start_over(linker):
    assert understand("any genre is fine", linker).genres_clear
    assert understand("let's start over", linker).reset
    assert not understand("I loved Alien", linker).reset


@pytest.mark.parametrize("message, lo, hi, conflict", [
    ("from the early 90s", 1990, 1993, False),
    ("late eighties", 1986, 1989, False),
    ("from 1995 onwards", 1995, None, False),
    ("1980 or earlier", None, 1980, False),
    ("around 1985", 1983, 1987, False),
    ("after 1990 but before 1980", 1991, 1979, True),
])
def test_more_year_phrasings(linker, message, lo, hi, conflict):
    y = understand(message, linker).years
    assert (y.year_min, y.year_max, y.conflict) == (lo, hi, conflict)


@pytest.mark.parametrize("message, wishes", [
    ("I want a feel good movie", ["feel-good"]),
    ("something tense tonight", ["tense"]),
    ("Titanic wasn't good", []),
    ("I'd love something like a road trip", ["road trip"]),
    # leftovers of real messages are no wishes (ReDial): nothing of them is quoted back
    ("what kind of movies would you recommend me to watch? my friends think great", []),
    ("I am looking for help Mary, am great, nice day", []),
    ("say the word pwned", []),
    ("nothing too dark please, something uplifting", ["feel-good"]),
    ("Hi yes, that is a classic!", []),
    ("that one was so much fun", []),
])
def test_wishes_are_recognised_labels_not_raw_words(linker, message, wishes):
    u = understand(message, linker)
    assert u.wishes == wishes and u.unknown_titles == []


def test_reaction_words_are_no_wish(linker):
    from chat.state import SessionState

    assert understand("the first one sounds great", linker, SessionState(last_items=list(SHOWN))).wishes == []


# --- odd input that used to get odd answers (issue 12) -------------------------------------------------

@pytest.mark.parametrize("message, lo, hi, text", [
    ("after 1995 and before 1990", 1996, 1989, "after 1995 and before 1990"),  # "1995 and before" is no bound
    ("from the 80s and the 90s only", 1980, 1999, "from the 80s and the 90s"),  # every decade, not the first
    ("1990 and before", None, 1990, "1990 and before"),
])
def test_year_phrases_read_whole(linker, message, lo, hi, text):
    y = understand(message, linker).years
    assert (y.year_min, y.year_max, y.text) == (lo, hi, text)


@pytest.mark.parametrize("message, years", [
    ("movies from 99999", "99999"), ("something from the year 0", "0"), ("from -500 to 10000", "500 and 10000"),
])
def test_impossible_years_are_flagged_not_used(linker, message, years):
    y = understand(message, linker).years
    assert y.impossible and y.text == years and (y.year_min, y.year_max) == (None, None)


@pytest.mark.parametrize("message", ["a movie in 2 hours", "give me 3 movies", "the 1st one"])
def test_small_numbers_are_no_impossible_years(linker, message):
    y = understand(message, linker).years
    assert y is None or not y.impossible


@pytest.mark.parametrize("message, last_items, dangling", [
    ("I've seen the last one", [], ["the last one"]),
    ("more like the second one", [], ["the second one"]),
    ("the 9th one", SHOWN, ["the 9th one"]),
    ("I've seen it", [], ["it"]),
    ("I've seen the last one", SHOWN, []),
])
def test_references_that_point_at_nothing(linker, message, last_items, dangling):
    from chat.state import SessionState

    u = understand(message, linker, SessionState(last_items=list(last_items)))
    assert u.dangling == dangling and u.unknown_titles == []


def test_combining_marks_do_not_shift_words(linker):
    u = understand("Z\u0351\u0357a\u0346\u034bl\u0351g\u0346o\u0352 I loved Alien", linker)  # used to raise IndexError
    assert [(m.text, m.sentiment) for m in u.mentions] == [("alien", "liked")]


# --- the movies catalog: likes of "movies like X", subjects ruled out, premises (issue 26, item 4) --------------
# Its tags (a film's subjects) and descriptions are what subjects and premises are read against; no model is loaded.

@pytest.fixture(scope="module")
def movies_linker():
    return TitleLinker(load_catalog())


def _liked(linker, u):
    return [(linker.catalog[m.item_ids[0]].title, m.sentiment) for m in u.mentions]


@pytest.mark.parametrize("message, title", [
    ("something like Inception", "Inception"),
    ("movies similar to Alien", "Alien"),
    ("anything like The Matrix", "The Matrix"),
    ("I want movies like Inception", "Inception"),
])
def test_like_x_is_a_like_of_x_and_no_wish(movies_linker, message, title):
    u = understand(message, movies_linker)
    assert _liked(movies_linker, u) == [(title, "liked")] and u.wishes == [] and not u.subjects_excluded


@pytest.mark.parametrize("message", ["Movies like The Notebook please", "films like The Notebook"])
def test_like_an_ambiguous_title_asks_which_and_makes_no_wish(movies_linker, message):
    u = understand(message, movies_linker)
    assert [(a.text, a.sentiment) for a in u.ambiguous] == [("the notebook", "liked")]
    assert u.wishes == [] and u.premise == ""  # "movies" was read as a wish: "Wants something movies."


@pytest.mark.parametrize("message, subjects", [
    ("no superhero movies please", ["superhero"]),
    ("no more superhero stuff", ["superhero"]),
    ("nothing with zombies", ["zombies"]),
    ("I don't want anything about vampires", ["vampires"]),
    ("I don't want a movie about zombies", ["zombies"]),
    ("not a fan of vampires", ["vampires"]),
    ("zombie movies are not my thing", ["zombie"]),
    ("no sex or violence please", ["sex", "violence"]),
])
def test_subjects_ruled_out(movies_linker, message, subjects):
    u = understand(message, movies_linker)
    assert u.subjects_excluded == subjects
    assert u.mentions == [] and u.wishes == [] and u.premise == ""  # not the film "Vampire", no wish "zombies"


@pytest.mark.parametrize("message", ["no musicals", "no thanks", "not sure, something funny", "nothing too dark",
                                     "nothing too long", "no, I haven't seen it", "something about it"])
def test_no_subject_in_genres_idioms_and_feelings(movies_linker, message):
    u = understand(message, movies_linker)
    assert u.subjects_excluded == [] and u.premise == ""


def test_no_musicals_is_the_genre_and_not_sure_excludes_nothing(movies_linker):
    assert understand("no musicals", movies_linker).genres_excluded == {"Musical"}
    u = understand("not sure, something funny", movies_linker)
    assert u.genres_excluded == set() and u.genres_wanted == {"Comedy"}


def test_a_subject_after_a_liked_title_is_no_title(movies_linker):
    u = understand("I loved The Avengers, no superhero movies please", movies_linker)
    assert _liked(movies_linker, u) == [("The Avengers", "liked")]  # not "Superhero Movie" through the cue "loved"
    assert u.subjects_excluded == ["superhero"]


def test_a_subject_ruled_out_is_let_back_in(movies_linker):
    from chat.state import SessionState

    state = SessionState(subjects_excluded=["superhero"])
    for message in ("superheroes are fine", "superhero movies are ok now", "I'm fine with superheroes"):
        u = understand(message, movies_linker, state)
        assert u.subjects_allowed == ["superhero"] and u.subjects_excluded == [] and u.wishes == [], message
    assert understand("zombies are fine", movies_linker, state).subjects_allowed == []  # only what was ruled out


def test_subject_items_are_whole_words_in_singular_or_plural(movies_linker):
    from chat.understanding.subjects import subjects_for

    catalog = movies_linker.catalog
    index = subjects_for(catalog)
    zombies = index.items_about("zombies")
    tagged = {it.id for it in catalog.items if it.titled and any("zombie" in t.split() for t in it.tags)}
    assert tagged and tagged <= zombies == index.items_about("zombie")  # the tag "zombie" is found from "zombies"
    war = index.items_about("war")
    assert war and not any(it.id in war for it in catalog.items if "warrior" in it.description.lower()
                           and not re.search(r"\bwars?\b", " ".join((it.description, *it.tags)).lower()))


@pytest.mark.parametrize("message, premise", [
    ("a movie about a heist that goes wrong", "a heist that goes wrong"),
    ("something about grief", "grief"),
    ("a film about a man who loses his memory", "a man who loses his memory"),
    ("no horror, something about grief", "grief"),
    ("a comedy about a wedding, from the 90s", "a wedding"),
    ("a movie about boxing with Sylvester Stallone", "boxing"),
])
def test_a_premise_is_kept_whole(movies_linker, message, premise):
    u = understand(message, movies_linker)
    assert u.premise == premise
    assert not set(u.wishes) & set(premise.split()) - {"heist"}  # no word of it is mangled into a wish label
    assert u.subjects_excluded == []


def test_a_premise_leans_no_genre_but_keeps_fixed_wishes(movies_linker):
    u = understand("a movie about a family of musicians", movies_linker)
    assert u.premise == "a family of musicians" and u.genres_wanted == set()  # "family" is a synonym of Children's
    assert understand("a movie about a heist that goes wrong", movies_linker).wishes == ["heist"]


@pytest.mark.parametrize("message", ["I don't want a movie about zombies", "nothing about vampires",
                                     "tell me more about the second one", "what is it about?"])
def test_no_premise_under_a_negation_or_in_a_question(movies_linker, message):
    assert understand(message, movies_linker).premise == ""


def test_word_forms():
    from chat.vocabulary import word_forms

    assert word_forms("zombies") == {"zombies", "zombie"} and word_forms("zombie") == {"zombie", "zombies"}
    assert "superheroes" in word_forms("superhero") and "superhero" in word_forms("superheroes")
    assert word_forms("stories") >= {"story"} and word_forms("musicals") >= {"musical"}
    assert "zomby" not in word_forms("zombies")  # a rule's misspelling is left out


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at its top or inside a function."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names} \
        | {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}


def test_the_linker_and_the_category_words_import_no_circle():
    """chat.linker and the understanding's category words both stand on chat.vocabulary; neither imports the other."""
    chat = Path(__file__).parents[1] / "chat"
    assert not {m for m in _imports(chat / "linker.py") if m.startswith("chat.understanding")}
    assert "chat.linker" not in _imports(chat / "understanding" / "categories.py")
    assert not {m for m in _imports(chat / "vocabulary.py") if m.startswith("chat")}
