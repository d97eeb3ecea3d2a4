"""The operations endpoints, answered before any other middleware.

`/healthz` (the process answers), `/readyz` (ops.health) and `/metrics`
(ops.metrics, behind its own bearer token) are asked by load
balancers and orchestrators every few seconds, over plain HTTP to the pod's address:
they need no session, no CSRF, no login, no HTTPS redirect and no ALLOWED_HOSTS match
(the Host is a pod IP). So this middleware comes first in MIDDLEWARE and answers them
itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from asgiref.sync import sync_to_async
from django.http import HttpRequest, HttpResponse, JsonResponse

from ops.health import readiness
from ops.hybrid_middleware import HybridMiddleware
from ops.metrics import metrics_view


def healthz(request: HttpRequest) -> HttpResponse:
    return _uncached(JsonResponse({"status": "ok"}))


def readyz(request: HttpRequest) -> HttpResponse:
    checks = readiness()
    failing = sorted(name for name, state in checks.items() if state != "ok")
    body = {"status": "unavailable" if failing else "ok", "checks": checks, "failing": failing}
    return _uncached(JsonResponse(body, status=503 if failing else 200))


def _uncached(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


ENDPOINTS: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "/healthz": healthz,
    "/readyz": readyz,
    "/metrics": metrics_view,
}
# /healthz touches nothing that blocks: it is answered on the event loop.
ON_THE_LOOP = frozenset({"/healthz"})


def answer(request: HttpRequest) -> HttpResponse:
    return ENDPOINTS[request.path_info](request)


class OpsEndpointsMiddleware(HybridMiddleware):
    def __call__(self, request: HttpRequest) -> HttpResponse | Awaitable[HttpResponse]:
        if self.is_async:
            return self._acall(request)
        if request.path_info in ENDPOINTS:
            return answer(request)
        return self.get_response(request)

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path in ON_THE_LOOP:
            return answer(request)
        if path in ENDPOINTS:
            return await sync_to_async(answer)(request)
        return await self.get_response(request)
