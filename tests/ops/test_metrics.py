"""/metrics: behind its token, and the numbers move when requests, writes and
sockets happen."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
from channels.db import database_sync_to_async
from django.db import OperationalError
from django.test import AsyncClient

from board.exceptions import TaskAlreadyClaimed
from board.refusals import refusal_of_failure
from board.services import task_claim, task_create
from ops.metrics import dead_workers_forget
from tests.ops.metrics_scrape import samples, value
from tests.realtime.conftest import communicator, receive, receive_closed

TOKEN = "s3cret-scrape-token"
AUTH = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}


@pytest.fixture(autouse=True)
def _metrics_token(settings) -> None:
    settings.METRICS_TOKEN = TOKEN


def scrape(client) -> dict:
    response = client.get("/metrics", **AUTH)
    assert response.status_code == 200
    return samples(response.content.decode())


async def ascrape() -> dict:
    response = await AsyncClient().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    return samples(response.content.decode())


def test_metrics_need_the_token(client):
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert client.get("/metrics", **AUTH).status_code == 200


def test_without_a_token_metrics_are_not_there(client, settings):
    settings.METRICS_TOKEN = ""
    settings.DEBUG = False
    assert client.get("/metrics").status_code == 404


@pytest.mark.django_db
def test_http_requests_are_counted_by_view_and_status(client):
    before = scrape(client)
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/no/such/page/").status_code == 404
    after = scrape(client)
    login = {"view": "login", "method": "GET", "status": "200"}
    missing = {"view": "<unresolved>", "method": "GET", "status": "404"}
    for labels in (login, missing):
        name = "taskboard_http_requests_total"
        assert value(after, name, **labels) == value(before, name, **labels) + 1
    count = "taskboard_http_request_duration_seconds_count"
    assert value(after, count, view="login") == value(before, count, view="login") + 1


@pytest.mark.django_db
def test_services_are_timed_by_name_and_outcome(client, board, alice, bob):
    before = scrape(client)
    task = task_create(actor=alice, board_id=board.pk, title="Timed")
    task_claim(actor=alice, task_id=task.pk)
    with pytest.raises(TaskAlreadyClaimed):
        task_claim(actor=bob, task_id=task.pk)
    after = scrape(client)
    name = "taskboard_service_duration_seconds_count"
    for service, outcome in [
        ("task_create", "ok"),
        ("task_claim", "ok"),
        ("task_claim", "already_claimed"),
    ]:
        labels = {"service": service, "outcome": outcome}
        assert value(after, name, **labels) == value(before, name, **labels) + 1


def test_database_failures_are_counted(client):
    before = scrape(client)
    assert refusal_of_failure(OperationalError("gone")) is not None
    after = scrape(client)
    name = "taskboard_database_errors_total"
    assert value(after, name, where="request") == value(before, name, where="request") + 1


@pytest.mark.django_db
def test_a_stopped_redis_is_counted(client, settings, redis_server):
    settings.REDIS_URL = redis_server.url
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "realtime.redis_layer.RedisChannelLayer",
            "CONFIG": {"hosts": [redis_server.url]},
        }
    }
    redis_server.stop()
    before = scrape(client)
    assert client.get("/readyz").status_code == 503
    after = scrape(client)
    name = "taskboard_redis_errors_total"
    assert value(after, name, where="readyz") == value(before, name, where="readyz") + 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(30)
async def test_a_socket_and_a_write_move_the_socket_and_broadcast_metrics(board, alice, connect):
    before = await ascrape()
    comm = await connect(alice)
    assert (await receive(comm))["type"] == "snapshot"
    opened = await ascrape()
    sockets = "taskboard_sockets_open"
    assert value(opened, sockets, kind="json") == value(before, sockets, kind="json") + 1
    assert value(opened, "taskboard_hubs") == value(before, "taskboard_hubs") + 1

    await database_sync_to_async(task_create)(actor=alice, board_id=board.pk, title="Live")
    assert (await receive(comm))["type"] == "event"
    written = await ascrape()
    for name in ("taskboard_events_broadcast_total", "taskboard_frames_sent_total"):
        assert value(written, name) > value(opened, name)
    latency = "taskboard_broadcast_latency_seconds_count"
    assert value(written, latency, message="json") > value(opened, latency, message="json")

    await comm.disconnect()
    refused = communicator("/ws/v1/boards/999999/", token="tb_nobody")
    await refused.connect()
    assert await receive_closed(refused) == 4401
    await refused.disconnect()
    closed = await ascrape()
    assert value(closed, sockets, kind="json") == value(before, sockets, kind="json")
    assert value(closed, "taskboard_hubs") == value(before, "taskboard_hubs")
    closes = "taskboard_socket_closes_total"
    assert value(closed, closes, code="4401") == value(before, closes, code="4401") + 1


def test_a_killed_workers_live_gauges_are_forgotten_and_a_running_ones_kept(tmp_path):
    code = (
        "import os, sys, time; from prometheus_client import Gauge; "
        "Gauge('g', 'h', multiprocess_mode='livesum').inc(); print('set', flush=True); "
        "os.kill(os.getpid(), 9) if sys.argv[1] == 'die' else time.sleep(30)"
    )
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    killed = subprocess.run([sys.executable, "-c", code, "die"], env=env, timeout=30)
    assert killed.returncode == -signal.SIGKILL
    running = subprocess.Popen(
        [sys.executable, "-c", code, "live"], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert running.stdout.readline() == "set\n"
        dead_workers_forget(str(tmp_path))
        left = [path.name for path in tmp_path.glob("gauge_livesum_*.db")]
        assert left == [f"gauge_livesum_{running.pid}.db"]
    finally:
        running.kill()
        running.wait()
