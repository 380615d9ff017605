"""Title linking and the reading of sentiment and constraints, on the real ml-100k catalog."""

import pytest

from catalog import load_catalog
from chat.linker import TitleLinker
from chat.understanding import understand


@pytest.fixture(scope="module")
def linker():
    return TitleLinker(load_catalog())


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
