"""Who is viewing each board, across worker processes.

With REDIS_URL set, presence lives in Redis: per board a sorted set of connection ids
scored by their last heartbeat, and a hash of who each connection is. A crashed
worker stops heartbeating, and its connections are purged by the next heartbeat of
any survivor on the board once they are older than the TTL (TTL + heartbeat interval
is about a minute). Without Redis, presence is kept in this process.

Broadcasts are coalesced per board: the first change claims a one-second window
(`SET NX PX` in Redis), and the claimant broadcasts the state it reads when the
window closes. A change that finds the window taken was written before that read,
so it is included; a thousand displays connecting at once cost one message a second.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from functools import cache
from typing import Any, Protocol

import orjson
import redis.asyncio as aioredis
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.template.loader import render_to_string

from ops import metrics
from realtime.groups import board_group_name

logger = logging.getLogger(__name__)

COALESCE_SECONDS = 1.0
# The JSON presence message lists at most this many viewers (and the full count): the
# whole list, sent to every connection, made connecting O(n²) in bytes.
PRESENCE_VIEWERS_SENT = 20
KEY_PREFIX = "taskboard:presence"


def presence_ttl() -> float:
    return float(getattr(settings, "REALTIME_PRESENCE_TTL", 45))


def presence_heartbeat_interval() -> float:
    return float(getattr(settings, "REALTIME_PRESENCE_HEARTBEAT", 15))


class PresenceStore(Protocol):
    async def heartbeat(self, board_id: int, conn_id: str, entry: list[Any]) -> bool: ...
    async def heartbeat_many(self, board_id: int, entries: dict[str, list[Any]]) -> bool: ...
    async def leave(self, board_id: int, conn_id: str) -> None: ...
    async def entries(self, board_id: int) -> list[list[Any]]: ...
    async def claim_window(self, board_id: int, seconds: float) -> bool: ...


class MemoryPresence:
    def __init__(self, *, ttl: float | None = None) -> None:
        self.ttl = ttl
        self.boards: dict[int, dict[str, tuple[float, list[Any]]]] = {}
        self.windows: dict[int, float] = {}

    async def heartbeat(self, board_id: int, conn_id: str, entry: list[Any]) -> bool:
        """Mark the connection alive; return True if stale connections were purged."""
        return await self.heartbeat_many(board_id, {conn_id: entry})

    async def heartbeat_many(self, board_id: int, entries: dict[str, list[Any]]) -> bool:
        now = time.monotonic()
        members = self.boards.setdefault(board_id, {})
        for conn_id, entry in entries.items():
            members[conn_id] = (now, entry)
        cutoff = now - (self.ttl or presence_ttl())
        stale = [conn for conn, (seen, _) in members.items() if seen < cutoff]
        for conn in stale:
            del members[conn]
        return bool(stale)

    async def leave(self, board_id: int, conn_id: str) -> None:
        members = self.boards.get(board_id, {})
        members.pop(conn_id, None)
        if not members:
            self.boards.pop(board_id, None)

    async def entries(self, board_id: int) -> list[list[Any]]:
        cutoff = time.monotonic() - (self.ttl or presence_ttl())
        members = self.boards.get(board_id, {})
        return [entry for seen, entry in members.values() if seen >= cutoff]

    async def claim_window(self, board_id: int, seconds: float) -> bool:
        now = time.monotonic()
        if self.windows.get(board_id, 0.0) > now:
            return False
        self.windows[board_id] = now + seconds
        return True


class RedisPresence:
    def __init__(self, url: str, *, ttl: float | None = None) -> None:
        self.url = url
        self.ttl = ttl
        # redis.asyncio clients belong to the event loop that made them.
        self._clients: weakref.WeakKeyDictionary[Any, aioredis.Redis] = weakref.WeakKeyDictionary()

    def _client(self) -> aioredis.Redis:
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            client = aioredis.Redis.from_url(self.url, socket_timeout=3, socket_connect_timeout=3)
            self._clients[loop] = client
        return client

    def _ttl(self) -> float:
        return self.ttl or presence_ttl()

    @staticmethod
    def _keys(board_id: int) -> tuple[str, str, str]:
        base = f"{KEY_PREFIX}:{board_id}"
        return f"{base}:live", f"{base}:who", f"{base}:window"

    async def heartbeat(self, board_id: int, conn_id: str, entry: list[Any]) -> bool:
        return await self.heartbeat_many(board_id, {conn_id: entry})

    async def heartbeat_many(self, board_id: int, entries: dict[str, list[Any]]) -> bool:
        """One round trip for every connection a worker has on the board."""
        live, who, _ = self._keys(board_id)
        now, ttl = time.time(), self._ttl()
        keep = max(1, int(ttl * 2))
        pipe = self._client().pipeline(transaction=False)
        pipe.zadd(live, dict.fromkeys(entries, now))
        pipe.hset(who, mapping={conn: orjson.dumps(entry) for conn, entry in entries.items()})
        pipe.expire(live, keep)
        pipe.expire(who, keep)
        pipe.zrangebyscore(live, "-inf", now - ttl)
        stale = (await pipe.execute())[-1]
        if not stale:
            return False
        pipe = self._client().pipeline(transaction=False)
        pipe.zrem(live, *stale)
        pipe.hdel(who, *stale)
        await pipe.execute()
        return True

    async def leave(self, board_id: int, conn_id: str) -> None:
        live, who, _ = self._keys(board_id)
        pipe = self._client().pipeline(transaction=False)
        pipe.zrem(live, conn_id)
        pipe.hdel(who, conn_id)
        await pipe.execute()

    async def entries(self, board_id: int) -> list[list[Any]]:
        live, who, _ = self._keys(board_id)
        pipe = self._client().pipeline(transaction=False)
        pipe.zrangebyscore(live, time.time() - self._ttl(), "+inf")
        pipe.hgetall(who)
        alive, info = await pipe.execute()
        return [orjson.loads(info[conn]) for conn in alive if conn in info]

    async def claim_window(self, board_id: int, seconds: float) -> bool:
        _, _, window = self._keys(board_id)
        return bool(await self._client().set(window, b"1", nx=True, px=int(seconds * 1000)))


@cache
def _store_for(redis_url: str) -> PresenceStore:
    return RedisPresence(redis_url) if redis_url else MemoryPresence()


def presence_store() -> PresenceStore:
    return _store_for(getattr(settings, "REDIS_URL", "") or "")


def viewers_from(entries: list[list[Any]]) -> list[dict[str, Any]]:
    """One viewer per person (however many tabs), ordered by name."""
    by_key = {key: viewer for key, viewer in entries}
    return sorted(by_key.values(), key=lambda viewer: (viewer["name"].lower(), str(viewer["id"])))


def presence_html(viewers: list[dict[str, Any]]) -> str | None:
    try:
        return render_to_string(
            "realtime/_presence.html", {"viewers": viewers, "count": len(viewers)}
        )
    except Exception:
        logger.exception("Rendering the presence fragment failed")
        return None


async def presence_broadcast(board_id: int) -> None:
    """Read the board's viewers and send them, rendered once, to its group. The page
    fragment shows the count and a few avatars, so its size is bounded already."""
    viewers = viewers_from(await presence_store().entries(board_id))
    metrics.PRESENCE_VIEWERS.observe(len(viewers))
    message = {
        "type": "board.presence",
        "json": orjson.dumps(
            {
                "type": "presence",
                "viewers": viewers[:PRESENCE_VIEWERS_SENT],
                "count": len(viewers),
            }
        ).decode(),
    }
    # Board pages and wall displays show the same presence fragment.
    message["html"] = message["display_html"] = await sync_to_async(
        presence_html, thread_sensitive=False
    )(viewers)
    await get_channel_layer().group_send(board_group_name(board_id), message)


_flushes: set[asyncio.Task[None]] = set()


async def _broadcast_after(board_id: int, delay: float) -> None:
    await asyncio.sleep(delay)
    try:
        await presence_broadcast(board_id)
    except Exception:
        logger.warning("Presence broadcast for board %s failed", board_id, exc_info=True)


async def presence_changed(board_id: int) -> None:
    """Someone joined or left: broadcast within about a second, at most once a second."""
    if await presence_store().claim_window(board_id, COALESCE_SECONDS):
        # Read a little after the window closes, so every change that found the
        # window taken is already written.
        task = asyncio.create_task(_broadcast_after(board_id, COALESCE_SECONDS + 0.05))
        _flushes.add(task)
        task.add_done_callback(_flushes.discard)
