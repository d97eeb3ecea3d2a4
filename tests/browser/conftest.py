"""Browser tests: headless Debian Chromium driven by Playwright against a real daphne
process on a free loopback port, sharing the test database and a private Redis."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client as DjangoClient
from playwright.sync_api import expect

from board.models import Role
from tests.conftest import service_missing
from tests.factories import UserFactory, member_add
from tests.realtime.servers import (
    Server,
    free_port,
    server_env,
    server_start,
    servers_database_url,
    stop,
)

# Actions and assertions alike: Playwright's own 5 s for `expect` is too short for a
# page served by a worker that shares two cores with three other test processes.
BROWSER_TIMEOUT_MS = 15_000
expect.set_options(timeout=BROWSER_TIMEOUT_MS)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct-horse-battery"
# Every page reports each Content-Security-Policy violation (a blocked script, eval,
# style, connection or frame) to the test, which fails if any was seen; and so does
# htmx when it refuses to eval (an hx-on or js: value, with allowEval off).
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolation(`${event.effectiveDirective} blocked ${event.blockedURI} ` +
    `at ${event.sourceFile}:${event.lineNumber}`);
});
document.addEventListener("htmx:evalDisallowedError", (event) => {
  window.__cspViolation(`htmx refused to eval for ${event.target.outerHTML.slice(0, 200)}`);
});
"""

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture(autouse=True)
def _chromium_present() -> None:
    if not os.path.exists(CHROMIUM):
        service_missing("browser tests need Debian's chromium at /usr/bin/chromium")


@pytest.fixture
def _orm_beside_playwright(monkeypatch: pytest.MonkeyPatch) -> None:
    """Playwright's sync API runs an event loop in this thread, which Django's
    async-safety check mistakes for async code calling the ORM. Changes the test makes
    directly are not broadcast from here (the server under test has its own Redis):
    pages learn of them by resuming, as after a dropped connection."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    monkeypatch.setattr("realtime.broadcast.event_broadcast", lambda *, event: None)


class RestartableServer:
    """One daphne process that a test can kill and start again on the same port."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log, self.port = env, log, free_port()
        self.running: Server | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.running = server_start(env=self.env, log=self.log, port=self.port)

    def kill(self) -> None:
        if self.running is not None:
            stop(self.running.process, sig=9)
            self.running = None


@pytest.fixture
def server(
    _orm_beside_playwright, transactional_db, redis_server, tmp_path
) -> Iterator[RestartableServer]:
    env = server_env(database_url=servers_database_url(), redis_url=redis_server.url)
    env["ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    running = RestartableServer(env, tmp_path / "daphne.log")
    running.start()
    yield running
    running.kill()


@pytest.fixture
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def csp_violations() -> Iterator[list[str]]:
    """What the pages' Content-Security-Policy blocked: none, or the test fails."""
    seen: list[str] = []
    yield seen
    assert not seen, f"Content-Security-Policy violations: {seen}"


def csp_watch(context: Any, seen: list[str]) -> None:
    """Record the context's CSP violations: its pages' events and the console's
    reports (which also name invalid policies, where no event fires)."""

    def reported(violation: str) -> None:
        seen.append(violation)

    def console(message: Any) -> None:
        if "Content Security Policy" in message.text:
            seen.append(message.text)

    context.expose_function("__cspViolation", reported)
    context.add_init_script(CSP_LISTENER)
    context.on("console", console)


@pytest.fixture
def open_page(browser, server, csp_violations) -> Callable[..., Any]:
    """`open_page(user)` or `open_page(None, path)`: a logged-in page in its own context."""

    def open_as(
        user: Any, path: str, *, viewport: dict[str, int] | None = None, live: bool = True
    ) -> Any:
        """`live=False` answers the page's WebSocket with a silent mock: a stale page."""
        context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900})
        csp_watch(context, csp_violations)
        if not live:
            context.route_web_socket("**/ws/**", lambda socket: None)
        if user is not None:
            client = DjangoClient()
            client.force_login(user)
            session = client.cookies["sessionid"].value
            context.add_cookies([{"name": "sessionid", "value": session, "url": server.url}])
        page = context.new_page()
        page.set_default_timeout(BROWSER_TIMEOUT_MS)
        page.goto(server.url + path)
        return page

    return open_as


@pytest.fixture
def team(board):
    """alice and bob (members) and an admin, with readable names."""
    alice = member_add(board=board, user=UserFactory(username="alice", first_name="Alice"))
    bob = member_add(board=board, user=UserFactory(username="bob", first_name="Bob"))
    admin = member_add(
        board=board, user=UserFactory(username="ada", first_name="Ada"), role=Role.ADMIN
    )
    return alice, bob, admin
