"""A person's flow in a real Chromium (Debian's), driven by Playwright: type, watch it stream, reset."""

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
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(server)
        yield page
        browser.close()


def test_chat_streams_cards_and_resets(page):
    box = page.locator("#message textarea")
    box.fill("I loved Star Wars and Alien, I want something tense tonight")
    box.press("Enter")

    # Watch the chat while it streams: cards show up before every explanation is written.
    seen_pending, deadline = False, time.time() + 120
    while time.time() < deadline:
        chat_text = page.locator("#chat").inner_text()
        if "writing why" in chat_text:
            seen_pending = True
        if "Likes" in page.locator("#profile").inner_text():  # the profile updates when the turn is done
            break
        time.sleep(0.1)
    titles = page.locator("#cards .card-title").all_inner_texts()
    assert 3 <= len(titles) <= 5, titles
    assert seen_pending, "the reply appeared all at once instead of streaming"
    assert all(t.strip() for t in page.locator("#cards .card-why").all_inner_texts())
    assert "Star Wars" in page.locator("#profile").inner_text()
    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=str(DOCS / "screenshot.png"), full_page=True)

    page.locator("#reset").click()
    page.wait_for_function("!document.querySelector('#cards .card-title')", timeout=20_000)
    assert "Nothing yet" in page.locator("#profile").inner_text()
