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


def card_titles(page) -> list[str]:
    # One read of the page in the browser: a card that hides between two Playwright calls
    # (while the chat is reset) would otherwise leave a locator waiting for 30 s.
    texts = page.evaluate("""() => [...Array(10).keys()]
        .map(n => document.querySelector(`#card-${n}-text`))
        .filter(el => el && el.offsetParent !== null)
        .map(el => el.innerText)""")
    titles = []
    for text in texts:
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
    box = page.locator("#message textarea")
    box.fill("I loved Star Wars and Alien, I want something tense tonight")
    box.press("Enter")

    # Watch the chat while it streams: the cards come first, then each explanation once it passed the checker.
    partial_replies: set[str] = set()

    def finished():
        done = "Likes" in page.locator("#profile").inner_text()  # the profile updates when the turn is done
        if not done:
            partial_replies.add(page.locator("#chat").inner_text())
        return done

    wait_for(page, finished, "the first reply")
    waiting = {t.count("writing why") for t in partial_replies if "writing why" in t}
    assert len(waiting) >= 2, "the explanations appeared all at once instead of one by one"
    before = card_titles(page)
    assert 3 <= len(before) <= 5, before
    assert "writing why" not in page.locator("#chat").inner_text()

    page.locator("#card-1-disliked").click()
    wait_for(page, lambda: "Dislikes" in page.locator("#profile").inner_text(), "the dislike to be recorded")
    wait_for(page, lambda: card_titles(page) and card_titles(page)[1] != before[1], "the card to be replaced")
    after = card_titles(page)
    assert before[1] not in after and after[0] == before[0] and after[2:] == before[2:]
    assert before[1] in page.locator("#profile").inner_text()

    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=str(DOCS / "screenshot.png"), full_page=True)

    page.locator("#reset").click()
    wait_for(page, lambda: not card_titles(page), "the cards to clear")
    assert "Nothing yet" in page.locator("#profile").inner_text()
