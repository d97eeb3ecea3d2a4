"""The two board sockets.

- `/ws/v1/boards/<id>/`: the JSON protocol for scripts and apps (docs/protocol.md).
- `/ws/boards/<id>/`: the board page's htmx socket; it receives HTML fragments that
  swap out of band, and sends only `{"type": "resume", "after": K}`.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import parse_qs

import orjson

from board.exceptions import PermissionDenied
from board.models import Board, Event
from board.refusals import refusal_of
from board.selectors import BoardSnapshot, board_snapshot
from realtime.actions import action_run
from realtime.board_socket import BoardSocketConsumer
from realtime.broadcast import event_fragment_or_none, event_json
from realtime.db_threads import db_run
from realtime.editing import editing_frame
from realtime.event_feed import resume_window
from realtime.fragments import board_refresh_html
from realtime.origin import tab_origin
from realtime.protocol import (
    MAX_FRAME_BYTES,
    PROTOCOL_VERSION,
    SNAPSHOT_FRAME_BYTES,
    ClientMessage,
    ProtocolError,
    error_message,
    frame_parse,
    message_text,
    protocol_error_message,
    refusal_message,
)

logger = logging.getLogger(__name__)


class BoardJsonConsumer(BoardSocketConsumer):
    payload_key = "json"

    async def opened(self) -> None:
        board = self.access.board
        # The seq the handshake read with the board (no second database call): any
        # event after it comes from the hub, or from the log on the client's resume.
        seq = board.last_seq
        you = self.principal.viewer() | {
            "role": self.access.role,
            "read_only": self.access.read_only,
            "auth": self.principal.kind,
        }
        await self._send_message(
            {
                "type": "hello",
                "protocol": PROTOCOL_VERSION,
                "connection": self.connection_id,
                "board": {
                    "id": board.pk,
                    "name": board.name,
                    "slug": board.slug,
                    "description": board.description,
                },
                "seq": seq,
                "you": you,
                "limits": {
                    "max_frame_bytes": MAX_FRAME_BYTES,
                    "burst": self.bucket.burst,
                    "per_second": self.bucket.rate,
                    "resume_window_ms": round(resume_window() * 1000),
                },
            }
        )

    def event_frame(self, event: Event) -> str:
        return event_json(event)

    def snapshot_frames(self) -> tuple[int, list[str]]:
        snapshot = board_snapshot(board=Board.objects.get(pk=self.access.board.pk))
        return snapshot.seq, snapshot_json_frames(snapshot)

    async def on_frame(self, text: str | None, data: bytes | None) -> None:
        if not self.bucket.take():
            await self._send_message(
                error_message(
                    ref=None, code="rate_limited", message="Too many messages; slow down."
                )
            )
            return
        try:
            message = frame_parse(text, data)
        except ProtocolError as error:
            await self._send_message(protocol_error_message(error))
            return
        if message.type == "editing":
            await self._editing(message)
            return
        if message.type == "resume":
            if not await self._resume(message.args["after"]):
                await self._send_message(
                    error_message(
                        ref=message.ref,
                        code="rate_limited",
                        message="Too many resumes; you have the events up to your last "
                        "`seq`. Wait a few seconds, then resume once.",
                    )
                )
            return
        if not self.stream.synced:
            await self._send_snapshot()
        await self._act(message)

    async def _editing(self, message: ClientMessage) -> None:
        if self.principal.user is None or self.access.read_only:
            refusal = refusal_of(PermissionDenied("Viewers cannot edit tasks."))
            await self._send_message(refusal_message(refusal, ref=message.ref))
            return
        await self.editing_set(task_id=message.args["task"], editing=message.args["editing"])

    async def role_changed(self) -> None:
        """A JSON socket stays open with its new role, and is told."""
        await self._send_message(
            {"type": "access", "role": self.access.role, "read_only": self.access.read_only}
        )

    async def _act(self, message: ClientMessage) -> None:
        if self.principal.user is None or self.principal.read_only:
            refusal = refusal_of(PermissionDenied("This connection is read-only."))
            await self._send_message(refusal_message(refusal, ref=message.ref))
            return
        work = asyncio.ensure_future(
            self._answer(
                db_run(
                    action_run,
                    actor=self.principal.user,
                    board_id=self.access.board.pk,
                    origin=self.connection_id,
                    message=message,
                )
            )
        )
        # Shielded: a shutdown cancels the socket, not the action, whose answer it
        # then sends before closing (BoardSocketConsumer._finish_in_flight).
        self.in_flight = work
        frame = await asyncio.shield(work)
        self.in_flight = None
        await self.send_text(frame)

    @staticmethod
    async def _answer(reply: Any) -> str:
        return message_text(await reply)

    async def _send_message(self, message: dict[str, Any]) -> None:
        await self.send_text(message_text(message))


def snapshot_json_frames(snapshot: BoardSnapshot) -> list[str]:
    """The `snapshot` message, split so that no frame is over SNAPSHOT_FRAME_BYTES:
    the first carries the columns and the first tasks, each `snapshot_more` the next
    tasks, and `more` says whether another part follows. Tasks are encoded once."""
    columns = [
        column.public_state() | {"tasks": [task["id"] for task in column.tasks]}
        for column in snapshot.columns
    ]
    head = f'{{"type":"snapshot","seq":{snapshot.seq},"columns":{message_text(columns)},'
    more_head = f'{{"type":"snapshot_more","seq":{snapshot.seq},'
    parts: list[list[str]] = [[]]
    size = len(head)
    for task in (task for column in snapshot.columns for task in column.tasks):
        encoded = message_text(task)
        if parts[-1] and size + len(encoded) > SNAPSHOT_FRAME_BYTES:
            parts.append([])
            size = len(more_head)
        parts[-1].append(encoded)
        size += len(encoded) + 1
    frames = []
    for index, part in enumerate(parts):
        more = "true" if index < len(parts) - 1 else "false"
        start = head if index == 0 else more_head
        frames.append(f'{start}"tasks":[{",".join(part)}],"more":{more}}}')
    return frames


def resume_after(text: str | None) -> int | None:
    """K from the page's `{"type": "resume", "after": K}`; K may arrive as a string."""
    if text is None or len(text) > MAX_FRAME_BYTES:
        return None
    try:
        content = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(content, dict) or content.get("type") != "resume":
        return None
    after = content.get("after")
    if isinstance(after, str) and after.isascii() and after.isdigit() and len(after) <= 18:
        after = int(after)
    if isinstance(after, bool) or not isinstance(after, int) or after < 0:
        return None
    return after


