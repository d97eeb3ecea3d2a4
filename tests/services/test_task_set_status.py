from __future__ import annotations

import pytest

from board.exceptions import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    TaskAlreadyClaimed,
    ValidationFailed,
    VersionConflict,
    WipLimitReached,
)
from board.models import EventKind, Status, Task
from board.services import task_archive, task_set_status
from tests.services.helpers import event_count, fresh, last_event, wip_limit_set


def test_in_progress_task_becomes_done_and_keeps_its_owner(claimed_task, alice):
    task_set_status(actor=alice, task_id=claimed_task.pk, status=Status.DONE)

    done = fresh(claimed_task)
    assert done.status == Status.DONE
    assert done.owner == alice


def test_done_records_task_status_changed_event(claimed_task, alice):
    task_set_status(actor=alice, task_id=claimed_task.pk, status=Status.DONE)

    assert last_event(claimed_task.board).kind == EventKind.TASK_STATUS_CHANGED


def test_done_task_reopens_to_in_progress(done_task, alice):
    task_set_status(actor=alice, task_id=done_task.pk, status=Status.IN_PROGRESS)

    reopened = fresh(done_task)
    assert reopened.status == Status.IN_PROGRESS
    assert reopened.owner == alice


def test_reopening_a_done_task_without_owner_makes_the_actor_its_owner(done_task, bob):
    Task.objects.filter(pk=done_task.pk).update(owner=None)

    task_set_status(actor=bob, task_id=done_task.pk, status=Status.IN_PROGRESS)

    assert fresh(done_task).owner == bob


def test_setting_in_progress_on_unassigned_task_is_a_claim(task, bob):
    task_set_status(actor=bob, task_id=task.pk, status=Status.IN_PROGRESS)

    assert fresh(task).owner == bob
    assert last_event(task.board).kind == EventKind.TASK_CLAIMED


def test_setting_unassigned_on_own_task_is_a_release(claimed_task, alice):
    task_set_status(actor=alice, task_id=claimed_task.pk, status=Status.UNASSIGNED)

    assert fresh(claimed_task).owner is None
    assert last_event(claimed_task.board).kind == EventKind.TASK_RELEASED


def test_setting_unassigned_on_someone_elses_task_is_permission_denied(claimed_task, bob):
    with pytest.raises(PermissionDenied):
        task_set_status(actor=bob, task_id=claimed_task.pk, status=Status.UNASSIGNED)


def test_setting_in_progress_on_in_progress_task_is_already_claimed(claimed_task, bob):
    with pytest.raises(TaskAlreadyClaimed):
        task_set_status(actor=bob, task_id=claimed_task.pk, status=Status.IN_PROGRESS)


REFUSED_TRANSITIONS = [
    (Status.UNASSIGNED, Status.UNASSIGNED),
    (Status.UNASSIGNED, Status.DONE),
    (Status.DONE, Status.DONE),
    (Status.DONE, Status.UNASSIGNED),
    (Status.ARCHIVED, Status.UNASSIGNED),
    (Status.ARCHIVED, Status.IN_PROGRESS),
    (Status.ARCHIVED, Status.DONE),
    (Status.ARCHIVED, Status.ARCHIVED),
]


@pytest.mark.parametrize(("frm", "to"), REFUSED_TRANSITIONS)
def test_transition_outside_the_rules_is_invalid_transition(make_task, admin, frm, to):
    task = make_task(frm)

    with pytest.raises(InvalidTransition):
        task_set_status(actor=admin, task_id=task.pk, status=to)


@pytest.mark.parametrize(("frm", "to"), REFUSED_TRANSITIONS)
def test_refused_transition_records_no_event_and_keeps_version(make_task, admin, frm, to):
    task = make_task(frm)
    events_before = event_count(task.board)

    with pytest.raises(InvalidTransition):
        task_set_status(actor=admin, task_id=task.pk, status=to)

    assert event_count(task.board) == events_before
    assert fresh(task).version == task.version
    assert fresh(task).status == frm


@pytest.mark.parametrize("frm", [Status.UNASSIGNED, Status.IN_PROGRESS, Status.DONE])
def test_admin_archives_a_task_from_any_column(make_task, admin, frm):
    task = make_task(frm)

    task_set_status(actor=admin, task_id=task.pk, status=Status.ARCHIVED)

    assert fresh(task).status == Status.ARCHIVED
    assert last_event(task.board).kind == EventKind.TASK_ARCHIVED


@pytest.mark.parametrize("frm", [Status.UNASSIGNED, Status.IN_PROGRESS, Status.DONE])
def test_member_cannot_archive(make_task, alice, frm):
    task = make_task(frm)

    with pytest.raises(PermissionDenied):
        task_set_status(actor=alice, task_id=task.pk, status=Status.ARCHIVED)


def test_task_archive_archives_the_task(task, admin):
    task_archive(actor=admin, task_id=task.pk)

    assert fresh(task).status == Status.ARCHIVED


def test_archiving_ignores_wip_limits(board, task, admin):
    wip_limit_set(board, Status.UNASSIGNED, 0)

    task_archive(actor=admin, task_id=task.pk)

    assert fresh(task).status == Status.ARCHIVED


def test_unknown_status_is_validation_failed(task, alice):
    with pytest.raises(ValidationFailed) as refused:
        task_set_status(actor=alice, task_id=task.pk, status="BLOCKED")

    assert "status" in refused.value.fields


def test_viewer_cannot_change_status(claimed_task, viewer):
    with pytest.raises(PermissionDenied):
        task_set_status(actor=viewer, task_id=claimed_task.pk, status=Status.DONE)


def test_viewer_cannot_archive(task, viewer):
    with pytest.raises(PermissionDenied):
        task_archive(actor=viewer, task_id=task.pk)


def test_non_member_status_change_is_not_found(claimed_task, outsider):
    with pytest.raises(NotFound):
        task_set_status(actor=outsider, task_id=claimed_task.pk, status=Status.DONE)


def test_status_change_with_stale_version_is_version_conflict(claimed_task, alice):
    with pytest.raises(VersionConflict):
        task_set_status(
            actor=alice, task_id=claimed_task.pk, status=Status.DONE, expected_version=1
        )


def test_done_into_full_done_column_is_wip_limit_reached(board, make_task, alice):
    make_task(Status.DONE)
    claimed = make_task(Status.IN_PROGRESS)
    wip_limit_set(board, Status.DONE, 1)

    with pytest.raises(WipLimitReached):
        task_set_status(actor=alice, task_id=claimed.pk, status=Status.DONE)


def test_reopen_into_full_in_progress_column_is_wip_limit_reached(board, make_task, alice):
    done = make_task(Status.DONE)
    make_task(Status.IN_PROGRESS)
    wip_limit_set(board, Status.IN_PROGRESS, 1)

    with pytest.raises(WipLimitReached):
        task_set_status(actor=alice, task_id=done.pk, status=Status.IN_PROGRESS)


def test_archived_tasks_do_not_count_toward_wip_limits(board, make_task, alice):
    make_task(Status.ARCHIVED)
    wip_limit_set(board, Status.UNASSIGNED, 1)

    task = make_task()

    assert fresh(task).status == Status.UNASSIGNED
