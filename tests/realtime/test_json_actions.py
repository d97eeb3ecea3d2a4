"""Actions over the JSON socket: each answered by an ack with the event's seq, or by
an error carrying the service's code, and never by a closed socket."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from channels.db import database_sync_to_async

from board.models import Board, Epic, Status, Task
from board.services import task_claim, task_create, task_set_status
from tests.factories import BoardFactory, member_add
from tests.realtime.conftest import receive, receive_none

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(30)]


async def act(comm: Any, message: dict[str, Any]) -> dict[str, Any]:
    """Send an action and return its answer, skipping the snapshot and any events."""
    await comm.send_json_to(message)
    while True:
        reply = await receive(comm)
        if reply["type"] in ("ack", "error"):
            assert reply["ref"] == message.get("ref")
            return reply


async def synced(comm: Any) -> Any:
    assert (await receive(comm))["type"] == "snapshot"
    return comm


@pytest.fixture
def task(make_task) -> Task:
    return make_task("Write the docs")


@pytest.fixture
def claimed(board, alice) -> Task:
    task = task_create(actor=alice, board_id=board.pk, title="Claimed")
    return task_claim(actor=alice, task_id=task.pk)


async def test_claim_is_acked_with_the_event_seq_and_task(connect, alice, task):
    comm = await synced(await connect(alice))
    ack = await act(comm, {"type": "claim", "ref": "r1", "task": task.pk})
    assert ack["type"] == "ack"
    assert ack["seq"] == 2
    assert (ack["task"]["id"], ack["task"]["status"]) == (task.pk, Status.IN_PROGRESS)
    event = await receive(comm)
    assert (event["seq"], event["kind"]) == (2, "task.claimed")
    assert event["own"] is True
    assert comm.hello["connection"] not in orjson.dumps(event).decode()


async def test_release_is_acked(connect, alice, claimed):
    comm = await synced(await connect(alice))
    ack = await act(comm, {"type": "release", "ref": 7, "task": claimed.pk})
    assert (ack["type"], ack["task"]["status"], ack["task"]["owner"]) == (
        "ack",
        Status.UNASSIGNED,
        None,
    )


async def test_set_status_is_acked(connect, alice, claimed):
    comm = await synced(await connect(alice))
    ack = await act(
        comm,
        {
            "type": "set_status",
            "ref": "s",
            "task": claimed.pk,
            "status": Status.DONE,
            "expected_version": claimed.version,
        },
    )
    assert (ack["type"], ack["task"]["status"]) == ("ack", Status.DONE)


async def test_create_is_acked_with_the_new_task(connect, board, alice):
    epic = await database_sync_to_async(Epic.objects.create)(board=board, name="Launch")
    comm = await synced(await connect(alice))
    ack = await act(
        comm,
        {
            "type": "create",
            "ref": "c",
            "title": "New card",
            "description": "Details",
            "due_date": "2030-01-31",
            "epic": epic.pk,
        },
    )
    assert ack["type"] == "ack"
    assert ack["seq"] == 1
    assert (ack["task"]["title"], ack["task"]["due_date"], ack["task"]["epic"]["id"]) == (
        "New card",
        "2030-01-31",
        epic.pk,
    )


async def test_update_is_acked(connect, alice, task):
    comm = await synced(await connect(alice))
    ack = await act(
        comm, {"type": "update", "ref": "u", "task": task.pk, "title": "Renamed", "due_date": None}
    )
    assert (ack["type"], ack["task"]["title"]) == ("ack", "Renamed")


async def test_update_that_changes_nothing_is_acked_without_a_seq(connect, alice, task):
    comm = await synced(await connect(alice))
    ack = await act(comm, {"type": "update", "ref": "u", "task": task.pk, "title": task.title})
    assert (ack["type"], ack["seq"]) == ("ack", None)


async def test_move_is_acked(connect, alice, make_task):
    first = await database_sync_to_async(make_task)("first")
    second = await database_sync_to_async(make_task)("second")
    comm = await synced(await connect(alice))
    ack = await act(comm, {"type": "move", "ref": "m", "task": second.pk, "index": 0})
    assert ack["type"] == "ack"
    assert ack["task"]["position"] < first.position


async def test_move_into_another_column_is_acked(connect, alice, task):
    comm = await synced(await connect(alice))
    ack = await act(
        comm,
        {"type": "move", "ref": "m", "task": task.pk, "index": 0, "status": Status.IN_PROGRESS},
    )
    assert (ack["type"], ack["task"]["status"]) == ("ack", Status.IN_PROGRESS)


async def test_claiming_a_claimed_task_is_already_claimed(connect, bob, claimed):
    comm = await synced(await connect(bob))
    error = await act(comm, {"type": "claim", "ref": "x", "task": claimed.pk})
    assert error["code"] == "already_claimed"
    assert error["message"]
    assert error["task"]["owner"]["name"]


async def test_stale_expected_version_is_version_conflict(connect, alice, task):
    comm = await synced(await connect(alice))
    error = await act(
        comm, {"type": "claim", "ref": "x", "task": task.pk, "expected_version": task.version + 5}
    )
    assert error["code"] == "version_conflict"
    assert error["task"]["version"] == task.version


async def test_unassigned_to_done_is_invalid_transition(connect, alice, task):
    comm = await synced(await connect(alice))
    error = await act(
        comm, {"type": "set_status", "ref": "x", "task": task.pk, "status": Status.DONE}
    )
    assert error["code"] == "invalid_transition"


async def test_full_column_is_wip_limit(connect, board, alice, task):
    await database_sync_to_async(Board.objects.filter(pk=board.pk).update)(wip_limit_in_progress=0)
    comm = await synced(await connect(alice))
    error = await act(comm, {"type": "claim", "ref": "x", "task": task.pk})
    assert error["code"] == "wip_limit"


async def test_viewer_write_is_forbidden_and_the_socket_stays_open(connect, viewer, task):
    comm = await synced(await connect(viewer))
    error = await act(comm, {"type": "claim", "ref": "x", "task": task.pk})
    assert error["code"] == "forbidden"
    await comm.send_json_to({"type": "resume", "after": 1})
    await receive_none(comm)


async def test_releasing_someone_elses_task_is_forbidden(connect, bob, claimed):
    comm = await synced(await connect(bob))
    error = await act(comm, {"type": "release", "ref": "x", "task": claimed.pk})
    assert error["code"] == "forbidden"


async def test_unknown_task_is_not_found(connect, alice):
    comm = await synced(await connect(alice))
    error = await act(comm, {"type": "claim", "ref": "x", "task": 987654})
    assert error["code"] == "not_found"


async def test_task_of_another_board_is_not_found(connect, alice):
    def other_task() -> Task:
        other = BoardFactory()
        member_add(board=other, user=alice)
        return task_create(actor=alice, board_id=other.pk, title="Elsewhere")

    task = await database_sync_to_async(other_task)()
    comm = await synced(await connect(alice))
    error = await act(comm, {"type": "claim", "ref": "x", "task": task.pk})
    assert error["code"] == "not_found"
    assert (await database_sync_to_async(Task.objects.get)(pk=task.pk)).status == Status.UNASSIGNED


async def test_blank_title_is_invalid_and_names_the_field(connect, alice):
    comm = await synced(await connect(alice))
    error = await act(comm, {"type": "create", "ref": "x", "title": "   "})
    assert error["code"] == "invalid"
    assert error["field"] == "title"
    assert error["fields"]["title"]
    assert error["message"] == error["fields"]["title"]


async def test_unknown_status_is_invalid_and_names_the_field(connect, alice, task):
    comm = await synced(await connect(alice))
    error = await act(comm, {"type": "set_status", "ref": "x", "task": task.pk, "status": "NOPE"})
    assert (error["code"], error["field"]) == ("invalid", "status")


async def test_epic_of_another_board_is_invalid(connect, alice):
    other_epic = await database_sync_to_async(
        lambda: Epic.objects.create(board=BoardFactory(), name="Other")
    )()
    comm = await synced(await connect(alice))
    error = await act(comm, {"type": "create", "ref": "x", "title": "T", "epic": other_epic.pk})
    assert (error["code"], error["field"]) == ("invalid", "epic")


async def test_bad_due_date_is_invalid(connect, alice):
    comm = await synced(await connect(alice))
    error = await act(comm, {"type": "create", "ref": "x", "title": "T", "due_date": "soon"})
    assert (error["code"], error["field"]) == ("invalid", "due_date")


async def test_action_before_the_snapshot_gets_the_snapshot_first(connect, alice, task):
    comm = await connect(alice)
    await comm.send_json_to({"type": "claim", "ref": "r", "task": task.pk})
    assert [(await receive(comm))["type"] for _ in range(3)] == ["snapshot", "ack", "event"]


async def test_done_task_set_status_in_progress_is_acked_for_its_owner(connect, alice, claimed):
    await database_sync_to_async(task_set_status)(
        actor=alice, task_id=claimed.pk, status=Status.DONE
    )
    comm = await synced(await connect(alice))
    ack = await act(
        comm, {"type": "set_status", "ref": 1, "task": claimed.pk, "status": Status.IN_PROGRESS}
    )
    assert (ack["type"], ack["task"]["status"]) == ("ack", Status.IN_PROGRESS)


async def test_a_create_retried_with_its_key_creates_once(connect, board, alice):
    """A client that lost the ack (a dropped connection) retries with the same key."""
    comm = await synced(await connect(alice))
    create = {"type": "create", "title": "Once", "key": "5f0c2a1e-retry"}
    first = await act(comm, create | {"ref": "first"})
    retry = await act(comm, create | {"ref": "retry"})
    assert first["type"] == retry["type"] == "ack"
    assert (retry["task"]["id"], retry["seq"], retry["replayed"]) == (
        first["task"]["id"],
        first["seq"],
        True,
    )
    assert "replayed" not in first
    count = await database_sync_to_async(Task.objects.filter(board=board, title="Once").count)()
    assert count == 1


async def test_a_key_used_for_another_action_is_refused(connect, board, alice):
    comm = await synced(await connect(alice))
    await act(comm, {"type": "create", "ref": 1, "title": "A", "key": "k-1"})
    reply = await act(comm, {"type": "create", "ref": 2, "title": "B", "key": "k-1"})
    assert (reply["type"], reply["code"]) == ("error", "invalid")


async def test_a_malformed_key_is_a_field_error(connect, alice):
    comm = await synced(await connect(alice))
    reply = await act(comm, {"type": "create", "ref": 1, "title": "A", "key": "has space"})
    assert (reply["type"], reply["code"], reply["field"]) == ("error", "invalid", "key")
