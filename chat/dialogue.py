"""Run a whole conversation through the recommender: live, or as a replay of a recorded one.

A turn is a bare string (the user's words) or `{"role": "user" | "assistant", "text": ...}`.
Assistant turns are what the recommending side said (a person in recorded data, or the chat's own
earlier reply): the titles they name become the referents of "I've seen that one" or "the first one",
and count as shown.

    live    every user turn is answered with picks; picks are never repeated later.
    replay  every turn updates the state, user turns produce no picks and mark nothing shown; once the
            recording is read, one answer is given (the reply to the last user turn, with everything the
            recording said before it was wanted). That answer's result has "answer": true.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from chat.text import clean_text

ROLES = ("user", "assistant")


@dataclass(frozen=True)
class Turn:
    role: str
    text: str


def parse_turn(raw, where: str = "turn") -> Turn:
    """A bare string is a user turn; an object needs a known role and a text."""
    if isinstance(raw, str):
        return Turn("user", clean_text(raw))
    if isinstance(raw, dict):
        role, text = raw.get("role", "user"), raw.get("text")
        if role not in ROLES:
            raise ValueError(f"{where}: role {role!r} is unknown: use one of {', '.join(ROLES)}")
        if not isinstance(text, str):
            raise ValueError(f"{where}: needs a \"text\" string, got {type(text).__name__}")
        return Turn(role, clean_text(text))
    raise ValueError(f"{where}: a turn is a string or {{\"role\": ..., \"text\": ...}}, got {type(raw).__name__}")


def run_dialogue(recommender, state, turns: list[Turn], replay: bool = False, k: int | None = None,
                 use_llm: bool | None = None) -> Iterator[dict]:
    """Yield one finished result per turn (assistant turns too); in replay, then the one answer."""
    for turn in turns:
        if turn.role == "assistant":
            yield recommender.observe(state, turn.text)
        else:
            yield recommender.run_turn(state, turn.text, k=k, use_llm=use_llm, respond=not replay)
    if replay:
        yield {**recommender.run_answer(state, k=k, use_llm=use_llm), "answer": True}
