"""Rate limits (API writes per caller; password-reset emails in accounts.throttle),
counted in the cache so that every worker process shares them (Redis when REDIS_URL
is set).

A fixed window (one minute for API writes): `cache.add` starts the window's counter and `cache.incr`
counts atomically, so concurrent requests can never both take the last write.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

WINDOW_SECONDS = 60
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


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
    key = f"{scope}:{ident}:{int(now // window)}"
    # The counter outlives its window a little, so a slow request never restarts it.
    cache.add(key, 0, timeout=window * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.add(key, 0, timeout=window * 2)
        count = cache.incr(key)
    return count <= limit


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
