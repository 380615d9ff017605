"""Gradio chat for the conversational recommender: a thin adapter, no recommendation logic here.

    python app.py [--host 127.0.0.1] [--port 7860] [--no-llm]

The page: a streaming chat; a card per pick with Like / Dislike / Seen buttons that
replace the card at once; "what I know about you", where any entry can be removed; the
number of picks and a diversity slider. Every browser tab has its own SessionState.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
import traceback

import gradio as gr

from chat import profile
from chat.presenter import card_markdown, escape, intro_markdown, page_title, profile_markdown, reply_markdown
from chat.recommender import Recommender
from chat.settings import Settings
from chat.state import SessionState
from chat.text import clean_text
from runtime.errors import startup_error_line

TITLE = "Movie night: a conversational recommender"
MAX_CARDS = 10
MIN_UPDATE_S = 0.1  # explanations closer together than this are shown in one update
CSS = """
.card {border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 6px 10px;}
.card button {min-width: 0 !important;}
"""


class View:
    """What one turn shows while it streams: a one-line chat reply and the cards, which hold the explanations."""

    def __init__(self, history: list, intro: str = "Here is what I found:"):
        self.history, self.intro = history, intro
        self.cards: list[dict] = []
        self.whys: list[str] = []
        self.sources: list[str] = []  # per card: "llm" or "template"
        self.final: list[bool] = []  # per card: whether its text is final (else a template the LLM may replace)
        self.done = False

    def apply(self, event, state: SessionState) -> None:
        if event.kind == "items":  # every pick with its template at once
            self.cards = [r.as_dict() for r in event.items]
            self.intro = event.text or self.intro
            self.whys = [r.why for r in event.items]
            self.sources = [r.why_source for r in event.items]
            self.final = [r.final for r in event.items]
        elif event.kind == "explanation":  # the final text of one card, in place
            self.whys[event.row], self.sources[event.row], self.final[event.row] = event.text, event.source, True
        elif event.kind == "done":
            self.done = True
            result = event.result
            if result["items"]:
                self.cards = result["items"]
                self.whys = [c["why"] for c in self.cards]
                self.sources = [c["why_source"] for c in self.cards]
                self.final = [True] * len(self.cards)
                self.intro = result["reply"].split("\n")[0]
                self.history[-1]["content"] = reply_markdown(self.intro, [c["title"] for c in self.cards])
            else:
                self.history[-1]["content"] = escape(result["reply"])
            return
        self.history[-1]["content"] = reply_markdown(self.intro, [c["title"] for c in self.cards])

    def card_updates(self) -> list:
        """Each card's visibility and text. (Gradio builds a component for every update dict, gr.skip()
        included, so the texts go as plain strings and only the groups get update dicts.)"""
        updates = []
        for n in range(MAX_CARDS):
            if n < len(self.cards):
                c = self.cards[n]
                text = card_markdown(n + 1, c, self.whys[n], pending=not self.final[n], source=self.sources[n])
                updates += [gr.update(visible=True), text]
            else:
                updates += [gr.update(visible=False), ""]
        return updates


def profile_updates(recommender: Recommender, state: SessionState) -> list:
    snapshot = state.snapshot(recommender.catalog)
    choices = profile.entries(state, recommender.catalog)
    return [profile_markdown(snapshot, recommender.catalog.noun), gr.update(choices=choices, value=None)]


def stream(recommender: Recommender, events, view: View, state: SessionState):
    """Yield the outputs after pipeline events: history, cards, profile, entries, textbox, state.

    Explanations that arrive within MIN_UPDATE_S of the last update (templates come all at once) go out
    with the next one: every update costs the server a full render, and many sessions share it.
    """
    last = 0.0
    for event in events:
        view.apply(event, state)
        now = time.perf_counter()
        if event.kind == "explanation" and now - last < MIN_UPDATE_S:
            continue
        last = now
        tail = profile_updates(recommender, state) if view.done else [gr.skip(), gr.skip()]
        yield [view.history, *view.card_updates(), *tail, "", state]


def respond(recommender: Recommender, message, history, state, k, diversity):
    state = state if isinstance(state, SessionState) else SessionState()
    state.diversity = _number(diversity, 0.0, 1.0)
    text = clean_text(message)  # the same text the pipeline reads, safe to echo and to send as JSON
    history = list(history or []) + [
        {"role": "user", "content": escape(text) if text.strip() else "…"},
        {"role": "assistant", "content": "_Looking through the catalog…_"},
    ]
    view = View(history)
    yield [history, *view.card_updates(), gr.skip(), gr.skip(), "", state]
    k = _number(k, 1, MAX_CARDS)
    yield from stream(recommender, recommender.turn(state, text, k=int(k) if k else None), view, state)


def _number(value, low: float, high: float) -> float | None:
    """A slider value from the page or the API, clamped to its range; None when it is no number."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else min(max(number, low), high)  # NaN -> None


