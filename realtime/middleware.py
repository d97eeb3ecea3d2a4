"""HTTP middleware: a page's writes carry its tab's origin.

The board page sends `X-Realtime-Origin: <tab id>` with its `hx-post` requests (the
id its page was rendered with, which its socket also names); events committed by the
request then carry that tab's origin, bound to the request's session
(realtime.origin.tab_origin).
"""

from __future__ import annotations

from collections.abc import Awaitable

from django.http import HttpRequest, HttpResponse

from ops.hybrid_middleware import HybridMiddleware
from realtime.origin import origin_scope, tab_origin

ORIGIN_HEADER = "X-Realtime-Origin"


class RealtimeOriginMiddleware(HybridMiddleware):
    def __call__(self, request: HttpRequest) -> HttpResponse | Awaitable[HttpResponse]:
        if self.is_async:
            return self._acall(request)
        with origin_scope(request_origin(request)):
            return self.get_response(request)

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        with origin_scope(request_origin(request)):
            return await self.get_response(request)


def request_origin(request: HttpRequest) -> str | None:
    session = getattr(request, "session", None)
    session_key = session.session_key if session is not None else None
    return tab_origin(session_key=session_key, tab=request.headers.get(ORIGIN_HEADER))
