"""Shared fixtures.

With REQUIRE_SERVICES=1 (as in .ci/run) a test that needs PostgreSQL or Redis fails
when they are missing instead of skipping.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections

from board.models import Role
from tests.factories import BoardFactory, member_add, workspace_member_add
from tests.realtime.servers import RedisServer, free_port
from tests.xdist_redis import redis_isolate

redis_isolate()

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"

# Real hashing costs about half a second per user; tests need no slow hash.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The concurrency tests race threads that each hold a connection for their whole run
# (tests/threads.py), besides the test's own: more than a worker's pool is sized for
# (a worker's requests return theirs after each one). The server processes the tests
# start keep the default pool.
_pool = settings.DATABASES["default"].get("OPTIONS", {}).get("pool")
if isinstance(_pool, dict):
    _pool["max_size"] = max(_pool.get("max_size", 0), 40)


def service_missing(reason: str) -> None:
    """Skip for want of a service, or fail when REQUIRE_SERVICES=1 says it must be there."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1, so this fails instead of skipping)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _service_markers(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        service_missing("needs PostgreSQL: set DATABASE_URL")
    if request.node.get_closest_marker("redis") and not settings.REDIS_URL:
        service_missing("needs Redis: set REDIS_URL")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Start every test outside any transaction. A test cut off inside one (a timeout
    during its teardown, before pytest-django rolled back) would leave this thread's
    connection in it, and every later test of the process would then write what no
    other thread can read: sockets would find no token and services no board. That
    test has failed already; the ones after it must not fail with it."""
    for leftover in connections.all(initialized_only=True):
        if leftover.in_atomic_block:
            warnings.warn(
                f"{item.nodeid} started inside a transaction left open by an earlier test;"
                " it was rolled back",
                stacklevel=1,
            )
            leftover.atomic_blocks.clear()
            leftover.savepoint_ids.clear()
            leftover.in_atomic_block = leftover.needs_rollback = False
            leftover.closed_in_transaction = False
            if leftover.connection is not None:
                leftover.connection.rollback()
            if leftover.vendor == "sqlite" and leftover.is_in_memory_db():
                # Django never closes it: it is the test database itself.
                leftover.set_autocommit(True)
                continue
            try:
                leftover.close()
            finally:
                leftover.connection = None


def pytest_sessionstart(session: pytest.Session) -> None:
    if REQUIRE_SERVICES and not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")):
        raise pytest.UsageError("REQUIRE_SERVICES=1 needs DATABASE_URL and REDIS_URL set.")


@pytest.fixture
def board(db):
    return BoardFactory()


@pytest.fixture
def alice(board):
    return member_add(board=board, role=Role.MEMBER)


@pytest.fixture
def bob(board):
    return member_add(board=board, role=Role.MEMBER)


@pytest.fixture
def admin(board):
    return member_add(board=board, role=Role.ADMIN)


@pytest.fixture
def viewer(board):
    return member_add(board=board, role=Role.VIEWER)


@pytest.fixture
def outsider(db):
    """Someone with an account on the instance, outside the board's workspace."""
    from tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def colleague(board):
    """Someone in the board's workspace who is not on the board yet."""
    return workspace_member_add(organization=board.organization)


@pytest.fixture
def fresh_throttles(settings) -> None:
    """Counters of their own for this test: a cache key prefix no other test or run
    uses, since counters in Redis outlive the test (an hour for password resets)."""
    import uuid

    settings.CACHES = {
        name: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
        for name, config in settings.CACHES.items()
    }


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A private redis-server on a free port, for tests that stop and start it."""
    server = RedisServer(port=free_port(), log=tmp_path / "redis.log")
    server.start()
    yield server
    server.stop()
