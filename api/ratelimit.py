"""Write rate limits per caller, counted in the cache so that every worker process
shares them (Redis when REDIS_URL is set).

A fixed window of one minute: `cache.add` starts the window's counter and `cache.incr`
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
    """This process's own counts, for while the shared cache is unreachable."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.window = -1
        self.counts: dict[str, int] = {}
        self.cache_down = False

    def incr(self, key: str, window: int) -> int:
        with self.lock:
            if window != self.window:
                self.window, self.counts = window, {}
            self.counts[key] = self.counts.get(key, 0) + 1
            return self.counts[key]

    def note_cache(self, *, down: bool) -> None:
        if down != self.cache_down:
            self.cache_down = down
            if down:
                logger.warning("The rate-limit cache is unreachable; counting in-process")
            else:
                logger.warning("The rate-limit cache is back")


_local = _LocalCounts()


def rate_limit_take(*, ident: str, limit: int, now: float | None = None) -> bool:
    """Count one write for `ident`; False when it is over `limit` in this window."""
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    key = f"api:writes:{ident}:{window}"
    try:
        count = _shared_incr(key)
    except Exception:
        _local.note_cache(down=True)
        return _local.incr(key, window) <= limit
    _local.note_cache(down=False)
    return count <= limit


def _shared_incr(key: str) -> int:
    # The counter outlives its window a little, so a slow request never restarts it.
    cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
    try:
        return cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
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
