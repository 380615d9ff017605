"""The Gradio app as a real server on a free local port, driven with gradio_client."""

def test_two_turns_through_the_server(server):
    from gradio_client import Client

    client = Client(server, verbose=False)
    history, cards, profile, *_ = client.predict("I loved Star Wars", api_name="/respond")
    assert "Star Wars" in profile and "card-title" in cards
    first = cards
    history, cards, profile, *_ = client.predict("no horror", api_name="/respond")
    assert "No Horror" in profile and "Likes Star Wars" in profile  # state kept across turns of this session
    assert cards != first


def test_sessions_are_isolated(server):
    from gradio_client import Client

    a, b = Client(server, verbose=False), Client(server, verbose=False)
    a.predict("I loved Alien, no comedy", api_name="/respond")
    _, _, profile_b, *_ = b.predict("I loved Toy Story", api_name="/respond")
    assert "Alien" not in profile_b and "No Comedy" not in profile_b


def test_html_from_the_user_is_not_rendered(server):
    from gradio_client import Client

    history, *_ = Client(server, verbose=False).predict("<script>alert(1)</script><b>hi</b> I loved Alien",
                                                       api_name="/respond")
    user_turns = [m for m in history if m["role"] == "user"]
    text = str(user_turns[-1]["content"])
    assert "<script>" not in text and "<b>" not in text
