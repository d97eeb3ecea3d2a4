"""One connection's view of the board's event sequence.

The channel layer delivers at most once and, across worker processes, not always in
order. A `SeqStream` turns what arrives into what a client may apply: every seq once,
in order, with no gap. Frames that arrive early wait in `pending`; a gap that does not
close by itself is filled from the event log by the consumer (`gap_from`).
"""

from __future__ import annotations

from typing import Generic, TypeVar

Frame = TypeVar("Frame")

# More early frames than this and the consumer stops waiting for the layer and reads
# the log at once.
PENDING_LIMIT = 500


class SeqStream(Generic[Frame]):
    def __init__(self) -> None:
        # The last seq the client has, or None before its first snapshot or resume.
        self.last: int | None = None
        self.pending: dict[int, Frame] = {}

    @property
    def synced(self) -> bool:
        return self.last is not None

    @property
    def gap_from(self) -> int | None:
        """The seq after which frames are missing, or None when nothing is waiting."""
        if self.last is None or not self.pending:
            return None
        return self.last

    @property
    def overflowing(self) -> bool:
        return len(self.pending) > PENDING_LIMIT

    def push(self, seq: int, frame: Frame) -> list[Frame]:
        """Offer a live frame; return the frames that are now ready, in order."""
        if self.last is not None and seq <= self.last:
            return []
        self.pending[seq] = frame
        return self._drain()

    def hold(self, seq: int, frame: Frame) -> None:
        """Keep a live frame for later, without sending anything now (see `ready`)."""
        if self.last is None or seq > self.last:
            self.pending[seq] = frame

    def ready(self) -> list[Frame]:
        """The held frames that may go out now, in order."""
        return self._drain()

    def sync(self, seq: int) -> list[Frame]:
        """The client now has everything up to `seq` (a snapshot or a replay was sent)."""
        self.last = seq if self.last is None else max(self.last, seq)
        for stale in [s for s in self.pending if s <= self.last]:
            del self.pending[stale]
        return self._drain()

    def _drain(self) -> list[Frame]:
        ready: list[Frame] = []
        if self.last is None:
            return ready
        while self.last + 1 in self.pending:
            self.last += 1
            ready.append(self.pending.pop(self.last))
        return ready
