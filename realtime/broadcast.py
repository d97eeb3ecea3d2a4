"""Send committed events to the board's channel-layer group: one message per event.

Called from `transaction.on_commit` by `board.services.events.event_record`. The
message carries the event's JSON, built here once per event; sockets only forward it.
The HTML fragments of pages and wall displays are not made here: a board's hub renders
them, once per event, in the processes that have page or display sockets for the board
(realtime.hub, `event_pages_message_of`). A write then costs no template work when no
page watches, and Redis carries one message per event.

The send does not hold the database thread that committed: when that thread serves an
event loop (a socket's database call, or a request under ASGI), the message is handed
to the loop, which sends the events in commit order while the thread answers and goes
on. Only code with no loop (a management command, a test) sends in place.

Delivery over the channel layer is at most once: a failed send is retried once (on a
fresh connection), then logged, never raised. Each process's hub heals what it missed
from the event log at its next heartbeat (realtime.hub), and sockets and clients
detect gaps by seq and heal them from the log too.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections import deque
from typing import Any

import orjson
from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer
from opentelemetry.context import Context
from opentelemetry.trace import SpanKind

from board.models import Event
from board.public import event_message
from board.selectors import Column, board_column_counts
from ops import metrics, tracing
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
    attributes = {
        tracing.BOARD_ID: event.board_id,
        "taskboard.event.seq": event.seq,
        "taskboard.event.kind": event.kind,
    }
    # Runs on commit, in the trace of the change (board.services.events); the sends,
    # later, are its children.
    with tracing.span("event.broadcast", attributes=attributes):
        _broadcast(layer, event)


def _broadcast(layer: Any, event: Event) -> None:
    metrics.EVENTS_BROADCAST.inc()
    # When it was committed (this runs on commit): hubs time the broadcast from it.
    message = event_json_message(event, origin=origin_get()) | {"committed_at": time.time()}
    group = board_group_name(event.board_id)
    layer_send_soon(layer, group, message, label=f"event {event.board_id}#{event.seq}")


def layer_send_soon(layer: Any, group: str, message: dict[str, Any], *, label: str) -> None:
    """Send `message` to `group`: on this thread's event loop, after what it already
    has queued, when the thread works for one (the caller goes on at once); else here.
    Control messages (realtime.control) go this way too, so they keep their order
    with the events (a board's close after its archiving event)."""
    loop = _thread_loop()
    if loop is not None:
        item = (layer, group, label, message, tracing.context_now())
        loop.call_soon_threadsafe(_enqueue, item)
        return
    with _send_span(None):
        failure = async_to_sync(_send)(layer, group, tracing.message_traced(message))
    if failure is not None:
        _log_failure(label, failure)


def _thread_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop this thread works for (asgiref's sync_to_async records it), or
    runs (sync code called from a coroutine, where `async_to_sync` cannot work), if
    that loop is running."""
    loop = None
    if getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None) == os.getpid():
        loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    if loop is None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return None
    return loop if loop.is_running() else None


# Per event loop: messages waiting to be sent, and the task sending them.
_queues: dict[asyncio.AbstractEventLoop, deque[tuple[Any, ...]]] = {}
_senders: dict[asyncio.AbstractEventLoop, asyncio.Task[None]] = {}


def _enqueue(item: tuple[Any, ...]) -> None:
    """On the loop: queue the item; start the loop's sender if it is not running."""
    loop = asyncio.get_running_loop()
    _queues.setdefault(loop, deque()).append(item)
    sender = _senders.get(loop)
    if sender is None or sender.done():
        _senders[loop] = loop.create_task(_send_queued(loop))


async def _send_queued(loop: asyncio.AbstractEventLoop) -> None:
    # One at a time, in the order the commits queued them: the hubs get a board's
    # events in seq order (they would heal a swap, after a wait). The queue forgets its
    # loop when it is empty, so a closed loop (each test has one) is not kept.
    queue = _queues[loop]
    try:
        while queue:
            layer, group, label, message, trace_context = queue.popleft()
            with _send_span(trace_context):
                failure = await _send(layer, group, tracing.message_traced(message))
            if failure is not None:
                _log_failure(label, failure)
    finally:
        if not queue:
            _queues.pop(loop, None)
            _senders.pop(loop, None)


def _send_span(parent: Context | None) -> Any:
    """The span of a channel-layer message: its parent is the event's broadcast (or
    the span that sent a control message), current here or carried through the queue."""
    return tracing.span("broadcast.send", kind=SpanKind.PRODUCER, parent=parent)


def _log_failure(label: str, failure: Exception) -> None:
    # An event reaches the board's hubs from the log at their next heartbeat
    # (realtime.heal); a control message's effect, at the hubs' access sweep.
    logger.error("Broadcast of %s failed", label, exc_info=failure)


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


def event_pages_messages_of(
    *, board_id: int, origins: dict[int, str | None]
) -> list[dict[str, Any]]:
    """The pages' messages of the logged events whose seqs `origins` names (with each
    one's origin), in seq order: what a hub with page or display sockets renders once
    for them all. One query reads the events and one the column counts, however many
    events a heal brings at once."""
    events = list(
        Event.objects.select_related("actor", "board")
        .filter(board_id=board_id, seq__in=list(origins))
        .order_by("seq")
    )
    if not events:
        return []
    columns = board_column_counts(board=events[-1].board)
    return [
        event_pages_message(event, origin=origins[event.seq], columns=columns) for event in events
    ]


def event_pages_message(
    event: Event, *, origin: str | None, columns: list[Column] | None = None
) -> dict[str, Any]:
    """The message that carries an event to pages and wall displays."""
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
