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


async def test_a_failed_rejoin_closes_every_socket_of_the_hub_with_1013(
    connect, alice, bob, settings, monkeypatch
):
    settings.CHANNEL_GROUP_REJOIN_SECONDS = 0.2
    sockets = [await connect(alice), await connect(bob)]
    for comm in sockets:
        assert (await receive(comm))["type"] == "snapshot"

    async def broken_group_add(group: str, channel: str) -> None:
        raise ConnectionError("redis went away")

    monkeypatch.setattr(get_channel_layer(), "group_add", broken_group_add)
    for comm in sockets:
        while (output := await comm.receive_output(timeout=3))["type"] != "websocket.close":
            assert orjson.loads(output["text"])["type"] == "presence"
        assert output["code"] == 1013
