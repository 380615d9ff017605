"""Explanations: the real LLM, and fakes only to inject faults the real model will not produce on demand."""

import pytest

from chat.state import SessionState


class ScriptedLLM:
    """Stands in for the LLM to produce a case the real one cannot be made to: given replies or a failure."""

    def __init__(self, replies=None, error=None):
        self.replies, self.error = replies, error

    def stream(self, conversations, max_new_tokens=None):
        if self.error:
            raise self.error
        for row in range(len(conversations)):
            text = self.replies[row % len(self.replies)]
            for word in text.split(" "):
                yield row, word + " "


@pytest.fixture()
def explainer_with(recommender):
    from chat.explainer import Explainer

    def make(llm):
        return Explainer(recommender.catalog, recommender.cf, recommender.linker, llm)

    return make


def explain(explainer, recommender, liked=("Star Wars",)):
    state = SessionState()
    for title in liked:
        state.mark(recommender.linker.find(title)[0].item_ids[0], "liked")
    items = [recommender.catalog[i] for i in (175, 194)]  # Aliens, The Terminator
    events = list(explainer.explain(items, state))
    finals = {e.row: e for e in events if e.final}
    return events, finals


def test_invented_title_is_never_shown(explainer_with, recommender):
    llm = ScriptedLLM(["You will love it, just like Galactic Dreams (1983) and its tense space battles."])
    events, finals = explain(explainer_with(llm), recommender)
    assert all(f.source == "template" for f in finals.values())
    assert not any("Galactic" in e.text for e in events), "the invented title leaked into the stream"


def test_catalog_titles_are_allowed(explainer_with, recommender):
    llm = ScriptedLLM(["A tense ride for fans of Star Wars (1977), with the same sense of danger."])
    _, finals = explain(explainer_with(llm), recommender)
    assert all(f.source == "llm" for f in finals.values())
    assert finals[0].text.startswith("A tense ride")


@pytest.mark.parametrize("llm", [ScriptedLLM(error=TimeoutError("generation timed out")), ScriptedLLM(["   "])])
def test_failure_or_empty_text_gets_a_template(explainer_with, recommender, llm):
    _, finals = explain(explainer_with(llm), recommender)
    assert set(finals) == {0, 1}
    assert all(f.source == "template" and f.text for f in finals.values())
    assert "People who liked" in finals[0].text  # built from the CF neighbours


def test_real_llm_explanations_are_grounded(recommender, catalog):
    from chat.grounding import unknown_titles

    state = SessionState()
    result = recommender.run_turn(state, "I loved Star Wars (1977) and Alien (1979); something tense tonight", k=3)
    assert 3 <= len(result["items"]) <= 5
    for item in result["items"]:
        assert catalog[item["id"]].display == item["title"]
        assert item["why"].strip()
        assert unknown_titles(item["why"], recommender.linker, {item["title"], "Star Wars (1977)", "Alien (1979)"}) == []
    assert result["timings_ms"]["llm"] > 0
