"""Send committed events to the board's channel-layer group.

Called from `transaction.on_commit` by `board.services.events.event_record`. The JSON
message and the HTML fragment are built here once per event; consumers only forward
them. Delivery over the channel layer is at most once: clients detect gaps by seq
and heal them with `resume`, so a failed send is logged and never raised.
"""

from __future__ import annotations

import logging

import orjson
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from board.models import Event
from board.public import event_message
from realtime.fragments import event_fragment_html
from realtime.groups import board_group_name

logger = logging.getLogger(__name__)


def event_broadcast(*, event: Event) -> None:
    try:
        layer = get_channel_layer()
        if layer is None:
            return
        message = {
            "type": "board.event",
            "seq": event.seq,
            "json": orjson.dumps(event_message(event)).decode(),
            "html": event_fragment_html(event=event),
        }
        async_to_sync(layer.group_send)(board_group_name(event.board_id), message)
    except Exception:
        logger.exception("Broadcast of event %s#%s failed", event.board_id, event.seq)
