"""What both board sockets share: authorising, joining the board's hub (realtime.hub:
one channel-layer subscription per process and board), the event stream
(realtime.event_feed: complete and in order), presence, and closing with a code that
tells the client what to do (realtime.close_codes).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Coroutine
from typing import Any

from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings

from ops import log_context, metrics
from realtime import close_codes
from realtime.access_watch import AccessWatch
from realtime.auth import BoardAccess, Principal, board_access
from realtime.db_threads import Busy, handshake_run
from realtime.editing import editing_announce, editing_notice
from realtime.event_feed import EventFeed
from realtime.frame_sender import FrameSender
from realtime.hub import BoardHub, hub_join
from realtime.presence import presence_changed, presence_store
from realtime.protocol import TokenBucket
from realtime.socket_quota import socket_slot_release, socket_slot_take
from realtime.stream import SeqStream

logger = logging.getLogger(__name__)

SHUTDOWN_FLUSH_SECONDS = 0.1
TEARDOWN_SECONDS = 5.0
# How long a shutdown waits for an action under way to be answered.
IN_FLIGHT_SECONDS = 5.0


def rate_limit() -> TokenBucket:
    return TokenBucket(
        burst=getattr(settings, "REALTIME_RATE_BURST", 30),
        rate=getattr(settings, "REALTIME_RATE_PER_SECOND", 10),
    )


# How long a board.closed notice waits for the event it follows (realtime.control).
CLOSE_WAIT_SECONDS = 2.0


class BoardSocketConsumer(AccessWatch, FrameSender, EventFeed, AsyncWebsocketConsumer):
    # Which rendering of a group message this socket forwards: "json" or "html".
    payload_key = ""

    principal: Principal
    access: BoardAccess

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.connection_id = "c_" + secrets.token_urlsafe(12)
        log_context.bind(connection_id=self.connection_id)
        self.own_origin: str | None = self.connection_id
        self.hub: BoardHub | None = None
        self.stream: SeqStream[str | None] = SeqStream()
        self.lock = asyncio.Lock()
        self.bucket = rate_limit()
        # greeted: opened() ran, so the hello of a JSON socket is out.
        self.accepted = self.greeted = self.closed = self.present = False
        self.tasks: set[asyncio.Task[None]] = set()
        self.slot_holder: str | None = None
        # The task whose edit form this socket's person has open (realtime.editing).
        self.editing_task: int | None = None
        self.gap_task: asyncio.Task[None] | None = None
        # An action's answer being worked out (its frame), so that a shutdown sends
        # the answer before the close.
        self.in_flight: asyncio.Future[str] | None = None
        try:
            await self._serve(scope, receive, send)
        except asyncio.CancelledError:
            # Daphne cancels every application when it shuts down. An action under way
            # may commit: its answer goes out first. The close frame needs one more
            # turn of the loop to leave before the server drops the connection.
            await self._finish_in_flight()
            await self._close_quietly(close_codes.SERVICE_RESTART)
            await asyncio.sleep(SHUTDOWN_FLUSH_SECONDS)
            raise
        except OSError as error:
            # The client left while the server was still answering it (a reconnect
            # storm leaves many): nothing to close, and no traceback to log.
            logger.info("Board socket %s: the client left (%s)", self.connection_id, error)
            self.closed = True
        except Exception:
            logger.exception("Board socket %s failed", self.connection_id)
            await self._close_quietly(close_codes.TRY_AGAIN_LATER)
        finally:
            await self._teardown()

    async def _serve(self, scope: Any, receive: Any, send: Any) -> None:
        # Channels' own loop gives every socket a channel and waits in the channel
        # layer's receive for it; here the board's hub receives for all its sockets,
        # and this loop only reads the client.
        self.scope, self.base_send = scope, send
        self.sender_start(send)
        self.channel_layer = get_channel_layer()
        try:
            message = await self._connect_unless_left(receive)
            while True:
                await self.dispatch(message)
                message = await receive()
        except StopConsumer:
            pass

    async def _connect_unless_left(self, receive: Any) -> dict[str, Any]:
        """Handle the connect while reading the next message: a client that leaves
        before it is accepted (a reconnect storm leaves many) stops the handshake's
        work, its queued database calls included. Returns the next message."""
        connecting = asyncio.ensure_future(self.dispatch(await receive()))
        upcoming = asyncio.ensure_future(receive())
        try:
            await asyncio.wait({connecting, upcoming}, return_when=asyncio.FIRST_COMPLETED)
            if (
                upcoming.done()
                and not connecting.done()
                and not self.accepted
                and upcoming.result().get("type") == "websocket.disconnect"
            ):
                connecting.cancel()
                await asyncio.gather(connecting, return_exceptions=True)
                logger.info("Board socket %s: the client left", self.connection_id)
                self.closed = True
                raise StopConsumer
            await connecting
            return await upcoming
        finally:
            for work in (connecting, upcoming):
                work.cancel()

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels closes stale database connections before every handler, a thread hop
        # per socket per event. Every ORM call here goes through realtime.db_threads,
        # which does that itself, so forwarding an event stays on the loop.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            logger.warning("Board socket ignored a %r message", message.get("type"))
            return
        await handler(message)

    # Subclass hooks, with EventFeed's event_frame and snapshot_frames (those two run in
    # a worker thread).

    async def opened(self) -> None:
        pass

    async def on_frame(self, text: str | None, data: bytes | None) -> None:
        raise NotImplementedError

    # Lifecycle.

    async def websocket_connect(self, message: dict[str, Any]) -> None:
        if self.scope.get("busy"):
            await self._refuse(close_codes.TRY_AGAIN_LATER)
            return
        principal = self.scope.get("principal")
        if principal is None:
            await self._refuse(close_codes.NOT_AUTHENTICATED)
            return
        board_id = self.scope["url_route"]["kwargs"]["board_id"]
        try:
            access = await handshake_run(board_access, principal=principal, board_id=board_id)
        except Busy:
            await self._refuse(close_codes.TRY_AGAIN_LATER)
            return
        if access is None:
            await self._refuse(close_codes.NOT_FOUND)
            return
        if access.board.archived_at is not None:
            await self._refuse(close_codes.BOARD_CLOSED)
            return
        if not socket_slot_take(holder=principal.presence_key, connection_id=self.connection_id):
            await self._refuse(close_codes.TOO_MANY_SOCKETS)
            return
        self.slot_holder = principal.presence_key
        self.principal, self.access = principal, access
        log_context.bind(board_id=access.board.pk, user_id=getattr(principal.user, "pk", None))
        self.hub = await hub_join(access.board.pk, self)
        await self.accept()
        self.accepted = True
        await self.opened()
        self.greeted = True
        metrics.socket_opened(self.payload_key)
        self._spawn(self._snapshot_unless_resumed())
        await self._presence_join()

    async def websocket_receive(self, message: dict[str, Any]) -> None:
        if not self.accepted or self.closed:
            return
        async with self._exclusive():
            await self.on_frame(message.get("text"), message.get("bytes"))

    async def _finish_in_flight(self) -> None:
        work, self.in_flight = self.in_flight, None
        if work is None or self.closed:
            return
        try:
            frame = await asyncio.wait_for(asyncio.shield(work), IN_FLIGHT_SECONDS)
        except Exception:
            logger.warning("Socket %s closed before its action's answer", self.connection_id)
            return
        await self.send_text(frame)

    async def _refuse(self, code: int) -> None:
        # Accept first: a close during the handshake reaches the client as HTTP 403
        # with no code, and clients must be able to tell 4401 from 4404.
        await self.accept()
        await self.close(code)
        self.closed = True
        metrics.SOCKET_CLOSES.labels(str(code)).inc()

    async def _close_quietly(self, code: int) -> None:
        """Close with `code`, whatever state the socket is in. A server that refuses
        the code (daphne without realtime.daphne_close) gets its private-use twin,
        4012 or 4013: an application that ends without closing leaves a dead socket."""
        if self.closed:
            return
        self.closed = True
        for attempt in (code, 4000 + code % 1000):
            try:
                if not self.accepted:
                    await self.base_send({"type": "websocket.accept"})
                    self.accepted = True
                await self.base_send({"type": "websocket.close", "code": attempt})
                metrics.SOCKET_CLOSES.labels(str(attempt)).inc()
                return
            except OSError:
                return  # the client is gone: there is nothing left to close
            except Exception:
                logger.warning("Socket %s: close %s failed", self.connection_id, attempt)

    async def _teardown(self) -> None:
        # Leave the hub first: a teardown cut short must not leave the hub (and its
        # receive on the channel layer) running for a socket that is gone. Leaving
        # waits on Redis (the hub's receive, group_discard), so it has a time limit:
        # a socket that is gone must not hang on, and the membership expires anyway.
        hub, self.hub = self.hub, None
        try:
            if hub is not None:
                await asyncio.wait_for(hub.leave(self), TEARDOWN_SECONDS)
        except TimeoutError:
            logger.warning("Socket %s left its hub without waiting for it", self.connection_id)
        finally:
            await self._teardown_socket()

    async def _teardown_socket(self) -> None:
        if self.editing_task is not None:
            await self.editing_set(task_id=self.editing_task, editing=False)
        if self.greeted:
            metrics.socket_closed(self.payload_key)
        if self.slot_holder is not None:
            socket_slot_release(holder=self.slot_holder, connection_id=self.connection_id)
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        if self.present:
            try:
                await presence_store().leave(self.access.board.pk, self.connection_id)
                await presence_changed(self.access.board.pk)
            except Exception:
                logger.warning("Presence leave for %s failed", self.connection_id, exc_info=True)

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.create_task(self._guarded(coroutine))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    async def _guarded(self, coroutine: Coroutine[Any, Any, None]) -> None:
        try:
            await coroutine
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("Board socket %s background work failed", self.connection_id)
            await self._close_quietly(close_codes.TRY_AGAIN_LATER)

    async def _presence_join(self) -> None:
        # Later heartbeats come from the hub, once for all its sockets.
        board_id = self.access.board.pk
        try:
            await presence_store().heartbeat(board_id, self.connection_id, self.presence_entry())
            self.present = True
            await presence_changed(board_id)
        except Exception:
            logger.warning("Presence heartbeat for %s failed", self.connection_id, exc_info=True)

    def presence_entry(self) -> list[Any]:
        return [self.principal.presence_key, self.principal.viewer()]

    # Messages from the board's hub (realtime.hub), one call per message and socket.

    async def hub_message(self, message: dict[str, Any]) -> None:
        if self.closed:
            return
        if message["type"] == "board.event":
            await self.board_event(message)  # the hot path, without a handler lookup
            return
        if not self.greeted and message.get("type") == "board.presence":
            # Nothing goes before the hello. This socket's own join broadcasts
            # presence again after it.
            return
        await self.dispatch(message)

    async def hub_failed(self) -> None:
        await self._close_quietly(close_codes.TRY_AGAIN_LATER)

    async def display_revoked(self, message: dict[str, Any]) -> None:
        """Sent by realtime.control when a display key is revoked."""
        if self.principal.key_id is not None and self.principal.key_id == message.get("key_id"):
            await self._close_quietly(close_codes.ACCESS_ENDED)

    async def board_editing(self, message: dict[str, Any]) -> None:
        """Someone else opened or closed a task's edit form (realtime.editing)."""
        frame = message.get(self.payload_key)
        if frame and self.greeted and not self.closed and message["conn"] != self.connection_id:
            await self.send_text(frame)

    async def editing_set(self, *, task_id: int, editing: bool) -> None:
        """This socket's person opened (or still has) a task's edit form, or closed it."""
        self.editing_task = task_id if editing else None
        notice = editing_notice(
            task_id=task_id,
            viewer=self.principal.viewer(),
            connection_id=self.connection_id,
            editing=editing,
        )
        await editing_announce(board_id=self.access.board.pk, notice=notice)

    async def board_closed(self, message: dict[str, Any]) -> None:
        """Sent by realtime.control when the board is archived or deleted. What is
        under way (a snapshot, a replay) and the events it holds, the board.archived
        one among them, go out first; the hub does not wait for that."""
        self._spawn(self._close_when_sent(close_codes.BOARD_CLOSED, seq=message.get("seq")))

    async def _close_when_sent(self, code: int, *, seq: int | None) -> None:
        """The notice can overtake its event (events leave from the event loop's
        queue): wait a little for the event `seq` to be sent first."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + CLOSE_WAIT_SECONDS
        while seq is not None and self.greeted and loop.time() < deadline:
            if self.stream.last is not None and self.stream.last >= seq:
                break
            await asyncio.sleep(0.05)
        async with self.lock:
            pass
        await self._close_quietly(code)

    async def board_heartbeat(self, message: dict[str, Any]) -> None:
        """The hub's heartbeat (JSON sockets only): sent when this socket has sent
        everything up to that seq, so a client behind it knows to resume."""
        frame = message.get(self.payload_key)
        if not frame or not self.greeted or self.closed or self.lock.locked():
            return
        if self.stream.last is not None and self.stream.last >= message["seq"]:
            await self.send_text(frame)

    async def board_presence(self, message: dict[str, Any]) -> None:
        frame = message.get(self.payload_key)
        if frame and self.greeted and not self.closed:
            await self.send_text(frame)
