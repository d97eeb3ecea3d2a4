"""channels_redis's layer, with receives that a cancellation cannot rob.

In channels_redis, whichever `receive()` holds the layer's lock pops the next message
for every process-local channel (`specific.<process>!<name>`) and hands the others
theirs. A receive is cancelled whenever a socket closes or a hub stops. If that
happens after Redis popped a message but before the reply was read, the message is
lost, whichever channel it was for (django/channels_redis#366,
django/channels#1683). A tab that said "editing: false" as it closed its other
socket lost it this way, and everyone else saw it editing on.

Here one task per event loop, the pump, pops the process's messages, and nobody
cancels it. A receive only waits for its own channel's message. A cancelled receive
can lose nothing but a message for its own channel, and its channel is going away.

The pump stops by itself a second or two after the last receive, at the end of a
short BZPOPMIN: a cancelled
redis-py read is not reliably prompt (on Python 3.11 it can go on reading), so a
loop that ends must not depend on cancelling it.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections import deque
from typing import Any

from channels_redis.core import RedisChannelLayer as ChannelsRedisLayer

Message = dict[str, Any]

# How long one BZPOPMIN of the pump blocks. An idle pump stops within two of them.
POLL_SECONDS = 1.0

# How often the pump forgets the kept messages of channels nobody receives any more.
SWEEP_SECONDS = 5.0


class RedisChannelLayer(ChannelsRedisLayer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pumps: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Pump] = (
            weakref.WeakKeyDictionary()
        )

    async def receive(self, channel: str) -> Message:
        if "!" not in channel:
            return await super().receive(channel)
        assert self.require_valid_channel_name(channel)
        loop = asyncio.get_running_loop()
        pump = self._pumps.get(loop)
        if pump is None:
            pump = self._pumps[loop] = _Pump(self, self.non_local_name(channel))
        return await pump.receive(channel)

    async def _brpop_with_clean(self, index: int, channel: str, timeout: float) -> Any:
        # channels_redis's receive_single blocks again after every empty BZPOPMIN;
        # the pump's stop once nobody waits for a message any more.
        content = await super()._brpop_with_clean(index, channel, min(timeout, POLL_SECONDS))
        pump = self._pumps.get(asyncio.get_running_loop())
        if content is None and pump is not None and pump.polls(channel) and pump.idle():
            raise _Idle
        return content


class _Idle(Exception):
    """Nobody waits for a message of this process: the pump stops."""


class _Pump:
    """Pops this process's messages on one loop, while anyone receives (`idle`), and
    gives each to its channel's first waiter or keeps it for the channel's next
    receive (at most `capacity` per channel, the oldest dropped, as channels_redis
    does; kept messages older than `expiry` are forgotten)."""

    def __init__(self, layer: RedisChannelLayer, process_channel: str) -> None:
        self.layer = layer
        self.process_channel = process_channel
        self.waiters: dict[str, deque[asyncio.Future[Message]]] = {}
        self.kept: dict[str, deque[tuple[float, Message]]] = {}
        self.task: asyncio.Task[None] | None = None
        self.swept_at = self.received_at = time.monotonic()

    def idle(self) -> bool:
        """Nobody waits, nor asked for a message within POLL_SECONDS: a hub busy
        handing out its last message keeps the pump, a process with no sockets left
        does not."""
        return not self.waiters and time.monotonic() - self.received_at > POLL_SECONDS

    def polls(self, channel_key: str) -> bool:
        return channel_key == self.layer.prefix + self.process_channel

    async def receive(self, channel: str) -> Message:
        self.received_at = time.monotonic()
        kept = self.kept.get(channel)
        if kept:
            message = kept.popleft()[1]
            if not kept:
                del self.kept[channel]
            return message
        future: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
        waiting = self.waiters.setdefault(channel, deque())
        waiting.append(future)
        if self.task is None:
            self.task = asyncio.create_task(self._run(), name="channel-layer-pump")
        try:
            return await future
        finally:
            if future in waiting:
                waiting.remove(future)
            if not waiting and self.waiters.get(channel) is waiting:
                del self.waiters[channel]

    async def _run(self) -> None:
        try:
            while not self.idle():
                channels, message = await self.layer.receive_single(self.process_channel)
                for channel in channels if isinstance(channels, list) else [channels]:
                    self._hand(channel, message)
                self._sweep()
        except _Idle:
            pass
        except Exception as error:
            # Redis is gone: every waiter learns it (a hub rejoins, a socket closes),
            # and the next receive starts a new pump.
            for waiting in self.waiters.values():
                for future in waiting:
                    if not future.done():
                        future.set_exception(error)
        finally:
            self.task = None

    def _hand(self, channel: str, message: Message) -> None:
        waiting = self.waiters.get(channel)
        while waiting:
            future = waiting.popleft()
            if not future.done():
                future.set_result(message)
                return
        kept = self.kept.setdefault(channel, deque(maxlen=self.layer.capacity))
        kept.append((time.monotonic(), message))

    def _sweep(self) -> None:
        now = time.monotonic()
        if now - self.swept_at < SWEEP_SECONDS:
            return
        self.swept_at = now
        stale = now - self.layer.expiry
        for channel in [name for name, kept in self.kept.items() if kept[-1][0] < stale]:
            del self.kept[channel]
