"""A board's hub renders an event's page fragments once, only where pages watch:
the broadcast carries JSON only (realtime.broadcast, realtime.hub)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from channels.db import database_sync_to_async

import realtime.broadcast
import realtime.hub
from tests.realtime.conftest import receive

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(30)]


async def caught_up(comm: Any) -> Any:
    """A JSON socket that resumed from its hello: what follows comes live."""
    await comm.send_json_to({"type": "resume", "after": comm.hello["seq"]})
    return comm


async def next_event_frame(comm: Any) -> str:
    while True:
        frame = await comm.receive_from(timeout=3)
        if 'id="board-seq"' in frame and "data-refresh" not in frame:
            return frame


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, bool]]:
    """(seq, display) of every fragment rendered; seq 3 fails to render."""
    rendered: list[tuple[int, bool]] = []
    real = realtime.broadcast.event_fragment_html

    def counting(*, event: Any, display: bool = False, **kwargs: Any) -> str:
        rendered.append((event.seq, display))
        if event.seq == 3:
            raise ValueError("a template bug")
        return real(event=event, display=display, **kwargs)

    monkeypatch.setattr(realtime.broadcast, "event_fragment_html", counting)
    return rendered


async def test_a_board_watched_only_by_json_sockets_renders_no_fragment(
    connect, alice, make_task, renders
):
    comm = await caught_up(await connect(alice))
    await database_sync_to_async(make_task)("No page watches")
    event = await receive(comm)
    assert (event["type"], event["seq"]) == ("event", 1)
    assert renders == []


@pytest.mark.postgres  # SQLite's in-memory test database locks the hub's reads out
async def test_a_page_gets_each_event_rendered_once_and_a_broken_one_costs_only_itself(
    connect, page_socket, alice, bob, make_task, renders
):
    # Seq 1 comes before the page: its resume replays it, so what follows comes live
    # (a write racing the resume would be rendered by the replay as well).
    await database_sync_to_async(make_task)("Before the page")
    json_socket = await caught_up(await connect(alice))
    page = await page_socket(bob)
    await page.send_json_to({"type": "resume", "after": 0})
    assert 'data-seq="1"' in await next_event_frame(page)
    renders.clear()

    for title in ("Two", "Three (its fragment fails)", "Four"):
        await database_sync_to_async(make_task)(title)

    assert [(await receive(json_socket))["seq"] for _ in range(3)] == [2, 3, 4]
    assert 'data-seq="2"' in await next_event_frame(page)
    # Seq 3 has no fragment: the page passes it by (its stream skips a None frame).
    assert 'data-seq="4"' in await next_event_frame(page)
    assert sorted(renders) == [(2, False), (2, True), (3, False), (3, True), (4, False), (4, True)]


@pytest.mark.postgres
async def test_fragments_that_failed_for_a_moment_are_rendered_at_the_next_heartbeat(
    page_socket, bob, make_task, settings, monkeypatch
):
    settings.REALTIME_HEARTBEAT_SECONDS = 0.5
    real = realtime.hub.event_pages_messages_of
    failures: list[int] = []

    def flaky(**kwargs: Any) -> Any:
        if not failures:
            failures.extend(kwargs["origins"])
            raise ConnectionError("the database went away for a moment")
        return real(**kwargs)

    monkeypatch.setattr(realtime.hub, "event_pages_messages_of", flaky)
    page = await page_socket(bob)
    # The page's snapshot first, so that the change comes live. (A resume sent before
    # the write could be answered after it, from the log, and never test the hub.)
    while "data-refresh" not in await page.receive_from(timeout=3):
        pass

    await database_sync_to_async(make_task)("The only change tonight")

    # No other change comes: the heartbeat (after the log's in-flight second) heals it.
    frame = await asyncio.wait_for(next_event_frame(page), 5)
    assert 'data-seq="1"' in frame and failures == [1]
