"""Who and what a log line is about: the request id, user id, board id and socket
connection id, kept in context variables so that every line logged while a request
or a socket is served carries them (ops.log_format.JsonFormatter writes them out)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse

from ops.hybrid_middleware import HybridMiddleware

FIELDS = ("request_id", "user_id", "board_id", "connection_id")
_context: ContextVar[dict[str, Any] | None] = ContextVar("taskboard_log_context", default=None)

REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's request id is kept when it looks like one; anything else gets a fresh id.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def current() -> dict[str, Any]:
    """The fields known here, without the unknown ones."""
    return dict(_context.get() or {})


def bind(**fields: Any) -> None:
    """Add fields to this context (a request's or a socket's task)."""
    known = {name: value for name, value in fields.items() if value is not None}
    _context.set({**(_context.get() or {}), **known})


def request_id_of(request: HttpRequest) -> str:
    given = request.headers.get(REQUEST_ID_HEADER, "")
    return given if REQUEST_ID_PATTERN.fullmatch(given) else uuid.uuid4().hex


class LogContextMiddleware(HybridMiddleware):
    """After AuthenticationMiddleware: binds the request id (also sent back in
    X-Request-ID), the user and, once the URL is resolved, the board."""

    def __call__(self, request: HttpRequest) -> HttpResponse | Awaitable[HttpResponse]:
        if self.is_async:
            return self._acall(request)
        token = self._bind(request)
        try:
            response = self.get_response(request)
        finally:
            _context.reset(token)
        response[REQUEST_ID_HEADER] = request.request_id  # type: ignore[attr-defined]
        return response

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        # Resolved here, off the loop's thread (Django's `auser`), and kept for the
        # view: the lazy `request.user` would query the database on the event loop.
        if hasattr(request, "auser"):
            request.user = await request.auser()
        token = self._bind(request)
        try:
            response = await self.get_response(request)
        finally:
            _context.reset(token)
        response[REQUEST_ID_HEADER] = request.request_id  # type: ignore[attr-defined]
        return response

    @staticmethod
    def _bind(request: HttpRequest) -> Any:
        request.request_id = request_id_of(request)  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        user_id = user.pk if user is not None and user.is_authenticated else None
        fields = {"request_id": request.request_id, "user_id": user_id}  # type: ignore[attr-defined]
        return _context.set({k: v for k, v in fields.items() if v is not None})

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: dict[str, Any]
    ) -> None:
        bind(board_id=kwargs.get("board_id"))
