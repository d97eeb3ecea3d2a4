from __future__ import annotations

import itertools

import pytest

from board.exceptions import (
    InvalidTransition,
    PermissionDenied,
    ValidationFailed,
    VersionConflict,
    WipLimitReached,
)
from board.models import Event, EventKind, Status
from board.selectors import board_snapshot
from board.services import task_move
from board.services._tasks_common import POSITION_STEP
from tests.services.helpers import (
    cards_apply_events,
    cards_by_id,
    column_order,
    event_count,
    fresh,
    last_event,
    task_kinds,
    wip_limit_set,
)


@pytest.fixture
def column(make_task) -> list:
    """Three unassigned tasks, top to bottom."""
    return [make_task(title=name) for name in ("A", "B", "C")]


def unassigned_order(board) -> list[int]:
    snapshot = board_snapshot(board=board)
    return [card["id"] for card in snapshot.columns[0].tasks]


def test_move_to_index_0_puts_the_task_on_top(board, column, alice):
    a, b, c = column

    task_move(actor=alice, task_id=c.pk, index=0)

    assert unassigned_order(board) == [c.pk, a.pk, b.pk]


def test_move_to_a_middle_index_puts_the_task_between_its_neighbours(board, column, alice):
    a, b, c = column

    task_move(actor=alice, task_id=a.pk, index=1)

    assert unassigned_order(board) == [b.pk, a.pk, c.pk]


def test_move_past_the_end_puts_the_task_at_the_bottom(board, column, alice):
    a, b, c = column

    task_move(actor=alice, task_id=a.pk, index=99)

    assert unassigned_order(board) == [b.pk, c.pk, a.pk]


def test_reorder_records_one_task_moved_event(column, alice):
    a = column[0]

    task_move(actor=alice, task_id=a.pk, index=2)

    assert task_kinds(a) == [EventKind.TASK_CREATED, EventKind.TASK_MOVED]


def test_reorder_bumps_the_version(column, alice):
    a = column[0]

    moved = task_move(actor=alice, task_id=a.pk, index=2)

    assert moved.version == a.version + 1


def test_move_to_the_place_it_already_has_records_no_event(board, column, alice):
    events_before = event_count(board)

    task_move(actor=alice, task_id=column[1].pk, index=1)

    assert event_count(board) == events_before


def test_move_of_the_only_task_in_its_column_to_index_0_records_no_event(task, alice):
    events_before = event_count(task.board)

    task_move(actor=alice, task_id=task.pk, index=0)

    assert event_count(task.board) == events_before


def test_move_into_in_progress_claims_the_task(task, bob):
    task_move(actor=bob, task_id=task.pk, index=0, status=Status.IN_PROGRESS)

    moved = fresh(task)
    assert moved.status == Status.IN_PROGRESS
    assert moved.owner == bob
    assert last_event(task.board).kind == EventKind.TASK_CLAIMED


def test_move_across_columns_records_exactly_one_event(task, bob):
    events_before = event_count(task.board)

    task_move(actor=bob, task_id=task.pk, index=0, status=Status.IN_PROGRESS)

    assert event_count(task.board) == events_before + 1


def test_move_into_in_progress_lands_at_the_index(make_task, bob):
    top = make_task(Status.IN_PROGRESS)
    task = make_task()

    task_move(actor=bob, task_id=task.pk, index=0, status=Status.IN_PROGRESS)

    assert fresh(task).position < top.position


def test_move_into_done_marks_the_task_done(claimed_task, alice):
    task_move(actor=alice, task_id=claimed_task.pk, index=0, status=Status.DONE)

    assert fresh(claimed_task).status == Status.DONE
    assert last_event(claimed_task.board).kind == EventKind.TASK_STATUS_CHANGED


def test_move_of_own_task_back_to_unassigned_releases_it(claimed_task, alice):
    task_move(actor=alice, task_id=claimed_task.pk, index=0, status=Status.UNASSIGNED)

    assert fresh(claimed_task).owner is None
    assert last_event(claimed_task.board).kind == EventKind.TASK_RELEASED


def test_move_of_someone_elses_task_to_unassigned_is_permission_denied(claimed_task, bob):
    with pytest.raises(PermissionDenied):
        task_move(actor=bob, task_id=claimed_task.pk, index=0, status=Status.UNASSIGNED)


