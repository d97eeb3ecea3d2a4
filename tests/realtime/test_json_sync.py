"""The JSON socket's stream: hello, then a snapshot or a resume, then every event once
and in order, whatever the channel layer does."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from board.models import Board, Event, Status
from board.public import task_public_state
from board.services import task_claim, task_update
from realtime.broadcast import event_json
from realtime.groups import board_group_name
from tests.realtime.conftest import receive, receive_none

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(30)]


async def test_hello_describes_board_seq_and_you(connect, board, alice, make_task):
    await database_sync_to_async(make_task)()
    hello = (await connect(alice)).hello
    assert hello["protocol"] == 1
    assert hello["board"]["id"] == board.pk
    assert hello["seq"] == 1
    assert (hello["you"]["id"], hello["you"]["role"], hello["you"]["read_only"]) == (
        alice.pk,
        "member",
        False,
    )
    assert hello["connection"].startswith("c_")


async def test_viewer_is_told_the_socket_is_read_only(connect, viewer):
    hello = (await connect(viewer)).hello
    assert (hello["you"]["role"], hello["you"]["read_only"]) == ("viewer", True)


async def test_snapshot_follows_hello_by_default(connect, board, alice, make_task):
    task = await database_sync_to_async(make_task)("First")
    comm = await connect(alice)
    snapshot = await receive(comm)
    assert snapshot["type"] == "snapshot"
    assert snapshot["seq"] == 1
    assert [t["id"] for t in snapshot["tasks"]] == [task.pk]
    assert snapshot["tasks"][0]["title"] == "First"
    unassigned = snapshot["columns"][0]
    assert (unassigned["status"], unassigned["count"], unassigned["tasks"]) == (
        Status.UNASSIGNED,
        1,
        [task.pk],
    )


async def test_resume_sent_first_replaces_the_snapshot(connect, alice, make_task):
    for n in range(3):
        await database_sync_to_async(make_task)(f"T{n}")
    comm = await connect(alice)
    await comm.send_json_to({"type": "resume", "after": 1})
    first, second = await receive(comm), await receive(comm)
    assert (first["type"], first["seq"]) == ("event", 2)
    assert (second["type"], second["seq"]) == ("event", 3)
    assert first["own"] is False
    await receive_none(comm, timeout=0.5)


async def test_resume_when_up_to_date_sends_nothing(connect, alice, make_task):
    await database_sync_to_async(make_task)()
    comm = await connect(alice)
    await comm.send_json_to({"type": "resume", "after": 1})
    await receive_none(comm, timeout=0.5)


async def test_resume_beyond_the_replay_window_sends_a_snapshot(
    connect, alice, make_task, settings
):
    settings.EVENT_REPLAY_LIMIT = 2
    for n in range(5):
        await database_sync_to_async(make_task)(f"T{n}")
    comm = await connect(alice)
    await comm.send_json_to({"type": "resume", "after": 1})
    snapshot = await receive(comm)
    assert (snapshot["type"], snapshot["seq"]) == ("snapshot", 5)
    assert len(snapshot["tasks"]) == 5


async def test_resume_after_a_trimmed_log_sends_a_snapshot(connect, board, alice, make_task):
    for n in range(3):
        await database_sync_to_async(make_task)(f"T{n}")
    await database_sync_to_async(lambda: Event.objects.filter(seq__lte=2).delete())()
    comm = await connect(alice)
    await comm.send_json_to({"type": "resume", "after": 0})
    assert (await receive(comm))["type"] == "snapshot"


async def test_resume_from_the_future_sends_a_snapshot(connect, alice, make_task):
    await database_sync_to_async(make_task)()
    comm = await connect(alice)
    await comm.send_json_to({"type": "resume", "after": 50})
    snapshot = await receive(comm)
    assert (snapshot["type"], snapshot["seq"]) == ("snapshot", 1)


async def test_live_event_follows_the_snapshot(connect, alice, make_task):
    task = await database_sync_to_async(make_task)()
    comm = await connect(alice)
    assert (await receive(comm))["type"] == "snapshot"
    await database_sync_to_async(task_claim)(actor=alice, task_id=task.pk)
    event = await receive(comm)
    assert (event["type"], event["seq"], event["kind"]) == ("event", 2, "task.claimed")
    assert event["task"]["owner"]["id"] == alice.pk
    assert event["actor"]["id"] == alice.pk
    assert event["at"]


async def test_events_during_the_resume_window_come_after_the_snapshot(
    connect, alice, make_task, settings
):
    settings.REALTIME_RESUME_WINDOW = 0.5
    comm = await connect(alice)
    await database_sync_to_async(make_task)()
    snapshot = await receive(comm)
    assert (snapshot["type"], snapshot["seq"]) == ("snapshot", 1)
    await receive_none(comm, timeout=0.3)


async def _send_raw(board: Board, seq: int) -> None:
    """Deliver the stored event `seq` through the group, as the broadcast would."""
    event = await database_sync_to_async(
        lambda: Event.objects.select_related("actor").get(board=board, seq=seq)
    )()
    message = {"type": "board.event", "seq": seq, "json": event_json(event), "html": ""}
    await get_channel_layer().group_send(board_group_name(board.pk), message)


async def test_duplicate_deliveries_reach_the_client_once(connect, board, alice, make_task):
    comm = await connect(alice)
    assert (await receive(comm))["type"] == "snapshot"
    await database_sync_to_async(make_task)()
    assert (await receive(comm))["seq"] == 1
    await _send_raw(board, 1)
    await receive_none(comm)


async def test_out_of_order_deliveries_reach_the_client_in_order(
    connect, board, alice, make_task, monkeypatch
):
    comm = await connect(alice)
    assert (await receive(comm))["type"] == "snapshot"
    monkeypatch.setattr("realtime.broadcast.get_channel_layer", lambda: None)
    await database_sync_to_async(make_task)("A")
    await database_sync_to_async(make_task)("B")
    await _send_raw(board, 2)
    await _send_raw(board, 1)
    assert [(await receive(comm))["seq"] for _ in range(2)] == [1, 2]
    await receive_none(comm)


async def test_a_lost_delivery_is_filled_from_the_log(
    connect, board, alice, make_task, monkeypatch, settings
):
    settings.REALTIME_GAP_GRACE = 0.1
    comm = await connect(alice)
    assert (await receive(comm))["type"] == "snapshot"
    monkeypatch.setattr("realtime.broadcast.get_channel_layer", lambda: None)
    await database_sync_to_async(make_task)("lost")
    await database_sync_to_async(make_task)("delivered")
    await _send_raw(board, 2)
    first, second = await receive(comm), await receive(comm)
    assert (first["seq"], first["task"]["title"]) == (1, "lost")
    assert (second["seq"], second["task"]["title"]) == (2, "delivered")


async def test_event_carries_the_full_task_state(connect, alice, make_task):
    task = await database_sync_to_async(make_task)()
    comm = await connect(alice)
    await receive(comm)
    task = await database_sync_to_async(task_update)(actor=alice, task_id=task.pk, title="New")
    event = await receive(comm)
    state = await database_sync_to_async(task_public_state)(task)
    assert event["task"] == state
