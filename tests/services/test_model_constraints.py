"""The database refuses impossible rows even when a service is bypassed."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction

from board.models import Event, Membership, Sprint, Status, Task


def insert_task(board, **fields) -> Task:
    with transaction.atomic():
        return Task.objects.create(board=board, title="T", **fields)


def test_unassigned_task_with_an_owner_is_refused(board, alice):
    with pytest.raises(IntegrityError):
        insert_task(board, status=Status.UNASSIGNED, owner=alice)


def test_in_progress_task_without_an_owner_is_refused(board):
    with pytest.raises(IntegrityError):
        insert_task(board, status=Status.IN_PROGRESS, owner=None)


def test_in_progress_task_with_an_owner_is_accepted(board, alice):
    task = insert_task(board, status=Status.IN_PROGRESS, owner=alice)

    assert task.pk is not None


@pytest.mark.parametrize("owner", [None, "alice"])
def test_done_task_may_have_an_owner_or_not(board, alice, owner):
    task = insert_task(board, status=Status.DONE, owner=alice if owner else None)

    assert task.pk is not None


def test_clearing_the_owner_of_an_in_progress_task_is_refused(board, alice):
    task = insert_task(board, status=Status.IN_PROGRESS, owner=alice)

    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.filter(pk=task.pk).update(owner=None)


def test_unknown_task_status_is_refused(board):
    with pytest.raises(IntegrityError):
        insert_task(board, status="BLOCKED")


def test_empty_task_title_is_refused(board):
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.create(board=board, title="")


def test_two_events_with_the_same_seq_on_a_board_are_refused(board):
    Event.objects.create(board=board, seq=1, kind="task.created")

    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.create(board=board, seq=1, kind="task.updated")


def test_sprint_ending_on_its_start_day_is_refused(board):
    day = datetime.date(2026, 1, 5)

    with pytest.raises(IntegrityError), transaction.atomic():
        Sprint.objects.create(board=board, name="S", start_date=day, end_date=day)


def test_unknown_membership_role_is_refused(board, outsider):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(board=board, user=outsider, role="owner")


def test_a_user_can_be_a_member_of_a_board_only_once(board, alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(board=board, user=alice, role="viewer")
