"""Deleting a user releases their tasks first (accounts.signals -> user_tasks_release)."""

from __future__ import annotations

from board.models import Event, EventKind, Status, Task
from board.services import user_tasks_release
from tests.services.helpers import board_seqs, fresh, task_kinds


def test_deleting_a_user_releases_their_in_progress_tasks(claimed_task, alice):
    alice.delete()

    released = fresh(claimed_task)
    assert released.status == Status.UNASSIGNED
    assert released.owner is None


def test_deleting_a_user_records_a_task_released_event_per_task(make_task, alice):
    tasks = [make_task(Status.IN_PROGRESS) for _ in range(3)]

    alice.delete()

    assert all(task_kinds(task)[-1] == EventKind.TASK_RELEASED for task in tasks)


def test_release_events_of_a_deleted_user_keep_the_sequence_gap_free(board, make_task, alice):
    make_task(Status.IN_PROGRESS)
    make_task(Status.IN_PROGRESS)

    alice.delete()

    seqs = board_seqs(board)
    assert seqs == list(range(1, len(seqs) + 1))


def test_release_events_of_a_deleted_user_lose_their_actor(claimed_task, alice):
    alice.delete()

    assert Event.objects.filter(task=claimed_task).last().actor is None


def test_deleting_a_user_leaves_their_done_tasks_done_without_owner(done_task, alice):
    alice.delete()

    assert fresh(done_task).status == Status.DONE
    assert fresh(done_task).owner is None


def test_deleting_a_user_does_not_touch_other_users_tasks(make_task, alice, bob):
    bobs = make_task(Status.IN_PROGRESS, owner=bob)

    alice.delete()

    assert fresh(bobs).owner == bob


def test_deleting_a_user_keeps_the_tasks_they_created(task, alice):
    alice.delete()

    assert fresh(task).creator is None


def test_user_tasks_release_returns_the_number_released(make_task, alice):
    make_task(Status.IN_PROGRESS)
    make_task(Status.IN_PROGRESS)
    make_task(Status.DONE)

    assert user_tasks_release(user=alice) == 2


def test_user_tasks_release_bumps_each_tasks_version(claimed_task, alice):
    user_tasks_release(user=alice)

    assert fresh(claimed_task).version == claimed_task.version + 1


def test_user_tasks_release_works_after_the_user_lost_board_access(board, claimed_task, alice):
    board.memberships.filter(user=alice).delete()

    user_tasks_release(user=alice)

    assert Task.objects.get(pk=claimed_task.pk).status == Status.UNASSIGNED
