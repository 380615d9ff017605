"""The claim checker on known-good and known-bad sentences, against the real ml-100k catalog.

The bad sentences include those the issue quotes from the shipped explainer.
"""

import pytest

from explain.claims import ClaimChecker
from explain.sentence_form import openings_alike
from explain.facts import Facts


@pytest.fixture(scope="module")
def catalog(settings):
    from catalog import load_catalog

    return load_catalog(settings.data)


@pytest.fixture(scope="module")
def checker(catalog):
    from chat.linker import TitleLinker

    linker = TitleLinker(catalog)
    checker = ClaimChecker(linker)
    checker.find = lambda title: catalog[linker.find(title)[0].item_ids[0]]
    return checker


def facts(checker, title, liked=(), wishes=(), wanted=(), period=None):
    item = checker.find(title)
    liked_items = [checker.find(t) for t in liked]
    liked_genres = {g for it in liked_items for g in it.genres} | set(wanted)
    return Facts(item=item, liked=tuple(it.display for it in liked_items),
                 shared_genres=tuple(g for g in item.genres if g in liked_genres), wishes=tuple(wishes),
                 wanted_genres=tuple(g for g in item.genres if g in wanted), period=period)


BAD = [
    # (item, liked, sentence, what the problem must mention)
    ("Godfather: Part II", (), "The Godfather: Part II combines elements of the classic film noir genre.", "film noir"),
    ("Flirting With Disaster", (), "Flirting With Disaster combines elements of romance and horror.", "horror"),
    ("Good, The Bad and The Ugly", (), "The Good, The Bad and The Ugly is a great mix of action and drama.", "drama"),
    ("Crumb", (), "Crumb is a documentary about the 2018 US election.", "2018"),
    ("When We Were Kings", (), "When We Were Kings is about the King David Ben-Gabriel.", "King David"),
    ("Pulp Fiction", (), "Pulp Fiction has been adapted into multiple films since 1994.", "adaptation"),
    ("Swan Princess", (), "The Swan Princess combines elements of both Disney and Pixar.", "Disney"),
    ("Twelve Monkeys", (), "Twelve Monkeys combines elements of both Fargo and Pulp Fiction.", "another title, 'Fargo'"),
    ("Aliens", ("Alien",), "Aliens (1979) is a tense ride for every fan of Alien.", "1979"),
    ("Aliens", ("Alien",), "Aliens is a tense sci-fi thriller that won three Oscars.", "award"),
    ("Aliens", ("Alien",), "Aliens is the great sequel to Alien, with a bigger budget.", "sequel"),
    ("Aliens", ("Alien",), "A tense 70s ride for anyone who loved Alien.", "70s"),
    ("Aliens", ("Alien",), "A tense ride from the seventies for anyone who loved Alien.", "seventies"),
    ("Aliens", ("Alien",), "Sigourney Weaver returns in this tense sequel to Alien.", "Sigourney Weaver"),
    ("Aliens", ("Alien",), "Fans of Alien will love the stellar performances in this tense ride.", "cast"),
    ("Return of the Jedi", ("Star Wars",), "Star Trek fans will like this space adventure.", "Star Trek"),
    ("Toy Story", (), "Toy Story is a scary horror ride for grown-ups.", "horror"),
    ("Toy Story", (), "A funny family film set in New York that kids will love.", "New York"),
    ("Fargo", (), "Fargo is a funny crime story based on a true story.", "adaptation"),
    ("Fargo", ("Pulp Fiction",), "If you liked \"Reservoir Dogs\", Fargo is a dark crime film for you.", "Reservoir Dogs"),
    ("Schindler's List", (), "Schindler's List is a heartwarming comedy for the whole family.", "comedy"),
    ("Fargo", (), "Fargo follows a pregnant police chief through a snowy crime story.", "plot"),
    # found in measured runs of the new explainer: a name opening a sentence, the user's taste made up, adaptations
    ("Conspiracy Theory", (), "Gatsby (1997) is a gripping action thriller with a romantic side.", "Gatsby"),
    ("Jaws", (), "Jaws would be perfect if you loved Jaws, because of its dark mood.", "user loved Jaws"),
    ("Blade Runner", ("Alien",), "If you loved the film Blade Runner, it's a dark sci-fi classic.", "user loved Blade Runner"),
    ("Willy Wonka and the Chocolate Factory", ("Toy Story",),
     "Willy Wonka and the Chocolate Factory is a fun film that has been made into a video game.", "adaptation"),
    ("Transformers: The Movie", (), "The Transformers: The Movie is a thrilling action superhero movie.", "superhero"),
    ("A Fish Called Wanda", (), "A Fish Called Wanda is a comedy widely regarded as a masterpiece.", "critics"),
    # moods: unsupported by the genres or the year, and titles "asked for" (seen in a run of the explainer)
    ("Fargo", (), "Fargo is a heartwarming crime drama from 1996.", "heartwarming"),
    ("Toy Story", (), "Toy Story is a gritty animated comedy from 1995.", "gritty"),
    ("Fargo", (), "Fargo is a classic crime drama from 1996.", "classic"),
    ("Pulp Fiction", (), "Since you asked for Pulp Fiction, it's a crime, drama movie from 1994.", "asked for a title"),
    # an ordinal is a number too (a run wrote "Jon Lucas's 10th film, Bad Moms is a comedy movie from 2016.")
    ("Fargo", (), "The Coens' 6th film, Fargo is a crime drama from 1996.", "6th"),
]
# A mood the genres support, stated to someone who asked for its opposite.
MOOD_AGAINST_WISH = [("Young Guns", ("tense",), "Since you asked for something tense, Young Guns is a feel-good action "
                      "western movie from 1988.", "asked for something tense"),
                     ("Young Guns", ("tense",), "Since you asked for something tense, Young Guns is a feel- good action "
                      "western one from 1988.", "asked for something tense")]


