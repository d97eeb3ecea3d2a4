"""Take the README's screenshots from a running demo (`make run` in another shell):

    .venv/bin/python docs/screenshots/capture.py [http://127.0.0.1:8000]

It logs in as alice and bob, has bob claim a task while alice watches, creates a
display key as alice (the demo board's admin) and captures the wall display."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(__file__).resolve().parent
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def login(browser, user: str, viewport: dict):
    page = browser.new_context(viewport=viewport).new_page()
    page.goto(f"{BASE}/accounts/login/")
    page.get_by_label("Username or email").fill(user)
    page.get_by_label("Password").fill("taskboard-demo")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name=re.compile("Team board")).click()
    expect(page.locator("#connection-pill")).to_have_text("Live")
    return page


with sync_playwright() as playwright:
    browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
    alice = login(browser, "alice", {"width": 1440, "height": 900})
    bob = login(browser, "bob", {"width": 1440, "height": 900})
    bob.locator("#cards-UNASSIGNED .card").first.get_by_role("button", name="Claim").click()
    alice.wait_for_timeout(400)
    alice.screenshot(path=OUT / "board.png")

    board_url = alice.url
    alice.goto(board_url + "settings/")
    alice.get_by_label("Display name").fill("Team room TV")
    alice.get_by_role("button", name="Create display key").click()
    display_url = alice.locator("#new-display-url").inner_text()
    display = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    display.goto(display_url)
    expect(display.locator("#connection-pill")).to_have_text("Live")
    alice.goto(board_url)
    alice.locator("#cards-IN_PROGRESS .card").first.get_by_role("button", name="Mark done").click()
    display.wait_for_timeout(600)
    display.screenshot(path=OUT / "display.png")
    browser.close()
print("Wrote", OUT / "board.png", "and", OUT / "display.png")
