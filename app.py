"""Gradio chat for the conversational recommender (a thin adapter: no recommendation logic here).

    python app.py [--host 127.0.0.1] [--port 7860]
"""

from __future__ import annotations

import argparse
import logging
import sys
import time

import gradio as gr

from chat.presenter import cards_html, escape, profile_markdown, reply_markdown
from chat.recommender import Recommender
from chat.settings import Settings
from chat.state import SessionState

TITLE = "Movie night: a conversational recommender"
CSS = """
.cards {display: flex; flex-direction: column; gap: 8px;}
.card {border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px;}
.card-title {font-weight: 600;}
.card-genres {font-size: 0.85em; opacity: 0.75;}
.card-why {margin-top: 4px;}
"""


def respond(recommender: Recommender, message: str, history: list, state: SessionState | None):
    """Stream one turn: yields (history, cards, profile, textbox, state)."""
    state = state if isinstance(state, SessionState) else SessionState()
    history = list(history or [])
    text = message if isinstance(message, str) else ""
    history.append({"role": "user", "content": escape(text) if text.strip() else "…"})
    history.append({"role": "assistant", "content": "_Looking through the catalog…_"})
    cards: list[dict] = []
    whys: list[str] = []
    yield history, gr.skip(), gr.skip(), "", state
    for event in recommender.turn(state, text):
        if event.kind == "items":
            cards = [r.as_dict() for r in event.items]
            whys = [""] * len(cards)
        elif event.kind == "explanation":
            whys[event.row] = event.text if event.final else whys[event.row] + event.text
        elif event.kind == "done":
            result = event.result
            if result["items"]:
                cards = result["items"]
                whys = [c["why"] for c in cards]
                intro = result["reply"].split("\n")[0]
                history[-1]["content"] = reply_markdown(intro, cards, whys, pending=False)
            else:
                history[-1]["content"] = escape(result["reply"])
            yield history, cards_html(cards, whys), profile_markdown(result["state"]), "", state
            return
        history[-1]["content"] = reply_markdown("Here is what I found:", cards, whys, pending=True)
        yield history, cards_html(cards, whys), gr.skip(), "", state


def build_app(recommender: Recommender) -> gr.Blocks:
    with gr.Blocks(title=TITLE) as demo:
        gr.Markdown(f"## {TITLE}\nSay what you like (\"I loved Star Wars and Alien, something tense tonight\"), "
                    "then refine: \"something older\", \"no horror\", \"I've seen Aliens\".")
        state = gr.State(None)
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(label="Chat", height=520, elem_id="chat")
                with gr.Row():
                    box = gr.Textbox(placeholder="Tell me what you like…", show_label=False, scale=5,
                                     elem_id="message", max_length=50_000)
                    send = gr.Button("Send", variant="primary", scale=1, elem_id="send")
                reset = gr.Button("Reset", elem_id="reset")
            with gr.Column(scale=2):
                gr.Markdown("### Picks")
                cards = gr.HTML(cards_html([], []), elem_id="cards")
                gr.Markdown("### What I know about you")
                profile = gr.Markdown(profile_markdown({}), elem_id="profile")

        def on_message(message, history, session):
            yield from respond(recommender, message, history, session)

        outputs = [chatbot, cards, profile, box, state]
        box.submit(on_message, [box, chatbot, state], outputs, api_name="respond")
        send.click(on_message, [box, chatbot, state], outputs, api_name=False)
        reset.click(lambda: ([], cards_html([], []), profile_markdown({}), "", SessionState()), None, outputs,
                    api_name="reset")
    return demo


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=TITLE)
    parser.add_argument("--host", help="interface to listen on (env RECS_HOST, default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (env RECS_PORT, default 7860)")
    parser.add_argument("--no-llm", action="store_true", help="template explanations only")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)
    for noisy in ("httpx", "chromadb", "sentence_transformers"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    settings = Settings.from_env(host=args.host, port=args.port, use_llm=False if args.no_llm else None)
    started = time.perf_counter()
    recommender = Recommender(settings)
    for line in recommender.warm_up():
        print(f"  {line}", file=sys.stderr)
    print(f"models ready in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    build_app(recommender).launch(server_name=settings.host, server_port=settings.port, css=CSS)


if __name__ == "__main__":
    main()
