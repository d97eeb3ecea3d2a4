"""OpenTelemetry tracing: one trace per user action, from the HTTP request or socket
action through the service, the commit and the broadcast.

Off unless the standard variables ask for it (`tracing_wanted`). On, each process (an
ASGI worker, a management command) installs one SDK tracer provider when Django starts
(ops.apps), with a batch processor per exporter, and the SDK reads the other OTEL_*
variables itself: service name and resource attributes, sampler, endpoints, headers,
batch sizes. Off, no provider is installed, the SDK is not even imported, and each
instrumented place costs one check of `_tracer`: writes are benchmarked.

The broadcast runs after the commit, often on another task of the event loop
(realtime.broadcast): it joins its trace through the context captured when the event
was recorded (`context_bound`, `context_now`), and the hubs that receive it through the
`traceparent` the channel-layer message then carries (`message_traced`).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from board.exceptions import DomainError

if TYPE_CHECKING:
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter

SERVICE_NAME_DEFAULT = "taskboard"
# The instrumentation scope every span of Taskboard's own comes from.
TRACER_NAME = "taskboard"
# OTEL_TRACES_EXPORTER names as the SDK's entry points spell them. "otlp" (the spec's
# default) is OTLP over HTTP/protobuf here: the one OTLP exporter installed.
EXPORTER_ALIASES = {"otlp": "otlp_proto_http"}

# Attribute names that are Taskboard's own, not OpenTelemetry's semantic conventions.
BOARD_ID = "taskboard.board.id"
OUTCOME = "taskboard.outcome"

_tracer: trace.Tracer | None = None
_configured = False
# Channel-layer messages carry W3C trace context only (no baggage): they stay small.
_message_propagator = TraceContextTextMapPropagator()
_OFF: contextlib.nullcontext[None] = contextlib.nullcontext()


def tracing_wanted(environ: Mapping[str, str]) -> bool:
    """Whether the standard variables ask for traces: an exporter other than `none`,
    or an OTLP endpoint. OTEL_SDK_DISABLED=true turns it all off, as the spec says."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    exporters = environ.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if exporters:
        return exporters != "none"
    return bool(
        environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
        or environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    )


def tracing_configure(*, environ: Mapping[str, str] = os.environ) -> bool:
    """Once per process (OpsConfig.ready): install the SDK provider if it is wanted.
    Returns whether tracing is on."""
    global _configured
    if _configured or not tracing_wanted(environ):
        _configured = True
        return tracing_on()
    _configured = True
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    # The sampler comes from OTEL_TRACES_SAMPLER(_ARG), read by the provider.
    provider = TracerProvider(resource=_resource())
    for exporter in _exporters(environ):
        provider.add_span_processor(BatchSpanProcessor(exporter))
    # Global too, so that any library's own instrumentation joins the same traces.
    trace.set_tracer_provider(provider)
    tracing_use(provider=provider)
    return True


def tracing_use(*, provider: TracerProvider | None) -> None:
    """Take spans from `provider` from now on; None turns tracing off. Tests install
    an in-memory provider through this, without the global one (settable once)."""
    global _tracer
    _tracer = provider.get_tracer(TRACER_NAME) if provider is not None else None


def tracing_on() -> bool:
    return _tracer is not None


def _resource() -> Resource:
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource

    # OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, else the SDK's "unknown_service".
    resource = Resource.create()
    if str(resource.attributes.get(SERVICE_NAME, "")).startswith("unknown_service"):
        resource = resource.merge(Resource({SERVICE_NAME: SERVICE_NAME_DEFAULT}))
    return resource


def _exporters(environ: Mapping[str, str]) -> list[SpanExporter]:
    """The exporters OTEL_TRACES_EXPORTER names (default otlp), found as the SDK's own
    auto-configuration finds them: by entry point. Each reads its own variables."""
    names = [
        name.strip().lower()
        for name in environ.get("OTEL_TRACES_EXPORTER", "otlp").split(",")
        if name.strip() and name.strip().lower() != "none"
    ]
    exporters = []
    for name in names:
        found = entry_points(
            group="opentelemetry_traces_exporter", name=EXPORTER_ALIASES.get(name, name)
        )
        if not found:
            raise ImproperlyConfigured(
                f"OTEL_TRACES_EXPORTER names {name!r}: no such span exporter is installed "
                "(use otlp or console)."
            )
        exporters.append(next(iter(found)).load()())
    return exporters


def span(
    name: str,
    *,
    kind: SpanKind = SpanKind.INTERNAL,
    attributes: Mapping[str, Any] | None = None,
    parent: Context | None = None,
) -> contextlib.AbstractContextManager[Span | None]:
    """A span, current while the block runs; None in the block when tracing is off.
    Its parent is the current span, or `parent` when given. An exception leaving the
    block marks it failed, unless it is a domain refusal: that is an answer, which the
    caller notes with `outcome_set`."""
    if _tracer is None:
        return _OFF
    return _recording(_tracer, name, kind, attributes, parent)


@contextlib.contextmanager
def _recording(
    tracer: trace.Tracer,
    name: str,
    kind: SpanKind,
    attributes: Mapping[str, Any] | None,
    parent: Context | None,
) -> Iterator[Span]:
    with tracer.start_as_current_span(
        name,
        context=parent,
        kind=kind,
        attributes=attributes,
        record_exception=False,
        set_status_on_exception=False,
    ) as current:
        try:
            yield current
        except DomainError:
            raise
        except Exception as error:
            failure_record(error)
            raise


def outcome_set(span: Span | None, outcome: str) -> None:
    """How a service or an action ended: ok, a refusal code, unavailable or error."""
    if span is not None:
        span.set_attribute(OUTCOME, outcome)


def failure_record(error: BaseException) -> None:
    """Mark the current span failed by `error`: a failure, never a refusal. For code
    that answers a failure rather than raising it (a socket action's `internal`)."""
    if _tracer is None:
        return
    current = trace.get_current_span()
    current.record_exception(error)
    current.set_status(Status(StatusCode.ERROR, type(error).__name__))


def context_now() -> Context | None:
    """The current trace context, to parent work done later; None when off."""
    return otel_context.get_current() if _tracer is not None else None


def context_bound(function: Callable[[], None]) -> Callable[[], None]:
    """`function`, to run later (on commit) inside the trace that is current now.
    Off, `function` itself."""
    if _tracer is None:
        return function
    captured = otel_context.get_current()

    def in_captured_context() -> None:
        token = otel_context.attach(captured)
        try:
            function()
        finally:
            otel_context.detach(token)

    return in_captured_context


def message_traced(message: dict[str, Any]) -> dict[str, Any]:
    """The channel-layer message with the current span's `traceparent`, when on."""
    if _tracer is None:
        return message
    carrier: dict[str, str] = {}
    _message_propagator.inject(carrier)
    return message | carrier


def message_context(message: Mapping[str, Any]) -> Context | None:
    """The trace a received channel-layer message belongs to, or None (tracing off, or
    the message carries none)."""
    if _tracer is None or "traceparent" not in message:
        return None
    return _message_propagator.extract(message)
