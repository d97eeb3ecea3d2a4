"""The conversation's actions over the JSON socket: comment_create, comment_update,
comment_delete and task_watch, acked with the comment or the watchers as their events
carry them, refused with the services' codes, and never by a closed socket."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async

from board.limits import COMMENT_MAX_LENGTH
from board.services import task_create
from board.services.comments import comment_create
from discussion.models import Comment
from tests.factories import BoardFactory, member_add
from tests.realtime.conftest import receive
from tests.realtime.test_json_actions import act, synced

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(30)]


@pytest.fixture
def task(make_task) -> Any:
    return make_task("Discuss me")


async def comments_of(task: Any) -> list[str]:
    rows = Comment.objects.filter(task=task).order_by("pk").values_list("body", flat=True)
    return await database_sync_to_async(list)(rows)


async def still_serves(comm: Any, task: Any) -> None:
    ack = await act(comm, {"type": "task_watch", "ref": "alive", "task": task.pk, "watching": True})
    assert ack["type"] == "ack"


async def test_comment_create_is_acked_with_the_comment_and_the_cards_count(connect, alice, task):
    comm = await synced(await connect(alice))

    ack = await act(comm, {"type": "comment_create", "ref": "c", "task": task.pk, "body": "*Hi*"})

    assert ack["type"] == "ack"
    assert (ack["comment"]["task"], ack["comment"]["body"]) == (task.pk, "*Hi*")
    assert (ack["comment"]["html"], ack["comment"]["comment_count"]) == ("<p><em>Hi</em></p>\n", 1)
    assert ack["comment"]["author"]["id"] == alice.pk
    event = await receive(comm)
    assert (event["seq"], event["kind"], event["own"]) == (ack["seq"], "comment.created", True)
    assert event["comment"] == ack["comment"]


async def test_comment_update_and_delete_are_acked(connect, alice, task):
    comment = await database_sync_to_async(comment_create)(
        actor=alice, task_id=task.pk, body="Frist"
    )
    comm = await synced(await connect(alice))

    edited = await act(
        comm, {"type": "comment_update", "ref": "u", "comment": comment.pk, "body": "First"}
    )
    updated = await receive(comm)
    deleted = await act(comm, {"type": "comment_delete", "ref": "d", "comment": comment.pk})
    gone = await receive(comm)

    assert (edited["type"], edited["comment"]["body"]) == ("ack", "First")
    assert edited["comment"]["edited_at"] is not None
    assert (updated["kind"], updated["comment"]) == ("comment.updated", edited["comment"])
    assert deleted["type"] == "ack"
    assert deleted["comment"] == {"id": comment.pk, "task": task.pk, "comment_count": 0}
    assert (gone["kind"], gone["seq"], gone["comment"]) == (
        "comment.deleted",
        deleted["seq"],
        deleted["comment"],
    )


async def test_task_watch_is_acked_with_the_watchers(connect, alice, bob, task):
    comm = await synced(await connect(bob))

    watched = await act(comm, {"type": "task_watch", "ref": 1, "task": task.pk, "watching": True})
    event = await receive(comm)
    again = await act(comm, {"type": "task_watch", "ref": 2, "task": task.pk, "watching": True})
    stopped = await act(comm, {"type": "task_watch", "ref": 3, "task": task.pk, "watching": False})

    assert watched["watching"] is True
    assert [w["id"] for w in watched["watchers"]["watchers"]] == [alice.pk, bob.pk]
    assert (again["seq"], again["watching"]) == (None, True)
    assert (stopped["watching"], stopped["watchers"]["task"]) == (False, task.pk)
    assert [w["id"] for w in stopped["watchers"]["watchers"]] == [alice.pk]
    assert (event["kind"], event["watchers"]) == ("watchers.changed", watched["watchers"])


async def test_a_viewer_may_watch_but_not_comment(connect, viewer, task):
    comm = await synced(await connect(viewer))

    refused = await act(comm, {"type": "comment_create", "ref": 1, "task": task.pk, "body": "x"})
    watched = await act(comm, {"type": "task_watch", "ref": 2, "task": task.pk, "watching": True})

    assert (refused["type"], refused["code"]) == ("error", "forbidden")
    assert watched["type"] == "ack"


async def test_only_the_author_edits_and_a_member_deletes_only_their_own(connect, alice, bob, task):
    comment = await database_sync_to_async(comment_create)(
        actor=alice, task_id=task.pk, body="Mine"
    )
    comm = await synced(await connect(bob))

    edit = await act(comm, {"type": "comment_update", "ref": 1, "comment": comment.pk, "body": "!"})
    delete = await act(comm, {"type": "comment_delete", "ref": 2, "comment": comment.pk})

    assert (edit["code"], delete["code"]) == ("forbidden", "forbidden")
    assert await comments_of(task) == ["Mine"]


async def test_an_admin_deletes_anyones_comment(connect, alice, admin, task):
    comment = await database_sync_to_async(comment_create)(
        actor=alice, task_id=task.pk, body="Mine"
    )
    comm = await synced(await connect(admin))

    ack = await act(comm, {"type": "comment_delete", "ref": 1, "comment": comment.pk})

    assert ack["type"] == "ack"
    assert await comments_of(task) == []


BAD_FIELDS = [
    ({"type": "comment_create", "body": "x" * (COMMENT_MAX_LENGTH + 1)}, "body"),
    ({"type": "comment_create", "body": 12}, "body"),
    ({"type": "comment_create", "body": "   "}, "body"),
    ({"type": "comment_create"}, "body"),
    ({"type": "comment_update", "comment": 0, "body": "x"}, "comment"),
    ({"type": "comment_update", "comment": "1", "body": "x"}, "comment"),
    ({"type": "comment_delete"}, "comment"),
    ({"type": "task_watch", "watching": "yes"}, "watching"),
    ({"type": "task_watch", "watching": 1}, "watching"),
    ({"type": "task_watch"}, "watching"),
]


async def test_each_bad_field_is_a_field_error_and_the_socket_stays_open(connect, alice, task):
    comm = await synced(await connect(alice))

    for n, (message, field) in enumerate(BAD_FIELDS):
        error = await act(comm, {"ref": n, "task": task.pk} | message)
        assert (error["type"], error["code"], error["field"]) == ("error", "invalid", field)

    assert await comments_of(task) == []
    await still_serves(comm, task)


async def test_a_comment_of_the_longest_length_fits_in_a_frame(connect, alice, task):
    comm = await synced(await connect(alice))
    body = "é" * COMMENT_MAX_LENGTH

    ack = await act(comm, {"type": "comment_create", "ref": 1, "task": task.pk, "body": body})

    assert ack["comment"]["body"] == body


async def test_a_task_or_comment_of_another_board_is_not_found(connect, alice, task):
    def elsewhere() -> tuple[Any, Any]:
        other = BoardFactory()
        member_add(board=other, user=alice)
        theirs = task_create(actor=alice, board_id=other.pk, title="Other board")
        return theirs, comment_create(actor=alice, task_id=theirs.pk, body="There")

    theirs, comment = await database_sync_to_async(elsewhere)()
    comm = await synced(await connect(alice))

    on_task = await act(comm, {"type": "comment_create", "ref": 1, "task": theirs.pk, "body": "x"})
    on_comment = await act(comm, {"type": "comment_delete", "ref": 2, "comment": comment.pk})
    missing = await act(comm, {"type": "comment_delete", "ref": 3, "comment": comment.pk + 99})

    assert [on_task["code"], on_comment["code"], missing["code"]] == ["not_found"] * 3
    assert on_comment["message"] == missing["message"]
    assert await comments_of(theirs) == ["There"]


async def test_a_comment_retried_with_its_key_is_posted_once(connect, alice, task):
    comm = await synced(await connect(alice))
    create = {"type": "comment_create", "task": task.pk, "body": "Once", "key": "k-comment"}

    first = await act(comm, create | {"ref": "first"})
    retry = await act(comm, create | {"ref": "retry"})
    other = await act(comm, create | {"ref": "other", "body": "Twice?"})

    assert (retry["comment"], retry["seq"], retry["replayed"]) == (
        first["comment"],
        first["seq"],
        True,
    )
    assert (other["code"], other["field"]) == ("invalid", "key")
    assert "Idempotency-Key" not in other["message"]
    assert await comments_of(task) == ["Once"]


async def test_the_snapshot_carries_each_cards_comment_count(connect, alice, task):
    await database_sync_to_async(comment_create)(actor=alice, task_id=task.pk, body="One")
    comm = await connect(alice)

    snapshot = await receive(comm)

    assert snapshot["type"] == "snapshot"
    assert [t["comment_count"] for t in snapshot["tasks"] if t["id"] == task.pk] == [1]


async def test_resume_replays_missed_comment_events_in_order(connect, alice, bob, task):
    first = await synced(await connect(alice))
    after = first.hello["seq"]
    for body in ("one", "two"):
        await database_sync_to_async(comment_create)(actor=bob, task_id=task.pk, body=body)
    comm = await connect(alice)

    await comm.send_json_to({"type": "resume", "after": after})
    events = [await receive(comm) for _ in range(2)]

    assert [e["seq"] for e in events] == [after + 1, after + 2]
    assert [(e["kind"], e["comment"]["body"]) for e in events] == [
        ("comment.created", "one"),
        ("comment.created", "two"),
    ]
    assert [e["comment"]["comment_count"] for e in events] == [1, 2]
