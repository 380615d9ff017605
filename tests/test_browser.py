"""A person's flow in a real Chromium (Debian's), driven by Playwright: type, watch it stream,
dislike a card and see it replaced, reset. Saves docs/screenshot.png."""

import re
import shutil
import time
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
DOCS = Path(__file__).resolve().parents[1] / "docs"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page(server):
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} not found: `make test` installs Debian's chromium and chromium-driver")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(server)
        yield page
        browser.close()


def cards_text(page) -> list[str]:
    # One read of the page in the browser: a card that hides between two Playwright calls
    # (while the chat is reset) would otherwise leave a locator waiting for 30 s.
    return page.evaluate("""() => [...Array(10).keys()]
        .map(n => document.querySelector(`#card-${n}-text`))
        .filter(el => el && el.offsetParent !== null)
        .map(el => el.innerText)""")


def card_titles(page) -> list[str]:
    titles = []
    for text in cards_text(page):
        m = re.match(r"\s*\d+\.\s*(.+?\(\d{4}\))", text)
        titles.append(m.group(1) if m else text.split("\n")[0])
    return titles


def wait_for(page, predicate, what: str, seconds: float = 120):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_chat_streams_cards_steer_and_reset(page):
    from chat.presenter import PENDING

    pending = PENDING.strip("_")
    box = page.locator("#message textarea")
    box.fill("I loved Star Wars and Alien, I want something tense tonight")
    box.press("Enter")

    # Watch the cards while the turn streams: every pick comes at once with its template, then each card's
    # final text replaces it in place as soon as the LLM's sentence passed the checker.
    partial_cards: list[list[str]] = []

    def finished():
        done = "Likes" in page.locator("#profile").inner_text()  # the profile updates when the turn is done
        if not done:
            partial_cards.append(cards_text(page))
        return done

    wait_for(page, finished, "the first reply")
    waiting = {sum(pending in c for c in cards) for cards in partial_cards if any(pending in c for c in cards)}
    # The picks were on screen before their explanations were final. (Rows of one batch often pass within
    # milliseconds of each other, so a 0.1 s poll need not see two different counts; the one-by-one order
    # is held at the recommender: test_explanations' test_picks_come_at_once_with_templates_and_...)
    assert waiting, "the picks waited for their explanations instead of coming at once"
    # While a card waits for the LLM it already shows its template: a line of text under its title.
    waiting_cards = [c for cards in partial_cards for c in cards if pending in c]
    assert all(len(c.replace(pending, "").strip().split("\n")) >= 2 for c in waiting_cards), waiting_cards[:2]
    before = card_titles(page)
    assert 3 <= len(before) <= 5, before
    final_cards = cards_text(page)
    assert not any(pending in c for c in final_cards)
    # One place for each text: the chat says what the picks are for and names them; the explanations are on the cards.
    chat = page.locator("#chat").inner_text()
    whys = [c.strip().split("\n")[-1].replace("(AI-written)", "").strip() for c in final_cards]
    assert all(title in chat for title in before) and not any(why in chat for why in whys), (chat, whys)

    page.locator("#card-1-disliked").click()
    wait_for(page, lambda: "Dislikes" in page.locator("#profile").inner_text(), "the dislike to be recorded")
    wait_for(page, lambda: card_titles(page) and card_titles(page)[1] != before[1], "the card to be replaced")
    after = card_titles(page)
    assert before[1] not in after and after[0] == before[0] and after[2:] == before[2:]
    assert before[1] in page.locator("#profile").inner_text()

    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=str(DOCS / "screenshot.png"), full_page=True)

    # A question about a card is answered from its facts (issue 26): the same cards, the profile as it was.
    profile_before = page.locator("#profile").inner_text()
    box.fill("when did the first one come out?")
    box.press("Enter")
    title, year = re.match(r"(.+) \((\d{4})\)$", after[0]).groups()
    wait_for(page, lambda: f"came out in {year}" in page.locator("#chat").inner_text(), "the answer to the question")
    assert title in page.locator("#chat").inner_text().split("when did the first one come out?")[-1]
    wait_for(page, lambda: page.locator("#profile").inner_text() == profile_before, "the profile after the answer", 10)
    assert card_titles(page) == after

    page.locator("#reset").click()
    wait_for(page, lambda: not card_titles(page), "the cards to clear")
    assert "Nothing yet" in page.locator("#profile").inner_text()
