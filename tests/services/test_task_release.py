from __future__ import annotations

import pytest

from board.exceptions import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    VersionConflict,
    WipLimitReached,
)
from board.models import EventKind, Status
from board.services import task_release
from tests.services.helpers import event_count, fresh, last_event, wip_limit_set


def test_owner_releases_task_to_unassigned_without_owner(claimed_task, alice):
    task_release(actor=alice, task_id=claimed_task.pk)

    released = fresh(claimed_task)
    assert released.status == Status.UNASSIGNED
    assert released.owner is None


def test_release_records_task_released_event(claimed_task, alice):
    task_release(actor=alice, task_id=claimed_task.pk)

    assert last_event(claimed_task.board).kind == EventKind.TASK_RELEASED


def test_admin_releases_someone_elses_task(claimed_task, admin):
    task_release(actor=admin, task_id=claimed_task.pk)

    assert fresh(claimed_task).status == Status.UNASSIGNED


def test_member_cannot_release_someone_elses_task(claimed_task, bob):
    with pytest.raises(PermissionDenied):
        task_release(actor=bob, task_id=claimed_task.pk)


def test_refused_release_leaves_task_with_its_owner(claimed_task, bob, alice):
    events_before = event_count(claimed_task.board)

    with pytest.raises(PermissionDenied):
        task_release(actor=bob, task_id=claimed_task.pk)

    assert fresh(claimed_task).owner == alice
    assert event_count(claimed_task.board) == events_before


def test_viewer_cannot_release(claimed_task, viewer):
    with pytest.raises(PermissionDenied):
        task_release(actor=viewer, task_id=claimed_task.pk)


def test_non_member_release_is_not_found(claimed_task, outsider):
    with pytest.raises(NotFound):
        task_release(actor=outsider, task_id=claimed_task.pk)


def test_release_of_unassigned_task_is_invalid_transition(task, alice):
    with pytest.raises(InvalidTransition):
        task_release(actor=alice, task_id=task.pk)


def test_release_of_done_task_is_invalid_transition(done_task, alice):
    with pytest.raises(InvalidTransition):
        task_release(actor=alice, task_id=done_task.pk)


def test_release_of_archived_task_is_invalid_transition(archived_task, admin):
    with pytest.raises(InvalidTransition):
        task_release(actor=admin, task_id=archived_task.pk)


def test_release_with_stale_version_is_version_conflict(claimed_task, alice):
    with pytest.raises(VersionConflict):
        task_release(actor=alice, task_id=claimed_task.pk, expected_version=1)


def test_release_into_full_unassigned_column_is_wip_limit_reached(board, make_task, alice):
    claimed = make_task(Status.IN_PROGRESS)
    make_task()
    wip_limit_set(board, Status.UNASSIGNED, 1)

    with pytest.raises(WipLimitReached):
        task_release(actor=alice, task_id=claimed.pk)


def test_release_puts_task_at_bottom_of_unassigned_column(make_task, alice):
    claimed = make_task(Status.IN_PROGRESS)
    waiting = make_task()

    task_release(actor=alice, task_id=claimed.pk)

    assert fresh(claimed).position > waiting.position
