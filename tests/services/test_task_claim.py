from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from board.exceptions import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    TaskAlreadyClaimed,
    ValidationFailed,
    VersionConflict,
    WipLimitReached,
)
from board.models import EventKind, Status
from board.services import task_claim
from tests.services.helpers import event_count, fresh, last_event, wip_limit_set


def test_claim_moves_unassigned_task_to_in_progress_owned_by_actor(task, bob):
    task_claim(actor=bob, task_id=task.pk)

    claimed = fresh(task)
    assert claimed.status == Status.IN_PROGRESS
    assert claimed.owner == bob


def test_claim_records_task_claimed_event(task, bob):
    task_claim(actor=bob, task_id=task.pk)

    event = last_event(task.board)
    assert event.kind == EventKind.TASK_CLAIMED
    assert event.actor == bob
    assert event.task_id == task.pk


def test_claim_puts_task_at_bottom_of_in_progress_column(make_task, bob):
    first = make_task(Status.IN_PROGRESS)
    task = make_task()

    task_claim(actor=bob, task_id=task.pk)

    assert fresh(task).position > first.position


def test_claim_of_task_in_progress_raises_task_already_claimed(claimed_task, bob):
    with pytest.raises(TaskAlreadyClaimed) as refused:
        task_claim(actor=bob, task_id=claimed_task.pk)

    assert claimed_task.owner.display_name in refused.value.message


def test_claim_of_own_task_in_progress_raises_task_already_claimed(claimed_task, alice):
    with pytest.raises(TaskAlreadyClaimed) as refused:
        task_claim(actor=alice, task_id=claimed_task.pk)

    assert refused.value.message == "You have already claimed this task."


def test_claim_already_claimed_wins_over_stale_version(claimed_task, bob):
    with pytest.raises(TaskAlreadyClaimed):
        task_claim(actor=bob, task_id=claimed_task.pk, expected_version=1)


def test_already_claimed_error_carries_current_task(claimed_task, bob):
    with pytest.raises(TaskAlreadyClaimed) as refused:
        task_claim(actor=bob, task_id=claimed_task.pk)

    assert refused.value.task.version == claimed_task.version


def test_claim_refused_leaves_task_and_events_unchanged(claimed_task, bob):
    events_before = event_count(claimed_task.board)

    with pytest.raises(TaskAlreadyClaimed):
        task_claim(actor=bob, task_id=claimed_task.pk)

    assert fresh(claimed_task).owner_id == claimed_task.owner_id
    assert fresh(claimed_task).version == claimed_task.version
    assert event_count(claimed_task.board) == events_before


def test_claim_of_done_task_is_invalid_transition(done_task, bob):
    with pytest.raises(InvalidTransition):
        task_claim(actor=bob, task_id=done_task.pk)


def test_claim_of_archived_task_is_invalid_transition(archived_task, bob):
    with pytest.raises(InvalidTransition):
        task_claim(actor=bob, task_id=archived_task.pk)


def test_claim_by_viewer_is_permission_denied(task, viewer):
    with pytest.raises(PermissionDenied):
        task_claim(actor=viewer, task_id=task.pk)


def test_claim_by_non_member_is_not_found(task, outsider):
    with pytest.raises(NotFound):
        task_claim(actor=outsider, task_id=task.pk)


def test_claim_by_anonymous_user_is_not_found(task):
    with pytest.raises(NotFound):
        task_claim(actor=AnonymousUser(), task_id=task.pk)


def test_claim_of_unknown_task_is_not_found(alice):
    with pytest.raises(NotFound):
        task_claim(actor=alice, task_id=999_999)


@pytest.mark.parametrize("task_id", ["abc", None, 1.5, True])
def test_claim_with_malformed_task_id_is_validation_failed(alice, task_id):
    with pytest.raises(ValidationFailed) as refused:
        task_claim(actor=alice, task_id=task_id)

    assert "task_id" in refused.value.fields


def test_claim_accepts_task_id_as_digit_string(task, bob):
    task_claim(actor=bob, task_id=str(task.pk))

    assert fresh(task).owner == bob


def test_claim_with_stale_version_is_version_conflict(task, bob):
    with pytest.raises(VersionConflict):
        task_claim(actor=bob, task_id=task.pk, expected_version=task.version + 1)


def test_claim_with_current_version_succeeds(task, bob):
    claimed = task_claim(actor=bob, task_id=task.pk, expected_version=task.version)

    assert claimed.version == task.version + 1


def test_claim_into_full_in_progress_column_is_wip_limit_reached(board, make_task, bob):
    make_task(Status.IN_PROGRESS)
    wip_limit_set(board, Status.IN_PROGRESS, 1)
    task = make_task()

    with pytest.raises(WipLimitReached):
        task_claim(actor=bob, task_id=task.pk)


def test_claim_below_wip_limit_succeeds(board, make_task, bob):
    make_task(Status.IN_PROGRESS)
    wip_limit_set(board, Status.IN_PROGRESS, 2)
    task = make_task()

    task_claim(actor=bob, task_id=task.pk)

    assert fresh(task).status == Status.IN_PROGRESS
