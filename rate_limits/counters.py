"""Rate limits, counted in the cache so that every worker process shares them (Redis
when REDIS_URL is set): API writes per caller (api/ratelimit.py) and password-reset
emails per address and per client (accounts/throttle.py).

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

from django.core.cache import cache

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60


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
