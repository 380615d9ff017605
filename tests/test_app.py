"""The Gradio app as a real server on a free local port, driven with gradio_client.

The /respond endpoint returns: chat history, the text of the 10 card slots, the profile,
the removable entries and the cleared textbox.
"""

from gradio_client import Client


def say(client, message):
    history, *rest = client.predict(message, api_name="/respond")
    cards, (profile, entries, box) = rest[:10], rest[10:]
    return history, [c for c in cards if c], profile, entries, box


def test_two_turns_through_the_server(server):
    client = Client(server, verbose=False)
    _, cards, profile, _, box = say(client, "I loved Star Wars")
    assert "Star Wars" in profile and 3 <= len(cards) <= 5 and box == ""
    first = cards
    _, cards, profile, entries, _ = say(client, "no horror")
    assert "No Horror" in profile and "Likes Star Wars" in profile  # state kept across turns of this session
    assert cards and cards != first
    choices = [c[0] if isinstance(c, (list, tuple)) else c for c in entries["choices"]]
    assert "Liked: Star Wars (1977)" in choices and "No genre: Horror" in choices


def test_an_entry_can_be_removed(server):
    client = Client(server, verbose=False)
    say(client, "I loved Alien, no comedy")
    profile, entries = client.predict("No genre: Comedy", api_name="/forget")
    assert "Comedy" not in profile and "Alien" in profile


def test_sessions_are_isolated(server):
    a, b = Client(server, verbose=False), Client(server, verbose=False)
    say(a, "I loved Alien, no comedy")
    _, _, profile_b, _, _ = say(b, "I loved Toy Story")
    assert "Alien" not in profile_b and "No Comedy" not in profile_b


def test_html_from_the_user_is_not_rendered(server):
    history, *_ = say(Client(server, verbose=False), "<script>alert(1)</script><b>hi</b> I loved Alien")
    user_turns = [m for m in history if m["role"] == "user"]
    text = str(user_turns[-1]["content"])
    assert "<script>" not in text and "<b>" not in text
