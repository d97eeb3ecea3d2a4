"""A board socket's event stream: every event exactly once and in seq order, whether it
comes live from the board's hub, from a `resume`, or from the log to fill a gap; and a
snapshot when the events a client missed are gone.

The stream's methods hold the socket's lock (through `_exclusive`) while they send. The
hub never waits for that lock: an event that arrives meanwhile waits in the stream and
goes out when the holder is done.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import Any

from django.conf import settings

from board.models import Board, Event
from board.selectors import events_after
from realtime.auth import BoardAccess
from realtime.broadcast import own_frame
from realtime.db_threads import db_run
from realtime.protocol import TokenBucket
from realtime.stream import SeqStream

logger = logging.getLogger(__name__)


def resume_window() -> float:
    """How long a new connection waits for a `resume` before sending a snapshot."""
    return float(getattr(settings, "REALTIME_RESUME_WINDOW", 0.3))


def gap_grace() -> float:
    """How long an out-of-order event waits for the missing ones before the log is read."""
    return float(getattr(settings, "REALTIME_GAP_GRACE", 0.5))


# What a client's resume costs its socket's rate limit (realtime.protocol.TokenBucket),
# beyond the frame itself.
RESUME_EVENTS_PER_TOKEN = 50
SNAPSHOT_TOKENS = 10


class ReplayRefused(Exception):
    """The socket's rate limit cannot pay for the replay it asked for."""


def board_seq(board_id: int) -> int | None:
    return Board.objects.filter(pk=board_id).values_list("last_seq", flat=True).first()


class EventFeed:
    """Mixed into BoardSocketConsumer, which provides what is declared here."""

    access: BoardAccess
    connection_id: str
    payload_key: str
    lock: asyncio.Lock
    stream: SeqStream[str | None]
    closed: bool
    gap_task: asyncio.Task[None] | None
    bucket: TokenBucket
    # A snapshot went out because no resume came in the resume window.
    snapshot_unasked: bool = False
    # The origin of this socket's own changes (realtime.origin), or None.
    own_origin: str | None

    async def send_text(self, frame: str) -> None:
        raise NotImplementedError

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        raise NotImplementedError

    def event_frame(self, event: Event) -> str | None:
        raise NotImplementedError

    def snapshot_frames(self) -> tuple[int, list[str]]:
        raise NotImplementedError

    @asynccontextmanager
    async def _exclusive(self) -> AsyncIterator[None]:
        """Hold the socket's stream. Live events that arrive meanwhile wait in the
        stream (the hub does not wait for the lock), and go out when the holder is done."""
        async with self.lock:
            yield
            if not self.closed:
                await self._send_frames(self.stream.ready())
                self._watch_gap()

    async def _send_frames(self, frames: list[str | None]) -> None:
        # A page fragment that failed to render is None: its seq passes unsent.
        for frame in frames:
            if frame is not None:
                await self.send_text(frame)

    async def _send_snapshot(self) -> None:
        seq, frames = await db_run(self.snapshot_frames)
        for frame in frames:
            await self.send_text(frame)
        await self._send_frames(self.stream.sync(seq))
        self._watch_gap()

    async def _resume(self, after: int) -> bool:
        """Send the events after `after` in order, or a snapshot when they are gone.

        A resume costs the socket's rate limit in proportion to what it sends (one
        token per RESUME_EVENTS_PER_TOKEN events, SNAPSHOT_TOKENS for a snapshot), so a
        client asking for the whole log again and again is refused (False), not served
        megabytes a second."""
        if self.snapshot_unasked and self.stream.last is not None:
            # The client asked before it could read the snapshot sent when its resume
            # was late: what this socket has sent since is on its way, so only what
            # comes after it is missing (replaying the rest would repeat seqs).
            after = max(after, self.stream.last)
        self.snapshot_unasked = False
        try:
            frames = await db_run(self._frames_after, after, charge=True)
        except ReplayRefused:
            return False
        if frames is None:
            if not self.bucket.take(SNAPSHOT_TOKENS):
                return False
            await self._send_snapshot()
            return True
        await self._send_frames([frame for _, frame in frames])
        await self._send_frames(self.stream.sync(frames[-1][0] if frames else after))
        self._watch_gap()
        return True

    def _frames_after(
        self, after: int, *, charge: bool = False
    ) -> list[tuple[int, str | None]] | None:
        """The frames of the events after `after`, or None when they cannot be replayed
        (a snapshot is due). `charge`: the client asked, so its rate limit pays for the
        events it lacks, or ReplayRefused is raised before any is read."""
        board = self.access.board
        last = board_seq(board.pk)
        if last is None or after > last:
            return None
        limit = int(getattr(settings, "EVENT_REPLAY_LIMIT", 1000))
        if charge and not self.bucket.take(min(last - after, limit) / RESUME_EVENTS_PER_TOKEN):
            raise ReplayRefused
        events = events_after(board=board, after=after, limit=limit)
        if events is None:
            return None
        return [(event.seq, self.event_frame(event)) for event in events]

    async def _snapshot_unless_resumed(self) -> None:
        await asyncio.sleep(resume_window())
        async with self._exclusive():
            if not self.stream.synced:
                await self._send_snapshot()
                self.snapshot_unasked = True

    def _watch_gap(self) -> None:
        if self.stream.gap_from is None or (self.gap_task and not self.gap_task.done()):
            return
        delay = 0.0 if self.stream.overflowing else gap_grace()
        self.gap_task = self._spawn(self._fill_gap(delay))

    async def _fill_gap(self, delay: float) -> None:
        await asyncio.sleep(delay)
        async with self._exclusive():
            self.gap_task = None
            after = self.stream.gap_from
            if after is None:
                return
            logger.info(
                "Socket %s fills a gap after seq %s from the log", self.connection_id, after
            )
            frames = await db_run(self._frames_after, after)
            if frames is None:
                await self._send_snapshot()
                return
            for seq, frame in frames:
                await self._send_frames(self.stream.push(seq, frame))
            self._watch_gap()

    async def board_event(self, message: dict[str, Any]) -> None:
        if self.payload_key not in message:
            return  # the other variant's message (realtime.broadcast)
        frame = message[self.payload_key]
        if frame is not None and self.own_origin and message.get("origin") == self.own_origin:
            frame = own_frame(frame, payload_key=self.payload_key)
        # asyncio.Lock has no try-acquire, and a released lock with waiters is promised
        # to them: the hub must never wait for one socket.
        if self.lock.locked() or getattr(self.lock, "_waiters", None):
            # A snapshot, replay or action is under way; its holder sends this after.
            self.stream.hold(message["seq"], frame)
            return
        async with self.lock:
            await self._send_frames(self.stream.push(message["seq"], frame))
            self._watch_gap()
