"""One channel-layer subscription per (worker process, board), fanned out in-process.

A board's sockets in this process do not each join the board's group and wait in the
channel layer's `receive`: that machinery cost about three quarters of a worker's CPU
at a few hundred sockets. The first socket of a board starts a `BoardHub`, which joins
the group once with a channel of its own and runs one receive loop; each message is
handed to every local socket of the board, which forwards the text rendered once per
event. The group in Redis then has one member per worker, not one per socket.

The hub also does, once for all its sockets, what each socket did on a timer: re-join
the group before `group_expiry` forgets it, heartbeat presence, check its sockets'
rights (realtime.access), and, every REALTIME_HEARTBEAT_SECONDS, read the board's seq:
events it never received are read from the log and delivered (realtime.heal), and
JSON sockets get a `heartbeat` with the seq they are at. When the channel
layer fails (receive or re-join), every socket of the hub closes with 1013 and clients
reconnect and resume; the next socket starts a fresh hub.

Delivery stays at most once: sockets still order events by seq and heal gaps from the
event log (realtime.stream).
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Coroutine
from typing import Any, Protocol

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from realtime.access import Verdict, access_verdicts, recheck_interval
from realtime.event_feed import board_seq
from realtime.groups import board_group_name
from realtime.heal import heartbeat_interval, missed_event_messages
from realtime.presence import presence_changed, presence_heartbeat_interval, presence_store

logger = logging.getLogger(__name__)

DELIVERY_BATCH = 25


def rejoin_interval() -> float:
    return float(getattr(settings, "CHANNEL_GROUP_REJOIN_SECONDS", 3600))


class HubSocket(Protocol):
    connection_id: str
    principal: Any

    async def hub_message(self, message: dict[str, Any]) -> None: ...
    async def hub_failed(self) -> None: ...
    def presence_entry(self) -> list[Any] | None: ...
    async def access_apply(self, verdict: Verdict) -> None: ...


class BoardHub:
    def __init__(self, board_id: int, layer: Any) -> None:
        self.board_id = board_id
        self.layer = layer
        self.group = board_group_name(board_id)
        self.channel_name = ""
        self.sockets: dict[str, HubSocket] = {}
        # The highest seq this hub has delivered, or read from the board at its start.
        self.seen_seq = 0
        self.failed = self.stopped = False
        self.started: asyncio.Task[None] = asyncio.create_task(self._start())
        self.tasks: set[asyncio.Task[None]] = set()

    async def _start(self) -> None:
        self.channel_name = await self.layer.new_channel()
        await self.layer.group_add(self.group, self.channel_name)
        # Read after joining: every later event comes over the group, or is healed.
        seq = await database_sync_to_async(board_seq)(self.board_id)
        self.seen_seq = seq or 0
        if self.stopped:
            # Every socket left while the hub was joining.
            await self.layer.group_discard(self.group, self.channel_name)
            return
        for work in (self._receive_loop(), self._keepalive()):
            task = asyncio.create_task(self._guarded(work))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def _guarded(self, work: Coroutine[Any, Any, None]) -> None:
        try:
            await work
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("The hub of board %s lost the channel layer", self.board_id)
            await self._fail()

    async def _receive_loop(self) -> None:
        while True:
            message = await self.layer.receive(self.channel_name)
            await self.deliver(message)

    async def deliver(self, message: dict[str, Any]) -> None:
        if message.get("type") == "board.event":
            self.seen_seq = max(self.seen_seq, message["seq"])
        for index, socket in enumerate(list(self.sockets.values())):
            if index % DELIVERY_BATCH == DELIVERY_BATCH - 1:
                # A server's send only queues the frame (daphne writes it when its
                # reactor next runs): without a turn of the loop now and then, the
                # first socket's frame would leave with the last one's.
                await asyncio.sleep(0)
            try:
                await socket.hub_message(message)
            except Exception:
                logger.exception("Socket %s failed a hub message", socket.connection_id)
                await socket.hub_failed()

    async def _keepalive(self) -> None:
        """Re-join the group before group_expiry forgets it, heartbeat presence, and
        check every socket's rights again (a lost access message must not keep one open)."""
        loop = asyncio.get_running_loop()
        every = {
            "rejoin": rejoin_interval(),
            "beat": presence_heartbeat_interval(),
            "access": recheck_interval(),
            "heartbeat": heartbeat_interval(),
        }
        due = {name: loop.time() + interval for name, interval in every.items()}
        while True:
            await asyncio.sleep(max(0.05, min(due.values()) - loop.time()))
            now = loop.time()
            if now >= due["rejoin"]:
                await self.layer.group_add(self.group, self.channel_name)
            if now >= due["beat"]:
                await self._presence_heartbeat()
            if now >= due["access"]:
                await self._access_sweep()
            if now >= due["heartbeat"]:
                await self._heartbeat()
            for name, at in due.items():
                if now >= at:
                    due[name] = now + every[name]

    async def _heartbeat(self) -> None:
        """Deliver what the channel layer lost, then tell JSON sockets the seq."""
        try:
            last, missed = await database_sync_to_async(missed_event_messages)(
                board_id=self.board_id, after=self.seen_seq
            )
        except Exception:
            logger.warning("Heartbeat of board %s failed", self.board_id, exc_info=True)
            return
        if missed:
            logger.warning(
                "The hub of board %s missed %s event(s) after seq %s; delivering them from the log",
                self.board_id,
                len(missed) // 2,
                self.seen_seq,
            )
        for message in missed:
            await self.deliver(message)
        if last is not None:
            seq = min(last, self.seen_seq)
            frame = f'{{"type":"heartbeat","seq":{seq}}}'
            await self.deliver({"type": "board.heartbeat", "seq": seq, "json": frame})

    async def _access_sweep(self) -> None:
        sockets = dict(self.sockets)
        if not sockets:
            return
        principals = {conn: socket.principal for conn, socket in sockets.items()}
        try:
            verdicts = await database_sync_to_async(access_verdicts)(
                board_id=self.board_id, principals=principals
            )
        except Exception:
            logger.warning("Access sweep of board %s failed", self.board_id, exc_info=True)
            return
        for conn, verdict in verdicts.items():
            await sockets[conn].access_apply(verdict)

    async def _presence_heartbeat(self) -> None:
        entries: dict[str, list[Any]] = {}
        for conn_id, socket in self.sockets.items():
            entry = socket.presence_entry()
            if entry is not None:
                entries[conn_id] = entry
        if not entries:
            return
        try:
            if await presence_store().heartbeat_many(self.board_id, entries):
                await presence_changed(self.board_id)
        except Exception:
            logger.warning("Presence heartbeat of board %s failed", self.board_id, exc_info=True)

    async def _fail(self) -> None:
        self.failed = True
        self._forget()
        for task in self.tasks:
            if task is not asyncio.current_task():
                task.cancel()
        for socket in list(self.sockets.values()):
            await socket.hub_failed()

    def _forget(self) -> None:
        hubs = _hubs.get(asyncio.get_running_loop(), {})
        if hubs.get(self.board_id) is self:
            del hubs[self.board_id]

    async def leave(self, socket: HubSocket) -> None:
        """Forget the socket; the last one to leave stops the hub and leaves the group."""
        self.sockets.pop(socket.connection_id, None)
        if self.sockets or self.stopped:
            return
        self.stopped = True
        self._forget()
        tasks = list(self.tasks)
        for task in tasks:
            task.cancel()
        # Wait for the receive to unwind: channels_redis counts receivers per layer,
        # and one left pending on a loop refuses every other loop's receive.
        await asyncio.gather(*tasks, return_exceptions=True)
        if self.failed or not self.channel_name:
            return
        try:
            await self.layer.group_discard(self.group, self.channel_name)
        except Exception:
            logger.debug("group_discard for the hub of board %s failed", self.board_id)


# Hubs belong to the event loop that runs them (each test has its own loop).
_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, BoardHub]] = (
    weakref.WeakKeyDictionary()
)


async def hub_join(board_id: int, socket: HubSocket) -> BoardHub:
    """Add the socket to its board's hub in this process, starting the hub if needed.
    Raises if the channel layer fails; from then on the socket receives the board's
    messages through `hub_message`."""
    layer = get_channel_layer()
    hubs = _hubs.setdefault(asyncio.get_running_loop(), {})
    hub = hubs.get(board_id)
    if hub is None or hub.layer is not layer or hub.failed or hub.stopped:
        hub = hubs[board_id] = BoardHub(board_id, layer)
    hub.sockets[socket.connection_id] = socket
    try:
        await asyncio.shield(hub.started)
    except BaseException:
        if hub.started.done() and not hub.started.cancelled() and hub.started.exception():
            hub.failed = True
        await hub.leave(socket)
        raise
    return hub


def hubs_running() -> dict[int, BoardHub]:
    """This loop's hubs by board id (for tests and diagnostics)."""
    return dict(_hubs.get(asyncio.get_running_loop(), {}))
