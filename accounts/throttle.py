"""Throttles on signing in (django-axes, configured in config/settings.py) and on
password-reset emails.

Both count per account and per client address. The client address is REMOTE_ADDR:
behind a reverse proxy, run daphne with `--proxy-headers` so that it is the client's
and not the proxy's. A forwarded-for header is never read here, since any client can
send one.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.selectors import user_by_login
from rate_limits.counters import rate_limit_take

RESET_WINDOW_SECONDS = 60 * 60


def client_address(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def login_account_key(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """One key per account however it is typed (username or email, any case), so that
    alternating the two does not double an attacker's tries. A value that names no
    account is counted as typed, so refusals look the same for both."""
    typed = (credentials or {}).get("username")
    if not isinstance(typed, str) or not typed.strip():
        return None
    user = user_by_login(typed)
    return user.get_username().lower() if user is not None else typed.strip().lower()


def lockout_minutes() -> int:
    return max(1, math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60))


def login_locked_out(request: HttpRequest, *args: Any) -> HttpResponse:
    """The page for a sign-in refused by the throttle, on the site and the admin alike.
    (axes passes the original response and credentials, in an order that differs
    between its sync and async paths; neither is needed here.)"""
    minutes = lockout_minutes()
    context = {"minutes": minutes, "unit": "minute" if minutes == 1 else "minutes"}
    return render(
        request,
        "registration/locked_out.html",
        context,
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


def password_reset_allowed(*, request: HttpRequest, email: str) -> bool:
    """Count one reset request for the address and one for the client; False when
    either is over its hourly budget. Every request counts, whether or not the address
    has an account, so the throttle reveals nothing about which addresses do."""
    address = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    budgets = [
        (f"email:{address}", settings.PASSWORD_RESET_PER_ADDRESS_PER_HOUR),
        (
            f"client:{client_address(request) or 'unknown'}",
            settings.PASSWORD_RESET_PER_CLIENT_PER_HOUR,
        ),
    ]
    # Both counters count, even when the first is already over.
    within = [
        limit <= 0
        or rate_limit_take(
            ident=ident, limit=limit, scope="password-reset", window=RESET_WINDOW_SECONDS
        )
        for ident, limit in budgets
    ]
    return all(within)
