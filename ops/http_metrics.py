"""Counts and times every HTTP request by view and status (ops.metrics)."""

from __future__ import annotations

import time
from collections.abc import Awaitable

from django.http import HttpRequest, HttpResponse

from ops.hybrid_middleware import HybridMiddleware
from ops.metrics import HTTP_LATENCY, HTTP_REQUESTS

UNRESOLVED = "<unresolved>"
# Any other method is counted as "other": a label value per made-up method would grow
# the series without bound.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class HttpMetricsMiddleware(HybridMiddleware):
    def __call__(self, request: HttpRequest) -> HttpResponse | Awaitable[HttpResponse]:
        if self.is_async:
            return self._acall(request)
        started = time.perf_counter()
        response = self.get_response(request)
        _observe(request, response, time.perf_counter() - started)
        return response

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = await self.get_response(request)
        _observe(request, response, time.perf_counter() - started)
        return response


def _observe(request: HttpRequest, response: HttpResponse, seconds: float) -> None:
    match = getattr(request, "resolver_match", None)
    # The view's name, never the path: paths carry ids, and each would be a new series.
    view = (match.view_name or match._func_path) if match is not None else UNRESOLVED
    method = request.method if request.method in METHODS else "other"
    HTTP_REQUESTS.labels(view, method, str(response.status_code)).inc()
    HTTP_LATENCY.labels(view).observe(seconds)
