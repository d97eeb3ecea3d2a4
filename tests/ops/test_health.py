"""/healthz and /readyz: answered before the session, CSRF and host checks, and
/readyz names the part that is down."""

from __future__ import annotations

import http.client
import logging

import orjson
import pytest
from django.conf import settings
from django.db.migrations.executor import MigrationExecutor

import ops.health
from ops.access_log import ProbeLinesFilter
from tests.realtime.servers import free_port, server_env, server_start, stop


@pytest.fixture(autouse=True)
def _migrations_not_cached(monkeypatch):
    monkeypatch.setattr(ops.health, "_migrations_applied", False)


def private_redis(settings, url: str) -> None:
    settings.REDIS_URL = url
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "realtime.redis_layer.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": url, "socket_timeout": 10}]},
        }
    }


def test_healthz_answers_any_host_without_touching_the_session(client):
    response = client.get("/healthz", HTTP_HOST="10.1.2.3:8000")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "Cookie" not in response.get("Vary", "")
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db
def test_readyz_is_ok_when_database_redis_and_migrations_are(client):
    response = client.get("/readyz", HTTP_HOST="10.1.2.3:8000")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "ok", "migrations": "ok"},
        "failing": [],
    }


@pytest.mark.django_db
def test_readyz_names_redis_when_it_is_stopped(client, settings, redis_server):
    private_redis(settings, redis_server.url)
    assert client.get("/readyz").status_code == 200
    redis_server.stop()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["redis"]
    assert response.json()["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_readyz_names_pending_migrations(client, monkeypatch):
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("x", False)])
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "pending"


@pytest.mark.django_db
def test_readyz_reads_the_migration_graph_only_until_all_are_applied(client, monkeypatch):
    assert client.get("/readyz").status_code == 200
    monkeypatch.setattr(MigrationExecutor, "__init__", lambda *a, **k: pytest.fail("read again"))
    assert client.get("/readyz").status_code == 200


def get(port: int, path: str) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        conn.request("GET", path, headers={"Host": "10.0.0.7"})
        response = conn.getresponse()
        return response.status, orjson.loads(response.read())
    finally:
        conn.close()


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.timeout(60)
def test_a_worker_with_an_unreachable_database_is_live_not_ready_and_logs_no_probe(tmp_path):
    """A real daphne (which writes an access line per request) with a database URL
    nobody listens on."""
    env = server_env(
        database_url=f"postgres://postgres@127.0.0.1:{free_port()}/nowhere",
        redis_url=settings.REDIS_URL,
        DB_CONNECT_TIMEOUT="1",
        DB_POOL_TIMEOUT="1",
        LOG_LEVEL="INFO",
    )
    server = server_start(env=env, log=tmp_path / "daphne.log")
    try:
        assert get(server.port, "/healthz") == (200, {"status": "ok"})
        status, body = get(server.port, "/readyz")
        assert status == 503
        assert body["failing"] == ["database"]
        assert "migrations" not in body["checks"]
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=15)
        conn.request("GET", "/favicon.ico")
        conn.getresponse().read()
        conn.close()
    finally:
        stop(server.process)
    log = (tmp_path / "daphne.log").read_text()
    assert '"GET /favicon.ico"' in log
    assert "GET /healthz" not in log
    assert "GET /readyz" not in log


def test_uvicorn_access_lines_of_probes_are_dropped():
    def record(path: str) -> logging.LogRecord:
        args = ("127.0.0.1:5000", "GET", path, "1.1", 200)
        return logging.LogRecord("uvicorn.access", 20, "", 0, '%s - "%s %s HTTP/%s" %d', args, None)

    probe_filter = ProbeLinesFilter()
    assert not probe_filter.filter(record("/readyz"))
    assert not probe_filter.filter(record("/metrics?x=1"))
    assert probe_filter.filter(record("/boards/"))
    assert any(isinstance(f, ProbeLinesFilter) for f in logging.getLogger("uvicorn.access").filters)
