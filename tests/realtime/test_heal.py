"""A broadcast the channel layer lost reaches every socket anyway, at the hub's next
heartbeat, without waiting for the board's next change (realtime.heal)."""

from __future__ import annotations

import asyncio

import orjson
import pytest
from channels.db import database_sync_to_async

import realtime.broadcast
import realtime.hub
from board.services import display_key_create
from tests.realtime.conftest import communicator, receive

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(30)]


class BrokenLayer:
    """A channel layer whose every send fails, as after a Redis restart."""

    async def group_send(self, group: str, message: dict) -> None:
        raise ConnectionError("Connection reset by peer")


@pytest.fixture
def quick_heartbeat(settings) -> None:
    settings.REALTIME_HEARTBEAT_SECONDS = 0.4


async def _next_of(comm, kind: str, *, timeout: float = 6) -> dict:
    while (message := await receive(comm, timeout=timeout, skip=()))["type"] != kind:
        pass
    return message


async def test_a_lost_broadcast_reaches_json_page_and_display_sockets(
    connect, page_socket, board, alice, admin, make_task, quick_heartbeat, monkeypatch, open_sockets
):
    json_socket = await connect(alice)
    assert (await _next_of(json_socket, "snapshot"))["seq"] == 0
    page = await page_socket(alice)
    await page.send_json_to({"type": "resume", "after": 0})
    _, key = await database_sync_to_async(display_key_create)(
        actor=admin, board_id=board.pk, name="Wall"
    )
    display = communicator(f"/ws/boards/{board.pk}/?key={key}")
    open_sockets.append(display)
    assert (await display.connect())[0]
    await display.send_json_to({"type": "resume", "after": 0})
    monkeypatch.setattr(realtime.broadcast, "get_channel_layer", lambda: BrokenLayer())
    task = await database_sync_to_async(make_task)("Written while the bus was down")
    event = await _next_of(json_socket, "event")
    assert (event["seq"], event["task"]["id"], event["own"]) == (1, task.pk, False)
    for comm in (page, display):
        while 'id="board-seq" data-seq="1"' not in (frame := await comm.receive_from(timeout=6)):
            pass
        assert "Written while the bus was down" in frame


async def test_json_sockets_get_a_heartbeat_with_the_seq(
    connect, board, alice, make_task, quick_heartbeat
):
    await database_sync_to_async(make_task)()
    comm = await connect(alice)
    assert (await _next_of(comm, "snapshot"))["seq"] == 1
    assert await _next_of(comm, "heartbeat") == {"type": "heartbeat", "seq": 1}


async def test_a_healed_event_is_not_sent_twice(connect, board, alice, make_task, quick_heartbeat):
    comm = await connect(alice)
    await _next_of(comm, "snapshot")
    await database_sync_to_async(make_task)()
    assert (await _next_of(comm, "event"))["seq"] == 1
    # Several heartbeats later, still only the one event.
    frames = []
    for _ in range(4):
        frames.append(await _next_of(comm, "heartbeat"))
    assert all(frame["seq"] == 1 for frame in frames)


async def test_a_heartbeat_is_skipped_when_the_events_since_the_last_told_the_seq(
    connect, board, alice, make_task, settings
):
    """A busy board's sockets get its events, not a heartbeat burst on top of them; once
    the board is quiet for a heartbeat, the heartbeats come back."""
    settings.REALTIME_HEARTBEAT_SECONDS = 1000  # this test beats by hand
    comm = await connect(alice)
    await _next_of(comm, "snapshot")
    [hub] = realtime.hub._hubs[asyncio.get_running_loop()].values()
    await database_sync_to_async(make_task)()
    assert (await _next_of(comm, "event"))["seq"] == 1

    await hub._heartbeat()  # the event told the seq: skipped
    await hub._heartbeat()  # a quiet interval since: sent
    frames = []
    while not await comm.receive_nothing(timeout=0.5):
        frames.append(orjson.loads(await comm.receive_from()))
    beats = [frame for frame in frames if frame["type"] == "heartbeat"]
    assert beats == [{"type": "heartbeat", "seq": 1}]
