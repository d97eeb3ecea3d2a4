"""The sockets' database threads (realtime.db_threads): calls run side by side, hand
their connections back, and a handshake is refused 1013 rather than queued too long."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

import realtime.board_socket
from realtime import close_codes
from realtime.db_threads import db_run, thread_count, waiting
from tests.realtime.conftest import communicator, receive_closed, token_for

pytestmark = pytest.mark.timeout(20)


async def test_calls_run_side_by_side():
    if thread_count() < 2:
        pytest.skip("one database thread (SQLite)")
    # Each call waits for the other: on one thread this would time out.
    both = threading.Barrier(2, timeout=5)
    names = await asyncio.gather(
        db_run(lambda: both.wait() is not None and threading.current_thread().name),
        db_run(lambda: both.wait() is not None and threading.current_thread().name),
    )
    assert len(set(names)) == 2


@pytest.mark.django_db(transaction=True)
async def test_a_call_hands_its_connection_back():
    def query() -> Any:
        connection = connections["default"]
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return connection

    connection = await db_run(query)
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("Django never closes an in-memory SQLite database (the tests')")
    assert connection.connection is None


@pytest.mark.django_db(transaction=True)
async def test_a_busy_worker_refuses_the_handshake_with_1013(board, alice, settings):
    settings.REALTIME_HANDSHAKE_BACKLOG = 0
    token = await database_sync_to_async(token_for)(alice)
    comm = communicator(f"/ws/v1/boards/{board.pk}/", token=token)
    connected, code = await comm.connect()
    if connected:
        code = await receive_closed(comm)
    assert code == close_codes.TRY_AGAIN_LATER
    await comm.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_client_that_leaves_before_it_is_accepted_stops_the_handshake(
    board, alice, monkeypatch
):
    started, cancelled = asyncio.Event(), asyncio.Event()

    async def queued_forever(function: Any, /, *args: Any, **kwargs: Any) -> Any:
        started.set()
        try:
            await asyncio.Event().wait()
        finally:
            cancelled.set()

    monkeypatch.setattr(realtime.board_socket, "handshake_run", queued_forever)
    token = await database_sync_to_async(token_for)(alice)
    comm = communicator(f"/ws/v1/boards/{board.pk}/", token=token)
    await comm.send_input({"type": "websocket.connect"})
    await asyncio.wait_for(started.wait(), 5)
    await comm.send_input({"type": "websocket.disconnect", "code": 1006})
    await asyncio.wait_for(cancelled.wait(), 5)
    await asyncio.wait_for(comm.future, 5)
    assert comm.output_queue.empty()  # never accepted, nothing sent


async def test_calls_stuck_on_another_loop_leave_this_loop_its_threads():
    """Each event loop has its own threads and count (one per server process; each
    test has its own loop): what one test left stuck cannot refuse the next's work."""
    release, busy = threading.Event(), threading.Event()
    stuck = thread_count() + 3

    def other_loop() -> None:
        async def main() -> None:
            calls = [asyncio.ensure_future(db_run(release.wait, 10)) for _ in range(stuck)]
            await asyncio.sleep(0.1)
            if waiting() >= 3:
                busy.set()
            await asyncio.gather(*calls)

        asyncio.run(main())

    thread = threading.Thread(target=other_loop)
    thread.start()
    try:
        assert await asyncio.to_thread(busy.wait, 5)
        assert waiting() == 0
        assert await asyncio.wait_for(db_run(lambda: "free"), 5) == "free"
    finally:
        release.set()
        await asyncio.to_thread(thread.join, 10)


async def test_sizing_the_threads_makes_no_database_connection_object():
    """Django's `connections` are per context on an event loop: asked there (each
    socket's handshake sizes the threads), they gave every socket's context a
    DatabaseWrapper of its own, about 3.4 KiB, for as long as the socket was open."""

    async def size() -> int:
        return thread_count()

    context = contextvars.Context()
    await asyncio.get_running_loop().create_task(size(), context=context)
    stored = [getattr(value, "data", value) for value in context.values()]
    values = [v for data in stored for v in (data.values() if isinstance(data, dict) else [data])]
    assert not [value for value in values if isinstance(value, BaseDatabaseWrapper)]
