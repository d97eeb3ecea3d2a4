"""Take the README's first-run screenshot from a running Taskboard (`make run` in
another shell):

    .venv/bin/python docs/screenshots/capture_first_run.py [http://127.0.0.1:8000]

It registers a new person (a fresh name each run), who lands on the first run, and
captures its first step with a workspace name typed in."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(__file__).resolve().parent / "first-run.png"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
PASSWORD = "a-long-pass-phrase"

with sync_playwright() as playwright:
    browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
    page = browser.new_context(viewport={"width": 1280, "height": 760}).new_page()
    username = f"newcomer-{secrets.token_hex(3)}"
    page.goto(f"{BASE}/accounts/register/")
    page.locator("#id_username").fill(username)
    page.locator("#id_email").fill(f"{username}@example.com")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_label("Workspace name")).to_be_focused()
    page.get_by_label("Workspace name").fill("Acme Design")
    page.screenshot(path=OUT)
    browser.close()
print("Wrote", OUT)