class BoardPageConsumer(BoardSocketConsumer):
    """Board pages get the interactive fragments; wall displays (a display key) the
    read-only ones, rendered once per event like the others."""

    @property
    def payload_key(self) -> str:  # type: ignore[override]
        # Known before the socket joins its hub: events may arrive during the connect.
        return "display_html" if self.display else "html"

    @property
    def display(self) -> bool:
        return self.principal.kind == "display"

    async def opened(self) -> None:
        # A page's changes come over HTTP from its tab (realtime.middleware), which
        # named itself in the socket's URL: `?tab=<id>`.
        tab = parse_qs(self.scope.get("query_string", b"").decode("latin1")).get("tab", [None])
        self.own_origin = tab_origin(session_key=self.principal.session_key, tab=tab[-1])

    def event_frame(self, event: Event) -> str | None:
        return event_fragment_or_none(event, display=self.display)

    def snapshot_frames(self) -> tuple[int, list[str]]:
        board = Board.objects.get(pk=self.access.board.pk)
        # The seq is read first: the refresh is at least that new.
        return board.last_seq, [board_refresh_html(board=board, display=self.display)]

    async def on_frame(self, text: str | None, data: bytes | None) -> None:
        # A page cannot show a protocol error, so anything but a resume or an editing
        # notice is dropped.
        if not self.bucket.take():
            return
        editing = editing_frame(text)
        if editing is not None:
            if not self.access.read_only:
                await self.editing_set(task_id=editing[0], editing=editing[1])
            return
        after = resume_after(text)
        if after is None:
            logger.debug("Board page socket %s ignored a frame", self.connection_id)
            return
        await self._resume(after)
