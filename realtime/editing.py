"""Who has a task's edit form open: a notice to everyone else on the board, across
workers (the board's group), never stored.

A client says `editing: true` when the form opens and again every few seconds while
it stays open, and `editing: false` when it closes; a socket that closes while
editing says false for it. Each notice carries a `ttl`: a client that hears nothing
more within it drops the name, so a crashed tab's "is editing" is gone in seconds.
The frames are rendered once per notice, for every socket to forward."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from channels.layers import get_channel_layer
from django.conf import settings
from django.template.loader import render_to_string

from realtime.groups import board_group_name

logger = logging.getLogger(__name__)


def editing_ttl() -> float:
    return float(getattr(settings, "REALTIME_EDITING_TTL_SECONDS", 15))


def editing_notice(
    *, task_id: int, viewer: dict[str, Any], connection_id: str, editing: bool
) -> dict[str, Any]:
    ttl = editing_ttl()
    return {
        "type": "board.editing",
        "conn": connection_id,
        "json": orjson.dumps(
            {"type": "editing", "task": task_id, "user": viewer, "editing": editing, "ttl": ttl}
        ).decode(),
        "html": render_to_string(
            "realtime/_editing.html",
            {
                "task_id": task_id,
                "viewer": viewer,
                "connection_id": connection_id,
                "editing": editing,
                "ttl": ttl,
            },
        ),
    }


async def editing_announce(*, board_id: int, notice: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        await layer.group_send(board_group_name(board_id), notice)
    except Exception:
        logger.warning("Editing notice for board %s failed", board_id, exc_info=True)


def editing_frame(text: str | None) -> tuple[int, bool] | None:
    """(task id, editing) from a page's `{"type": "editing", "task": N, "editing": b}`."""
    if text is None or len(text) > 200:
        return None
    try:
        content = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(content, dict) or content.get("type") != "editing":
        return None
    task, editing = content.get("task"), content.get("editing")
    if isinstance(task, str) and task.isascii() and task.isdigit() and len(task) <= 18:
        task = int(task)
    if isinstance(task, bool) or not isinstance(task, int) or not 0 < task < 2**63:
        return None
    if not isinstance(editing, bool):
        return None
    return task, editing
