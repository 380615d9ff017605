"""Turn pipeline results into safe markdown/HTML for the chat UI (no Gradio here).

Everything that came from the user or the LLM is escaped, so a message with HTML or
markdown tricks is shown as text and never rendered.
"""

from __future__ import annotations

import html
import re


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def escape(text: str) -> str:
    """Plain text that renders as itself in Gradio's markdown (HTML and markdown neutralized)."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def card_markdown(n: int, title: str, genres: list[str], why: str, pending: bool = False) -> str:
    genre_text = ", ".join(genres) or "unknown genre"
    body = escape(why) if why else ("_writing why…_" if pending else "")
    return f"**{n}. {escape(title)}** · {escape(genre_text)}  \n{body}"


def reply_markdown(intro: str, cards: list[dict], whys: list[str], pending: bool) -> str:
    """The assistant message: intro line, then one card per item."""
    parts = [escape(intro)] if intro else []
    for n, (card, why) in enumerate(zip(cards, whys), 1):
        parts.append(card_markdown(n, card["title"], card["genres"], why, pending))
    return "\n\n".join(parts)


def profile_markdown(snapshot: dict) -> str:
    """'What I know about you' from a state snapshot."""
    if not snapshot.get("preference_text"):
        return "_Nothing yet. Tell me a movie you loved._"
    return escape(snapshot["preference_text"])
