"""Send committed events to the board's channel-layer group.

Called from `transaction.on_commit` by `board.services.events.event_record`. The JSON
message and the HTML fragments are built here once per event; sockets only forward
them. The JSON goes out first, in a message of its own: rendering the fragments takes
longer than the rest of the broadcast, and JSON clients need not wait for it. Each
socket takes the one message that carries its variant (`payload_key`).

Delivery over the channel layer is at most once: sockets and clients detect gaps by
seq and heal them from the event log, so a failed send is logged, never raised.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
from asgiref.sync import async_to_sync
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
    try:
        layer = get_channel_layer()
        if layer is None:
            return
        origin = origin_get()
        group, send = board_group_name(event.board_id), async_to_sync(layer.group_send)
        base = {"type": "board.event", "seq": event.seq, "origin": origin}
        send(group, base | {"json": event_json(event)})
        columns = board_column_counts(board=event.board)
        pages = {
            "html": event_fragment_or_none(event, columns=columns),
            "display_html": event_fragment_or_none(event, display=True, columns=columns),
        }
        send(group, base | pages)
    except Exception:
        logger.exception("Broadcast of event %s#%s failed", event.board_id, event.seq)


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
