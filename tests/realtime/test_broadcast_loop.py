"""A write's broadcast is sent by the event loop, after the database thread has moved
on (realtime.broadcast): a slow channel layer does not hold the thread, nor does the
rendering of the fragments."""

from __future__ import annotations

import asyncio

import pytest

import realtime.broadcast
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
    monkeypatch.setattr(realtime.broadcast, "event_fragment_html", lambda **_: "<p>")

    first = await asyncio.wait_for(db_run(make_task, "First"), 5)
    second = await asyncio.wait_for(db_run(make_task, "Second"), 5)
    assert layer.sent == []
    layer.open.set()
    for _ in range(100):
        if len(layer.sent) == 4:
            break
        await asyncio.sleep(0.02)

    # The JSON of each event in commit order, and the fragments in commit order.
    assert [m["seq"] for m in layer.sent if "json" in m] == [1, 2]
    assert [m["seq"] for m in layer.sent if "html" in m] == [1, 2]
    assert (first.version, second.version) == (1, 1)


async def test_the_write_does_not_wait_for_its_fragments(make_task, monkeypatch):
    layer = HeldLayer()
    layer.open.set()
    rendered, release = [], asyncio.Event()
    loop = asyncio.get_running_loop()

    def slow_fragment(*, event, **_):
        asyncio.run_coroutine_threadsafe(release.wait(), loop).result(5)
        rendered.append(event.seq)
        return "<p>"

    monkeypatch.setattr(realtime.broadcast, "get_channel_layer", lambda: layer)
    monkeypatch.setattr(realtime.broadcast, "event_fragment_html", slow_fragment)

    await asyncio.wait_for(db_run(make_task, "First"), 5)
    assert rendered == []
    release.set()
    for _ in range(100):
        if any("html" in m for m in layer.sent):
            break
        await asyncio.sleep(0.02)
    assert rendered == [1, 1]  # the page and the wall-display variants