@pytest.mark.parametrize("title,wishes,sentence,problem", MOOD_AGAINST_WISH)
def test_a_mood_against_the_users_wish_is_found(checker, title, wishes, sentence, problem):
    verdict = checker.check(sentence, facts(checker, title, wishes=wishes))
    assert any(problem in p for p in verdict.problems), verdict.problems
    assert checker.check(sentence.replace("feel-good", "tense").replace("feel- good", "tense"),
                         facts(checker, title, wishes=wishes)).faithful


@pytest.mark.parametrize("title,liked,sentence,problem", BAD)
def test_unsupported_claims_are_found(checker, title, liked, sentence, problem):
    verdict = checker.check(sentence, facts(checker, title, liked))
    assert not verdict.faithful
    assert any(problem.lower() in p.lower() for p in verdict.problems), verdict.problems


GOOD = [
    # (item, liked, wishes, wanted genres, sentence)
    ("Aliens", ("Alien", "Star Wars"), ("tense",), (),
     "If you loved Alien (1979), this tense sci-fi action ride from 1986 keeps the thrills coming."),
    ("Aliens", ("Alien",), (), (), "Fans of Alien will find the same tense sci-fi here, with even more action."),
    ("Return of the Jedi", ("Star Wars",), (), (), "Return of the Jedi brings back the space adventure of Star Wars."),
    ("Toy Story", (), ("for kids",), (), "Toy Story is a funny animated film for the whole family, from 1995."),
    ("Fargo", ("Pulp Fiction",), ("dark",), ("Crime",), "A dark crime story from the 90s for anyone who liked Pulp Fiction."),
    ("Godfather: Part II", ("Godfather",), (), (), "The Godfather: Part II carries on the crime drama you loved in The Godfather."),
    ("Casablanca", (), ("romantic",), (), "Casablanca is a romantic drama from 1942, not a comedy."),
    ("Jaws", ("Alien",), (), (), "If you loved Alien (1979), Jaws is a dark horror ride from 1975."),
    ("Willy Wonka and the Chocolate Factory", ("Toy Story",), (), (),
     "Fans of Toy Story will find Willy Wonka a fun family adventure full of laughs."),
]


