"""End to end under faults, on real servers with a private Redis: an outage, a restart,
a killed worker, a shutdown with an action under way, a transaction that holds a
board's lock, and the bounded pool of database connections."""

from __future__ import annotations

import asyncio
import http.client
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import orjson
import pytest
import redis
from channels.db import database_sync_to_async
from django.db import connection, transaction

from board.models import Board
from tests.realtime.servers import (
    PostgresServer,
    Server,
    close_all,
    free_port,
    server_env,
    server_start,
    servers_database_url,
    session_for,
    stop,
    synced_client,
    token,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(90),
]


async def test_during_a_redis_outage_writes_commit_and_open_clients_get_them(
    start_servers, redis_server, board_with_task, alice, bob
):
    """Redis is only the wake-up call: while it is down, sockets stay open, a write
    commits, and every client gets its event from the log at the next heartbeat."""
    board, task = board_with_task
    server_a, server_b = start_servers(2, REALTIME_HEARTBEAT_SECONDS="1")
    alice_token, bob_token = await token(alice), await token(bob)
    cookie = await database_sync_to_async(session_for)(alice)
    clients = [
        await synced_client(server_a, board.pk, alice_token),
        await synced_client(server_b, board.pk, bob_token),
    ]
    try:
        redis_server.stop()
        await asyncio.sleep(1)
        status = await asyncio.to_thread(
            server_a.post, f"/tasks/{task.pk}/claim/", cookie=cookie, csrf=secrets.token_hex(16)
        )
        assert status == 200
        for client in clients:
            event = await client.next_of("event", timeout=6)
            assert (event["seq"], event["kind"]) == (2, "task.claimed")
        redis_server.start()
        # Groups work again across processes, on the same sockets.
        await asyncio.sleep(3)
        await clients[1].send({"type": "create", "ref": "after", "title": "After the restart"})
        event = await clients[0].next_of("event", timeout=8)
        assert (event["seq"], event["task"]["title"]) == (3, "After the restart")
    finally:
        await close_all(clients)


async def test_after_a_redis_restart_one_quiet_write_reaches_every_client(
    start_servers, redis_server, board_with_task, alice, bob
):
    """The first broadcast after a Redis restart may meet a dead pooled connection; a
    quiet board has no later change to reveal the gap. The retry, or else the hubs'
    heartbeat (every second here), must bring it to every client."""
    board, task = board_with_task
    servers = start_servers(2, REALTIME_HEARTBEAT_SECONDS="1")
    alice_token, bob_token = await token(alice), await token(bob)
    cookie = await database_sync_to_async(session_for)(alice)
    clients = [
        await synced_client(servers[0], board.pk, alice_token),
        await synced_client(servers[1], board.pk, bob_token),
    ]
    try:
        redis_server.stop()
        await asyncio.sleep(2)
        redis_server.start()
        await asyncio.sleep(2)
        status = await asyncio.to_thread(
            servers[0].post,
            f"/tasks/{task.pk}/claim/",
            cookie=cookie,
            csrf=secrets.token_hex(16),
        )
        assert status == 200
        for client in clients:
            event = await client.next_of("event", timeout=4)
            assert (event["seq"], event["kind"]) == (2, "task.claimed")
    finally:
        await close_all(clients)


async def test_a_killed_workers_channel_leaves_the_group_within_the_expiry(
    start_servers, redis_server, board, alice, bob
):
    server_a, server_b = start_servers(2, CHANNEL_GROUP_EXPIRY="4")
    clients = [
        await synced_client(server_a, board.pk, await token(alice)),
        await synced_client(server_b, board.pk, await token(bob)),
    ]
    group_key = f"asgi:group:board.{board.pk}"
    members = redis.Redis.from_url(redis_server.url)
    try:
        assert members.zcard(group_key) == 2
        stop(server_b.process, sig=signal.SIGKILL)
        await asyncio.sleep(6)
        # A broadcast trims what has expired; the live worker re-joined meanwhile.
        await clients[0].send({"type": "create", "ref": "r", "title": "After the kill"})
        assert (await clients[0].next_of("event"))["task"]["title"] == "After the kill"
        assert members.zcard(group_key) == 1
    finally:
        members.close()
        await close_all(clients)


