"""The sockets' database work, on a bounded pool of threads.

Channels' `database_sync_to_async` runs every call of a process on one thread, so a
worker's writes queued behind each other and behind every handshake: about 60
connections a second at best, and a reconnect storm of 1,000 clients took minutes.
Here the calls run on `REALTIME_DB_THREADS` threads (by default the database pool's
size, DB_POOL_MAX_SIZE, less two left for the pages and the API), so a worker holds
at most DB_POOL_MAX_SIZE PostgreSQL connections whatever its load: the threads take
them from the same pool as every other request.

A connection cannot leak from a thread: each call starts by closing what is stale and
ends by closing the thread's connections, which hands them back to the pool
(psycopg_pool) with no transaction open. Calls from one socket still run one at a time
(the socket awaits each), services still lock what they change, and their
`transaction.on_commit` callbacks run in the thread that committed.

A handshake asks first (`handshake_run`): when more calls are waiting for a thread
than REALTIME_HANDSHAKE_BACKLOG, it is refused at once (`Busy`, close 1013: try again
later) instead of queueing behind work it would then wait seconds for.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from asgiref.sync import SyncToAsync
from django.conf import settings
from django.db import close_old_connections, connections

T = TypeVar("T")

# Threads left to the pages and the API out of the pool's connections.
HTTP_RESERVE = 2


class Busy(Exception):
    """Too many calls are waiting for a database thread: refuse, do not queue."""


def thread_count() -> int:
    """How many threads (and so pooled connections at most) the sockets use."""
    configured = getattr(settings, "REALTIME_DB_THREADS", None)
    if configured is not None:
        return max(1, int(configured))
    # From the settings, not `connections`: on the event loop, touching `connections`
    # would make each socket's context a DatabaseWrapper of its own, kept as long as
    # the socket.
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        return 1  # one writer at a time anyway, and no pool to size by
    pool_size = int(getattr(settings, "DB_POOL_MAX_SIZE", 10))
    return max(1, pool_size - HTTP_RESERVE)


def handshake_backlog() -> int:
    return int(getattr(settings, "REALTIME_HANDSHAKE_BACKLOG", 64))


# Per event loop (a server process has one; each test its own): the threads, and the
# calls submitted and not yet finished, counted on the loop's thread. A loop that is
# gone takes its own with it: a test whose calls never finished leaves the next test
# neither stuck threads nor a count that refuses its handshakes.
_executors: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, ThreadPoolExecutor] = (
    weakref.WeakKeyDictionary()
)
_in_flight: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, int] = weakref.WeakKeyDictionary()


def _executor_get(loop: asyncio.AbstractEventLoop) -> ThreadPoolExecutor:
    executor = _executors.get(loop)
    if executor is None:
        executor = ThreadPoolExecutor(thread_count(), thread_name_prefix="realtime-db")
        _executors[loop] = executor
    return executor


def waiting() -> int:
    """Calls waiting for a free thread of this loop's."""
    return max(0, _in_flight.get(asyncio.get_running_loop(), 0) - thread_count())


class _PooledCall(SyncToAsync):
    """SyncToAsync on the pool, closing the thread's connections around each call."""

    def thread_handler(self, loop: Any, *args: Any, **kwargs: Any) -> Any:
        close_old_connections()
        try:
            return super().thread_handler(loop, *args, **kwargs)
        finally:
            connections.close_all()


async def db_run(function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run `function(*args, **kwargs)` on a database thread and return its result."""
    loop = asyncio.get_running_loop()
    _in_flight[loop] = _in_flight.get(loop, 0) + 1
    try:
        call = _PooledCall(function, thread_sensitive=False, executor=_executor_get(loop))
        return await call(*args, **kwargs)
    finally:
        _in_flight[loop] -= 1


async def handshake_run(function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """`db_run` for a connection's first calls: raises Busy rather than queue long."""
    if waiting() >= handshake_backlog():
        raise Busy
    return await db_run(function, *args, **kwargs)
