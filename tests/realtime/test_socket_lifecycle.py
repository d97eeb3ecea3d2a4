"""Long-lived sockets: re-joining the group before group_expiry forgets them, and
closing with a code that makes clients come back (1012 on shutdown, 1013 when the
channel layer fails)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from tests.realtime.conftest import receive, receive_none

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(30)]


@pytest.fixture
def short_group_expiry(settings) -> None:
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels.layers.InMemoryChannelLayer",
            "CONFIG": {"group_expiry": 2},
        }
    }


@pytest.mark.usefixtures("short_group_expiry")
async def test_socket_outlives_group_expiry_by_rejoining(connect, alice, make_task, settings):
    settings.CHANNEL_GROUP_REJOIN_SECONDS = 0.5
    comm = await connect(alice)
    assert (await receive(comm))["type"] == "snapshot"
    await asyncio.sleep(3.5)
    await database_sync_to_async(make_task)()
    event = await receive(comm)
    assert (event["type"], event["seq"]) == ("event", 1)


@pytest.mark.usefixtures("short_group_expiry")
async def test_without_rejoining_group_expiry_drops_the_socket(connect, alice, make_task, settings):
    """The control for the test above: the expiry really does drop a silent member."""
    settings.CHANNEL_GROUP_REJOIN_SECONDS = 1000
    comm = await connect(alice)
    assert (await receive(comm))["type"] == "snapshot"
    await asyncio.sleep(3.5)
    await database_sync_to_async(make_task)()
    await receive_none(comm, timeout=0.5)


async def closing_frames(comm: Any) -> list[dict[str, Any]]:
    await asyncio.wait([comm.future], timeout=3)
    frames = []
    while not comm.output_queue.empty():
        frames.append(comm.output_queue.get_nowait())
    return frames


async def test_server_shutdown_closes_with_1012(connect, alice, open_sockets):
    comm = await connect(alice)
    open_sockets.remove(comm)
    # Daphne cancels every application instance when it shuts down.
    comm.future.cancel()
    frames = await closing_frames(comm)
    assert {"type": "websocket.close", "code": 1012} in frames


async def test_a_channel_layer_failure_leaves_the_socket_open(
    connect, alice, settings, monkeypatch
):
    """The layer only wakes sockets up: without it the hub delivers from the log
    (tests/realtime/test_hub.py), so closing would only make clients reconnect."""
    settings.CHANNEL_GROUP_REJOIN_SECONDS = 0.2
    comm = await connect(alice)
    assert (await receive(comm))["type"] == "snapshot"

    async def broken_group_add(group: str, channel: str) -> None:
        raise ConnectionError("redis went away")

    monkeypatch.setattr(get_channel_layer(), "group_add", broken_group_add)
    await receive_none(comm, timeout=1.0)
