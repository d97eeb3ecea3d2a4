"""The benchmarks' smoke tests run each benchmark at a tiny size and check what it
must get right (every event delivered, one winner per race, the same queries at every
size), never its timing. Those that start servers get a database of their own."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from django.db import connection

from bench.stack import database_drop, database_prepare
from tests.conftest import service_missing


@pytest.fixture(scope="session")
def bench_database() -> Iterator[str]:
    """A migrated PostgreSQL database for the benchmark servers, on the test server."""
    if connection.vendor != "postgresql":
        service_missing("needs PostgreSQL: set DATABASE_URL")
    url = database_prepare(f"taskboard_bench_smoke_{os.getpid()}")
    yield url
    database_drop(url)


@pytest.fixture(autouse=True)
def _redis_server_binary(request: pytest.FixtureRequest) -> None:
    """The benchmarks start a private redis-server, so they need the binary."""
    if request.node.get_closest_marker("redis") and not shutil.which("redis-server"):
        service_missing("needs redis-server on PATH")
