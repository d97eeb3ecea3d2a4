"""Fixtures for the socket tests: communicators with each kind of credential, and
helpers that read frames with a timeout."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any
from urllib.parse import urlparse

import orjson
import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import connections
from django.test import Client

import realtime.broadcast
import realtime.consumers
from accounts.tokens import api_token_create
from board.models import Task
from board.services import task_create
from realtime.routing import websocket_application
from tests.realtime.servers import (
    Server,
    server_env,
    server_start,
    servers_database_url,
    stop,
)

ALLOWED_ORIGIN = "http://testserver"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
async def _close_thread_connections(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """ORM calls from async tests and consumers run in asgiref's worker thread, whose
    connections outlive the test (CONN_MAX_AGE) and would keep PostgreSQL from
    dropping the test database."""
    yield
    if request.node.get_closest_marker("django_db"):
        await database_sync_to_async(connections.close_all)()


@pytest.fixture(autouse=True)
def _channel_layer_per_test() -> Iterator[None]:
    """Each async test runs its own event loop, and a channel layer keeps connections
    (and, in realtime.redis_layer, its pump) per loop; a server has one loop per
    process. A fresh layer per test keeps one test's board hubs from tripping the next."""
    yield
    channel_layers.backends = {}


@pytest.fixture(autouse=True)
def _quick_snapshot(settings) -> None:
    settings.REALTIME_RESUME_WINDOW = 0.2


def token_for(user: Any) -> str:
    return api_token_create(user=user, name="test")[1]


def session_cookie(user: Any) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def communicator(
    path: str,
    *,
    token: str | None = None,
    cookie: str | None = None,
    origin: str | None = None,
    host: str | None = None,
    application: Any = None,
) -> WebsocketCommunicator:
    headers = []
    if token is not None:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    if cookie is not None:
        headers.append((b"cookie", cookie.encode()))
    if origin is not None:
        headers.append((b"origin", origin.encode()))
        # The page's own host, as a browser sends it with the Origin of a same-site page.
        headers.append((b"host", (host or urlparse(origin).netloc).encode()))
    return WebsocketCommunicator(application or websocket_application, path, headers=headers)


# Sent on timers, whatever a test does: `receive` passes them by unless asked.
TIMED_MESSAGES = ("presence", "heartbeat")


async def receive(
    comm: WebsocketCommunicator, *, timeout: float = 3, skip: tuple[str, ...] = TIMED_MESSAGES
) -> dict[str, Any]:
    """The next JSON message that is not presence or a heartbeat (or of a `skip` type)."""
    while True:
        message = orjson.loads(await comm.receive_from(timeout=timeout))
        if message["type"] not in skip:
            return message


# Sent whether or not a test waits for them: a resume window that passes (a snapshot)
# or a timer. A close may come after any of them on a loaded machine.
UNASKED_MESSAGES = (*TIMED_MESSAGES, "snapshot", "snapshot_more")


async def receive_closed(comm: WebsocketCommunicator, *, timeout: float = 3) -> int:
    """The close code, passing by the frames that come unasked (UNASKED_MESSAGES, a
    page's refresh and presence); any other frame before the close fails the test."""
    while True:
        output = await comm.receive_output(timeout=timeout)
        if output["type"] == "websocket.send" and _unasked(output.get("text")):
            continue
        assert output["type"] == "websocket.close", output
        return output.get("code", 1000)


# A page socket's unasked frames: the board refresh it sends when no resume came in
# time, and presence.
UNASKED_PAGE_FRAMES = ('<div id="presence"',)
UNASKED_PAGE_REFRESH = re.compile(r'^<div id="board-seq" data-seq="\d+" data-refresh="1"')


def _unasked(text: str | None) -> bool:
    if not text:
        return False
    if not text.startswith("{"):
        return text.startswith(UNASKED_PAGE_FRAMES) or bool(UNASKED_PAGE_REFRESH.match(text))
    return orjson.loads(text).get("type") in UNASKED_MESSAGES


