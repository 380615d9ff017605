"""`python -m evaluation load`: parallel gradio_client sessions against the real app started on loopback."""

from evaluation import load


def test_parallel_sessions_get_their_own_answers(recommender, cache_dir):
    result = load.run(sessions=3, turns=2, no_llm=True, cache_dir=cache_dir, progress=False)
    assert result["turn_s"]["n"] == 6 and result["errors"] == 0, result["error_examples"]
    assert result["leaks"] == 0, result["leak_examples"]
    assert result["first_explanation_s"]["n"] >= 5 and result["throughput_turns_per_s"] > 0


def test_the_leak_check_sees_another_sessions_title():
    records = [{"session": 0, "title": "Alien", "profile": "Likes Alien (1979)", "said": ["I loved Alien"]},
               {"session": 1, "title": "Fargo", "profile": "Likes Fargo (1996), Alien (1979)", "said": ["I loved Fargo"]}]
    assert load.leaks(records) == ["session 1 (Fargo) shows 'Alien'"]
