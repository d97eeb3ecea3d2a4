"""End to end on real servers: two daphne processes sharing PostgreSQL and Redis,
and clients using the `websockets` library, as scripts and wall displays would."""

from __future__ import annotations

import asyncio
import secrets
import signal
from typing import Any

import orjson
import pytest
from channels.db import database_sync_to_async

from board.models import Role
from board.selectors import board_snapshot
from board.services import task_create, task_update
from tests.factories import member_add
from tests.realtime.servers import (
    Client,
    client_open,
    close_all,
    session_for,
    synced_client,
    token,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(90),
]


@pytest.mark.parametrize("kind", ["daphne", "uvicorn"])
async def test_changes_through_a_reach_clients_on_a_and_b_with_the_same_seq(
    start_servers, board_with_task, alice, bob, kind
):
    board, task = board_with_task
    server_a, server_b = start_servers(2, kind=kind)
    alice_token, bob_token = await token(alice), await token(bob)
    cookie = await database_sync_to_async(session_for)(alice)
    clients = [
        await synced_client(server_a, board.pk, alice_token),
        await synced_client(server_b, board.pk, bob_token),
    ]
    try:
        # Through A's WebSocket.
        await clients[0].send({"type": "claim", "ref": "ws", "task": task.pk})
        ack = await clients[0].next_of("ack")
        # Through A's HTTP page endpoint.
        status = await asyncio.to_thread(
            server_a.post, f"/tasks/{task.pk}/release/", cookie=cookie, csrf=secrets.token_hex(16)
        )
        assert status == 200
        for client in clients:
            claimed, released = await client.next_of("event"), await client.next_of("event")
            assert (claimed["seq"], claimed["kind"]) == (ack["seq"], "task.claimed")
            assert (released["seq"], released["kind"]) == (ack["seq"] + 1, "task.released")
        # Presence spans both processes.
        presence = clients[0].latest("presence")
        while presence is None or presence["count"] < 2:
            presence = await clients[0].next_of("presence")
        assert {viewer["id"] for viewer in presence["viewers"]} == {alice.pk, bob.pk}
    finally:
        await close_all(clients)


async def test_fifty_clients_claim_at_once_one_wins_and_all_see_one_event(
    start_servers, board_with_task
):
    board, task = board_with_task
    servers = start_servers(2)
    users = await database_sync_to_async(
        lambda: [member_add(board=board, role=Role.MEMBER) for _ in range(50)]
    )()
    tokens = [await token(user) for user in users]
    clients = await asyncio.gather(
        *(synced_client(servers[n % 2], board.pk, tokens[n]) for n in range(50))
    )
    try:
        await asyncio.gather(
            *(
                client.send({"type": "claim", "ref": n, "task": task.pk})
                for n, client in enumerate(clients)
            )
        )

        async def outcome(client: Client) -> tuple[str, list[int]]:
            answer = None
            claimed: list[int] = []
            while answer is None or not claimed:
                message = await client.next(timeout=20)
                if message["type"] in ("ack", "error"):
                    answer = message.get("code", "ack")
                elif message["type"] == "event" and message["kind"] == "task.claimed":
                    claimed.append(message["seq"])
            claimed += [
                m["seq"] for m in await client.drain(1.0) if m.get("kind") == "task.claimed"
            ]
            return answer, claimed

        outcomes = await asyncio.gather(*(outcome(client) for client in clients))
        answers = [answer for answer, _ in outcomes]
        assert answers.count("ack") == 1
        assert answers.count("already_claimed") == 49
        seqs = {tuple(claimed) for _, claimed in outcomes}
        assert len(seqs) == 1
        assert len(next(iter(seqs))) == 1
    finally:
        await close_all(clients)


