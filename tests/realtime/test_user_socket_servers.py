"""The bell across workers: a change through worker A reaches the bell of a page
whose own socket is on worker B (the person's group is on the shared Redis)."""

from __future__ import annotations

import asyncio
import re
import secrets

import pytest
from channels.db import database_sync_to_async
from websockets.asyncio.client import connect

from board.services import task_create
from board.services.comments import task_watch
from tests.realtime.servers import session_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(60),
]

BELL_COUNT = re.compile(r'class="bell-count">(\d+)<')


async def test_a_claim_through_worker_a_bumps_the_watchers_bell_on_worker_b(
    start_servers, board, alice, bob
):
    task = await database_sync_to_async(task_create)(actor=alice, board_id=board.pk, title="T")
    await database_sync_to_async(task_watch)(actor=bob, task_id=task.pk, watching=True)
    server_a, server_b = start_servers(2)
    alice_cookie = await database_sync_to_async(session_for)(alice)
    bob_cookie = await database_sync_to_async(session_for)(bob)
    async with connect(
        server_b.ws_url("/ws/me/"),
        additional_headers={"Cookie": bob_cookie},
        origin=f"http://127.0.0.1:{server_b.port}",
        proxy=None,
        open_timeout=10,
    ) as bell:
        first = await asyncio.wait_for(bell.recv(), 10)
        assert 'id="notification-bell"' in first and not BELL_COUNT.search(first)

        status = await asyncio.to_thread(
            server_a.post,
            f"/tasks/{task.pk}/claim/",
            cookie=alice_cookie,
            csrf=secrets.token_hex(16),
        )
        assert status == 200
        bumped = await asyncio.wait_for(bell.recv(), 10)
        assert BELL_COUNT.search(bumped).group(1) == "1"
