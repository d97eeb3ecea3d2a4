"""Where to send someone after they log in or sign up: the `next` they came with."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

NEXT_MAX_LENGTH = 2000


def safe_next(request: HttpRequest) -> str:
    """The request's `next` (POST, else GET) when it points at this site, else "".
    The same test as Django's LoginView, so that nobody can use a sign-up link to send
    people on to another site."""
    value = request.POST.get("next") or request.GET.get("next") or ""
    if len(value) > NEXT_MAX_LENGTH:
        return ""
    allowed = url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return value if allowed else ""
