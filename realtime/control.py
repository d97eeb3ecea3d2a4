"""Control messages to a board's connections (not events: nothing to replay).

Delivery is at most once, like everything on the channel layer: the hub's periodic
access sweep (realtime.access) closes what a lost message would have.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from board.hashing import secret_digest
from realtime.groups import board_group_name

logger = logging.getLogger(__name__)


def _send(board_ids: Iterable[int], message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    send = async_to_sync(layer.group_send)
    for board_id in board_ids:
        try:
            send(board_group_name(board_id), message)
        except Exception:
            logger.exception("Control message %s failed for board %s", message["type"], board_id)


def display_key_revoked_broadcast(*, board_id: int, key_id: int) -> None:
    """Tell every connection on the board that a display key is revoked; the displays
    that use it show the revoked screen and close."""
    _send([board_id], {"type": "display.revoked", "key_id": key_id})


def user_group_name(user_id: int) -> str:
    """A person's own group: every socket of theirs, in every worker, is in it."""
    return f"user.{user_id}"


def _send_to_users(user_ids: Iterable[int], message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    send = async_to_sync(layer.group_send)
    for user_id in user_ids:
        try:
            send(user_group_name(user_id), message)
        except Exception:
            logger.exception("Control message %s failed for user %s", message["type"], user_id)


def notifications_changed_broadcast(*, user_ids: Iterable[int]) -> None:
    """The people's notifications changed: their bells count again."""
    _send_to_users(user_ids, {"type": "notifications.changed"})


def board_closed_broadcast(*, board_id: int, seq: int | None = None) -> None:
    """The board was archived (by the event `seq`) or deleted: every socket on it
    closes (4410), an archived board's once it has sent that event."""
    _send([board_id], {"type": "board.closed", "seq": seq})


def access_changed_broadcast(
    *, user_id: int, board_ids: Iterable[int], ended_session: str | None = None
) -> None:
    """Tell the user's sockets on these boards, and their own socket (realtime.user_socket),
    in every worker, to check their rights again (realtime.access). `ended_session` names
    a session that has just ended (a logout): its sockets close at once, without waiting
    for the session's row to go."""
    message: dict[str, Any] = {"type": "access.changed", "user_id": user_id}
    if ended_session:
        message["session"] = session_digest(ended_session)
    _send(board_ids, message)
    _send_to_users([user_id], message)


def session_digest(session_key: str) -> str:
    """How a session is named on the channel layer: never by its key, a credential."""
    return secret_digest("session:" + session_key)
