"""Nothing one client does makes the server queue without bound: every frame type
counts against the rate limit, a resume costs what it replays, and one person holds
only so many sockets."""

from __future__ import annotations

import asyncio
import base64
import os
import socket

import orjson
import pytest
from channels.db import database_sync_to_async
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed

from board.models import Status, Task
from board.services import task_update
from tests.realtime.conftest import communicator, receive, receive_closed, token_for
from tests.realtime.servers import client_open

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]


def _history(board, alice, count: int) -> Task:
    task = Task.objects.create(board=board, title="T", creator=alice, status=Status.UNASSIGNED)
    for n in range(count):
        task_update(actor=alice, task_id=task.pk, title=f"Edit {n}")
    return task


async def test_resumes_count_against_the_rate_limit(connect, alice, settings):
    settings.REALTIME_RATE_BURST = 5
    settings.REALTIME_RATE_PER_SECOND = 0.1
    comm = await connect(alice)
    for _ in range(8):
        await comm.send_json_to({"type": "resume", "after": 0})
    errors = []
    while len(errors) < 3:
        message = await receive(comm, timeout=5)
        if message["type"] == "error":
            errors.append(message["code"])
    assert set(errors) == {"rate_limited"}


async def test_a_resume_of_the_whole_log_costs_what_it_replays(connect, board, alice, settings):
    settings.REALTIME_RATE_BURST = 30
    settings.REALTIME_RATE_PER_SECOND = 0.1
    await database_sync_to_async(_history)(board, alice, 600)
    comm = await connect(alice)
    for _ in range(4):
        await comm.send_json_to({"type": "resume", "after": 0})
    served = refused = 0
    while served + refused < 4:
        message = await receive(comm, timeout=10)
        if message["type"] == "event" and message["seq"] == 1:
            served += 1
        elif message["type"] == "error":
            assert message["code"] == "rate_limited"
            refused += 1
    # 600 events cost 12 tokens besides the frame: two such resumes fit a burst of 30.
    assert (served, refused) == (2, 2)


async def test_one_person_holds_a_bounded_number_of_sockets(connect, board, alice, settings):
    settings.REALTIME_SOCKETS_PER_PERSON = 3
    sockets = [await connect(alice) for _ in range(3)]
    token = await database_sync_to_async(token_for)(alice)
    extra = communicator(f"/ws/v1/boards/{board.pk}/", token=token)
    await extra.connect()
    assert await receive_closed(extra) == 4429
    await extra.disconnect()
    await sockets[0].disconnect()
    again = await connect(alice)
    assert again.hello["type"] == "hello"


@pytest.mark.postgres
@pytest.mark.redis
async def test_a_client_that_stops_reading_is_closed_before_its_backlog_grows(
    start_servers, board, alice
):
    """A peer that asks for the whole log again and again and never reads: without a
    bound, daphne keeps every frame (megabytes a request) until the peer reads."""
    await database_sync_to_async(_history)(board, alice, 300)
    await database_sync_to_async(
        lambda: Task.objects.filter(board=board).update(description="d" * 3000)
    )()
    await database_sync_to_async(_history_more)(board, alice, 300)
    [server] = start_servers(
        1, REALTIME_RATE_BURST="1000", REALTIME_SEND_BUFFER_BYTES=str(256 * 1024)
    )
    token = await database_sync_to_async(token_for)(alice)
    sock = socket.socket()
    # A small, fixed receive window: the kernel must not absorb the backlog for us.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    sock.connect(("127.0.0.1", server.port))
    ws = await ws_connect(
        server.ws_url(f"/ws/v1/boards/{board.pk}/"),
        sock=sock,
        additional_headers={"Authorization": f"Bearer {token}"},
        max_queue=4,
        open_timeout=10,
        close_timeout=2,
    )
    try:
        for _ in range(12):  # 12 replays of 600 events, about 25 MB
            await ws.send(orjson.dumps({"type": "resume", "after": 0}).decode())
        await asyncio.sleep(4)
        events = 0
        with pytest.raises(ConnectionClosed):
            async with asyncio.timeout(30):
                while True:
                    if orjson.loads(await ws.recv())["type"] == "event":
                        events += 1
        assert events < 6 * 600
    finally:
        await ws.close()


def _history_more(board, alice, count: int) -> None:
    task = Task.objects.filter(board=board).first()
    for n in range(count):
        task_update(actor=alice, task_id=task.pk, title=f"More {n}")


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.parametrize("kind", ["uvicorn", "daphne"])
async def test_a_frozen_client_does_not_stall_the_others_on_its_worker(
    start_servers, shared_layer, board, alice, bob, kind
):
    """uvicorn's send waits while a peer does not read; the hub must not wait with it."""
    task = await database_sync_to_async(_history)(board, alice, 0)
    [server] = start_servers(1, kind=kind, REALTIME_SEND_BUFFER_BYTES=str(512 * 1024))
    frozen_token = await database_sync_to_async(token_for)(alice)
    sock = await asyncio.to_thread(frozen_socket, server.port, board.pk, frozen_token)
    healthy = await client_open(server, board.pk, await database_sync_to_async(token_for)(bob))
    try:
        await asyncio.sleep(0.5)
        writes = 400  # about 12 MB of events, far past what the kernel buffers hold

        def write_all() -> None:
            for n in range(writes):
                # 4,990 characters that JSON writes as six bytes each: a 30 kB event.
                task_update(actor=alice, task_id=task.pk, description=f"{n} " + "\x01" * 4990)

        writer = asyncio.ensure_future(database_sync_to_async(write_all)())
        seen = 0
        async with asyncio.timeout(60):
            while seen < writes:
                message = await healthy.next(timeout=4)  # a stall fails here
                if message["type"] == "event":
                    seen += 1
        await writer
    finally:
        await healthy.close()
        sock.close()


def frozen_socket(port: int, board_id: int, token: str) -> socket.socket:
    """A WebSocket client that opens its socket and then never reads a byte: a frozen
    tab or a dead phone, with a small receive window so the kernel keeps little."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
    sock.settimeout(10)
    sock.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET /ws/v1/boards/{board_id}/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Authorization: Bearer {token}\r\n\r\n"
        ).encode()
    )
    response = b""
    while b"\r\n\r\n" not in response:
        response += sock.recv(1)  # one byte at a time: nothing past the headers
    assert response.startswith(b"HTTP/1.1 101"), response
    return sock
