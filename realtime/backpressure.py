"""How much a socket's server holds unsent for its peer, and whether a send to it
would wait, where the server lets us see.

A peer that stops reading leaves every frame sent to it in the server's write buffer;
without a bound, one such socket grows the process's memory for ever (daphne). Or the
server's send waits until the peer reads (uvicorn pauses writing past its transport's
high-water mark), and a hub that awaited it would stall every other socket of the
board. The servers expose neither in ASGI, so this looks behind the `send` callable:
daphne passes `functools.partial(handle_reply, protocol)` (a Twisted transport),
uvicorn its protocol's bound `send` (an asyncio transport, and a `writable` event in
its websockets-sansio and wsproto protocols, the default ones). Anything else (a test
communicator, another server) has no probe, and its sends are not bounded here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings


def send_buffer_limit() -> int:
    """Bytes a socket may have waiting in its server before it is closed with 1013."""
    return int(getattr(settings, "REALTIME_SEND_BUFFER_BYTES", 4 * 1024 * 1024))


def send_buffer_probe(send: Any) -> Callable[[], int] | None:
    """A function that returns the bytes waiting for this socket's peer, or None."""
    owner = getattr(send, "__self__", None)
    if owner is None and isinstance(send, functools.partial) and send.args:
        owner = send.args[0]
    transport = getattr(owner, "transport", None)
    if transport is None:
        return None
    if callable(getattr(transport, "get_write_buffer_size", None)):
        return transport.get_write_buffer_size
    if hasattr(transport, "dataBuffer") and hasattr(transport, "_tempDataLen"):
        return functools.partial(_twisted_buffered, transport)
    return None


def send_blocked_probe(send: Any) -> Callable[[], bool] | None:
    """A function that says whether a send now would wait for the peer, or None."""
    writable = getattr(getattr(send, "__self__", None), "writable", None)
    if writable is None or not callable(getattr(writable, "is_set", None)):
        return None
    return lambda: not writable.is_set()


def _twisted_buffered(transport: Any) -> int:
    # twisted.internet.abstract.FileDescriptor: written-but-unsent bytes live in
    # dataBuffer (from offset on) and in _tempDataBuffer (_tempDataLen bytes).
    return len(transport.dataBuffer) - transport.offset + transport._tempDataLen
