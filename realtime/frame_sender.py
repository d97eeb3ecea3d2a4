"""How a board socket sends a frame without ever making its hub wait (mixed into
BoardSocketConsumer).

The fast path hands the frame straight to the server: Channels' send wrappers cost
about a tenth of the fan-out, once per socket per event. When the server says a send
would wait for the peer (realtime.backpressure), the frame goes to this socket's
outbox instead, and a writer task of its own sends it when the peer reads; the hub
goes on to the next socket. A peer that has left more than the send buffer limit
unread (in the server, or in the outbox) is closed with 1013 and resumes later.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from typing import Any

from ops import metrics
from realtime import close_codes
from realtime.backpressure import send_blocked_probe, send_buffer_limit, send_buffer_probe

logger = logging.getLogger(__name__)


class FrameSender:
    """Mixed into BoardSocketConsumer, which provides what is declared here."""

    base_send: Callable[[dict[str, Any]], Any]
    connection_id: str
    closed: bool

    async def _close_quietly(self, code: int) -> None:
        raise NotImplementedError

    def _spawn(self, coroutine: Any) -> Any:
        raise NotImplementedError

    def sender_start(self, send: Any) -> None:
        self.send_buffered = send_buffer_probe(send)
        self.send_blocked = send_blocked_probe(send)
        self.send_limit = send_buffer_limit()
        self.outbox: deque[str] | None = None
        self.outbox_bytes = 0
        self.overflowed = False

    async def send_text(self, frame: str) -> None:
        """Send one text frame, or queue it while the peer is not reading."""
        if self.closed or self.overflowed:
            return
        if self.outbox is not None or (self.send_blocked is not None and self.send_blocked()):
            self._enqueue(frame)
            return
        if self.send_buffered is not None and self.send_buffered() > self.send_limit:
            self._overflow()
            return
        await self.base_send({"type": "websocket.send", "text": frame})
        metrics.FRAMES_SENT.inc()

    def _enqueue(self, frame: str) -> None:
        if self.outbox is None:
            self.outbox, self.outbox_bytes = deque(), 0
            self._spawn(self._drain_outbox())
        self.outbox.append(frame)
        self.outbox_bytes += len(frame)
        if self.outbox_bytes > self.send_limit:
            self._overflow()

    def _overflow(self) -> None:
        logger.warning("Socket %s stopped reading; closing it with 1013", self.connection_id)
        self.overflowed = True
        if self.outbox is not None:
            self.outbox.clear()
        # Closing waits for the server too: never in the hub's delivery.
        self._spawn(self._close_quietly(close_codes.TRY_AGAIN_LATER))

    async def _drain_outbox(self) -> None:
        while self.outbox and not self.closed:
            frame = self.outbox.popleft()
            self.outbox_bytes -= len(frame)
            await self.base_send({"type": "websocket.send", "text": frame})
            metrics.FRAMES_SENT.inc()
        self.outbox = None
