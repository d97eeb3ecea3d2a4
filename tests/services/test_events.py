"""Every change records one event with the board's next seq, and is broadcast only
after its transaction commits."""

from __future__ import annotations

import logging

import orjson
import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

import realtime.broadcast
from board.exceptions import TaskAlreadyClaimed
from board.models import Board, Event, EventKind, Status
from board.public import event_message, task_public_state
from board.selectors import board_snapshot
from board.services import (
    epic_create,
    task_archive,
    task_claim,
    task_create,
    task_move,
    task_release,
    task_set_status,
    task_update,
)
from board.services.events import event_record
from realtime.broadcast import event_broadcast, event_pages_messages_of
from tests.factories import BoardFactory, member_add
from tests.services.helpers import (
    board_seqs,
    cards_apply_events,
    cards_by_id,
    cards_on_board,
    event_count,
    fresh,
    last_event,
)

# name: (status the task starts in, the change made by alice or the admin)
TASK_CHANGES = {
    "update": (Status.UNASSIGNED, lambda t, a, adm: task_update(actor=a, task_id=t, title="New")),
    "claim": (Status.UNASSIGNED, lambda t, a, adm: task_claim(actor=a, task_id=t)),
    "release": (Status.IN_PROGRESS, lambda t, a, adm: task_release(actor=a, task_id=t)),
    "done": (
        Status.IN_PROGRESS,
        lambda t, a, adm: task_set_status(actor=a, task_id=t, status=Status.DONE),
    ),
    "reopen": (
        Status.DONE,
        lambda t, a, adm: task_set_status(actor=a, task_id=t, status=Status.IN_PROGRESS),
    ),
    "move_across": (
        Status.UNASSIGNED,
        lambda t, a, adm: task_move(actor=a, task_id=t, index=0, status=Status.IN_PROGRESS),
    ),
    "move_within": (Status.UNASSIGNED, lambda t, a, adm: task_move(actor=a, task_id=t, index=0)),
    "archive": (Status.DONE, lambda t, a, adm: task_archive(actor=adm, task_id=t)),
}


@pytest.fixture(params=TASK_CHANGES.values(), ids=TASK_CHANGES.keys())
def changed(request, make_task, alice, admin):
    """(events of the task before, version before, the task after) one change of each kind."""
    start, change = request.param
    make_task()  # a card above, so that moving to index 0 is a real move
    task = make_task(start)
    events_before = task.events.count()
    change(task.pk, alice, admin)
    return events_before, task.version, fresh(task)


def test_create_records_exactly_one_event(board, alice):
    task_create(actor=alice, board_id=board.pk, title="T")

    assert event_count(board) == 1


def a_history(board, alice, admin) -> list:
    """A short life of two tasks on the board."""
    first = task_create(actor=alice, board_id=board.pk, title="First")
    second = task_create(actor=alice, board_id=board.pk, title="Second")
    task_claim(actor=alice, task_id=first.pk)
    task_update(actor=alice, task_id=second.pk, description="Details")
    task_set_status(actor=alice, task_id=first.pk, status=Status.DONE)
    task_move(actor=alice, task_id=second.pk, index=0, status=Status.IN_PROGRESS)
    task_release(actor=admin, task_id=second.pk)
    task_set_status(actor=alice, task_id=first.pk, status=Status.IN_PROGRESS)
    task_archive(actor=admin, task_id=second.pk)
    return [first, second]


def test_each_change_records_exactly_one_event_for_the_task(changed):
    events_before, _, after = changed

    assert after.events.count() == events_before + 1


def test_event_payload_is_the_tasks_public_state_after_the_change(changed):
    _, _, after = changed

    assert last_event(after.board).payload == task_public_state(after)


def test_each_change_bumps_the_version_by_one(changed):
    _, version_before, after = changed

    assert after.version == version_before + 1


def test_task_version_equals_its_number_of_events_after_each_kind_of_change(changed):
    _, _, after = changed

    assert after.version == after.events.count()


def test_event_records_the_actor(task, bob):
    task_claim(actor=bob, task_id=task.pk)

    assert last_event(task.board).actor == bob


def test_seqs_run_from_1_without_gaps(board, alice, admin):
    a_history(board, alice, admin)

    seqs = board_seqs(board)
    assert seqs == list(range(1, len(seqs) + 1))


