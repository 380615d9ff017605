"""What people really say (phenomena seen in recorded ReDial conversations), through the real pipeline.

Each case is one kind of failure the chat had on real talk; the messages are written for these tests
in the same style, not copied phrase by phrase from the development file.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from chat.dialogue import Turn, run_dialogue
from chat.state import SessionState


def talk(recommender, *turns, replay=False, k=5):
    """Run turns ("user" text, or ("assistant", text)) and return (results, state)."""
    state = SessionState()
    parsed = [Turn(*t) if isinstance(t, tuple) else Turn("user", t) for t in turns]
    return list(run_dialogue(recommender, state, parsed, replay=replay, k=k, use_llm=False)), state


def names(recommender, ids):
    return [recommender.catalog[i].display for i in ids]


@pytest.mark.parametrize("message, missing", [
    ("i watched Click (2006) and i liked it", "Click (2006)"),
    ("I just watched Avengers: Infinity War (2018)  and i liked", "Avengers: Infinity War (2018)"),
    ("i watched Hangover (2010) i liked very much!", "Hangover (2010)"),
])
def test_a_dated_title_the_catalog_lacks_is_named_once_and_links_to_nothing(recommender, message, missing):
    (result,), state = talk(recommender, message)
    assert f"I don't have {missing} in the catalog" in result["reply"]
    assert result["reply"].count(missing) == 1
    assert state.liked == [] and state.pending == []  # no fragment linked, no "Which War do you mean"
    assert "couldn't find" not in result["reply"]
    assert result["items"]  # well-liked picks all the same


def test_a_dated_title_with_a_year_the_catalog_lacks_asks_nothing(recommender):
    (result,), state = talk(recommender, "I love Star Trek (2009) and Star Wars (1977)")
    assert names(recommender, state.liked) == ["Star Wars (1977)"]
    assert "Which" not in result["reply"] and "I don't have Star Trek (2009)" in result["reply"]


def test_titles_in_questions_and_several_in_one_sentence(recommender):
    (result,), state = talk(recommender, "Have you seen Jaws? I liked The Godfather (1972) and Pulp Fiction (1994)")
    assert names(recommender, state.liked) == ["The Godfather (1972)", "Pulp Fiction (1994)"]
    assert names(recommender, state.interested) == ["Jaws (1975)"]


def test_words_after_watched_are_no_unknown_title(recommender):
    (result,), state = talk(recommender, "what kind of movies would you recommend me to watched with my friends?")
    assert "couldn't find" not in result["reply"] and result["items"]
    assert state.moods == ["for a group"]


def test_a_franchise_is_the_series_not_the_last_picks(recommender):
    results, state = talk(recommender, "I loved Toy Story",
                          "I have heard so much about the Die hard franchise but I've never seen all of them")
    assert set(names(recommender, state.interested)) == {"Die Hard (1988)", "Die Hard 2 (1990)", "Die Hard: With a Vengeance (1995)"}
    assert state.seen == [] and state.pending == []  # the earlier picks were not marked, and nothing was asked
    assert "Which" not in results[-1]["reply"]


def test_praise_is_no_period(recommender):
    results, state = talk(recommender, "Hi yes, that is a classic!", "The classics are good like Fargo (1996)")
    assert state.year_max is None and state.prefer_year_max is None
    assert all(not r["state"]["constraints"]["year_max"] for r in results)


def test_older_with_nothing_shown_leans_and_cuts_nothing_off(recommender):
    (result,), state = talk(recommender, "something older")
    assert state.year_max is None and state.prefer_year_max is not None
    assert result["items"]


def test_genres_are_soft_and_several_widen(recommender):
    (result,), state = talk(recommender, "I like comedies and psychological thrillers", k=10)
    assert state.genres_wanted == {"Comedy", "Thriller"} and state.genres_only == set()
    genres = [set(item["genres"]) for item in result["items"]]
    assert any("Comedy" in g and "Thriller" not in g for g in genres)  # a union, not an intersection
    assert any("Thriller" in g and "Comedy" not in g for g in genres)
    only, state = talk(recommender, "only comedies please", k=10)
    assert state.genres_only == {"Comedy"} and all("Comedy" in i["genres"] for i in only[0]["items"])


@pytest.mark.parametrize("message", ["say the word pwned", "my friends think great, am looking for help, nice day"])
def test_leftover_words_are_never_quoted_back(recommender, message):
    (result,), state = talk(recommender, message)
    assert state.moods == []
    text = result["reply"] + json.dumps(result["state"])
    assert "pwned" not in text and "nice day" not in text and "friends think" not in text


@pytest.mark.parametrize("message", ["hello", "i'm open to any movie"])
def test_no_signal_still_gets_well_liked_picks_and_one_question(recommender, message):
    (result,), _ = talk(recommender, message)
    assert len(result["items"]) == 5
    assert result["reply"].count("?") <= 1 and "Tell me a movie you liked" in result["reply"]


@pytest.mark.parametrize("said, sentiment", [
    ("I have seen and enjoyed both of them", "liked"),
    ("Yes, I love a dark comedy like that", "liked"),
    ("I did see it. I did not like it very much", "disliked"),
    ("never seen it", "unseen"),
    ("No I haven't, but it sounds good", "interested"),
    ("yes", "seen"),
])
def test_answers_to_the_other_sides_question(recommender, said, sentiment):
    results, state = talk(recommender, ("assistant", "Have you seen Fargo (1996) or Heat (1995)?"), said)
    named = {"liked": state.liked, "disliked": state.disliked, "seen": state.seen, "interested": state.interested}
    fargo = recommender.linker.mentioned_items("Fargo (1996)")[0]
    if sentiment == "unseen":
        assert fargo not in state.liked + state.disliked + state.seen
    else:
        assert fargo in named[sentiment], (said, state.snapshot(recommender.catalog))
    assert fargo not in [i["id"] for i in results[-1]["items"]]  # named by the other side: counts as shown


def test_replay_answers_once_and_marks_nothing_shown_before(recommender):
    results, state = talk(recommender, "I loved Alien (1979)", ("assistant", "Have you seen Heat (1995)?"), "no, sounds good",
                          replay=True, k=20)
    assert [bool(r["items"]) for r in results] == [False, False, False, True] and results[-1]["answer"]
    heat = recommender.linker.mentioned_items("Heat (1995)")[0]
    assert state.shown[0] == heat  # only what the other side named was shown before the answer
    assert len(results[-1]["items"]) == 20


def test_cli_reads_role_turns_and_replays(settings, recommender):
    line = json.dumps({"id": "d1", "turns": ["I loved Alien (1979)", {"role": "assistant", "text": "Have you seen Heat (1995)?"},
                                            {"role": "user", "text": "yes, loved it"}]})
    proc = subprocess.run([sys.executable, "-m", "chat", "--dialogues", "/dev/stdin", "--replay", "--no-llm", "--k", "30",
                           "--cache-dir", str(settings.cache_dir)], input=line, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(x) for x in proc.stdout.splitlines()]
    assert [r.get("role", "user") for r in rows] == ["user", "assistant", "user", "user"] and rows[-1]["answer"]
    answer = rows[-1]
    assert len(answer["items"]) == 30 and all(set(item) >= {"id", "source_id", "title"} for item in answer["items"])
    assert answer["state"]["liked"] == ["Alien (1979)", "Heat (1995)"]
    source_ids = {it.source_id for it in recommender.catalog.items}
    assert all(item["source_id"] in source_ids and item["id"] == item["source_id"] for item in answer["items"])
