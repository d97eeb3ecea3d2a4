"""One channel-layer subscription per (worker process, board), fanned out in-process.

A board's sockets in this process do not each join the board's group and wait in the
channel layer's `receive`: that machinery cost about three quarters of a worker's CPU
at a few hundred sockets. The first socket of a board starts a `BoardHub`, which joins
the group once with a channel of its own and runs one receive loop; each message is
handed to every local socket of the board, which forwards the text rendered once per
event. The group in Redis then has one member per worker, not one per socket.

An event arrives as JSON only (realtime.broadcast). A hub with page or display sockets
renders the event's HTML fragments once, on a database thread, and hands them out in
seq order after the JSON: only the processes where a page watches the board pay for
templates.

The hub also does, once for all its sockets, what each socket did on a timer
(realtime.hub_chores): re-join the group before `group_expiry` forgets it, heartbeat
presence, check its sockets' rights, and, every REALTIME_HEARTBEAT_SECONDS, read the
board's seq and deliver from the log what it never received.

When the channel layer fails (Redis down: the join, the receive or a re-join), the
sockets stay open: the hub says so once, keeps delivering from the log at every
heartbeat (the database is the truth; the layer only wakes sockets up), and joins
again with growing waits until Redis is back. Delivery stays at most once: sockets
still order events by seq and heal gaps from the event log (realtime.stream).
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections import deque
from collections.abc import Coroutine
from typing import Any, Protocol

from channels.layers import get_channel_layer
from django.conf import settings
from opentelemetry.trace import SpanKind

from ops import metrics, tracing
from realtime.access import Verdict, recheck_interval
from realtime.broadcast import event_pages_messages_of
from realtime.db_threads import db_run
from realtime.event_feed import board_seq
from realtime.groups import board_group_name
from realtime.heal import heartbeat_interval
from realtime.hub_chores import HubChores
from realtime.presence import presence_heartbeat_interval

logger = logging.getLogger(__name__)

DELIVERY_BATCH = 25
# At most this many events' fragments are rendered in one database call (as a heal
# reads at most HEAL_BATCH events a heartbeat).
PAGES_BATCH = 200
# Waits between attempts to join the group again while the channel layer is down.
REJOIN_BACKOFF = (0.5, 1, 2, 4, 8)


def rejoin_interval() -> float:
    return float(getattr(settings, "CHANNEL_GROUP_REJOIN_SECONDS", 3600))


class HubSocket(Protocol):
    connection_id: str
    principal: Any
    # Which rendering of an event the socket forwards: "json", "html" or "display_html".
    payload_key: str

    async def hub_message(self, message: dict[str, Any]) -> None: ...
    async def hub_failed(self) -> None: ...
    def presence_entry(self) -> list[Any] | None: ...
    async def access_apply(self, verdict: Verdict) -> None: ...


class BoardHub(HubChores):
    def __init__(self, board_id: int, layer: Any) -> None:
        self.board_id = board_id
        self.layer = layer
        self.group = board_group_name(board_id)
        self.channel_name = ""
        self.sockets: dict[str, HubSocket] = {}
        # Sockets that forward HTML (pages and displays), and the events whose
        # fragments are still to be rendered for them.
        self.page_sockets: set[str] = set()
        self.pages_pending: deque[dict[str, Any]] = deque()
        self.pages_rendering: asyncio.Task[None] | None = None
        # The highest seq this hub has delivered, or read from the board at its start;
        # and whether it has delivered an event since its last heartbeat.
        self.seen_seq = 0
        self.events_since_heartbeat = False
        # subscribed: in the group with a receive loop; off while the layer is down.
        self.subscribed = self.stopped = False
        self.receiving: asyncio.Task[None] | None = None
        self.tasks: set[asyncio.Task[None]] = set()
        self.started: asyncio.Task[None] = asyncio.create_task(self._start())
        metrics.HUBS.inc()

    async def _start(self) -> None:
        # The seq first: every later event comes over the group, or from the log.
        self.seen_seq = await db_run(board_seq, self.board_id) or 0
        self.channel_name = await self.layer.new_channel()
        if not await self._subscribe():
            self._run(self._rejoin_until_back())
        self._run(self._keepalive())

    async def _subscribe(self) -> bool:
        try:
            await self.layer.group_add(self.group, self.channel_name)
        except Exception:
            metrics.dependency_error("redis", "hub")
            logger.warning(
                "Board %s: the channel layer is unreachable; its sockets get events from "
                "the log every %s s until it is back",
                self.board_id,
                heartbeat_interval(),
                exc_info=True,
            )
            return False
        if self.stopped:
            await self._unsubscribe()
            return True
        self.subscribed = True
        self.receiving = self._run(self._receive_loop())
        return True

    def _run(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.create_task(self._guarded(work))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    async def _guarded(self, work: Coroutine[Any, Any, None]) -> None:
        try:
            await work
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("The hub of board %s failed", self.board_id)

    async def _receive_loop(self) -> None:
        try:
            while True:
                message = await self.layer.receive(self.channel_name)
                await self.deliver(message)
        except asyncio.CancelledError:
            raise
        except Exception:
            self._lost_the_layer("receive")

    def _lost_the_layer(self, where: str) -> None:
        if not self.subscribed or self.stopped:
            return
        metrics.dependency_error("redis", "hub")
        logger.warning(
            "Board %s lost the channel layer (%s); its sockets get events from the log "
            "until it is back",
            self.board_id,
            where,
            exc_info=True,
        )
        self.subscribed = False
        if self.receiving is not None and self.receiving is not asyncio.current_task():
            self.receiving.cancel()
        self._run(self._rejoin_until_back())

    async def _rejoin_until_back(self) -> None:
        attempt = 0
        while not self.stopped and not self.subscribed:
            await asyncio.sleep(REJOIN_BACKOFF[min(attempt, len(REJOIN_BACKOFF) - 1)])
            attempt += 1
            try:
                await self.layer.group_add(self.group, self.channel_name)
            except Exception:
                continue
            self.subscribed = True
            self.receiving = self._run(self._receive_loop())
            logger.warning("Board %s: the channel layer is back", self.board_id)
            await self._heartbeat()  # what was missed meanwhile, at once

    def socket_add(self, socket: HubSocket) -> None:
        self.sockets[socket.connection_id] = socket
        if socket.payload_key != "json":
            self.page_sockets.add(socket.connection_id)

    async def deliver(self, message: dict[str, Any]) -> None:
        metrics.broadcast_received(message)
        if message.get("type") == "board.event":
            self.seen_seq = max(self.seen_seq, message["seq"])
            self.events_since_heartbeat = True
            if self.page_sockets and "json" in message:
                self._pages_queue(message)
        # An event sent while tracing is on carries its trace: the hand-out joins it.
        trace_context = tracing.message_context(message)
        if trace_context is None:
            await self._hand_out(message)
            return
        attributes = {tracing.BOARD_ID: self.board_id, "taskboard.sockets": len(self.sockets)}
        with tracing.span(
            "broadcast.receive", kind=SpanKind.CONSUMER, attributes=attributes, parent=trace_context
        ):
            await self._hand_out(message)

    async def _hand_out(self, message: dict[str, Any]) -> None:
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

    def _pages_queue(self, message: dict[str, Any]) -> None:
        self.pages_pending.append(message)
        if self.pages_rendering is None or self.pages_rendering.done():
            self.pages_rendering = self._run(self._pages_render())

    async def _pages_render(self) -> None:
        """Render the queued events' fragments once for this process's pages and
        displays, up to PAGES_BATCH in one database call, and hand them out in seq
        order."""
        while self.pages_pending:
            size = min(len(self.pages_pending), PAGES_BATCH)
            batch = [self.pages_pending.popleft() for _ in range(size)]
            origins = {message["seq"]: message.get("origin") for message in batch}
            try:
                rendered = await db_run(
                    event_pages_messages_of, board_id=self.board_id, origins=origins
                )
            except Exception:
                # As if the layer had lost them: the next heartbeat reads them from
                # the log again and this renders them again (JSON sockets drop the
                # repeats by seq). A quiet board's pages are not left stale.
                self.seen_seq = min(self.seen_seq, min(origins) - 1)
                logger.warning(
                    "Fragments of events %s#%s to %s failed; the next heartbeat tries again",
                    self.board_id,
                    min(origins),
                    max(origins),
                    exc_info=True,
                )
                continue
            committed = {m["seq"]: m["committed_at"] for m in batch if "committed_at" in m}
            for pages in rendered:
                if pages["seq"] in committed:
                    pages["committed_at"] = committed[pages["seq"]]
                    metrics.broadcast_received(pages)
                await self._hand_out(pages)

    async def _keepalive(self) -> None:
        """Re-join the group before group_expiry forgets it, heartbeat presence, check
        every socket's rights again, and deliver what the layer lost."""
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
            if now >= due["rejoin"] and self.subscribed:
                try:
                    await self.layer.group_add(self.group, self.channel_name)
                except Exception:
                    self._lost_the_layer("re-join")
            if now >= due["beat"]:
                await self._presence_heartbeat(quiet=not self.subscribed)
            if now >= due["access"]:
                await self._access_sweep()
            if now >= due["heartbeat"]:
                await self._heartbeat()
            for name, at in due.items():
                if now >= at:
                    due[name] = now + every[name]

    def _forget(self) -> None:
        hubs = _hubs.get(asyncio.get_running_loop(), {})
        if hubs.get(self.board_id) is self:
            del hubs[self.board_id]

    async def leave(self, socket: HubSocket) -> None:
        """Forget the socket; the last one to leave stops the hub and leaves the group."""
        self.sockets.pop(socket.connection_id, None)
        self.page_sockets.discard(socket.connection_id)
        if self.sockets or self.stopped:
            return
        self.stopped = True
        metrics.HUBS.dec()
        self._forget()
        tasks = [*self.tasks, self.started]
        for task in tasks:
            task.cancel()
        # Wait for the receive to unwind, so that no task of a stopped hub is left.
        await asyncio.gather(*tasks, return_exceptions=True)
        if self.subscribed:
            await self._unsubscribe()

    async def _unsubscribe(self) -> None:
        self.subscribed = False
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
    Raises only if the hub cannot start (the database failed); a channel layer that is
    down does not keep a socket out. From then on the socket receives the board's
    messages through `hub_message`."""
    layer = get_channel_layer()
    hubs = _hubs.setdefault(asyncio.get_running_loop(), {})
    hub = hubs.get(board_id)
    if hub is None or hub.layer is not layer or hub.stopped or _start_failed(hub):
        hub = hubs[board_id] = BoardHub(board_id, layer)
    hub.socket_add(socket)
    try:
        await asyncio.shield(hub.started)
    except BaseException:
        await hub.leave(socket)
        raise
    return hub


def _start_failed(hub: BoardHub) -> bool:
    started = hub.started
    return started.done() and (started.cancelled() or started.exception() is not None)


def hubs_running() -> dict[int, BoardHub]:
    """This loop's hubs by board id (for tests and diagnostics)."""
    return dict(_hubs.get(asyncio.get_running_loop(), {}))
