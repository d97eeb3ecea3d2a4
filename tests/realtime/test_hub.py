"""The board hub: one channel-layer subscription per process and board, shared by all
of the board's sockets in the process."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import orjson
import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

import realtime.board_socket
import realtime.presence
from realtime.groups import board_group_name
from realtime.hub import hubs_running
from realtime.presence import PRESENCE_VIEWERS_SENT, MemoryPresence, presence_broadcast
from tests.realtime.conftest import receive

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(30)]


async def test_sockets_of_a_board_share_one_hub(connect, board, alice, bob):
    sockets = [await connect(alice), await connect(alice), await connect(bob)]
    hub = hubs_running()[board.pk]
    assert len(hub.sockets) == len(sockets)
    assert hub.channel_name


async def test_every_socket_gets_each_event_once_in_order(connect, alice, bob, make_task):
    sockets = [await connect(alice), await connect(bob), await connect(bob)]
    for comm in sockets:
        assert (await receive(comm))["type"] == "snapshot"
    for title in ("one", "two", "three"):
        await database_sync_to_async(make_task)(title)
    for comm in sockets:
        events = [await receive(comm) for _ in range(3)]
        assert [(e["type"], e["seq"]) for e in events] == [("event", 1), ("event", 2), ("event", 3)]


async def test_the_last_socket_to_leave_stops_the_hub(connect, board, alice, open_sockets):
    comm = await connect(alice)
    assert board.pk in hubs_running()
    open_sockets.remove(comm)
    await comm.disconnect()
    assert board.pk not in hubs_running()


async def test_a_hub_that_hangs_on_leaving_does_not_hang_the_socket(
    connect, board, alice, open_sockets, monkeypatch
):
    comm = await connect(alice)
    hub = hubs_running()[board.pk]
    left = asyncio.Event()

    async def leave_forever(socket: Any) -> None:
        hub.sockets.pop(socket.connection_id, None)
        left.set()
        await asyncio.Event().wait()

    monkeypatch.setattr(hub, "leave", leave_forever)
    monkeypatch.setattr(realtime.board_socket, "TEARDOWN_SECONDS", 0.2)
    open_sockets.remove(comm)
    await comm.send_input({"type": "websocket.disconnect", "code": 1000})
    await asyncio.wait_for(comm.future, 3)
    assert left.is_set()


async def test_the_presence_message_is_bounded(monkeypatch):
    store = MemoryPresence()
    monkeypatch.setattr(realtime.presence, "presence_store", lambda: store)
    board_id = uuid.uuid4().int % 10**12 + 10**12
    for n in range(PRESENCE_VIEWERS_SENT + 15):
        viewer = {"id": n, "name": f"Viewer {n:03}", "initials": "V"}
        await store.heartbeat(board_id, f"c{n}", [f"user:{n}", viewer])
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(board_group_name(board_id), channel)
    try:
        await presence_broadcast(board_id)
        message = orjson.loads((await layer.receive(channel))["json"])
    finally:
        await layer.group_discard(board_group_name(board_id), channel)
    assert message["count"] == PRESENCE_VIEWERS_SENT + 15
    assert [v["id"] for v in message["viewers"]] == list(range(PRESENCE_VIEWERS_SENT))


async def test_sockets_stay_open_and_get_events_from_the_log_while_the_layer_is_down(
    connect, alice, bob, make_task, settings, monkeypatch
):
    settings.CHANNEL_GROUP_REJOIN_SECONDS = 0.2
    settings.REALTIME_HEARTBEAT_SECONDS = 0.3
    sockets = [await connect(alice), await connect(bob)]
    for comm in sockets:
        assert (await receive(comm))["type"] == "snapshot"
    layer = get_channel_layer()
    working = {name: getattr(layer, name) for name in ("group_add", "group_send", "receive")}

    async def redis_went_away(*args: Any, **kwargs: Any) -> None:
        await asyncio.sleep(0.05)
        raise ConnectionError("redis went away")

    for name in working:
        monkeypatch.setattr(layer, name, redis_went_away)
    await database_sync_to_async(make_task)("While Redis is down")
    for comm in sockets:
        event = await receive(comm, timeout=5)
        assert (event["type"], event["seq"]) == ("event", 1)
    # The layer comes back: the hub joins again, and events are live again.
    for name, method in working.items():
        monkeypatch.setattr(layer, name, method)
    hub = next(iter(hubs_running().values()))
    for _ in range(100):
        if hub.subscribed:
            break
        await asyncio.sleep(0.1)
    assert hub.subscribed
    await database_sync_to_async(make_task)("After")
    for comm in sockets:
        event = await receive(comm, timeout=5)
        assert (event["type"], event["seq"], event["task"]["title"]) == ("event", 2, "After")
