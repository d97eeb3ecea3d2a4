"""How many board sockets one person (or one wall-display key) may hold open in this
worker process: `REALTIME_SOCKETS_PER_PERSON`. Past it a new socket is refused with
4429; the count is per process, so the bound across the site is that times the
number of workers."""

from __future__ import annotations

import asyncio
import weakref

from django.conf import settings

# Sockets belong to the event loop that runs them (each test has its own loop).
_open: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, set[str]]] = (
    weakref.WeakKeyDictionary()
)


def sockets_per_person() -> int:
    return int(getattr(settings, "REALTIME_SOCKETS_PER_PERSON", 25))


def socket_slot_take(*, holder: str, connection_id: str) -> bool:
    """Count the socket for `holder` (a Principal's presence_key); False when full."""
    held = _open.setdefault(asyncio.get_running_loop(), {}).setdefault(holder, set())
    if len(held) >= sockets_per_person():
        return False
    held.add(connection_id)
    return True


def socket_slot_release(*, holder: str, connection_id: str) -> None:
    by_holder = _open.get(asyncio.get_running_loop(), {})
    held = by_holder.get(holder)
    if held is not None:
        held.discard(connection_id)
        if not held:
            del by_holder[holder]