@pytest.mark.parametrize("title,liked,wishes,wanted,sentence", GOOD)
def test_supported_personal_sentences_pass(checker, title, liked, wishes, wanted, sentence):
    verdict = checker.check(sentence, facts(checker, title, liked, wishes, wanted))
    assert verdict.faithful, verdict.problems
    assert verdict.well_formed, verdict.form
    assert verdict.personalised


def test_a_true_but_generic_sentence_is_not_personalised(checker):
    verdict = checker.check("Toy Story is an animated comedy from 1995 with a lot of heart.",
                            facts(checker, "Toy Story", liked=("Fargo",)))
    assert verdict.faithful and not verdict.personalised


@pytest.mark.parametrize("sentence,form", [
    ("A funny, animated film", "too short"),
    ("Toy Story is a funny animated film for kids and", "complete sentence"),
    ("Toy Story is a funny film. It is great for kids of all ages.", "more than one"),
    ("a funny animated film for kids that the whole family can share.", "start like a sentence"),
    ("Explanation: Toy Story is a funny animated film for kids.", "label"),
    ("Toy Story is " + "a very funny and animated film " * 8 + "for kids.", "too long"),
])
def test_malformed_sentences(checker, sentence, form):
    verdict = checker.check(sentence, facts(checker, "Toy Story", wishes=("for kids",)))
    assert any(form in f for f in verdict.form), verdict.form


def test_period_asked_for_makes_the_year_personal(checker):
    f = facts(checker, "Casablanca", period="up to 1950")
    assert checker.check("A romantic drama from 1942 that suits your taste for older films.", f).personalised
    assert not checker.check("Casablanca is a romantic drama from 1942 worth a look.", facts(checker, "Casablanca")).personalised


def test_openings_alike():
    assert openings_alike(["Aliens is a good pick because it.", "Heat is a good pick.", "Fargo is a good pick."]) is False
    assert openings_alike(["It is a good pick.", "It is fun.", "It is great."])
    assert not openings_alike(["It is a good pick.", "It is fun."])  # two are too few to call a pattern


@pytest.mark.parametrize("sentence", ["Since you asked for a comedy, I'm not sure I'd recommend it, but it is funny.",
                                      "If you loved Toy Story, I asked for comedy.",
                                      "The Ref is a comedy that made me laugh from start to end."])
def test_a_sentence_in_the_first_person_is_not_shown(checker, sentence):
    verdict = checker.check(sentence, facts(checker, "Ref", liked=("Toy Story",), wanted=("Comedy",)))
    assert "speaks in the first person" in verdict.form and not verdict.acceptable


@pytest.mark.parametrize("sentence", ["Cinco de las mujores, Toy Story is a comedy for the whole family.",
                                      "Toy Story is a mindbending comedy for the whole family."])
def test_a_word_no_english_word_list_has_is_not_shown(checker, sentence):
    """SmolLM2 once opened with broken Spanish ("Cinco de las mujores, ... Dunkirk is a drama.")."""
    verdict = checker.check(sentence, facts(checker, "Toy Story", wanted=("Comedy",)))
    assert any("no English word" in f for f in verdict.form) and not verdict.acceptable
    assert checker.check("Toy Story is a funny comedy for the whole family.",
                         facts(checker, "Toy Story", wanted=("Comedy",))).acceptable


def test_a_rare_word_the_facts_give_is_allowed(checker):
    item_facts = facts(checker, "Toy Story", wanted=("Comedy",))
    from dataclasses import replace

    with_subject = replace(item_facts, subjects=("zorbling",))
    assert not any("no English word" in f for f in checker.check("Toy Story is a zorbling comedy.", with_subject).form)
    assert any("no English word" in f for f in checker.check("Toy Story is a zorbling comedy.", item_facts).form)


