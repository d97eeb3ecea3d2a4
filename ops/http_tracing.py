"""A span per HTTP request (ops.tracing), continuing the caller's trace when the
request carries a W3C `traceparent`.

Our own middleware rather than opentelemetry-instrumentation-django: that one would
be a third OpenTelemetry package for what is a few lines here, and it inserts itself
first in MIDDLEWARE, ahead of OpsEndpointsMiddleware, so every probe would be traced
unless excluded again in a variable of its own. Here the probes (/healthz, /readyz,
/metrics) are answered before this middleware runs and get no span.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from django.http import HttpRequest, HttpResponse
from opentelemetry import propagate
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from ops import tracing
from ops.http_metrics import METHODS
from ops.hybrid_middleware import HybridMiddleware


class HttpTracingMiddleware(HybridMiddleware):
    def __call__(self, request: HttpRequest) -> HttpResponse | Awaitable[HttpResponse]:
        if not tracing.tracing_on():
            return self.get_response(request)
        if self.is_async:
            return self._acall(request)
        with _request_span(request) as span:
            response = self.get_response(request)
            _response_note(span, request, response)
        return response

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        with _request_span(request) as span:
            response = await self.get_response(request)
            _response_note(span, request, response)
        return response


def _method(request: HttpRequest) -> str:
    # A made-up method would be a span name of its own; the conventions say _OTHER.
    return request.method if request.method in METHODS else "_OTHER"


def _request_span(request: HttpRequest) -> Any:
    method = _method(request)
    # Named by its route once it is resolved (_response_note): paths carry ids.
    return tracing.span(
        method,
        kind=SpanKind.SERVER,
        attributes={"http.request.method": method, "url.path": request.path},
        parent=propagate.extract(request.headers),
    )


def _response_note(span: Span | None, request: HttpRequest, response: HttpResponse) -> None:
    if span is None:
        return
    status = response.status_code
    span.set_attribute("http.response.status_code", status)
    match = getattr(request, "resolver_match", None)
    if match is not None:
        route = match.route or match.view_name or match._func_path
        span.update_name(f"{_method(request)} {route}")
        span.set_attribute("http.route", route)
        if (board_id := match.kwargs.get("board_id")) is not None:
            span.set_attribute(tracing.BOARD_ID, board_id)
    # A server's span fails on a 5xx only: a 4xx is the client's mistake, answered.
    if status >= 500:
        span.set_status(Status(StatusCode.ERROR))
