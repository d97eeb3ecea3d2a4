"""Send committed events to the board's channel-layer group.

Called from `transaction.on_commit` by `board.services.events.event_record`. The JSON
message and the HTML fragments are built here once per event; sockets only forward
them. The JSON goes out first, in a message of its own: rendering the fragments takes
longer than the rest of the broadcast, and JSON clients need not wait for it. Each
socket takes the one message that carries its variant (`payload_key`).

The sends do not hold the database thread that committed: when that thread serves an
event loop (a socket's database call, or a request under ASGI), the JSON message is
handed to the loop, which sends the events in commit order while the thread answers
and goes on; the fragments are then rendered on a database thread (realtime.db_threads)
and sent in their own queue. Only code with no loop (a management command, a test)
renders and sends in place.

Delivery over the channel layer is at most once: a failed send is retried once (on a
fresh connection), then logged, never raised. Each process's hub heals what it missed
from the event log at its next heartbeat (realtime.hub), and sockets and clients
detect gaps by seq and heal them from the log too.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import time
from collections import deque
from typing import Any

import orjson
from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer

from board.models import Event
from board.public import event_message
from board.selectors import Column, board_column_counts
from ops import metrics
from realtime.db_threads import db_run
from realtime.fragments import event_fragment_html
from realtime.groups import board_group_name
from realtime.origin import origin_get, origin_note_event

logger = logging.getLogger(__name__)


# The marks that `own_frame` turns on, in the one socket whose change the event is.
OWN_MARKS = {
    "json": (',"own":false}', ',"own":true}'),
    "html": ('data-origin=""', 'data-origin="own"'),
}


def event_json(event: Event) -> str:
    """The protocol's `event` message as JSON text, not marked as anyone's own."""
    message: dict[str, Any] = event_message(event)
    message["own"] = False  # last: `own_frame` rewrites the end
    return orjson.dumps(message).decode()


def own_frame(frame: str, *, payload_key: str) -> str:
    """The same event frame, marked as the receiving socket's own change."""
    unmarked, marked = OWN_MARKS["json" if payload_key == "json" else "html"]
    if payload_key == "json":
        return frame[: -len(unmarked)] + marked if frame.endswith(unmarked) else frame
    return frame.replace(unmarked, marked, 1)


def event_broadcast(*, event: Event) -> None:
    origin_note_event(event.seq)
    layer = get_channel_layer()
    if layer is None:
        return
    metrics.EVENTS_BROADCAST.inc()
    group, origin = board_group_name(event.board_id), origin_get()
    label = f"{event.board_id}#{event.seq}"
    # When it was committed (this runs on commit): hubs time the broadcast from it.
    stamp = {"committed_at": time.time()}
    json_message = event_json_message(event, origin=origin) | stamp
    loop = _thread_loop()
    if loop is not None:
        # The fragments are rendered later, on a database thread, while the JSON is on
        # its way: neither the write's thread nor its ack waits for them.
        pages = functools.partial(_pages_or_none, event, origin, stamp)
        loop.call_soon_threadsafe(_enqueue, "json", (layer, group, label, json_message))
        loop.call_soon_threadsafe(_enqueue, "pages", (layer, group, label, pages))
        return
    failure = async_to_sync(_send)(layer, group, json_message)
    if failure is None and (pages_message := _pages_or_none(event, origin, stamp)) is not None:
        failure = async_to_sync(_send)(layer, group, pages_message)
    if failure is not None:
        _log_failure(label, failure)


def _pages_or_none(
    event: Event, origin: str | None, stamp: dict[str, float]
) -> dict[str, Any] | None:
    try:
        return event_pages_message(event, origin=origin) | stamp
    except Exception:
        logger.exception("Fragments of event %s#%s failed", event.board_id, event.seq)
        return None


def _thread_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop this thread works for (asgiref's sync_to_async records it), if
    that loop is running."""
    loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    if getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None) != os.getpid():
        return None
    return loop if loop is not None and loop.is_running() else None


# Per event loop and lane ("json", "pages"): messages waiting to be sent (a page
# message still to be rendered is a callable), and the task sending them.
Lane = tuple[asyncio.AbstractEventLoop, str]
_queues: dict[Lane, deque[tuple[Any, ...]]] = {}
_senders: dict[Lane, asyncio.Task[None]] = {}


def _enqueue(lane: str, item: tuple[Any, ...]) -> None:
    """On the loop: queue the item; start the lane's sender if it is not running."""
    key = (asyncio.get_running_loop(), lane)
    _queues.setdefault(key, deque()).append(item)
    sender = _senders.get(key)
    if sender is None or sender.done():
        _senders[key] = asyncio.get_running_loop().create_task(_send_queued(key))


async def _send_queued(key: Lane) -> None:
    # One at a time, in the order the commits queued them: the hubs get a board's
    # events in seq order (they would heal a swap, after a wait). A lane forgets its
    # loop when it is empty, so a closed loop (each test has one) is not kept.
    queue = _queues[key]
    try:
        while queue:
            layer, group, label, message = queue.popleft()
            if callable(message):
                message = await db_run(message)
                if message is None:
                    continue
            failure = await _send(layer, group, message)
            if failure is not None:
                _log_failure(label, failure)
    finally:
        if not queue:
            _queues.pop(key, None)
            _senders.pop(key, None)


def _log_failure(label: str, failure: Exception) -> None:
    # The board's hubs deliver it from the log at their next heartbeat (realtime.heal).
    logger.error("Broadcast of event %s failed", label, exc_info=failure)


async def _send(layer: Any, group: str, message: dict[str, Any]) -> Exception | None:
    """Send once, and once more if that failed: after a Redis restart the first send
    can meet a pooled connection that is already dead, and the retry opens a new one.
    Returns the last failure, or None once sent."""
    try:
        await layer.group_send(group, message)
        return None
    except Exception as error:
        metrics.dependency_error("redis", "broadcast")
        logger.warning("group_send to %s failed (%s); trying once more", group, error)
    try:
        await layer.group_send(group, message)
        return None
    except Exception as error:
        metrics.dependency_error("redis", "broadcast")
        return error


def event_json_message(event: Event, *, origin: str | None) -> dict[str, Any]:
    """The channel-layer message that carries an event to JSON sockets."""
    return {"type": "board.event", "seq": event.seq, "origin": origin, "json": event_json(event)}


def event_pages_message(
    event: Event, *, origin: str | None, columns: list[Column] | None = None
) -> dict[str, Any]:
    """The channel-layer message that carries an event to pages and wall displays."""
    if columns is None:
        columns = board_column_counts(board=event.board)
    return {
        "type": "board.event",
        "seq": event.seq,
        "origin": origin,
        "html": event_fragment_or_none(event, columns=columns),
        "display_html": event_fragment_or_none(event, display=True, columns=columns),
    }


def event_fragment_or_none(
    event: Event, *, display: bool = False, columns: list[Column] | None = None
) -> str | None:
    """The page fragment of an event (or its wall-display variant), live or replayed.
    A template error costs the pages this one fragment, not every client the event or
    a page its socket."""
    try:
        return event_fragment_html(event=event, display=display, columns=columns)
    except Exception:
        logger.exception("Rendering the fragment of event %s#%s failed", event.board_id, event.seq)
        return None
