"""Where a change came from: the WebSocket connection or the HTTP request behind it.

The consumer (or `realtime.middleware`) wraps a service call in `origin_scope`.
The broadcast of each event committed inside the scope carries that origin, so the
sender's own tab or script recognises its echo, and the scope collects the events'
seqs, so an `ack` can name the seq its change got.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

ORIGIN_PATTERN = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


@dataclass
class OriginScope:
    origin: str | None
    seqs: list[int] = field(default_factory=list)


_current: ContextVar[OriginScope | None] = ContextVar("realtime_origin", default=None)


def origin_clean(value: object) -> str | None:
    """An origin id as clients may send it, or None when it is not one."""
    if isinstance(value, str) and ORIGIN_PATTERN.fullmatch(value):
        return value
    return None


@contextmanager
def origin_scope(origin: str | None) -> Iterator[OriginScope]:
    scope = OriginScope(origin=origin)
    token = _current.set(scope)
    try:
        yield scope
    finally:
        _current.reset(token)


def origin_get() -> str | None:
    scope = _current.get()
    return scope.origin if scope else None


def origin_note_event(seq: int) -> None:
    """Called by the broadcast for each committed event."""
    scope = _current.get()
    if scope is not None:
        scope.seqs.append(seq)
