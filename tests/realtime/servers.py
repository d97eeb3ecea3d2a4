"""Real servers for the end-to-end tests: a private redis-server and ASGI server
processes (daphne, the default, or uvicorn, the faster production option) sharing it
and the pytest-django test database, and `websockets` clients for them.

Each test gets its own Redis (so restarting it disturbs nobody else) and its own
server processes (so each test can set their environment). Everything started here
is killed by the fixture that started it.
"""

from __future__ import annotations

import asyncio
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import orjson
from channels.db import database_sync_to_async
from django.db import connection
from websockets.asyncio.client import ClientConnection, connect

BASE_DIR = Path(__file__).resolve().parents[2]
DAPHNE = str(Path(sys.executable).with_name("daphne"))
# The commands of the Dockerfile and the README, on a loopback port (added last).
SERVER_COMMANDS = {
    "daphne": [
        *(DAPHNE, "--websocket_timeout", "-1", "--application-close-timeout", "3"),
        *("-b", "127.0.0.1", "-p"),
    ],
    "uvicorn": [
        *(sys.executable, "-m", "uvicorn", "--lifespan", "off", "--no-access-log"),
        *("--timeout-graceful-shutdown", "3", "--host", "127.0.0.1", "--port"),
    ],
}
START_TIMEOUT = 20.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited early:\n{log.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"port {port} did not open in time:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen, *, sig: int = signal.SIGTERM, timeout: float = 10) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)


@dataclass
class RedisServer:
    port: int
    log: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server") or "redis-server"
        command = [binary, "--bind", "127.0.0.1", "--port", str(self.port)]
        command += ["--save", "", "--appendonly", "no"]
        with self.log.open("a") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        wait_for_port(self.port, self.process, self.log)

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process, sig=signal.SIGKILL)


@dataclass
class PostgresServer:
    """A PostgreSQL cluster of its own, in `directory`, that a test can stop and start
    (never the shared one). As root it runs as the `postgres` user: initdb and postgres
    refuse to run as root."""

    directory: Path
    port: int
    log: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/taskboard"

    def _owner(self) -> dict[str, str]:
        """Popen's arguments to run as the postgres user when this is root."""
        return {"user": "postgres", "group": "postgres"} if os.geteuid() == 0 else {}

    def init(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        initdb = [pg_binary("initdb"), "-D", str(self.directory), "-A", "trust", "-U", "postgres"]
        with self.log.open("a") as out:
            subprocess.run(
                initdb, stdout=out, stderr=subprocess.STDOUT, check=True, **self._owner()
            )

    def start(self) -> None:
        command = [pg_binary("postgres"), "-D", str(self.directory), "-p", str(self.port)]
        command += ["-c", "listen_addresses=127.0.0.1", "-k", str(self.directory)]
        command += ["-c", "fsync=off"]
        with self.log.open("a") as out:
            self.process = subprocess.Popen(
                command, stdout=out, stderr=subprocess.STDOUT, **self._owner()
            )
        wait_for_port(self.port, self.process, self.log)
        time.sleep(0.3)  # the port opens a moment before connections are accepted

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process, sig=signal.SIGINT)  # PostgreSQL's fast shutdown
            self.process = None

    def copy_database(self, source_url: str) -> None:
        """Create `taskboard` here as a copy of the database at `source_url`."""
        admin = f"postgres://postgres@127.0.0.1:{self.port}/postgres"
        subprocess.run(
            [pg_binary("createdb", client=True), "--maintenance-db", admin, "taskboard"],
            check=True,
            capture_output=True,
        )
        dump = subprocess.run(
            [pg_binary("pg_dump", client=True), "--no-owner", source_url],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [pg_binary("psql", client=True), "-q", "-v", "ON_ERROR_STOP=1", self.url],
            input=dump.stdout,
            check=True,
            capture_output=True,
        )


def pg_binary(name: str, *, client: bool = False) -> str:
    """A PostgreSQL program: the clients are on PATH, the server's own in its bin/."""
    if client and shutil.which(name):
        return shutil.which(name) or name
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: p.parent.name)
    for directory in reversed(versions):
        if (directory / name).exists():
            return str(directory / name)
    return shutil.which(name) or name


