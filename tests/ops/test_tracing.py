"""OpenTelemetry tracing (ops/tracing.py): off by default; on, one trace per user action
from the HTTP request or socket action through the service to the broadcast."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.test import AsyncClient
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from accounts.tokens import api_token_create
from board.services import task_claim, task_create
from ops import tracing
from ops.metrics import service_timed
from tests.api.conftest import ApiClient
from tests.realtime.conftest import receive

ROOT = Path(__file__).resolve().parents[2]
CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """Tracing on for this test, into memory. Through `tracing_use`, not the global
    provider: OpenTelemetry lets a process set that once."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.tracing_use(provider=provider)
    yield exporter
    tracing.tracing_use(provider=None)


def named(exporter: InMemorySpanExporter, name: str) -> ReadableSpan:
    found = [span for span in exporter.get_finished_spans() if span.name == name]
    assert len(found) == 1, [span.name for span in exporter.get_finished_spans()]
    return found[0]


def assert_child(child: ReadableSpan, parent: ReadableSpan) -> None:
    assert child.parent is not None, child.name
    assert child.parent.span_id == parent.context.span_id, (child.name, parent.name)
    assert child.context.trace_id == parent.context.trace_id


def python_run(code: str, **env: str) -> str:
    """`code` in a fresh process with Django set up and only the given OTEL_* variables."""
    clean = {name: value for name, value in os.environ.items() if not name.startswith("OTEL_")}
    setup = "import django; django.setup()\n"
    result = subprocess.run(
        [sys.executable, "-c", setup + code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_tracing_is_off_without_otel_variables() -> None:
    out = python_run(
        "import sys\n"
        "from opentelemetry import trace\n"
        "from ops import tracing\n"
        "print(tracing.tracing_on(), type(trace.get_tracer_provider()).__name__,"
        " 'opentelemetry.sdk' in sys.modules)"
    )
    # No SDK provider, and the SDK not even imported.
    assert out.split() == ["False", "ProxyTracerProvider", "False"]


def test_console_exporter_prints_spans_under_the_default_service_name() -> None:
    out = python_run(
        "from opentelemetry import trace\n"
        "from ops import tracing\n"
        "with tracing.span('look'):\n"
        "    pass\n"
        "trace.get_tracer_provider().shutdown()\n"
        "print(tracing.tracing_on())",
        OTEL_TRACES_EXPORTER="console",
    )
    assert '"name": "look"' in out
    assert '"service.name": "taskboard"' in out
    assert out.split()[-1] == "True"


@pytest.mark.parametrize(
    ("environ", "wanted"),
    [
        ({}, False),
        ({"OTEL_TRACES_EXPORTER": "none"}, False),
        ({"OTEL_TRACES_EXPORTER": "console"}, True),
        ({"OTEL_TRACES_EXPORTER": "otlp"}, True),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, True),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, True),
        ({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}, False),
        ({"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "console"}, False),
        ({"OTEL_SERVICE_NAME": "board"}, False),
    ],
)
def test_tracing_is_wanted_by_an_exporter_or_an_endpoint(
    environ: dict[str, str], wanted: bool
) -> None:
    assert tracing.tracing_wanted(environ) is wanted


def test_an_unknown_exporter_stops_the_start() -> None:
    with pytest.raises(Exception, match="no such span exporter"):
        tracing._exporters({"OTEL_TRACES_EXPORTER": "zipkin-typo"})


@pytest.fixture
def api(alice) -> ApiClient:
    return ApiClient(api_token_create(user=alice, name="tests")[1])


@pytest.fixture
def task(board, alice) -> Any:
    return task_create(actor=alice, board_id=board.pk, title="Trace me")


@pytest.mark.django_db(transaction=True)
def test_an_api_claim_is_one_trace_from_request_to_broadcast(api, task, spans) -> None:
    spans.clear()

    assert api.post(f"/tasks/{task.pk}/claim").status_code == 200

    request = named(spans, "POST api/v1/tasks/<task_id>/claim")
    assert request.kind == SpanKind.SERVER
    assert request.parent is None
    assert request.attributes["http.request.method"] == "POST"
    assert request.attributes["http.response.status_code"] == 200
    assert request.attributes["http.route"] == "api/v1/tasks/<task_id>/claim"
    service = named(spans, "service task_claim")
    assert service.attributes[tracing.OUTCOME] == "ok"
    broadcast = named(spans, "event.broadcast")
    assert broadcast.attributes["taskboard.event.kind"] == "task.claimed"
    assert_child(service, request)
    assert_child(broadcast, service)
    assert_child(named(spans, "broadcast.send"), broadcast)


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(30)
async def test_an_asgi_request_is_one_trace_to_the_queued_sends(alice, task, spans) -> None:
    """Under ASGI the middleware runs async and the broadcast's sends leave later from
    the event loop's queue: they still join the request's trace."""
    token = await database_sync_to_async(api_token_create)(user=alice, name="tests")
    spans.clear()

    response = await AsyncClient().post(
        f"/api/v1/tasks/{task.pk}/claim",
        "",
        content_type="application/json",
        headers={"Authorization": f"Bearer {token[1]}"},
    )
    assert response.status_code == 200, response.content

    for _ in range(100):
        names = {span.name for span in spans.get_finished_spans()}
        if "broadcast.send" in names:
            break
        await asyncio.sleep(0.02)
    request = named(spans, "POST api/v1/tasks/<task_id>/claim")
    service = named(spans, "service task_claim")
    broadcast = named(spans, "event.broadcast")
    assert_child(service, request)
    assert_child(broadcast, service)
    assert_child(named(spans, "broadcast.send"), broadcast)


@pytest.mark.django_db(transaction=True)
def test_an_incoming_traceparent_is_continued(api, task, spans) -> None:
    spans.clear()
    traceparent = f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"

    api.post(f"/tasks/{task.pk}/claim", headers={"traceparent": traceparent})

    request = named(spans, "POST api/v1/tasks/<task_id>/claim")
    assert request.context.trace_id == int(CALLER_TRACE, 16)
    assert request.parent is not None and request.parent.span_id == int(CALLER_SPAN, 16)
    assert named(spans, "event.broadcast").context.trace_id == int(CALLER_TRACE, 16)


@pytest.mark.django_db
def test_a_refused_claim_is_noted_on_the_service_span_not_marked_failed(
    api, task, bob, spans
) -> None:
    task_claim(actor=bob, task_id=task.pk)
    spans.clear()

    assert api.post(f"/tasks/{task.pk}/claim").status_code == 409

    service = named(spans, "service task_claim")
    assert service.attributes[tracing.OUTCOME] == "already_claimed"
    assert service.status.status_code == StatusCode.UNSET
    assert not service.events  # no exception recorded
    request = named(spans, "POST api/v1/tasks/<task_id>/claim")
    assert request.status.status_code == StatusCode.UNSET
    assert_child(service, request)


def test_a_failing_service_marks_its_span_failed(spans) -> None:
    def task_explode() -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        service_timed(task_explode)()

    service = named(spans, "service task_explode")
    assert service.attributes[tracing.OUTCOME] == "error"
    assert service.status.status_code == StatusCode.ERROR
    assert [event.name for event in service.events] == ["exception"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(30)
async def test_a_socket_action_is_one_trace_to_the_hub(connect, alice, task, spans) -> None:
    comm = await connect(alice)
    assert (await receive(comm))["type"] == "snapshot"
    spans.clear()

    await comm.send_json_to({"type": "claim", "ref": "t", "task": task.pk})
    assert (await receive(comm))["type"] == "ack"
    assert (await receive(comm))["kind"] == "task.claimed"

    action = named(spans, "socket.action claim")
    assert action.kind == SpanKind.SERVER
    assert action.attributes[tracing.BOARD_ID] == task.board_id
    assert action.attributes["taskboard.action"] == "claim"
    assert action.attributes[tracing.OUTCOME] == "ok"
    service = named(spans, "service task_claim")
    broadcast = named(spans, "event.broadcast")
    assert_child(service, action)
    assert_child(broadcast, service)
    send = named(spans, "broadcast.send")
    assert_child(send, broadcast)
    # The hub's span ends once every socket has the frame: give it a moment.
    for _ in range(50):
        received = [s for s in spans.get_finished_spans() if s.name == "broadcast.receive"]
        if any(s.parent.span_id == send.context.span_id for s in received):
            break
        await asyncio.sleep(0.02)
    else:
        pytest.fail("no broadcast.receive span under the send")


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(30)
async def test_a_refused_socket_action_notes_its_code(connect, alice, bob, task, spans) -> None:
    await database_sync_to_async(task_claim)(actor=bob, task_id=task.pk)
    comm = await connect(alice)
    assert (await receive(comm))["type"] == "snapshot"
    spans.clear()

    await comm.send_json_to({"type": "claim", "ref": "t", "task": task.pk})
    reply = await receive(comm)
    assert (reply["type"], reply["code"]) == ("error", "already_claimed")

    action = named(spans, "socket.action claim")
    assert action.attributes[tracing.OUTCOME] == "already_claimed"
    assert action.status.status_code == StatusCode.UNSET
    assert named(spans, "service task_claim").status.status_code == StatusCode.UNSET