async def receive_none(comm: WebsocketCommunicator, *, timeout: float = 0.3) -> None:
    """Nothing but presence and heartbeats arrives within `timeout`."""
    while not await comm.receive_nothing(timeout=timeout):
        message = orjson.loads(await comm.receive_from())
        assert message["type"] in TIMED_MESSAGES, message


@pytest.fixture
async def open_sockets() -> AsyncIterator[list[WebsocketCommunicator]]:
    """Sockets registered here are disconnected after the test, even when it fails."""
    sockets: list[WebsocketCommunicator] = []
    yield sockets
    for comm in sockets:
        # A socket's teardown is bounded (BoardSocketConsumer._teardown); one that
        # still hangs fails here, by name, rather than at the test's timeout.
        await asyncio.wait_for(comm.disconnect(), 10)


@pytest.fixture
def connect(board, open_sockets) -> Callable[..., Any]:
    """`await connect(user)`: a JSON socket with a token; its hello is read into `.hello`."""

    async def open_socket(
        user: Any, *, board_id: int | None = None, path: str = "/ws/v1/boards/{}/"
    ) -> WebsocketCommunicator:
        token = await database_sync_to_async(token_for)(user)
        comm = communicator(path.format(board_id or board.pk), token=token)
        open_sockets.append(comm)
        connected, _ = await comm.connect()
        assert connected
        if path.startswith("/ws/v1/"):
            comm.hello = await receive(comm)
            assert comm.hello["type"] == "hello"
        return comm

    return open_socket


@pytest.fixture
def page_socket(board, open_sockets) -> Callable[..., Any]:
    """Opens the board page's htmx socket as `user`, with their session cookie."""

    async def open_socket(user: Any) -> Any:
        cookie = await database_sync_to_async(session_cookie)(user)
        comm = communicator(f"/ws/boards/{board.pk}/", cookie=cookie, origin=ALLOWED_ORIGIN)
        open_sockets.append(comm)
        connected, _ = await comm.connect()
        assert connected
        return comm

    return open_socket


@pytest.fixture
def make_task(board, alice) -> Callable[..., Task]:
    def make(title: str = "Task", **kwargs: Any) -> Task:
        return task_create(actor=alice, board_id=board.pk, title=title, **kwargs)

    return make


@pytest.fixture
def fake_fragments(monkeypatch: pytest.MonkeyPatch) -> None:
    """Page fragments as short markers, so the page-socket tests do not depend on the
    templates: `<event seq=N>` per event and `<refresh seq=N>` for a whole board."""

    def event_html(*, event: Any, **_: Any) -> str:
        return f"<event seq={event.seq} kind={event.kind}>"

    def refresh_html(*, board: Any, display: bool = False) -> str:
        return f"<refresh seq={board.last_seq}>"

    monkeypatch.setattr(realtime.broadcast, "event_fragment_html", event_html)
    monkeypatch.setattr(realtime.consumers, "board_refresh_html", refresh_html)


@pytest.fixture
def start_servers(transactional_db, redis_server, tmp_path) -> Iterator[Callable[..., Any]]:
    """`start_servers(count, kind=..., **env)`: ASGI server processes (daphne unless
    `kind` says otherwise) on the test database and the private Redis; all are stopped
    after the test."""
    started: list[Server] = []

    def start(count: int = 2, *, kind: str = "daphne", **env: str) -> list[Server]:
        full_env = server_env(
            database_url=servers_database_url(), redis_url=redis_server.url, **env
        )
        for _ in range(count):
            log = tmp_path / f"{kind}-{len(started)}.log"
            started.append(server_start(env=full_env, log=log, kind=kind))
        return started[-count:]

    yield start
    for server in started:
        stop(server.process)
    for log in sorted(tmp_path.glob("*.log")):
        # Shown with the test's output when it fails.
        print(f"--- {log.name}\n{log.read_text()[-4000:]}")


@pytest.fixture
def shared_layer(settings, redis_server) -> None:
    """This process's broadcasts go to the servers' Redis."""
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "realtime.redis_layer.RedisChannelLayer",
            "CONFIG": {"hosts": [redis_server.url]},
        }
    }


@pytest.fixture
def board_with_task(board, alice):
    return board, task_create(actor=alice, board_id=board.pk, title="Shared")
