from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from board.models import COLUMN_STATUSES, Epic, Event, EventKind, Role, Status, Task
from board.public import task_public_state
from board.selectors import (
    board_column_counts,
    board_for_member,
    board_snapshot,
    boards_for_user,
    events_after,
    sprint_progress_percent,
    task_for_member,
    task_history,
)
from board.services import task_update
from tests.factories import BoardFactory, member_add
from tests.services.helpers import board_seqs, fresh, wip_limit_set


def tasks_insert(board, owner, count: int) -> None:
    """Rows straight into the table (fast): cards with owners, creators and epics."""
    epic = Epic.objects.create(board=board, name="Epic")
    statuses = [Status.UNASSIGNED, Status.IN_PROGRESS, Status.DONE, Status.ARCHIVED]
    start = Task.objects.filter(board=board).count()
    Task.objects.bulk_create(
        Task(
            board=board,
            title=f"Task {n}",
            status=statuses[n % 4],
            owner=None if statuses[n % 4] == Status.UNASSIGNED else owner,
            creator=owner,
            epic=epic if n % 2 else None,
            position=n * 1024,
        )
        for n in range(start, start + count)
    )


def snapshot_query_count(board) -> int:
    with CaptureQueriesContext(connection) as queries:
        board_snapshot(board=board)
    return len(queries)


def test_board_snapshot_query_count_does_not_grow_with_the_number_of_tasks(board, alice):
    tasks_insert(board, alice, 5)
    few = snapshot_query_count(board)
    tasks_insert(board, alice, 495)

    assert snapshot_query_count(board) == few


def test_board_snapshot_reads_the_boards_last_seq(board, make_task):
    make_task(Status.DONE)

    assert board_snapshot(board=board).seq == board_seqs(board)[-1]


def test_board_snapshot_has_one_column_per_status_in_board_order(board, make_task):
    assert [column.status for column in board_snapshot(board=board).columns] == list(
        COLUMN_STATUSES
    )


def test_board_snapshot_leaves_out_archived_tasks(board, make_task):
    make_task(Status.ARCHIVED)
    kept = make_task()

    cards = [card for column in board_snapshot(board=board).columns for card in column.tasks]

    assert [card["id"] for card in cards] == [kept.pk]


def test_board_snapshot_cards_are_the_tasks_public_state(board, make_task):
    task = make_task(Status.IN_PROGRESS)

    [column] = [c for c in board_snapshot(board=board).columns if c.status == Status.IN_PROGRESS]

    assert column.tasks == [task_public_state(fresh(task))]


def test_board_snapshot_orders_cards_by_position(board, make_task):
    first, second = make_task(title="First"), make_task(title="Second")
    Task.objects.filter(pk=first.pk).update(position=second.position + 1)

    cards = board_snapshot(board=board).columns[0].tasks

    assert [card["id"] for card in cards] == [second.pk, first.pk]


def test_board_snapshot_column_shows_its_count_and_wip_limit(board, make_task):
    make_task()
    make_task()
    wip_limit_set(board, Status.UNASSIGNED, 2)
    board.refresh_from_db()

    column = board_snapshot(board=board).columns[0]

    assert (column.count, column.wip_limit, column.at_limit, column.over_limit) == (
        2,
        2,
        True,
        False,
    )


def test_board_column_counts_count_tasks_per_column(board, make_task):
    make_task()
    make_task(Status.DONE)
    make_task(Status.DONE)
    make_task(Status.ARCHIVED)

    assert [column.count for column in board_column_counts(board=board)] == [1, 0, 2]


@pytest.fixture
def history(board, task, alice) -> list[Event]:
    """Five events on the board: a creation and four edits."""
    for n in range(4):
        task_update(actor=alice, task_id=task.pk, title=f"Edit {n}")
    return list(Event.objects.filter(board=board).order_by("seq"))


def test_events_after_returns_the_later_events_in_seq_order(board, history):
    assert events_after(board=board, after=2, limit=10) == history[2:]


def test_events_after_the_last_seq_is_empty(board, history):
    assert events_after(board=board, after=5, limit=10) == []


def test_events_after_returns_exactly_limit_events(board, history):
    assert events_after(board=board, after=0, limit=5) == history


def test_events_after_is_none_when_more_than_limit_events_are_missed(board, history):
    assert events_after(board=board, after=0, limit=4) is None


def test_events_after_is_none_when_the_next_event_no_longer_exists(board, history):
    Event.objects.filter(board=board, seq=3).delete()

    assert events_after(board=board, after=2, limit=10) is None


def test_events_after_ignores_other_boards(board, history, alice):
    other = BoardFactory()
    member_add(board=other, user=alice)
    Event.objects.create(board=other, seq=6, kind=EventKind.EPIC_CREATED)

    assert events_after(board=board, after=5, limit=10) == []


def test_task_history_lists_the_tasks_events_in_order(task, history):
    assert list(task_history(task=task)) == history


def test_board_for_member_returns_the_board_and_role(board, viewer):
    assert board_for_member(user=viewer, board_id=board.pk) == (board, Role.VIEWER)


def test_board_for_member_is_none_for_a_non_member(board, outsider):
    assert board_for_member(user=outsider, board_id=board.pk) is None


def test_board_for_member_is_none_for_an_anonymous_user(board):
    assert board_for_member(user=AnonymousUser(), board_id=board.pk) is None


@pytest.mark.parametrize("board_id", ["abc", None, ""])
def test_board_for_member_is_none_for_a_malformed_id(alice, board_id):
    assert board_for_member(user=alice, board_id=board_id) is None


def test_task_for_member_returns_the_task_and_role(task, alice):
    assert task_for_member(user=alice, task_id=str(task.pk)) == (task, Role.MEMBER)


def test_task_for_member_is_none_for_a_non_member(task, outsider):
    assert task_for_member(user=outsider, task_id=task.pk) is None


def test_boards_for_user_counts_open_tasks_without_archived(board, make_task, alice):
    make_task()
    make_task(Status.DONE)
    make_task(Status.ARCHIVED)

    [listed] = boards_for_user(user=alice)

    assert listed.open_tasks == 2


def test_boards_for_user_lists_only_the_users_boards(board, alice, outsider):
    assert list(boards_for_user(user=outsider)) == []


@pytest.mark.parametrize(
    ("task_count", "done_count", "percent"), [(0, 0, 0), (4, 1, 25), (3, 2, 67), (2, 2, 100)]
)
def test_sprint_progress_percent(task_count, done_count, percent):
    assert sprint_progress_percent(task_count=task_count, done_count=done_count) == percent


def test_board_snapshot_with_a_card_limit_keeps_each_columns_top_cards_and_full_count(board, alice):
    tasks_insert(board, alice, 40)
    full = board_snapshot(board=board)

    limited = board_snapshot(board=board, cards_per_column=3)

    for whole, top in zip(full.columns, limited.columns, strict=True):
        assert top.tasks == whole.tasks[:3]
        assert (top.count, top.hidden) == (whole.count, whole.count - 3)