def _database_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return cursor.fetchone()[0]


async def test_a_worker_holds_at_most_its_pool_of_database_connections(start_servers, board, alice):
    """Under ASGI each request's sync code runs in a thread of its own; with persistent
    connections each thread kept one open. The pool bounds them."""
    [server] = start_servers(1, DB_POOL_MAX_SIZE="3", DB_POOL_MIN_SIZE="1")
    alice_token = await token(alice)
    before = await database_sync_to_async(_database_connections)()

    def read(_: int) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=15)
        try:
            conn.request(
                "GET", "/api/v1/boards", headers={"Authorization": f"Bearer {alice_token}"}
            )
            return conn.getresponse().status
        finally:
            conn.close()

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(read, range(60)))
    assert statuses == [200] * 60
    after = await database_sync_to_async(_database_connections)()
    assert after - before <= 3


async def test_an_action_under_way_at_shutdown_is_answered_before_the_close(
    start_servers, board, alice
):
    """The write commits: its ack must reach the client before the 1012, or a client
    retrying it would create the task twice."""
    (server,) = start_servers(1)
    client = await synced_client(server, board.pk, await token(alice))
    try:
        with board_lock_held(board) as release:
            await client.send({"type": "create", "ref": "in-flight", "title": "Made at shutdown"})
            await asyncio.sleep(1.5)  # the action now waits for the lock
            server.process.send_signal(signal.SIGTERM)
            await asyncio.sleep(0.5)
            release.set()
            ack = await client.next_of("ack", timeout=10)
            assert ack["ref"] == "in-flight"
            with pytest.raises(Exception) as closed:
                while True:
                    await client.next(timeout=10)
            assert closed.value.rcvd.code == 1012
    finally:
        await client.close()


async def test_a_write_behind_a_stuck_transaction_is_answered_unavailable_in_time(
    start_servers, board_with_task, alice
):
    """Another process (a frozen worker) holds the board's lock: a write waits at most
    DB_LOCK_TIMEOUT_MS, then is refused 503 `unavailable` with Retry-After, and the
    worker stays free to answer the next request."""
    board, task = board_with_task
    (server,) = start_servers(1, DB_LOCK_TIMEOUT_MS="1000")
    alice_token = await token(alice)

    with board_lock_held(board):
        started = asyncio.get_running_loop().time()
        status, headers, body = await asyncio.to_thread(
            api, server, alice_token, "POST", f"/tasks/{task.pk}/claim"
        )
        took = asyncio.get_running_loop().time() - started
        assert (status, orjson.loads(body)["error"]["code"]) == (503, "unavailable")
        assert headers["Retry-After"] == "5"
        assert took < 4
        status, _, _ = await asyncio.to_thread(
            api, server, alice_token, "GET", f"/boards/{board.pk}"
        )
        assert status == 200


async def test_a_worker_stopped_during_a_page_request_exits_once_it_is_done(
    start_servers, board, alice
):
    """SIGTERM while a page request's session read waits for a lock: once it is done,
    the worker exits. (While a sync-only middleware sat in the chain, the request's
    thread then called back into the stopped event loop and waited for ever, and so did
    the worker's exit: the recovery benchmark's probe hit that.)"""
    (server,) = start_servers(1, DB_LOCK_TIMEOUT_MS="15000")
    cookie = await database_sync_to_async(session_for)(alice)

    def page() -> None:
        # The client gives up after a second, so the server's application close
        # timeout (3 s) cancels the request's task a second time during the shutdown.
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=1)
        try:
            conn.request("GET", f"/boards/{board.pk}/", headers={"Cookie": cookie})
            conn.getresponse().read()
        finally:
            conn.close()

    with table_lock_held("django_session") as release:
        request = asyncio.create_task(asyncio.to_thread(page))
        await asyncio.sleep(0.5)  # the request now waits for its session
        server.process.send_signal(signal.SIGTERM)
        await asyncio.sleep(6)
        release.set()
        try:
            await asyncio.to_thread(server.process.wait, 10)
        except subprocess.TimeoutExpired:
            pytest.fail("the worker did not exit within 10 s of its last request")
    await asyncio.gather(request, return_exceptions=True)