def test_a_liked_title_that_is_the_main_part_of_the_item_keeps_its_own_year(checker):
    """Seen from the template: "The Hunger Games: Mockingjay - Part 2 (2015) stars Woody Harrelson, who is also in
    The Hunger Games (2012)." was judged to give the item the year 2012."""
    item_facts = facts(checker, "Godfather: Part II", liked=("Godfather",))
    assert item_facts.item.display == "The Godfather: Part II (1974)" and item_facts.liked == ("The Godfather (1972)",)
    fine = checker.check("The Godfather: Part II (1974) is a crime drama for anyone who loved The Godfather (1972).", item_facts)
    assert fine.faithful, fine.problems
    wrong = checker.check("The Godfather: Part II (1972) is a crime drama for anyone who loved The Godfather.", item_facts)
    assert any("the year 1972" in p for p in wrong.problems)


def test_explain_imports_nothing_of_chat():
    """The arrow runs one way: chat imports explain, never the reverse (issue 26). The linker is handed in and
    the wish vocabulary lives below both (lexicon/)."""
    import subprocess
    import sys
    from pathlib import Path

    code = ("import sys, explain.explainer, explain.claims, explain.facts, explain.decoding_constraints; "
            "print(sorted(m for m in sys.modules if m == 'chat' or m.startswith('chat.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])
    assert out.stdout.strip() == "[]"


# --- issue 26: the stricter checker, on the shipped movies catalog -------------------------------------------
# Shutter Island's Wikipedia opening paragraph, as the rebuilt catalog's description holds it: the facts of the
# plot tests below are built from it, whatever description the catalog row has today.
SHUTTER_ISLAND = (
    "Shutter Island is a 2010 American neo-noir psychological thriller film directed by Martin Scorsese and adapted "
    "by Laeta Kalogridis, based on the 2003 novel of the same name by Dennis Lehane. Leonardo DiCaprio stars as "
    "Deputy U.S. Marshal Edward \"Teddy\" Daniels, who is investigating a psychiatric facility on Shutter Island "
    "after one of the patients goes missing. Mark Ruffalo plays his partner and fellow deputy marshal, Ben Kingsley "
    "plays the facility's lead psychiatrist, Max von Sydow plays a German doctor, and Michelle Williams plays "
    "Daniels' wife.")


@pytest.fixture(scope="module")
def movies_checker():
    from catalog import load_catalog
    from chat.linker import TitleLinker

    catalog = load_catalog(None)
    linker = TitleLinker(catalog)
    checker = ClaimChecker(linker)
    checker.find = lambda title: catalog[linker.find(title)[0].item_ids[0]]
    return checker


def movie_facts(checker, title, liked=(), wanted_people=(), description=None):
    """Facts as build_facts gives them (directors, first-billed cast, people shared with liked titles)."""
    import dataclasses

    from explain.facts import MAX_CAST, _shared_people
    from explain.premise import premise

    item = checker.find(title)
    if description is not None:
        item = dataclasses.replace(item, description=description)
    liked_items = [checker.find(t) for t in liked]
    return Facts(item=item, liked=tuple(it.display for it in liked_items), directors=item.directors,
                 cast=item.cast[:MAX_CAST], wanted_people=tuple(wanted_people),
                 shared_people=_shared_people(item, liked_items), subjects=item.tags[:3],
                 premise=premise(item.description))


# (item, liked, people asked for, sentence, what a problem must say): the failures issue 26 quotes
ISSUE_26_UNFAITHFUL = [
    # an actor named as the film's maker
    ("Shutter Island", (), (), "Ben Kingsley's Shutter Island is a tense psychological thriller.", "its maker"),
    ("Finding Dory", (), ("Diane Keaton",), "Diane Keaton's Finding Dory is a funny animated adventure.", "its maker"),
    ("The Shining", (), (), "Shelley Duvall's The Shining is a horror movie.", "its maker"),
    # a sentence about another film, even a liked one
    ("The Departed", ("Inception", "Shutter Island"), (), "If you loved Inception, Martin Scorsese directed Shutter Island.",
     "another film"),
    ("Annabelle", ("The Conjuring",), (), "John R. Leonetti's The Conjuring is a horror movie.", "another film"),
    ("Annabelle", ("Insidious",), (), "John R. Leonetti's The Conjuring is a horror movie.", "another title"),
]


@pytest.mark.parametrize("title,liked,people,sentence,problem", ISSUE_26_UNFAITHFUL)
def test_issue_26s_unfaithful_sentences_are_caught(movies_checker, title, liked, people, sentence, problem):
    verdict = movies_checker.check(sentence, movie_facts(movies_checker, title, liked, people))
    assert any(problem in p for p in verdict.problems), verdict.problems


def test_the_director_may_be_named_as_the_maker_and_a_liked_title_compared(movies_checker):
    facts = movie_facts(movies_checker, "The Departed", ("Inception", "Shutter Island"))
    for sentence in ("Martin Scorsese's The Departed is a tense crime thriller.",
                     "If you loved Inception, The Departed is a tense crime thriller starring Leonardo DiCaprio.",
                     "Martin Scorsese directed Shutter Island, which you loved, and The Departed."):
        verdict = movies_checker.check(sentence, facts)
        assert verdict.faithful and verdict.well_formed, (sentence, verdict.problems, verdict.form)


def test_a_sentence_must_be_grammatical_and_end_properly(movies_checker):
    facts = movie_facts(movies_checker, "Logan", ("Deadpool",))
    for sentence in ("If you loved Deadpool, and people who loved it also loved it.",
                     "If you loved Deadpool, Logan is a tense action movie starring Hugh Jackman and."):
        assert not movies_checker.check(sentence, facts).well_formed, sentence
    assert movies_checker.check("If you loved Deadpool, Logan is a tense action movie starring Hugh Jackman.",
                                facts).well_formed


def test_plot_claims_must_come_from_the_description(movies_checker):
    facts = movie_facts(movies_checker, "Shutter Island", ("Inception",), description=SHUTTER_ISLAND)
    good = movies_checker.check("If you loved Inception, Shutter Island is a tense thriller about a marshal "
                                "investigating a psychiatric facility after a patient goes missing.", facts)
    assert good.faithful and good.well_formed, (good.problems, good.form)
    assert {"description 'investigating'", "description 'psychiatric'"} <= set(good.specifics)
    bad = movies_checker.check("If you loved Inception, Shutter Island is a tense thriller about a marshal "
                               "hunting a shark off a remote island.", facts)
    assert any("'shark'" in p for p in bad.problems) and any("'hunting'" in p for p in bad.problems), bad.problems
    # without a description no plot word is supported
    bare = movie_facts(movies_checker, "Shutter Island", ("Inception",), description="")
    assert not movies_checker.check("If you loved Inception, Shutter Island is a tense thriller about a marshal "
                                    "investigating a psychiatric facility.", bare).faithful


def test_the_premise_and_the_maker_come_from_the_description():
    from explain.premise import directors_named, premise

    assert premise(SHUTTER_ISLAND) == "Deputy U.S. Marshal Edward Daniels, who is investigating a psychiatric facility"
    assert directors_named(SHUTTER_ISLAND) == ("Martin Scorsese",)
    inception = ("Inception is a 2010 science fiction action film written and directed by Christopher Nolan, who also "
                 "produced the film with Emma Thomas, his wife. The film stars Leonardo DiCaprio as a professional thief "
                 "who steals information by infiltrating the subconscious of his targets. He is offered a chance to "
                 "have his criminal history erased.")
    assert premise(inception) == "a professional thief who steals information by infiltrating the subconscious of his targets"
    assert directors_named(inception) == ("Christopher Nolan",)
    # a paragraph that says only who made it and who stars gives no premise
    assert premise("Fear is a 2023 American horror film directed by Deon Taylor and starring Joseph Sikora.") is None
