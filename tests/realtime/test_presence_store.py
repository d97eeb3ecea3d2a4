"""Presence stores: heartbeats, leaving, purging a crashed worker's connections, and
the one-second broadcast window."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from django.conf import settings

from realtime.presence import MemoryPresence, RedisPresence, viewers_from

pytestmark = pytest.mark.timeout(30)


def alice() -> list[Any]:
    return ["user:1", {"id": 1, "name": "Alice", "initials": "A"}]


def bob() -> list[Any]:
    return ["user:2", {"id": 2, "name": "bob", "initials": "B"}]


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def store(request: pytest.FixtureRequest) -> Any:
    if request.param == "memory":
        yield MemoryPresence(ttl=0.5)
        return
    redis_store = RedisPresence(settings.REDIS_URL, ttl=0.5)
    yield redis_store
    await redis_store._client().aclose()


@pytest.fixture
def board_id() -> int:
    # Redis is shared with other runs: a board id nobody else uses.
    return uuid.uuid4().int % 10**12 + 10**12


async def test_viewers_are_one_per_person_sorted_by_name(store, board_id):
    await store.heartbeat(board_id, "c1", bob())
    await store.heartbeat(board_id, "c2", alice())
    await store.heartbeat(board_id, "c3", alice())
    viewers = viewers_from(await store.entries(board_id))
    assert [viewer["name"] for viewer in viewers] == ["Alice", "bob"]


async def test_leaving_removes_only_that_connection(store, board_id):
    await store.heartbeat(board_id, "c1", alice())
    await store.heartbeat(board_id, "c2", alice())
    await store.leave(board_id, "c1")
    assert len(await store.entries(board_id)) == 1
    await store.leave(board_id, "c2")
    assert await store.entries(board_id) == []


async def test_a_crashed_workers_connections_are_purged_by_a_survivor(store, board_id):
    await store.heartbeat(board_id, "crashed", bob())
    await asyncio.sleep(0.7)
    assert viewers_from(await store.entries(board_id)) == []
    purged = await store.heartbeat(board_id, "survivor", alice())
    assert purged is True
    assert [v["name"] for v in viewers_from(await store.entries(board_id))] == ["Alice"]


async def test_a_heartbeat_with_nothing_stale_purges_nothing(store, board_id):
    await store.heartbeat(board_id, "c1", alice())
    assert await store.heartbeat(board_id, "c1", alice()) is False


async def test_only_one_broadcast_window_at_a_time(store, board_id):
    assert await store.claim_window(board_id, 0.3) is True
    assert await store.claim_window(board_id, 0.3) is False
    await asyncio.sleep(0.4)
    assert await store.claim_window(board_id, 0.3) is True


async def test_one_heartbeat_marks_many_connections(store, board_id):
    await store.heartbeat_many(board_id, {"c1": alice(), "c2": bob()})
    assert [v["name"] for v in viewers_from(await store.entries(board_id))] == ["Alice", "bob"]
