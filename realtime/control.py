"""Control messages to a board's connections (not events: nothing to replay)."""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from realtime.groups import board_group_name

logger = logging.getLogger(__name__)


def display_key_revoked_broadcast(*, board_id: int, key_id: int) -> None:
    """Tell every connection on the board that a display key is revoked; the displays
    that use it show the revoked screen and close."""
    try:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(
                board_group_name(board_id), {"type": "display.revoked", "key_id": key_id}
            )
    except Exception:
        logger.exception("Display key revocation broadcast failed for board %s", board_id)
