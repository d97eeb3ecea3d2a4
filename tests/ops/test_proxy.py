"""deploy/nginx.conf for real: Debian's nginx in front of two workers started with
docker-compose.yml's command, on loopback, sharing PostgreSQL, a private Redis and
one PROMETHEUS_MULTIPROC_DIR."""

from __future__ import annotations

import asyncio
import http.client
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from channels.db import database_sync_to_async

from board.services import task_create
from tests.ops.deploy_files import nginx_conf, worker_command
from tests.ops.metrics_scrape import samples, value
from tests.realtime.servers import (
    BASE_DIR,
    Server,
    client_open,
    close_all,
    free_port,
    server_env,
    servers_database_url,
    stop,
    synced_client,
    token,
    wait_for_port,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(90),
]

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
METRICS_TOKEN = "proxy-test-token"


def worker_start(env: dict[str, str], log: Path, port: int | None = None) -> Server:
    port = port or free_port()
    with log.open("a") as out:
        process = subprocess.Popen(
            worker_command(port), cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    wait_for_port(port, process, log)
    return Server(port=port, log=log, process=process)


def nginx_start(upstreams: list[int], prefix: Path) -> Server:
    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / kind).mkdir(parents=True, exist_ok=True)
    port, conf, log = free_port(), prefix / "nginx.conf", prefix / "nginx.log"
    conf.write_text(nginx_conf(listen=port, upstreams=upstreams, temp=prefix))
    command = [NGINX, "-p", str(prefix), "-e", "stderr", "-c", str(conf)]
    command += ["-g", f"daemon off; pid {prefix / 'nginx.pid'};"]
    with log.open("a") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    wait_for_port(port, process, log)
    return Server(port=port, log=log, process=process)


def get(port: int, path: str, **headers: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def scrape(server: Server) -> dict:
    status, text = get(server.port, "/metrics", Authorization=f"Bearer {METRICS_TOKEN}")
    assert status == 200, text
    return samples(text)


@pytest.fixture
def stack(transactional_db, redis_server, tmp_path) -> Iterator[tuple[Server, list[Server]]]:
    """(proxy, [worker A, worker B]); everything is stopped after the test."""
    if not Path(NGINX).exists():
        pytest.fail("nginx is not installed (.ci/run installs Debian's nginx-light)")
    (tmp_path / "metrics").mkdir()
    env = server_env(
        database_url=servers_database_url(),
        redis_url=redis_server.url,
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"),
        METRICS_TOKEN=METRICS_TOKEN,
        LOG_FORMAT="json",
    )
    workers = [worker_start(env, tmp_path / f"worker-{n}.log") for n in range(2)]
    proxy = nginx_start([worker.port for worker in workers], tmp_path / "nginx")
    yield proxy, workers
    for server in [proxy, *workers]:
        stop(server.process)
    for log in sorted(tmp_path.rglob("*.log")):
        print(f"--- {log.name}\n{log.read_text()[-4000:]}")


async def test_through_the_proxy_events_cross_workers_and_a_restart_loses_none(stack, board, alice):
    proxy, (worker_a, worker_b) = stack
    assert get(proxy.port, "/healthz")[0] == 200
    assert get(proxy.port, "/readyz")[0] == 200
    assert get(proxy.port, "/metrics", Authorization=f"Bearer {METRICS_TOKEN}")[0] == 404
    alice_token = await token(alice)
    # One nginx worker alternates between the two upstreams: one listener on each.
    listeners = [await synced_client(proxy, board.pk, alice_token) for _ in range(2)]
    writer = await synced_client(worker_a, board.pk, alice_token)
    clients = [*listeners, writer]
    try:
        # Both workers' processes share the metrics directory: either one's /metrics
        # counts all three sockets.
        assert value(scrape(worker_a), "taskboard_sockets_open", kind="json") == 3
        await writer.send({"type": "create", "ref": "one", "title": "Across"})
        seq = (await writer.next_of("ack"))["seq"]
        for listener in listeners:
            event = await listener.next_of("event")
            assert (event["seq"], event["task"]["title"]) == (seq, "Across")

        # The rolling restart of worker B: its listener is closed with 1012, through
        # the proxy, and what happens while it is away is replayed on its resume.
        await asyncio.sleep(1.5)  # as in test_servers: a just-upgraded socket
        worker_b.process.send_signal(signal.SIGTERM)
        closed = await asyncio.gather(
            *(closed_code(listener) for listener in listeners), return_exceptions=False
        )
        assert sorted(closed, key=str) == [1012, None], closed
        worker_b.process.wait(timeout=15)

        def three_changes() -> None:
            for n in range(3):
                task_create(actor=alice, board_id=board.pk, title=f"While away {n}")

        await database_sync_to_async(three_changes)()
        back = await client_open(proxy, board.pk, alice_token)
        clients.append(back)
        await back.send({"type": "resume", "after": seq})
        replayed = [await back.next() for _ in range(3)]
        assert [event["seq"] for event in replayed] == [seq + 1, seq + 2, seq + 3]
        assert [event["task"]["title"] for event in replayed] == [
            f"While away {n}" for n in range(3)
        ]
        # B's process is gone: its sockets no longer count (ops.metrics.dead_workers_forget).
        assert value(scrape(worker_a), "taskboard_sockets_open", kind="json") == 3
    finally:
        await close_all(clients)


async def closed_code(client, *, timeout: float = 3.0) -> int | None:
    """The close code the client got within `timeout`, or None if it stayed open."""
    try:
        while True:
            await client.next(timeout=timeout)
    except TimeoutError:
        return None
    except Exception as error:
        return error.rcvd.code if getattr(error, "rcvd", None) else -1
