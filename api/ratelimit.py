"""Rate limits (API writes per caller; password-reset emails in accounts.throttle),
counted in the cache so that every worker process shares them (Redis when REDIS_URL
is set).

A fixed window (one minute for API writes): `cache.add` starts the window's counter and `cache.incr`
counts atomically, so concurrent requests can never both take the last write.

When the cache is unreachable (Redis down), a limit must not turn into an outage:
writes commit without Redis. The count then goes on in this process alone (a looser
limit, per worker), and the switch is logged once each way, not once per request.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class _LocalCounts:
    """This process's own counts, for while the shared cache is unreachable. Each
    window length keeps only its current window's counts."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.windows: dict[int, int] = {}
        self.counts: dict[int, dict[str, int]] = {}
        self.cache_down = False

    def incr(self, key: str, *, length: int, number: int) -> int:
        with self.lock:
            if self.windows.get(length) != number:
                self.windows[length], self.counts[length] = number, {}
            counts = self.counts[length]
            counts[key] = counts.get(key, 0) + 1
            return counts[key]

    def note_cache(self, *, down: bool) -> None:
        if down != self.cache_down:
            self.cache_down = down
            if down:
                logger.warning("The rate-limit cache is unreachable; counting in-process")
            else:
                logger.warning("The rate-limit cache is back")


_local = _LocalCounts()


def rate_limit_take(
    *,
    ident: str,
    limit: int,
    now: float | None = None,
    scope: str = "api:writes",
    window: int = WINDOW_SECONDS,
) -> bool:
    """Count one action for `ident` in `scope`; False when it is over `limit` in this
    window of `window` seconds."""
    now = time.time() if now is None else now
    number = int(now // window)
    key = f"{scope}:{ident}:{number}"
    try:
        count = _shared_incr(key, timeout=window * 2)
    except Exception:
        _local.note_cache(down=True)
        return _local.incr(key, length=window, number=number) <= limit
    _local.note_cache(down=False)
    return count <= limit


def _shared_incr(key: str, *, timeout: int) -> int:
    # The counter outlives its window a little, so a slow request never restarts it.
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.add(key, 0, timeout=timeout)
        return cache.incr(key)


def seconds_to_next_window(now: float | None = None) -> float:
    now = time.time() if now is None else now
    return WINDOW_SECONDS - (now % WINDOW_SECONDS)


class WriteRateThrottle(BaseThrottle):
    """API_WRITE_RATE_PER_MINUTE writes per token (or session user); reads are free."""

    def allow_request(self, request: HttpRequest) -> bool:
        limit = settings.API_WRITE_RATE_PER_MINUTE
        ident = getattr(request, "rate_limit_ident", None)
        if request.method in SAFE_METHODS or limit <= 0 or ident is None:
            return True
        return rate_limit_take(ident=ident, limit=limit)

    def wait(self) -> float:
        # The window is the same for everyone, so the wait needs no per-request state.
        return seconds_to_next_window()
