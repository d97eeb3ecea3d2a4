"""Every Prometheus metric Taskboard exports, and the helpers its call sites use.

Each call site is one line (`metrics.FRAMES_SENT.inc()`). With PROMETHEUS_MULTIPROC_DIR
set (an empty directory shared by a host's or pod's worker processes, wiped before they
start), prometheus-client keeps every value in files there and /metrics sums all the
workers' (gauges: only the live ones', see dead_workers_forget); without it, /metrics
shows this process's.
"""

from __future__ import annotations

import functools
import hmac
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from board.exceptions import DomainError
from ops import tracing

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

HTTP_REQUESTS = Counter(
    "taskboard_http_requests", "HTTP requests answered.", ["view", "method", "status"]
)
HTTP_LATENCY = Histogram(
    "taskboard_http_request_duration_seconds",
    "Time to answer an HTTP request, by view.",
    ["view"],
    buckets=LATENCY_BUCKETS,
)
SOCKETS_OPEN = Gauge(
    "taskboard_sockets_open",
    "Open board sockets: page, json or display.",
    ["kind"],
    multiprocess_mode="livesum",
)
HUBS = Gauge(
    "taskboard_hubs", "Board hubs running (one per process and board).", multiprocess_mode="livesum"
)
EVENTS_BROADCAST = Counter("taskboard_events_broadcast", "Committed events sent to the layer.")
BROADCAST_LATENCY = Histogram(
    "taskboard_broadcast_latency_seconds",
    "From an event's commit to a hub receiving it, by message (json or pages).",
    ["message"],
    buckets=LATENCY_BUCKETS,
)
FRAMES_SENT = Counter("taskboard_frames_sent", "WebSocket frames sent to clients.")
SOCKET_CLOSES = Counter("taskboard_socket_closes", "Sockets the server closed, by code.", ["code"])
PRESENCE_VIEWERS = Histogram(
    "taskboard_presence_viewers",
    "Viewers of a board, at each presence broadcast.",
    buckets=(1, 2, 5, 10, 20, 50, 100, 250, 1000),
)
SERVICE_LATENCY = Histogram(
    "taskboard_service_duration_seconds",
    "Time a write service took, by service and outcome (ok, a refusal code, or error).",
    ["service", "outcome"],
    buckets=LATENCY_BUCKETS,
)
DATABASE_ERRORS = Counter(
    "taskboard_database_errors", "Database failures (down, timeouts, pool empty).", ["where"]
)
REDIS_ERRORS = Counter("taskboard_redis_errors", "Redis (channel layer) failures.", ["where"])

SOCKET_KINDS = {"json": "json", "html": "page", "display_html": "display"}


def socket_opened(payload_key: str) -> None:
    SOCKETS_OPEN.labels(SOCKET_KINDS.get(payload_key, payload_key)).inc()


def socket_closed(payload_key: str) -> None:
    SOCKETS_OPEN.labels(SOCKET_KINDS.get(payload_key, payload_key)).dec()


def broadcast_received(message: dict[str, Any]) -> None:
    """A hub received a channel-layer message; time it if it is a live event."""
    committed_at = message.get("committed_at")
    if committed_at is not None:
        variant = "json" if "json" in message else "pages"
        BROADCAST_LATENCY.labels(variant).observe(max(0.0, time.time() - committed_at))


def dependency_error(part: str, where: str) -> None:
    (REDIS_ERRORS if part == "redis" else DATABASE_ERRORS).labels(where).inc()


P = ParamSpec("P")
R = TypeVar("R")


def service_timed(service: Callable[P, R]) -> Callable[P, R]:
    name = service.__name__
    span_name = f"service {name}"

    @functools.wraps(service)
    def timed(*args: P.args, **kwargs: P.kwargs) -> R:
        outcome, started = "ok", time.perf_counter()
        # The span (when tracing is on) parents the event's broadcast (board.services.events).
        with tracing.span(span_name) as span:
            try:
                return service(*args, **kwargs)
            except DomainError as error:
                outcome = error.code
                raise
            except (OperationalError, InterfaceError):
                outcome = "unavailable"
                raise
            except Exception:
                outcome = "error"
                raise
            finally:
                SERVICE_LATENCY.labels(name, outcome).observe(time.perf_counter() - started)
                tracing.outcome_set(span, outcome)

    return timed


def services_timed(namespace: dict[str, Any], names: list[str]) -> dict[str, Any]:
    """The services `names` of `namespace` (a package's globals), each timed."""
    return {name: service_timed(namespace[name]) for name in names}


def metrics_view(request: HttpRequest) -> HttpResponse:
    """The exposition. With METRICS_TOKEN set it needs `Authorization: Bearer <token>`;
    unset, /metrics is not there (404), unless DEBUG is on (local development)."""
    token = settings.METRICS_TOKEN
    if not token and not settings.DEBUG:
        return HttpResponse("Not found.", status=404, content_type="text/plain")
    if token and not hmac.compare_digest(
        request.headers.get("Authorization", "").encode(), f"Bearer {token}".encode()
    ):
        response = HttpResponse("A bearer token is needed.", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    registry = REGISTRY
    if directory := os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        dead_workers_forget(directory)
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    response = HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response


def dead_workers_forget(directory: str) -> None:
    """Drop the live gauges of worker processes that are gone. No exit hook can do it:
    uvicorn ends itself with the SIGTERM it got (no atexit), and a killed worker runs
    nothing. The workers sharing a directory share a host (or pod), so their pids can
    be asked."""
    for path in Path(directory).glob("gauge_live*_*.db"):
        pid = int(path.stem.rsplit("_", 1)[1])
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            multiprocess.mark_process_dead(pid, directory)
        except PermissionError:
            pass  # alive, as another user
