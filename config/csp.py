"""Content-Security-Policy: django-csp's middleware, plus this host's WebSocket origin.

The policy itself is in settings (CONTENT_SECURITY_POLICY). CSP Level 3 lets
`'self'` in connect-src match ws:/wss: on the page's own host, and Chromium and
Firefox do so, but older Safari releases did not: naming the socket origin
explicitly keeps live updates working there too.
"""

from __future__ import annotations

from csp.middleware import CSPMiddleware, PolicyParts
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponseBase


def socket_source(request: HttpRequest) -> str | None:
    """`ws://host[:port]` (or `wss://`) for this request, or None for a host not
    allowed or a bracketed IPv6 one, which CSP sources cannot spell (`'self'` still
    covers it)."""
    try:
        host = request.get_host()  # checked against ALLOWED_HOSTS: safe in a header
    except DisallowedHost:
        return None
    if host.startswith("["):
        return None
    return f"{'wss' if request.is_secure() else 'ws'}://{host}"


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        source = socket_source(request)
        if source is not None:
            update = dict(parts.update or {})
            existing = update.get("connect-src") or ()
            existing = (existing,) if isinstance(existing, str) else tuple(existing)
            update["connect-src"] = [*existing, source]
            parts.update = update
        return parts
