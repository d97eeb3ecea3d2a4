"""HTTP middleware: a page's writes carry its connection id as their origin.

The board page sends `X-Realtime-Origin: <id>` with its `hx-post` requests (the id
it chose for itself); events committed by the request then carry that origin.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse

from realtime.origin import origin_clean, origin_scope

ORIGIN_HEADER = "X-Realtime-Origin"


class RealtimeOriginMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponse | Awaitable[HttpResponse]:
        if self.is_async:
            return self._acall(request)
        with origin_scope(origin_clean(request.headers.get(ORIGIN_HEADER))):
            return self.get_response(request)

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        with origin_scope(origin_clean(request.headers.get(ORIGIN_HEADER))):
            return await self.get_response(request)
