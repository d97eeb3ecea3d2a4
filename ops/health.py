"""What /readyz checks: PostgreSQL answers, Redis answers (when REDIS_URL is set), and
no migration is waiting. Each check names its part; a failure's detail goes to the log,
not to the unauthenticated answer."""

from __future__ import annotations

import logging
from collections.abc import Callable

import redis
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from ops import metrics

logger = logging.getLogger(__name__)

# Seconds the Redis ping may take; the database's limits are its own (DB_CONNECT_TIMEOUT,
# DB_POOL_TIMEOUT).
REDIS_TIMEOUT = 2.0

# Migrations do not un-apply themselves under a running worker: once they are all
# applied, the graph is not read again (it costs tens of milliseconds).
_migrations_applied = False


def database_check() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def redis_url() -> str:
    """The channel layer's Redis (the one every broadcast goes through), or ''."""
    if not settings.REDIS_URL:
        return ""
    hosts = settings.CHANNEL_LAYERS["default"].get("CONFIG", {}).get("hosts") or []
    host = hosts[0] if hosts else settings.REDIS_URL
    return host["address"] if isinstance(host, dict) else str(host)


def redis_check() -> None:
    client = redis.Redis.from_url(
        redis_url(), socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT
    )
    try:
        client.ping()
    finally:
        client.close()


class MigrationsPending(Exception):
    pass


def migrations_check() -> None:
    global _migrations_applied
    if _migrations_applied:
        return
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise MigrationsPending
    _migrations_applied = True


def readiness() -> dict[str, str]:
    """Each part's state: "ok", "unavailable" or (migrations) "pending". The migrations
    are checked only once the database answers."""
    checks: list[tuple[str, Callable[[], None]]] = [("database", database_check)]
    if settings.REDIS_URL:
        checks.append(("redis", redis_check))
    states: dict[str, str] = {}
    for name, check in checks:
        states[name] = _state(name, check)
    if states["database"] == "ok":
        states["migrations"] = _state("migrations", migrations_check)
    return states


def _state(name: str, check: Callable[[], None]) -> str:
    try:
        check()
    except MigrationsPending:
        logger.warning("Not ready: migrations are not all applied")
        return "pending"
    except Exception as error:
        logger.warning("Not ready: %s: %s", name, error)
        metrics.dependency_error("redis" if name == "redis" else "database", "readyz")
        return "unavailable"
    return "ok"
