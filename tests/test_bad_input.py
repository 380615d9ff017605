"""Input that must get a clear answer and never crash the chat."""

import pytest

from chat.presenter import escape
from chat.state import SessionState

CASES = {
    "empty": "",
    "whitespace": "   \n\t ",
    "huge": "I loved Star Wars. " + "blah " * 10_000,
    "emoji": "🍿🎬 I loved Star Wars 🚀🚀",
    "chinese": "我喜欢星球大战，想看科幻电影",
    "html": "<b>bold</b><script>alert('x')</script><img src=x onerror=alert(1)> I loved Alien",
    "markdown": "![img](http://example.invalid/x.png) [link](javascript:alert(1)) **I loved Alien**",
    "control": "I loved\x00 Star\x1b[31m Wars\u202e",
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_gets_a_clear_answer(recommender, name):
    state = SessionState()
    result = recommender.run_turn(state, CASES[name], use_llm=False)
    assert result["reply"].strip()
    if name in ("empty", "whitespace"):
        assert result["items"] == [] and "Tell me" in result["reply"]
    if name == "huge":
        assert "first 2,000 characters" in result["reply"]
        assert result["state"]["liked"] == ["Star Wars (1977)"]
    # the session still works afterwards
    assert recommender.run_turn(state, "I loved Toy Story", use_llm=False)["items"]


def test_50k_characters_are_read_quickly(recommender):
    result = recommender.run_turn(SessionState(), "x" * 50_000, use_llm=False)
    assert result["reply"] and result["timings_ms"]["link"] < 2000


def test_user_html_is_escaped_for_display():
    shown = escape(CASES["html"])
    assert "<script>" not in shown and "<b>" not in shown and "&lt;script&gt;" in shown
    shown = escape(CASES["markdown"])
    assert "![img](" not in shown and "[link](" not in shown