async def test_resume_after_twenty_missed_changes_replays_exactly_those(
    start_servers, board_with_task, alice
):
    board, task = board_with_task
    server_a, server_b = start_servers(2)
    alice_token = await token(alice)
    client = await client_open(server_a, board.pk, alice_token)
    snapshot = await client.next()
    last_seq = snapshot["seq"]
    await client.close()

    def twenty_changes() -> None:
        for n in range(20):
            task_update(actor=alice, task_id=task.pk, title=f"Edit {n}")

    await database_sync_to_async(twenty_changes)()
    client = await client_open(server_b, board.pk, alice_token)
    try:
        await client.send({"type": "resume", "after": last_seq})
        events = [await client.next() for _ in range(20)]
        assert [event["seq"] for event in events] == list(range(last_seq + 1, last_seq + 21))
        assert [event["task"]["title"] for event in events] == [f"Edit {n}" for n in range(20)]
        assert await client.drain(1.0) == []
    finally:
        await client.close()


async def test_client_beyond_the_replay_window_gets_a_snapshot_equal_to_the_database(
    start_servers, board_with_task, alice
):
    board, task = board_with_task
    (server,) = start_servers(1, EVENT_REPLAY_LIMIT="5")
    alice_token = await token(alice)

    def changes() -> None:
        for n in range(12):
            task_create(actor=alice, board_id=board.pk, title=f"New {n}")
        task_update(actor=alice, task_id=task.pk, title="Renamed")

    await database_sync_to_async(changes)()
    client = await client_open(server, board.pk, alice_token)
    try:
        await client.send({"type": "resume", "after": 1})
        snapshot = await client.next()
        assert snapshot["type"] == "snapshot"
        expected = await database_sync_to_async(board_snapshot)(board=board)
        assert snapshot["seq"] == expected.seq
        expected_tasks = [task for column in expected.columns for task in column.tasks]
        assert snapshot["tasks"] == orjson.loads(orjson.dumps(expected_tasks))
        assert [c["count"] for c in snapshot["columns"]] == [c.count for c in expected.columns]
    finally:
        await client.close()


async def group_expiry_run(
    start_servers, board, alice, *, silence: float, **env: str
) -> list[dict[str, Any]]:
    """A client on B sits silent for `silence` seconds, well over the group expiry
    (3 s), then a change is made through A; return what the client gets within 3 s."""
    server_a, server_b = start_servers(2, CHANNEL_GROUP_EXPIRY="3", **env)
    alice_token = await token(alice)
    listener = await synced_client(server_b, board.pk, alice_token)
    writer = await synced_client(server_a, board.pk, alice_token)
    try:
        await asyncio.sleep(silence)
        await writer.send({"type": "create", "ref": "late", "title": "Much later"})
        assert (await writer.next_of("ack"))["ref"] == "late"
        return await listener.drain(3.0)
    finally:
        await close_all([listener, writer])


@pytest.mark.timeout(150)
async def test_client_still_receives_events_long_after_the_group_expiry(
    start_servers, board, alice
):
    """Expiry 3 s, and the client still gets a change 20 s (more than six expiries)
    later: its process re-joins every second (settings derive
    CHANNEL_GROUP_REJOIN_SECONDS as a quarter of the expiry, at least a second). The
    control below shows the same client dropped after 8 s without re-joining."""
    received = await group_expiry_run(start_servers, board, alice, silence=20)
    assert [(m["type"], m["task"]["title"]) for m in received] == [("event", "Much later")]


async def test_without_rejoining_the_group_expiry_would_drop_the_client(
    start_servers, board, alice
):
    """The control: with re-joining (and the heartbeat's healing from the log) pushed
    past the test, the same client misses it."""
    received = await group_expiry_run(
        start_servers,
        board,
        alice,
        silence=8,
        CHANNEL_GROUP_REJOIN_SECONDS="1000",
        REALTIME_HEARTBEAT_SECONDS="1000",
    )
    assert received == []


@pytest.mark.parametrize("kind", ["daphne", "uvicorn"])
async def test_server_shutdown_closes_sockets_with_1012(start_servers, board, alice, kind):
    (server,) = start_servers(1, kind=kind)
    client = await synced_client(server, board.pk, await token(alice))
    # Server forgets a just-upgraded request only a second later; a shutdown before
    # that trips over it and cancels no application (reported in the notes).
    await asyncio.sleep(1.5)
    server.process.send_signal(signal.SIGTERM)
    with pytest.raises(Exception) as closed:
        await client.next(timeout=10)
    assert closed.value.rcvd.code == 1012
    await client.close()
