"""Who is calling: an API token, or the browser's session with its CSRF token.

A request that sends an Authorization header stands or falls by it, as on the
WebSocket: a wrong token is a 401 even when a session cookie comes along. Each
successful check names the caller for the rate limit (`request.rate_limit_ident`).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from accounts.tokens import api_token_user


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        user = api_token_user(plaintext=token)
        if user is None:
            request.api_auth_problem = (  # type: ignore[attr-defined]
                "This API token is not valid: it is unknown or revoked, or its user is inactive."
            )
            return None
        digest = hashlib.sha256(token.encode()).hexdigest()[:32]
        request.rate_limit_ident = f"token:{digest}"  # type: ignore[attr-defined]
        return user


class SessionCsrfAuth(APIKeyCookie):
    """Django's session; unsafe methods also need the CSRF token (X-CSRFToken)."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest) -> Any | None:
        if "Authorization" in request.headers:
            return None
        return self.authenticate(request, request.COOKIES.get(self.param_name))

    def authenticate(self, request: HttpRequest, key: str | None) -> Any | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if check_csrf(request) is not None:
            request.api_auth_problem = (  # type: ignore[attr-defined]
                "A session request that changes something needs its CSRF token "
                "in the X-CSRFToken header."
            )
            return None
        request.rate_limit_ident = f"user:{user.pk}"  # type: ignore[attr-defined]
        return user
