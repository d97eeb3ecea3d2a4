"""The HTTP API's write rate limit (ninja's throttle), counted by rate_limits.counters."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from rate_limits.counters import rate_limit_take, seconds_to_next_window

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


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
