"""A write's broadcast is sent by the event loop, after the database thread has moved
on (realtime.broadcast): a slow channel layer does not hold the thread, nor does the
rendering of the fragments."""

from __future__ import annotations

import asyncio

import pytest

import realtime.broadcast
import realtime.control
from board.services import board_archive
from realtime.db_threads import db_run

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(20)]


class HeldLayer:
    """A channel layer whose sends wait until the test lets them through."""

    def __init__(self) -> None:
        self.open = asyncio.Event()
        self.sent: list[dict] = []

    async def group_send(self, group: str, message: dict) -> None:
        await self.open.wait()
        self.sent.append(message)


async def test_the_write_returns_before_its_broadcast_is_sent(make_task, monkeypatch):
    layer = HeldLayer()
    monkeypatch.setattr(realtime.broadcast, "get_channel_layer", lambda: layer)

    first = await asyncio.wait_for(db_run(make_task, "First"), 5)
    second = await asyncio.wait_for(db_run(make_task, "Second"), 5)
    assert layer.sent == []
    layer.open.set()
    for _ in range(100):
        if len(layer.sent) == 2:
            break
        await asyncio.sleep(0.02)

    # Each event's JSON, in commit order.
    assert [m["seq"] for m in layer.sent] == [1, 2]
    assert (first.version, second.version) == (1, 1)


async def test_a_write_sends_one_message_and_renders_no_fragment(make_task, monkeypatch):
    """The fragments are the hubs' work, where pages watch (realtime.hub)."""
    layer = HeldLayer()
    layer.open.set()
    rendered: list[int] = []

    def fragment(*, event, **_):
        rendered.append(event.seq)
        return "<p>"

    monkeypatch.setattr(realtime.broadcast, "get_channel_layer", lambda: layer)
    monkeypatch.setattr(realtime.broadcast, "event_fragment_html", fragment)

    await asyncio.wait_for(db_run(make_task, "First"), 5)
    for _ in range(100):
        if layer.sent:
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.1)
    assert [sorted(m) for m in layer.sent] == [["committed_at", "json", "origin", "seq", "type"]]
    assert rendered == []


async def test_control_messages_go_after_the_events_without_holding_the_thread(
    board, admin, monkeypatch
):
    """An archived board's sockets close after they have the archiving event: the
    close (realtime.control) goes through the same queue, after the event."""
    layer = HeldLayer()
    monkeypatch.setattr(realtime.broadcast, "get_channel_layer", lambda: layer)
    monkeypatch.setattr(realtime.control, "get_channel_layer", lambda: layer)

    await asyncio.wait_for(db_run(board_archive, actor=admin, board_id=board.pk), 5)
    assert layer.sent == []
    layer.open.set()
    for _ in range(100):
        if len(layer.sent) == 2:
            break
        await asyncio.sleep(0.02)

    assert [(m["type"], m["seq"]) for m in layer.sent] == [("board.event", 1), ("board.closed", 1)]
