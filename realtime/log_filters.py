"""Logging filters for messages that would otherwise repeat once per event."""

from __future__ import annotations

import logging
import time


class OncePerInterval(logging.Filter):
    """Let a message through once per `seconds` for each distinct text of it.

    channels_redis logs "1 of 2 channels over capacity in group board.7" on every
    broadcast to a group that holds a dead process's channel; once a minute says it."""

    def __init__(self, seconds: float = 60, contains: str = "") -> None:
        super().__init__()
        self.seconds = seconds
        self.contains = contains
        self.last: dict[str, float] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if self.contains and self.contains not in text:
            return True
        now = time.monotonic()
        if now - self.last.get(text, -self.seconds) < self.seconds:
            return False
        self.last[text] = now
        if len(self.last) > 1000:
            self.last.clear()
        return True
