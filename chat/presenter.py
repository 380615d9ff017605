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


MAX_DESCRIPTION_CHARS = 220  # a card shows the start of a long description
PENDING = "_the model is writing a sentence of its own…_"  # under a card's template until its explanation is final
AI_WRITTEN = "_(AI-written)_"  # after an explanation the LLM wrote: the reader knows which texts a model wrote


def card_markdown(n: int, card: dict, why: str, pending: bool = False, source: str = "") -> str:
    """'**1. Alien (1979)** · Horror, Sci-Fi · id 183', then the description when the catalog has one, then why
    (marked when the LLM wrote it; with `pending`, the template shown until the LLM's sentence passes)."""
    head = [f"**{n}. {escape(card['title'])}**"]
    if card.get("genres"):
        head.append(escape(", ".join(card["genres"])))
    if card.get("source_id"):
        head.append(f"id {escape(str(card['source_id']))}")  # the catalog's own id, to find the pick in it
    lines = [" · ".join(head)]
    description = card.get("description", "")
    if description:
        if len(description) > MAX_DESCRIPTION_CHARS:
            description = description[:MAX_DESCRIPTION_CHARS].rsplit(" ", 1)[0] + "…"
        lines.append(f"_{escape(description)}_")
    if why:
        lines.append(escape(why) + (f" {AI_WRITTEN}" if source == "llm" else ""))
    if pending:
        lines.append(PENDING)
    return "  \n".join(lines)


def reply_markdown(intro: str, titles: list[str]) -> str:
    """The chat message: what the picks are for, and their titles; the explanations live on the cards only."""
    parts = [escape(intro)] if intro else []
    if titles:
        parts.append(" · ".join(f"{n}. {escape(t)}" for n, t in enumerate(titles, 1)))
    return "\n\n".join(parts)


def profile_markdown(snapshot: dict, noun: str = "movie") -> str:
    """'What I know about you' from a state snapshot."""
    if not snapshot.get("preference_text"):
        return f"_Nothing yet. Tell me a {escape(noun)} you loved._"
    return escape(snapshot["preference_text"])


def page_title(catalog) -> str:
    return "Movie night: a conversational recommender" if catalog.noun == "movie" else \
        f"A conversational recommender for {catalog.nouns}"


def intro_markdown(catalog) -> str:
    """The line under the title: a first message and refinements this catalog understands."""
    refine = ['"something older"'] if catalog.year_range else []
    if catalog.genres:
        counts = {g: 0 for g in catalog.genres}
        for item in catalog.items:
            for g in item.genres:
                counts[g] += 1
        by_count = sorted(counts, key=lambda g: (-counts[g], g))
        refine.append(f'"no {by_count[len(by_count) // 2].lower()}"')  # a category neither everywhere nor rare
    refine.append('"not the second one"')
    return (f"Say what you like (\"{escape(catalog.example_request)}\"), then refine: {escape(', '.join(refine))}. "
            "Or use the buttons on each pick.")
