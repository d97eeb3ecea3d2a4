"""Who is on the other end of a board socket, and what they may do on the board.

- `Authorization: Bearer <api token>` authenticates from anywhere: a browser page
  cannot set that header, so another site cannot borrow it.
- Otherwise the session cookie counts only when the Origin is one of ours
  (ALLOWED_HOSTS or CSRF_TRUSTED_ORIGINS); a foreign Origin is refused at the
  handshake, and a request with neither header nor Origin is anonymous (4401).
- A wall-display key (`?key=dk_...` in the URL, or as the Bearer token) opens its own
  board read-only, from anywhere: it is a secret like a token. The display page's
  browser carries it in a cookie instead, which counts only from an allowed Origin.
  Revoking it closes its sockets (realtime.control announces it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlparse

from channels.auth import get_user
from channels.security.websocket import WebsocketDenier
from channels.sessions import SessionMiddlewareStack
from django.conf import settings
from django.http import parse_cookie
from django.http.request import split_domain_port, validate_host

from accounts.tokens import api_token_lookup
from board.models import Board, Role
from board.selectors import board_for_member, display_key_lookup, role_at_least
from board.services.display_keys import DISPLAY_SOCKET_COOKIE
from realtime.db_threads import Busy, handshake_run

DEBUG_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
# The route takes any digits; a bigger id than the database holds cannot exist.
MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class Principal:
    kind: str  # "session" | "token" | "display"
    user: Any | None
    name: str
    initials: str
    # Presence counts a person once however many tabs they have open.
    presence_key: str
    # A display key opens one board only, and never writes.
    board_id: int | None = None
    read_only: bool = False
    # What the socket's rights hang on, checked again while it is open (realtime.access):
    # the display key, the API token, or the session.
    key_id: int | None = None
    token_id: int | None = None
    session_key: str | None = None

    def viewer(self) -> dict[str, Any]:
        return {
            "id": self.user.pk if self.user else None,
            "name": self.name,
            "initials": self.initials,
        }


def user_principal(
    user: Any, *, kind: str, token_id: int | None = None, session_key: str | None = None
) -> Principal:
    return Principal(
        kind=kind,
        user=user,
        name=user.display_name,
        initials=user.initials,
        presence_key=f"user:{user.pk}",
        token_id=token_id,
        session_key=session_key,
    )


@dataclass(frozen=True)
class BoardAccess:
    board: Board
    role: Role | None
    read_only: bool


def board_access(*, principal: Principal, board_id: Any) -> BoardAccess | None:
    """The board if the principal may watch it, or None (unknown board or not a member)."""
    if not 0 < int(board_id) <= MAX_ID:
        return None
    if principal.user is None:
        if principal.board_id is None or str(principal.board_id) != str(board_id):
            return None
        board = Board.objects.filter(pk=principal.board_id).first()
        return BoardAccess(board=board, role=None, read_only=True) if board else None
    found = board_for_member(user=principal.user, board_id=board_id)
    if found is None:
        return None
    board, role = found
    read_only = principal.read_only or not role_at_least(role, Role.MEMBER)
    return BoardAccess(board=board, role=role, read_only=read_only)


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    value = None
    for header_name, header_value in scope.get("headers", []):
        if header_name == name:
            value = header_value.decode("latin1")
    return value


def bearer_token(scope: dict[str, Any]) -> str | None:
    value = _header(scope, b"authorization")
    if value is None:
        return None
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def origin_allowed(origin: str, scope: dict[str, Any]) -> bool:
    """As Django's CSRF check decides it: the Origin is the page's own (scheme, host
    and port of the handshake, with the host in ALLOWED_HOSTS), or one of
    CSRF_TRUSTED_ORIGINS (`https://*.example.com` for subdomains), exactly."""
    parsed = urlparse(origin.strip().lower())
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        return False
    for trusted in settings.CSRF_TRUSTED_ORIGINS:
        allowed = urlparse(trusted.lower())
        if allowed.scheme != parsed.scheme:
            continue
        if allowed.netloc == parsed.netloc or (
            allowed.netloc.startswith("*.") and parsed.netloc.endswith(allowed.netloc[1:])
        ):
            return True
    host = (_header(scope, b"host") or "").lower()
    domain, _ = split_domain_port(host)
    allowed_hosts = list(settings.ALLOWED_HOSTS) or (DEBUG_HOSTS if settings.DEBUG else [])
    if not domain or not validate_host(domain, allowed_hosts):
        return False
    return parsed.netloc == host and parsed.scheme == _page_scheme(scope)


def _page_scheme(scope: dict[str, Any]) -> str:
    """The scheme of the page that opened the socket: https behind a TLS proxy that
    says so in SECURE_PROXY_SSL_HEADER, as Django decides for HTTP requests."""
    proxy_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy_header:
        name = proxy_header[0].removeprefix("HTTP_").replace("_", "-").lower()
        forwarded = _header(scope, name.encode())
        if forwarded is not None:
            return "https" if forwarded.split(",")[0].strip() == proxy_header[1] else "http"
    return "https" if scope.get("scheme") in ("wss", "https") else "http"


def display_key_param(scope: dict[str, Any]) -> str | None:
    values = parse_qs(scope.get("query_string", b"").decode("latin1")).get("key")
    return values[-1] if values else None


def display_key_cookie(scope: dict[str, Any]) -> str | None:
    """The key a wall display's browser keeps in its cookie (board.views.display). Like
    the session cookie, it counts only when the Origin is one of ours."""
    origin = _header(scope, b"origin")
    if origin is None or not origin_allowed(origin, scope):
        return None
    return parse_cookie(_header(scope, b"cookie") or "").get(DISPLAY_SOCKET_COOKIE)


def display_principal(*, plaintext: str) -> Principal | None:
    key = display_key_lookup(plaintext=plaintext)
    if key is None:
        return None
    return Principal(
        kind="display",
        user=None,
        name=key.name,
        initials="TV",
        presence_key=f"display:{key.pk}",
        board_id=key.board_id,
        read_only=True,
        key_id=key.pk,
    )


class RealtimeAuthMiddleware:
    """Puts `scope["principal"]` (a Principal or None) for the consumers to check."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.with_session = SessionMiddlewareStack(self._session_principal)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        # `busy`: the database threads are too far behind; the socket is refused 1013.
        scope = dict(scope, principal=None, busy=False)
        token = bearer_token(scope)
        key = display_key_param(scope) or (token if token and token.startswith("dk_") else None)
        if key is None and token is None:
            key = display_key_cookie(scope)
        if key is None and token is None:
            origin = _header(scope, b"origin")
            if origin is None:
                return await self.inner(scope, receive, send)
            if not origin_allowed(origin, scope):
                return await WebsocketDenier()(scope, receive, send)
            return await self.with_session(scope, receive, send)
        try:
            if key is not None:
                scope["principal"] = await handshake_run(display_principal, plaintext=key)
            else:
                found = await handshake_run(api_token_lookup, plaintext=token)
                if found is not None:
                    scope["principal"] = user_principal(found.user, kind="token", token_id=found.pk)
        except Busy:
            scope["busy"] = True
        return await self.inner(scope, receive, send)

    async def _session_principal(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        try:
            # Channels' get_user, on the database threads (the session loads in it).
            user = await handshake_run(get_user.func, scope)
        except Busy:
            scope["busy"] = True
            return await self.inner(scope, receive, send)
        if user.is_authenticated:
            session_key = scope["session"].session_key
            scope["principal"] = user_principal(user, kind="session", session_key=session_key)
        return await self.inner(scope, receive, send)