def test_reorder_of_someone_elses_in_progress_task_keeps_its_owner(make_task, alice, bob):
    first = make_task(Status.IN_PROGRESS)
    second = make_task(Status.IN_PROGRESS)

    task_move(actor=bob, task_id=second.pk, index=0)

    assert fresh(second).owner == alice
    assert fresh(second).position < first.position


def test_move_from_unassigned_to_done_is_invalid_transition(task, alice):
    with pytest.raises(InvalidTransition):
        task_move(actor=alice, task_id=task.pk, index=0, status=Status.DONE)


def test_move_from_done_to_unassigned_is_invalid_transition(done_task, alice):
    with pytest.raises(InvalidTransition):
        task_move(actor=alice, task_id=done_task.pk, index=0, status=Status.UNASSIGNED)


def test_move_into_archived_is_validation_failed(task, admin):
    with pytest.raises(ValidationFailed) as refused:
        task_move(actor=admin, task_id=task.pk, index=0, status=Status.ARCHIVED)

    assert "status" in refused.value.fields


@pytest.mark.parametrize("status", [Status.UNASSIGNED, None])
def test_move_of_an_archived_task_is_invalid_transition(archived_task, admin, status):
    with pytest.raises(InvalidTransition):
        task_move(actor=admin, task_id=archived_task.pk, index=0, status=status)


@pytest.mark.parametrize("index", [-1, "1", 1.0, None, True])
def test_move_with_a_bad_index_is_validation_failed_on_index(task, alice, index):
    with pytest.raises(ValidationFailed) as refused:
        task_move(actor=alice, task_id=task.pk, index=index)

    assert "index" in refused.value.fields


def test_move_with_stale_version_is_version_conflict(column, alice):
    with pytest.raises(VersionConflict):
        task_move(actor=alice, task_id=column[0].pk, index=2, expected_version=99)


def test_move_into_a_full_column_is_wip_limit_reached(board, make_task, bob):
    make_task(Status.IN_PROGRESS)
    task = make_task()
    wip_limit_set(board, Status.IN_PROGRESS, 1)

    with pytest.raises(WipLimitReached):
        task_move(actor=bob, task_id=task.pk, index=0, status=Status.IN_PROGRESS)


def test_reorder_within_a_full_column_is_allowed(board, column, alice):
    wip_limit_set(board, Status.UNASSIGNED, 3)

    task_move(actor=alice, task_id=column[2].pk, index=0)

    assert unassigned_order(board)[0] == column[2].pk


def test_viewer_cannot_move(column, viewer):
    with pytest.raises(PermissionDenied):
        task_move(actor=viewer, task_id=column[0].pk, index=2)


def test_moves_into_a_gap_with_no_room_respace_the_column(board, column, alice):
    expected = [task.pk for task in column]
    for _ in range(15):
        bottom = expected.pop()
        expected.insert(1, bottom)
        task_move(actor=alice, task_id=bottom, index=1)

    assert unassigned_order(board) == expected


def test_respacing_leaves_the_column_evenly_spaced_again(board, column, alice):
    for _ in range(15):
        task_move(actor=alice, task_id=unassigned_order(board)[-1], index=1)

    positions = [card["position"] for card in board_snapshot(board=board).columns[0].tasks]
    assert all(b - a >= 2 for a, b in itertools.pairwise(positions))


def test_respacing_records_a_task_moved_event_for_each_shifted_card(board, column, alice):
    for _ in range(15):
        task_move(actor=alice, task_id=unassigned_order(board)[-1], index=1)

    respaced = Event.objects.filter(board=board, kind=EventKind.TASK_MOVED).count()
    assert respaced > 15


def test_replaying_move_events_on_an_old_snapshot_gives_the_current_order(board, column, alice):
    before = board_snapshot(board=board)
    for _ in range(15):
        task_move(actor=alice, task_id=unassigned_order(board)[-1], index=1)
    cards = cards_by_id(before)

    cards_apply_events(cards, list(Event.objects.filter(board=board, seq__gt=before.seq)))

    assert column_order(cards, Status.UNASSIGNED) == unassigned_order(board)
    assert cards == cards_by_id(board_snapshot(board=board))


def test_first_position_in_an_empty_column_is_one_step(task, bob):
    task_move(actor=bob, task_id=task.pk, index=0, status=Status.IN_PROGRESS)

    assert fresh(task).position == POSITION_STEP