def test_board_last_seq_is_the_number_of_events(board, alice, admin):
    a_history(board, alice, admin)

    assert Board.objects.get(pk=board.pk).last_seq == event_count(board)


def test_refused_changes_leave_no_gap_in_the_sequence(board, alice, bob):
    task = task_create(actor=alice, board_id=board.pk, title="T")
    task_claim(actor=alice, task_id=task.pk)
    with pytest.raises(TaskAlreadyClaimed):
        task_claim(actor=bob, task_id=task.pk)
    task_set_status(actor=alice, task_id=task.pk, status=Status.DONE)

    assert board_seqs(board) == [1, 2, 3]


def test_task_version_equals_its_number_of_events(board, alice, admin):
    tasks = a_history(board, alice, admin)

    assert [fresh(t).version for t in tasks] == [t.events.count() for t in tasks]


def test_two_boards_have_independent_sequences(board, alice, admin):
    other = BoardFactory()
    member_add(board=other, user=alice)
    task_create(actor=alice, board_id=board.pk, title="Here")
    task_create(actor=alice, board_id=other.pk, title="There")
    task_create(actor=alice, board_id=board.pk, title="Here again")

    assert (board_seqs(board), board_seqs(other)) == ([1, 2], [1])


def test_non_task_events_share_the_boards_sequence(board, alice):
    task_create(actor=alice, board_id=board.pk, title="T")
    epic_create(actor=alice, board_id=board.pk, name="Launch")

    assert last_event(board).seq == 2
    assert last_event(board).task is None


def test_event_of_an_anonymous_actor_has_no_actor(board):
    event = event_record(
        board=board, kind=EventKind.EPIC_CREATED, actor=AnonymousUser(), payload={}
    )

    assert event.actor is None


def test_replaying_events_on_an_old_snapshot_gives_a_fresh_snapshot(board, alice, admin):
    task_create(actor=alice, board_id=board.pk, title="Already there")
    before = board_snapshot(board=board)
    a_history(board, alice, admin)
    cards = cards_by_id(before)

    cards_apply_events(cards, list(Event.objects.filter(board=board, seq__gt=before.seq)))

    assert cards_on_board(cards) == cards_by_id(board_snapshot(board=board))


def test_replaying_events_twice_is_harmless(board, alice, admin):
    before = board_snapshot(board=board)
    a_history(board, alice, admin)
    events = list(Event.objects.filter(board=board, seq__gt=before.seq))
    cards = cards_by_id(before)

    cards_apply_events(cards, events)
    cards_apply_events(cards, events)

    assert cards_on_board(cards) == cards_by_id(board_snapshot(board=board))


