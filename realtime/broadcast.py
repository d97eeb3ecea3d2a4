"""Send committed events to the board's channel-layer group.

Called from `transaction.on_commit` by `board.services.events.event_record`. The JSON
message and the HTML fragments are built here once per event; sockets only forward
them. The JSON goes out first, in a message of its own: rendering the fragments takes
longer than the rest of the broadcast, and JSON clients need not wait for it. Each
socket takes the one message that carries its variant (`payload_key`).

The sends themselves do not hold the database thread that committed: when that
thread serves an event loop (a socket's database call, or a request under ASGI), the
messages are handed to the loop, which sends them in commit order, one at a time,
while the thread goes on to its next call. Only code with no loop (a management
command, a test) sends in place.

Delivery over the channel layer is at most once: a failed send is retried once (on a
fresh connection), then logged, never raised. Each process's hub heals what it missed
from the event log at its next heartbeat (realtime.hub), and sockets and clients
detect gaps by seq and heal them from the log too.
"""

from __future__ import annotations

import asyncio
import logging
import os
import weakref
from collections import deque
from collections.abc import Callable
from typing import Any

import orjson
from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer

from board.models import Event
from board.public import event_message
from board.selectors import Column, board_column_counts
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
    group, origin = board_group_name(event.board_id), origin_get()
    send = _sender(layer, group, f"{event.board_id}#{event.seq}")
    if not send(event_json_message(event, origin=origin)):
        return
    try:
        pages = event_pages_message(event, origin=origin)
    except Exception:
        logger.exception("Fragments of event %s#%s failed", event.board_id, event.seq)
        return
    send(pages)


def _sender(layer: Any, group: str, label: str) -> Callable[[dict[str, Any]], bool]:
    """How this thread sends: through its event loop's queue, or in place. The sender
    returns False when the message is known to have failed (only in place)."""
    loop = _thread_loop()
    if loop is None:

        def send_now(message: dict[str, Any]) -> bool:
            failure = async_to_sync(_send)(layer, group, message)
            if failure is not None:
                _log_failure(label, failure)
            return failure is None

        return send_now

    def send_later(message: dict[str, Any]) -> bool:
        loop.call_soon_threadsafe(_enqueue, layer, group, message, label)
        return True

    return send_later


def _thread_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop this thread works for (asgiref's sync_to_async records it), if
    that loop is running."""
    loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    if getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None) != os.getpid():
        return None
    return loop if loop is not None and loop.is_running() else None


# Per event loop: messages waiting to be sent, and the task sending them.
_queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, deque[tuple[Any, ...]]] = (
    weakref.WeakKeyDictionary()
)
_senders: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Task[None]] = (
    weakref.WeakKeyDictionary()
)


def _enqueue(layer: Any, group: str, message: dict[str, Any], label: str) -> None:
    """On the loop: queue the message; start the sender if it is not running."""
    loop = asyncio.get_running_loop()
    _queues.setdefault(loop, deque()).append((layer, group, message, label))
    sender = _senders.get(loop)
    if sender is None or sender.done():
        _senders[loop] = loop.create_task(_send_queued(_queues[loop]))


async def _send_queued(queue: deque[tuple[Any, ...]]) -> None:
    # One at a time, in the order the commits queued them: the hubs get a board's
    # events in seq order (they would heal a swap, after a wait).
    while queue:
        layer, group, message, label = queue.popleft()
        failure = await _send(layer, group, message)
        if failure is not None:
            _log_failure(label, failure)


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
        logger.warning("group_send to %s failed (%s); trying once more", group, error)
    try:
        await layer.group_send(group, message)
        return None
    except Exception as error:
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