def servers_database_url() -> str:
    """The URL of the database pytest-django created, for the server processes."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return (
        f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


@dataclass
class Server:
    port: int
    log: Path
    process: subprocess.Popen

    def ws_url(self, path: str) -> str:
        return f"ws://127.0.0.1:{self.port}{path}"

    def post(self, path: str, *, cookie: str, csrf: str) -> int:
        """POST a form to this server as a logged-in page would; return the status."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        try:
            conn.request(
                "POST",
                path,
                body=b"",
                headers={
                    "Cookie": f"{cookie}; csrftoken={csrf}",
                    "X-CSRFToken": csrf,
                    "HX-Request": "true",
                    "Content-Type": "application/x-www-form-urlencoded",
                },
            )
            return conn.getresponse().status
        finally:
            conn.close()


def server_start(
    *, env: dict[str, str], log: Path, port: int | None = None, kind: str = "daphne"
) -> Server:
    """Start an ASGI server of `kind` on `port` (a free one by default; a restart
    passes the old one)."""
    port = port or free_port()
    command = [*SERVER_COMMANDS[kind], str(port), "config.asgi:application"]
    with log.open("a") as out:
        process = subprocess.Popen(
            command, cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    wait_for_port(port, process, log)
    return Server(port=port, log=log, process=process)


def server_env(*, database_url: str, redis_url: str, **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


@dataclass
class Client:
    """A protocol client: its socket and everything it has received, in order."""

    ws: ClientConnection
    received: list[dict[str, Any]] = field(default_factory=list)

    async def next(self, *, timeout: float = 10, skip_presence: bool = True) -> dict[str, Any]:
        while True:
            message = orjson.loads(await asyncio.wait_for(self.ws.recv(), timeout))
            self.received.append(message)
            if not (skip_presence and message["type"] in ("presence", "heartbeat")):
                return message

    async def next_of(self, kind: str, *, timeout: float = 10) -> dict[str, Any]:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            left = deadline - asyncio.get_running_loop().time()
            message = await self.next(timeout=max(0.01, left), skip_presence=kind != "presence")
            if message["type"] == kind:
                return message

    def latest(self, kind: str) -> dict[str, Any] | None:
        """The last message of this type received so far (also those `next` skipped)."""
        return next((m for m in reversed(self.received) if m["type"] == kind), None)

    async def drain(self, seconds: float) -> list[dict[str, Any]]:
        """Everything but presence that arrives within `seconds`."""
        got: list[dict[str, Any]] = []
        deadline = asyncio.get_running_loop().time() + seconds
        while (left := deadline - asyncio.get_running_loop().time()) > 0:
            try:
                got.append(await self.next(timeout=left))
            except TimeoutError:
                break
        return got

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send(orjson.dumps(message).decode())

    async def close(self) -> None:
        await self.ws.close()


async def client_open(server: Server, board_id: int, token: str, *, timeout: float = 10) -> Client:
    """Connect with a Bearer token and read the hello."""
    ws = await asyncio.wait_for(
        connect(
            server.ws_url(f"/ws/v1/boards/{board_id}/"),
            additional_headers={"Authorization": f"Bearer {token}"},
            proxy=None,
            open_timeout=timeout,
            close_timeout=2,
        ),
        timeout,
    )
    client = Client(ws)
    hello = await client.next(timeout=timeout)
    assert hello["type"] == "hello", hello
    return client


async def token(user: Any) -> str:
    """A fresh API token for `user` (the test's database, from the event loop)."""
    from accounts.tokens import api_token_create

    return (await database_sync_to_async(api_token_create)(user=user, name="e2e"))[1]


def session_for(user: Any) -> str:
    """The session cookie of a fresh login of `user`, as a Cookie header value."""
    from django.test import Client as HttpClient

    http = HttpClient()
    http.force_login(user)
    return f"sessionid={http.cookies['sessionid'].value}"


async def synced_client(server: Server, board_id: int, user_token: str) -> Client:
    """A protocol client that has read its hello and its snapshot."""
    client = await client_open(server, board_id, user_token)
    assert (await client.next())["type"] == "snapshot"
    return client


async def close_all(clients: list[Client]) -> None:
    await asyncio.gather(*(client.close() for client in clients), return_exceptions=True)