def test_broadcast_is_registered_on_commit_not_sent_during_the_service(
    task, bob, broadcasts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        task_claim(actor=bob, task_id=task.pk)

    assert broadcasts == []
    for callback in callbacks:
        callback()
    assert broadcasts == [last_event(task.board)]


def test_commit_broadcasts_the_recorded_event(
    task, bob, broadcasts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        task_claim(actor=bob, task_id=task.pk)

    assert broadcasts == [last_event(task.board)]


def test_each_change_is_broadcast_once_in_seq_order(
    board, alice, admin, broadcasts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        a_history(board, alice, admin)

    assert [event.seq for event in broadcasts] == board_seqs(board)


def test_rolled_back_change_is_neither_recorded_nor_broadcast(
    task, bob, broadcasts, django_capture_on_commit_callbacks
):
    events_before = event_count(task.board)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        task_claim(actor=bob, task_id=task.pk)
        raise RuntimeError("the outer transaction fails")

    assert callbacks == []
    assert broadcasts == []
    assert event_count(task.board) == events_before


def test_rolled_back_change_leaves_task_and_last_seq_as_they_were(task, bob):
    last_seq = Board.objects.get(pk=task.board_id).last_seq

    with pytest.raises(RuntimeError), transaction.atomic():
        task_claim(actor=bob, task_id=task.pk)
        raise RuntimeError("the outer transaction fails")

    assert fresh(task).status == Status.UNASSIGNED
    assert fresh(task).version == task.version
    assert Board.objects.get(pk=task.board_id).last_seq == last_seq


def test_refused_change_registers_no_broadcast(
    claimed_task, bob, broadcasts, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(TaskAlreadyClaimed),
    ):
        task_claim(actor=bob, task_id=claimed_task.pk)

    assert callbacks == []
    assert broadcasts == []


class RecordingLayer:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict]] = []

    async def group_send(self, group: str, message: dict) -> None:
        self.sent.append((group, message))


class FailingLayer:
    def __init__(self) -> None:
        self.attempts = 0

    async def group_send(self, group: str, message: dict) -> None:
        self.attempts += 1
        raise ConnectionError("channel layer is down")


@pytest.fixture
def layer_use(monkeypatch):
    """Make `event_broadcast` send through `layer`, with a fixed HTML fragment so only
    the layer can fail."""

    def use(layer) -> None:
        monkeypatch.setattr(realtime.broadcast, "get_channel_layer", lambda: layer)
        monkeypatch.setattr(realtime.broadcast, "event_fragment_html", lambda *, event, **_: "<p>")

    return use


def test_broadcast_sends_one_json_message_to_the_boards_group(task, layer_use):
    layer = RecordingLayer()
    layer_use(layer)
    event = last_event(task.board)

    event_broadcast(event=event)

    [(group, message)] = layer.sent
    assert group == f"board.{task.board_id}"
    assert (message["type"], message["seq"]) == ("board.event", event.seq)
    sent, expected = orjson.loads(message["json"]), event_message(event)
    assert {key: sent[key] for key in expected} == expected
    # The fragments are rendered by the hubs that have pages (realtime.hub).
    assert "html" not in message and "display_html" not in message


def test_the_pages_message_of_a_logged_event_is_its_fragments(task, layer_use):
    layer_use(RecordingLayer())
    event = last_event(task.board)

    [message] = event_pages_messages_of(
        board_id=task.board_id, origins={event.seq: "o", event.seq + 1: None}
    )

    assert (message["type"], message["seq"], message["origin"]) == ("board.event", event.seq, "o")
    assert (message["html"], message["display_html"]) == ("<p>", "<p>")
    assert event_pages_messages_of(board_id=task.board_id, origins={event.seq + 1: None}) == []


def test_the_pages_messages_of_many_events_cost_the_queries_of_one(task, alice, layer_use):
    """A hub that heals a batch of events renders them in one database call whose
    queries do not grow with the batch."""
    layer_use(RecordingLayer())
    for title in ("One", "Two", "Three", "Four"):
        task_update(actor=alice, task_id=task.pk, title=title)
    last = last_event(task.board).seq

    def queries(seqs: list[int]) -> int:
        with CaptureQueriesContext(connection) as captured:
            messages = event_pages_messages_of(board_id=task.board_id, origins=dict.fromkeys(seqs))
        assert [m["seq"] for m in messages] == seqs
        return len(captured.captured_queries)

    assert queries(list(range(last - 3, last + 1))) == queries([last])


def test_broadcast_through_a_failing_layer_retries_once_and_does_not_raise(task, layer_use):
    layer = FailingLayer()
    layer_use(layer)

    event_broadcast(event=last_event(task.board))

    # The JSON message twice (a retry on a fresh connection), then it gives up: the
    # hubs' heartbeat delivers the event from the log.
    assert layer.attempts == 2


def test_broadcast_through_a_failing_layer_is_logged(task, layer_use, caplog):
    layer_use(FailingLayer())
    event = last_event(task.board)

    with caplog.at_level(logging.ERROR, logger="realtime.broadcast"):
        event_broadcast(event=event)

    [record] = caplog.records
    assert record.getMessage() == f"Broadcast of event {event.board_id}#{event.seq} failed"
    assert record.exc_info[0] is ConnectionError


def test_service_succeeds_when_the_broadcast_fails(
    task, bob, layer_use, django_capture_on_commit_callbacks
):
    layer_use(FailingLayer())

    with django_capture_on_commit_callbacks(execute=True):
        claimed = task_claim(actor=bob, task_id=task.pk)

    assert claimed.owner == bob
    assert fresh(task).status == Status.IN_PROGRESS


def test_broadcast_without_a_channel_layer_does_nothing(task, layer_use):
    layer_use(None)

    event_broadcast(event=last_event(task.board))