def api(server: Server, user_token: str, method: str, path: str) -> tuple[int, dict, bytes]:
    """Call the HTTP API on `server` as the token's user."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=15)
    try:
        headers = {"Authorization": f"Bearer {user_token}", "Content-Type": "application/json"}
        conn.request(method, f"/api/v1{path}", body=b"{}", headers=headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def board_lock_held(board: Board) -> AbstractContextManager[threading.Event]:
    """Another connection holds the board's row lock (as a worker frozen inside a
    write would) until the yielded event is set, or the block ends."""
    return lock_held(lambda: Board.objects.select_for_update().get(pk=board.pk))


def table_lock_held(table: str) -> AbstractContextManager[threading.Event]:
    """Another connection holds `table` locked against reads too."""

    def take() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")

    return lock_held(take)


@contextmanager
def lock_held(take: Callable[[], object]) -> Iterator[threading.Event]:
    """Another thread's transaction runs `take` and holds what it locked until the
    yielded event is set, or the block ends."""
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                take()
                locked.set()
                release.wait(15)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(5), "the lock was not taken"
        yield release
    finally:
        release.set()
        holder.join(15)


@pytest.fixture
def private_postgres(tmp_path) -> Iterator[PostgresServer]:
    # Not under tmp_path: pytest keeps it private to root, and PostgreSQL runs as postgres.
    directory = Path(tempfile.mkdtemp(prefix="taskboard-pg-"))
    server = PostgresServer(directory=directory, port=free_port(), log=tmp_path / "postgres.log")
    try:
        server.init()
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)


async def test_a_write_during_a_database_outage_is_answered_in_seconds(
    private_postgres, redis_server, board_with_task, alice, tmp_path
):
    """PostgreSQL stops: a write is refused `unavailable` (503, Retry-After) within
    seconds, on the API and the socket, instead of hanging for the outage; once the
    database is back, writes go through again on the same worker."""
    board, task = board_with_task
    alice_token = await token(alice)
    await asyncio.to_thread(private_postgres.copy_database, servers_database_url())
    env = server_env(database_url=private_postgres.url, redis_url=redis_server.url)
    server = server_start(env=env, log=tmp_path / "daphne.log")
    client = await synced_client(server, board.pk, alice_token)
    try:
        await asyncio.to_thread(private_postgres.stop)
        loop = asyncio.get_running_loop()
        started = loop.time()
        status, body = await asyncio.to_thread(
            api_post, server, alice_token, f"/tasks/{task.pk}/claim"
        )
        assert (status, orjson.loads(body)["error"]["code"]) == (503, "unavailable")
        assert loop.time() - started < 5
        started = loop.time()
        await client.send({"type": "claim", "ref": "down", "task": task.pk})
        error = await client.next_of("error", timeout=8)
        assert (error["ref"], error["code"]) == ("down", "unavailable")
        assert loop.time() - started < 5

        await asyncio.to_thread(private_postgres.start)
        deadline = loop.time() + 15
        while True:
            status, _ = await asyncio.to_thread(
                api_post, server, alice_token, f"/tasks/{task.pk}/claim"
            )
            if status == 200 or loop.time() > deadline:
                break
            await asyncio.sleep(0.5)
        assert status == 200
        event = await client.next_of("event", timeout=10)
        assert event["kind"] == "task.claimed"
    finally:
        await client.close()
        stop(server.process)
        print(server.log.read_text()[-3000:])


def api_post(server: Server, api_token: str, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=20)
    try:
        headers = {"Authorization": f"Bearer {api_token}", "Content-Type": "application/json"}
        conn.request("POST", f"/api/v1{path}", body=b"{}", headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()
