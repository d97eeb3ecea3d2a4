"""WhiteNoise's static files, without a thread hop for every request under ASGI.

WhiteNoise's middleware is sync only. Under ASGI, Django therefore ran every request,
static or not, on a thread for WhiteNoise and back on the event loop for the rest of
the chain (`async_to_sync`). Besides its cost, that hop could keep a worker from
exiting: a request caught in it when the server stopped (SIGTERM) left a thread
waiting for ever on the stopped loop, and the interpreter waits for that thread.

This subclass is async-capable. A request for anything but a static file passes
straight through; a static file is looked up and opened on a thread (both touch the
disk) and served exactly as WhiteNoise serves it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.http import HttpRequest, HttpResponse
from whitenoise.middleware import WhiteNoiseMiddleware


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any], **kwargs: Any) -> None:
        super().__init__(get_response, **kwargs)
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponse | Awaitable[HttpResponse]:
        if self.is_async:
            return self._acall(request)
        return super().__call__(request)

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        response = None
        if self.autorefresh or request.path_info in self.files:
            response = await sync_to_async(self._served, thread_sensitive=False)(request)
        return response if response is not None else await self.get_response(request)

    def _served(self, request: HttpRequest) -> HttpResponse | None:
        """The static file's response, or None when the path names none."""
        path = request.path_info
        static_file = self.find_file(path) if self.autorefresh else self.files.get(path)
        return None if static_file is None else self.serve(static_file, request)
