"""The board page's htmx socket: HTML fragments rendered once per event, catch-up by
`resume`, and a whole-board refresh when the gap cannot be replayed."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest
from channels.db import database_sync_to_async

from board.services import task_claim
from tests.factories import member_add

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(30),
    pytest.mark.usefixtures("fake_fragments"),
]


async def receive_html(comm: Any, *, timeout: float = 3) -> str:
    """The next frame that is not the presence fragment."""
    while True:
        frame = await comm.receive_from(timeout=timeout)
        if 'id="presence"' not in frame:
            return frame


async def test_page_resume_replays_missed_events_as_fragments(page_socket, alice, make_task):
    for n in range(3):
        await database_sync_to_async(make_task)(f"T{n}")
    comm = await page_socket(alice)
    await comm.send_json_to({"type": "resume", "after": 1})
    assert await receive_html(comm) == "<event seq=2 kind=task.created>"
    assert await receive_html(comm) == "<event seq=3 kind=task.created>"


async def test_page_resume_accepts_the_seq_as_a_string(page_socket, alice, make_task):
    await database_sync_to_async(make_task)()
    comm = await page_socket(alice)
    await comm.send_json_to({"type": "resume", "after": "0"})
    assert await receive_html(comm) == "<event seq=1 kind=task.created>"


async def test_page_gets_a_board_refresh_when_the_gap_is_too_large(
    page_socket, alice, make_task, settings
):
    settings.EVENT_REPLAY_LIMIT = 2
    for n in range(4):
        await database_sync_to_async(make_task)(f"T{n}")
    comm = await page_socket(alice)
    await comm.send_json_to({"type": "resume", "after": 0})
    assert await receive_html(comm) == "<refresh seq=4>"


async def test_page_that_never_resumes_gets_a_board_refresh(page_socket, alice, make_task):
    await database_sync_to_async(make_task)()
    comm = await page_socket(alice)
    assert await receive_html(comm) == "<refresh seq=1>"


async def test_page_receives_the_broadcast_fragment_of_each_event(page_socket, alice, make_task):
    task = await database_sync_to_async(make_task)()
    comm = await page_socket(alice)
    await comm.send_json_to({"type": "resume", "after": 1})
    await database_sync_to_async(task_claim)(actor=alice, task_id=task.pk)
    assert await receive_html(comm) == "<event seq=2 kind=task.claimed>"


async def test_page_socket_ignores_anything_but_resume(page_socket, alice, make_task):
    await database_sync_to_async(make_task)()
    comm = await page_socket(alice)
    await comm.send_to(text_data="not json")
    await comm.send_to(bytes_data=b"\x00\x01")
    await comm.send_json_to({"type": "claim", "task": 1, "HEADERS": {"HX-Request": "true"}})
    await comm.send_json_to({"type": "resume", "after": "²"})
    await comm.send_json_to({"type": "resume", "after": "9" * 5000})
    await comm.send_json_to({"type": "resume", "after": 0})
    assert await receive_html(comm) == "<event seq=1 kind=task.created>"


async def test_page_shows_presence_of_every_viewer(page_socket, alice, bob):
    first = await page_socket(alice)
    await page_socket(bob)
    while True:
        frame = await first.receive_from(timeout=4)
        if 'id="presence"' in frame and bob.initials in frame:
            break
    assert alice.initials in frame
    assert "hx-swap-oob" in frame


async def presence_until(comm: Any, count: int, *, timeout: float = 6) -> list[dict[str, Any]]:
    """The presence messages the JSON socket receives, up to the first with `count`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    received = []
    while not received or received[-1]["count"] != count:
        frame = await comm.receive_from(timeout=max(0.01, deadline - loop.time()))
        message = orjson.loads(frame)
        if message["type"] == "presence":
            received.append(message)
    return received


async def test_json_socket_sees_presence_with_names(connect, alice, bob):
    first = await connect(alice)
    await connect(bob)
    presence = (await presence_until(first, 2))[-1]
    assert sorted(viewer["id"] for viewer in presence["viewers"]) == sorted([alice.pk, bob.pk])
    assert {viewer["initials"] for viewer in presence["viewers"]} == {alice.initials, bob.initials}


async def test_tabs_of_one_person_count_once(page_socket, connect, alice, bob):
    first = await connect(alice)
    await page_socket(alice)
    await connect(alice)
    await connect(bob)
    presence = (await presence_until(first, 2))[-1]
    assert sorted(viewer["id"] for viewer in presence["viewers"]) == sorted([alice.pk, bob.pk])


async def test_leaving_updates_presence(connect, alice, bob, open_sockets):
    first = await connect(alice)
    second = await connect(bob)
    await presence_until(first, 2)
    open_sockets.remove(second)
    await second.disconnect()
    assert (await presence_until(first, 1))[-1]["viewers"][0]["id"] == alice.pk


async def test_presence_is_coalesced_to_one_message_a_second(board, connect):
    users = await database_sync_to_async(lambda: [member_add(board=board) for _ in range(15)])()
    first = await connect(users[0])
    started = asyncio.get_running_loop().time()
    for user in users[1:]:
        await connect(user)
    received = await presence_until(first, 15)
    elapsed = asyncio.get_running_loop().time() - started
    # Fifteen arrivals, yet at most one presence message per second (plus the first).
    assert len(received) <= elapsed + 1


def fragment_failing_for_broken_titles(*, event: Any, **_: Any) -> str:
    if event.payload["title"] == "broken":
        raise ValueError("template bug")
    return f"<event seq={event.seq} kind={event.kind}>"


async def test_page_replay_skips_a_fragment_that_fails_to_render(
    page_socket, alice, make_task, monkeypatch
):
    monkeypatch.setattr(
        "realtime.broadcast.event_fragment_html", fragment_failing_for_broken_titles
    )
    await database_sync_to_async(make_task)("broken")
    await database_sync_to_async(make_task)("fine")
    comm = await page_socket(alice)
    await comm.send_json_to({"type": "resume", "after": 0})
    assert await receive_html(comm) == "<event seq=2 kind=task.created>"


async def test_page_gets_later_events_after_a_fragment_failed_to_render(
    page_socket, alice, make_task, monkeypatch
):
    monkeypatch.setattr(
        "realtime.broadcast.event_fragment_html", fragment_failing_for_broken_titles
    )
    comm = await page_socket(alice)
    await comm.send_json_to({"type": "resume", "after": 0})
    await database_sync_to_async(make_task)("broken")
    await database_sync_to_async(make_task)("fine")
    assert await receive_html(comm) == "<event seq=2 kind=task.created>"
