"""The services a benchmark runs against, each started for the run and stopped after it:
a PostgreSQL database of its own, a private redis-server, and ASGI worker processes.

Nothing here touches a database or Redis that anybody else uses: the database name is
the benchmark's (`taskboard_bench` by default) and Redis listens on a free port.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import orjson

from bench.common import BASE_DIR, free_port, port_wait, process_stop

DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_DATABASE = "taskboard_bench"
# The databases the test suites use; a benchmark must never drop them.
FORBIDDEN_DATABASES = {"test", "test_test", "postgres", "template0", "template1"}
PYTHON = sys.executable
DAPHNE = str(Path(sys.executable).with_name("daphne"))


def database_url(name: str, *, server_url: str | None = None) -> str:
    """The URL of database `name` on the server of BENCH_DATABASE_URL / DATABASE_URL."""
    base = server_url or os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL")
    parts = urlsplit(base if base and base.startswith("postgres") else DEFAULT_SERVER_URL)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin(url: str, statement: str) -> None:
    import psycopg

    admin_url = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(statement)


def database_prepare(name: str = DEFAULT_DATABASE, *, server_url: str | None = None) -> str:
    """Drop and re-create database `name`, migrate it, and return its URL."""
    if name in FORBIDDEN_DATABASES:
        raise ValueError(f"refusing to use database {name!r}: others use it")
    url = database_url(name, server_url=server_url)
    database_drop(url)
    _admin(url, f'CREATE DATABASE "{name}"')
    env = django_env(database_url=url)
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
        timeout=300,
    )
    return url


def database_drop(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    if name in FORBIDDEN_DATABASES:
        raise ValueError(f"refusing to drop database {name!r}: others use it")
    _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def django_env(*, database_url: str, redis_url: str = "", **overrides: str) -> dict[str, str]:
    """The environment of a bench process running the app: production-like (DEBUG off)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
    env.pop("REDIS_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.server_settings",
        DATABASE_URL=database_url,
        DEBUG="0",
        SECRET_KEY="bench-only-secret-key-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        API_WRITE_RATE_PER_MINUTE="0",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(overrides)
    return env


def seed(command: str, *, database_url: str, **args: Any) -> dict[str, Any]:
    """Run `python -m bench.seed <command>` against the bench database; return its JSON."""
    done = subprocess.run(
        [PYTHON, "-m", "bench.seed", command, orjson.dumps(args).decode()],
        cwd=BASE_DIR,
        env=django_env(database_url=database_url),
        capture_output=True,
        timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench.seed {command} failed:\n{done.stderr.decode()[-4000:]}")
    return orjson.loads(done.stdout.splitlines()[-1])


@dataclass
class Stack:
    """Processes started for one run; `close()` stops them all."""

    log_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="bench-")))
    processes: list[subprocess.Popen] = field(default_factory=list)
    # How each server was started (name, command, port, env), by pid, to restart it.
    specs: dict[int, tuple[str, list[str], int, dict | None]] = field(default_factory=dict)

    def start(self, name: str, command: list[str], *, port: int, env: dict | None = None) -> int:
        """Start a server process that listens on `port`; return its pid."""
        return self.start_many([(name, command, port, env)])[0]

    def start_many(self, servers: list[tuple[str, list[str], int, dict | None]]) -> list[int]:
        """Start several servers at once (they boot in parallel); return their pids."""
        started = []
        for name, command, port, env in servers:
            log = self.log_dir / f"{name}.log"
            with log.open("a") as out:
                process = subprocess.Popen(
                    command, cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT
                )
            self.processes.append(process)
            self.specs[process.pid] = (name, command, port, env)
            started.append((process, port, log))
        for process, port, log in started:
            port_wait(port, process, log)
        return [process.pid for process, _, _ in started]

    def process(self, pid: int) -> subprocess.Popen:
        return next(process for process in self.processes if process.pid == pid)

    def restart(self, pid: int) -> int:
        """Start server `pid` again, with the same command on the same port, once it
        has exited (the caller stopped it); return the new pid."""
        self.process(pid).wait(timeout=30)
        return self.start_many([self.specs.pop(pid)])[0]

    def redis(self) -> tuple[str, int]:
        """A private redis-server; returns its URL and pid."""
        port = free_port()
        binary = shutil.which("redis-server") or "redis-server"
        command = [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", ""]
        command += ["--appendonly", "no", "--maxclients", "10000"]
        pid = self.start(f"redis-{port}", command, port=port)
        return f"redis://127.0.0.1:{port}/0", pid

    def daphne(
        self, application: str, *, env: dict[str, str], count: int = 1
    ) -> list[tuple[int, int]]:
        """`count` daphne workers serving `application`; returns their ports and pids."""
        servers = []
        for _ in range(count):
            port = free_port()
            command = [DAPHNE, "-b", "127.0.0.1", "-p", str(port), "--websocket_timeout", "-1"]
            command += ["--application-close-timeout", "3", application]
            servers.append((f"daphne-{port}", command, port, env))
        pids = self.start_many(servers)
        return [(port, pid) for (_, _, port, _), pid in zip(servers, pids, strict=True)]

    def uvicorn(self, application: str, *, env: dict[str, str], count: int = 1) -> list:
        """`count` uvicorn workers (needs `uvicorn[standard]` installed); ports and pids."""
        servers = []
        for _ in range(count):
            port = free_port()
            command = [PYTHON, "-m", "uvicorn", application, "--host", "127.0.0.1"]
            command += ["--port", str(port), "--no-access-log", "--lifespan", "off"]
            servers.append((f"uvicorn-{port}", command, port, env))
        pids = self.start_many(servers)
        return [(port, pid) for (_, _, port, _), pid in zip(servers, pids, strict=True)]

    def workers(
        self,
        count: int,
        *,
        database_url: str,
        redis_url: str,
        server: str = "daphne",
        **overrides: str,
    ) -> list[tuple[int, int]]:
        """`count` worker processes of the real app sharing one database and Redis
        (`overrides` are extra environment variables)."""
        env = django_env(database_url=database_url, redis_url=redis_url, **overrides)
        start = self.uvicorn if server == "uvicorn" else self.daphne
        return start("config.asgi:application", env=env, count=count)

    def close(self) -> None:
        for process in reversed(self.processes):
            process_stop(process)
        self.processes.clear()

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self.close()
        if exc_type is None:
            shutil.rmtree(self.log_dir, ignore_errors=True)
        else:
            print(f"server logs kept in {self.log_dir}", file=sys.stderr)
