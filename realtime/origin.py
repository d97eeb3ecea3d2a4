"""Where a change came from: the WebSocket connection or the HTTP request behind it.

The consumer (or `realtime.middleware`) wraps a service call in `origin_scope`.
The broadcast of each event committed inside the scope carries that origin on the
channel layer, and the scope collects the events' seqs, so an `ack` can name the seq
its change got. Clients never see an origin: the one socket whose origin it is sends
the event marked as its own (`own`), every other socket sends it unmarked.

An origin cannot be borrowed. A JSON socket's is its connection id, chosen by the
server and told to that socket only. A page's is its tab id bound to its session
(`tab_origin`): a request can only claim the tabs of its own session.
"""

from __future__ import annotations

import hashlib
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


def tab_origin(*, session_key: str | None, tab: object) -> str | None:
    """The origin of a page tab's requests and of that tab's socket, bound to the
    session both carry."""
    tab = origin_clean(tab)
    if not session_key or tab is None:
        return None
    digest = hashlib.sha256(f"tab:{session_key}:{tab}".encode()).hexdigest()
    return "t_" + digest[:32]


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