def react(recommender: Recommender, slot: int, sentiment: str, history, state):
    """A card button: mark the item and replace that card."""
    state = state if isinstance(state, SessionState) else SessionState()
    history = list(history or [])
    if slot >= len(state.last_items):
        yield [history, *View(history).card_updates(), gr.skip(), gr.skip(), gr.skip(), state]
        return
    item = recommender.catalog[state.last_items[slot]]
    verb = {"liked": "I liked", "disliked": "Not for me:", "seen": "I've seen"}[sentiment]
    history += [{"role": "user", "content": escape(f"{verb} {item.display}")},
                {"role": "assistant", "content": "_Finding another one…_"}]
    view = View(history)
    yield from stream(recommender, recommender.feedback(state, item.id, sentiment), view, state)


def build_app(recommender: Recommender) -> gr.Blocks:
    default_k = recommender.settings.k
    catalog = recommender.catalog
    with gr.Blocks(title=page_title(catalog)) as demo:
        gr.Markdown(f"## {page_title(catalog)}\n{intro_markdown(catalog)}")
        state = gr.State(None)
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(label="Chat", height=520, elem_id="chat", feedback_options=None)
                with gr.Row():
                    box = gr.Textbox(placeholder="Tell me what you like…", show_label=False, scale=5,
                                     elem_id="message", max_length=50_000)
                    send = gr.Button("Send", variant="primary", scale=1, elem_id="send")
                with gr.Row():
                    k = gr.Slider(1, MAX_CARDS, value=default_k, step=1, label="Picks per reply", elem_id="k")
                    diversity = gr.Slider(0, 1, value=recommender.settings.diversity, step=0.1,
                                          label="Diversity (0 = closest matches)", elem_id="diversity")
                reset = gr.Button("Reset everything", elem_id="reset")
            with gr.Column(scale=2):
                gr.Markdown("### Picks")
                slots, slot_texts, buttons = [], [], []
                for n in range(MAX_CARDS):
                    with gr.Group(visible=False, elem_id=f"card-{n}", elem_classes=["card"]) as group:
                        text = gr.Markdown(elem_id=f"card-{n}-text")
                        with gr.Row():
                            for sentiment, label in (("liked", "Like"), ("disliked", "Dislike"), ("seen", "Seen")):
                                buttons.append((n, sentiment, gr.Button(label, size="sm", elem_id=f"card-{n}-{sentiment}")))
                    slots.append(group)
                    slot_texts.append(text)
                gr.Markdown("### What I know about you")
                prof = gr.Markdown(profile_markdown({}, catalog.noun), elem_id="profile")
                with gr.Row():
                    entry = gr.Dropdown(choices=[], label="Remove an entry", elem_id="entry", scale=3)
                    remove = gr.Button("Remove", elem_id="remove", scale=1)

        card_outputs = [c for pair in zip(slots, slot_texts) for c in pair]
        outputs = [chatbot, *card_outputs, prof, entry, box, state]

        def on_message(message, history, session, k_value, div_value):
            yield from respond(recommender, message, history, session, k_value, div_value)

        box.submit(on_message, [box, chatbot, state, k, diversity], outputs, api_name="respond")
        send.click(on_message, [box, chatbot, state, k, diversity], outputs, api_name=False)

        for n, sentiment, button in buttons:
            def on_click(history, session, n=n, sentiment=sentiment):
                yield from react(recommender, n, sentiment, history, session)

            button.click(on_click, [chatbot, state], outputs, api_name=False)

        def on_remove(choice, session):
            session = session if isinstance(session, SessionState) else SessionState()
            if choice:
                profile.forget(session, recommender.catalog, clean_text(choice))
            return [*profile_updates(recommender, session), session]

        remove.click(on_remove, [entry, state], [prof, entry, state], api_name="forget")

        def on_reset():
            return [[], *View([]).card_updates(), profile_markdown({}, catalog.noun), gr.update(choices=[], value=None), "",
                    SessionState()]

        reset.click(on_reset, None, outputs, api_name="reset")
    # Sessions run side by side (each has its own SessionState); the LLM batches their explanations.
    concurrency = recommender.settings.concurrency
    demo.queue(default_concurrency_limit=concurrency)
    return demo


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=TITLE)
    parser.add_argument("--host", help="interface to listen on (env RECS_HOST, default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (env RECS_PORT, default 7860)")
    parser.add_argument("--no-llm", action="store_true", help="template explanations only")
    parser.add_argument("-v", "--verbose", action="store_true", help="show the traceback of a failed start-up")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)
    for noisy in ("httpx", "chromadb", "sentence_transformers", "sentence_transformers.base.model"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        settings = Settings.from_env(host=args.host, port=args.port, use_llm=False if args.no_llm else None)
        started = time.perf_counter()
        recommender = Recommender(settings)
        for line in recommender.warm_up():
            print(f"  {line}", file=sys.stderr)
    except Exception as err:  # one line that says what to change, never a traceback (unless --verbose)
        if args.verbose:
            traceback.print_exc()
        print(startup_error_line(err), file=sys.stderr)
        sys.exit(2)
    print(f"models ready in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    demo = build_app(recommender)
    try:
        demo.launch(server_name=settings.host, server_port=settings.port, css=CSS,
                    max_threads=max(40, settings.concurrency + 8))
    except OSError as err:  # the port is taken, or the host is no local interface
        print(f"error: cannot listen on {settings.host}:{settings.port} ({err}): set RECS_PORT (--port) to a free "
              "port and RECS_HOST (--host) to an address of this machine", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
