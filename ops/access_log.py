"""Probes and scrapes stay out of the access logs: a readiness probe every few seconds
per worker would drown every other line. uvicorn logs requests through the
`uvicorn.access` logger; daphne writes them itself (daphne.access.AccessLogGenerator)."""

from __future__ import annotations

import logging
from typing import Any

# Answered by ops.middleware.OpsEndpointsMiddleware.
PROBE_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class ProbeLinesFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # uvicorn's access record: (client, method, path with query, http version, status).
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            return args[2].split("?", 1)[0] not in PROBE_PATHS
        return True


def probe_lines_drop() -> None:
    """Install the filter on uvicorn's access logger and wrap daphne's access log."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, ProbeLinesFilter) for f in access.filters):
        access.addFilter(ProbeLinesFilter())
    try:
        from daphne.access import AccessLogGenerator
    except ImportError:
        return
    original = AccessLogGenerator.__call__
    if getattr(original, "drops_probes", False):
        return

    def call(self: Any, protocol: str, action: str, details: dict[str, Any]) -> None:
        if protocol == "http" and details.get("path") in PROBE_PATHS:
            return
        original(self, protocol, action, details)

    call.drops_probes = True  # type: ignore[attr-defined]
    AccessLogGenerator.__call__ = call  # type: ignore[method-assign]
