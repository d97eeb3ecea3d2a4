"""Cancelling one channel's receive must not lose another channel's message.

channels_redis lets whichever receive() holds its lock pop the next message for every
process-local channel. redis-py shields the BZPOPMIN, so cancelling that receive (a
socket closing, a hub stopping) leaves the command waiting in Redis: it pops the next
message, for any channel, and nobody takes it (django/channels_redis#366). A closing
tab lost its "editing: false" notice this way, and the others saw it editing on."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from channels.layers import get_channel_layer

from realtime import redis_layer

pytestmark = [pytest.mark.redis, pytest.mark.timeout(30)]


@pytest.fixture
def layer(settings, redis_server) -> Any:
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "realtime.redis_layer.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": redis_server.url, "socket_timeout": 10}]},
        }
    }
    return get_channel_layer()


async def _waiting(layer: Any, channel: str) -> asyncio.Task[Any]:
    task = asyncio.create_task(layer.receive(channel))
    await asyncio.sleep(0.3)  # in Redis's BZPOPMIN, or queued behind it
    return task


async def test_a_cancelled_receive_loses_no_message_of_another_channel(layer) -> None:
    leaving, staying = await layer.new_channel(), await layer.new_channel()
    left = await _waiting(layer, leaving)
    stays = await _waiting(layer, staying)
    # The message is popped for the receive that holds the lock, whichever it is, and
    # its receiver is cancelled before it has read the answer: a tab that says
    # "editing: false" and closes its other socket at once.
    await layer.send(staying, {"type": "editing", "editing": False})
    left.cancel()
    await asyncio.gather(left, return_exceptions=True)

    assert await asyncio.wait_for(stays, 3) == {"type": "editing", "editing": False}


async def test_messages_reach_each_channel_in_order_while_receivers_come_and_go(layer) -> None:
    staying = await layer.new_channel()
    for round_number in range(5):
        passing = await layer.new_channel()
        gone = await _waiting(layer, passing)
        gone.cancel()
        await asyncio.gather(gone, return_exceptions=True)
        await layer.send(staying, {"type": "n", "n": round_number})
    got = [await asyncio.wait_for(layer.receive(staying), 3) for _ in range(5)]
    assert [message["n"] for message in got] == list(range(5))


async def test_a_message_sent_before_the_first_receive_is_kept(layer) -> None:
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "early"})
    assert await asyncio.wait_for(layer.receive(channel), 3) == {"type": "early"}


async def test_one_group_message_reaches_every_channel_of_the_process(layer) -> None:
    first, second = await layer.new_channel(), await layer.new_channel()
    await layer.group_add("board-1", first)
    await layer.group_add("board-1", second)
    receiving = [await _waiting(layer, first), await _waiting(layer, second)]
    await layer.group_send("board-1", {"type": "board.event", "seq": 1})
    got = await asyncio.wait_for(asyncio.gather(*receiving), 3)
    assert got == [{"type": "board.event", "seq": 1}] * 2


async def test_a_receive_fails_when_redis_is_gone(layer, redis_server) -> None:
    channel = await layer.new_channel()
    receiving = await _waiting(layer, channel)
    redis_server.stop()
    with pytest.raises(Exception):  # noqa: B017 (whatever redis-py raises)
        await asyncio.wait_for(receiving, 15)


async def test_messages_kept_for_a_channel_nobody_receives_are_bounded_then_forgotten(
    layer, monkeypatch
) -> None:
    monkeypatch.setattr(redis_layer, "SWEEP_SECONDS", 0)
    layer.capacity, layer.expiry = 3, 1
    orphan, busy = await layer.new_channel(), await layer.new_channel()
    receiving = await _waiting(layer, busy)
    for number in range(5):
        await layer.send(orphan, {"type": "n", "n": number})
    await layer.send(busy, {"type": "first"})
    assert await asyncio.wait_for(receiving, 3) == {"type": "first"}
    (pump,) = layer._pumps.values()
    assert [message["n"] for _, message in pump.kept[orphan]] == [2, 3, 4]

    await asyncio.sleep(1.2)
    receiving = asyncio.create_task(layer.receive(busy))
    await layer.send(busy, {"type": "second"})
    assert await asyncio.wait_for(receiving, 3) == {"type": "second"}
    assert orphan not in pump.kept


async def test_the_pump_stops_by_itself_once_nobody_waits(layer) -> None:
    channel = await layer.new_channel()
    receiving = await _waiting(layer, channel)
    (pump,) = layer._pumps.values()
    assert pump.task is not None
    receiving.cancel()
    await asyncio.gather(receiving, return_exceptions=True)
    await asyncio.sleep(2 * redis_layer.POLL_SECONDS + 0.5)
    assert pump.task is None

    receiving = asyncio.create_task(layer.receive(channel))
    await layer.send(channel, {"type": "again"})
    assert await asyncio.wait_for(receiving, 3) == {"type": "again"}
