"""Control messages to a board's connections (not events: nothing to replay).

They are sent as events are (realtime.broadcast.layer_send_soon): by the event loop
when the caller's thread works for one, so a write never waits on Redis for them, and
in order with the events. Delivery is at most once, like everything on the channel
layer: the hub's periodic access sweep (realtime.access) closes what a lost message
would have.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from channels.layers import get_channel_layer

from board.hashing import secret_digest
from realtime.broadcast import layer_send_soon
from realtime.groups import board_group_name


def _send(groups: Iterable[str], message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    for group in groups:
        layer_send_soon(layer, group, message, label=f"{message['type']} to {group}")


def display_key_revoked_broadcast(*, board_id: int, key_id: int) -> None:
    """Tell every connection on the board that a display key is revoked; the displays
    that use it show the revoked screen and close."""
    _send([board_group_name(board_id)], {"type": "display.revoked", "key_id": key_id})


def user_group_name(user_id: int) -> str:
    """A person's own group: every socket of theirs, in every worker, is in it."""
    return f"user.{user_id}"


def notifications_changed_broadcast(*, user_ids: Iterable[int]) -> None:
    """The people's notifications changed: their bells count again."""
    _send(map(user_group_name, user_ids), {"type": "notifications.changed"})


def board_closed_broadcast(*, board_id: int, seq: int | None = None) -> None:
    """The board was archived (by the event `seq`) or deleted: every socket on it
    closes (4410), an archived board's once it has sent that event."""
    _send([board_group_name(board_id)], {"type": "board.closed", "seq": seq})


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
    _send([*map(board_group_name, board_ids), user_group_name(user_id)], message)


def session_digest(session_key: str) -> str:
    """How a session is named on the channel layer: never by its key, a credential."""
    return secret_digest("session:" + session_key)
