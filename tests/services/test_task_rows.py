"""The hot path's written-out statements (board.services._task_rows, event_record)
give what the ORM gives, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction

from board.models import Epic, Event, Role, Status, Task
from board.services import task_update
from board.services._task_rows import task_lock, task_row_save
from board.services.events import event_record

pytestmark = pytest.mark.django_db


def _fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_a_locked_task_is_the_orms_with_its_people_and_epic(board, alice, make_task):
    task = make_task(Status.IN_PROGRESS)
    epic = Epic.objects.create(board=board, name="Launch")
    task_update(actor=alice, task_id=task.pk, epic_id=epic.pk, due_date="2026-12-31")
    expected = Task.objects.select_related("owner", "creator", "epic").get(pk=task.pk)

    with transaction.atomic():
        locked, role = task_lock(task_id=task.pk, user_id=alice.pk)

    assert role == Role.MEMBER
    assert _fields(locked) == _fields(expected)
    assert locked.due_date == datetime.date(2026, 12, 31)
    assert isinstance(locked.updated_at, datetime.datetime)
    for name in ("owner", "creator", "epic"):
        assert _fields(getattr(locked, name)) == _fields(getattr(expected, name))
    assert locked._state.adding is False


def test_a_task_without_owner_or_epic_has_none_and_a_missing_task_is_none(make_task):
    task = make_task()
    with transaction.atomic():
        locked, role = task_lock(task_id=task.pk, user_id=None)
        assert task_lock(task_id=task.pk + 1000, user_id=None) == (None, None)
    assert (locked.owner, locked.epic, role) == (None, None, None)


def test_a_saved_row_is_read_back_as_written(make_task):
    task = make_task()
    before = task.updated_at
    task.title, task.position, task.version = "Renamed", 4096, 7
    task_row_save(task)
    again = Task.objects.get(pk=task.pk)
    assert (again.title, again.position, again.version) == ("Renamed", 4096, 7)
    assert again.updated_at > before


def test_events_take_the_next_seqs_and_are_stored_as_returned(board, alice, make_task):
    task = make_task()
    start = board.__class__.objects.get(pk=board.pk).last_seq
    with transaction.atomic():
        events = [
            event_record(board=board, kind="task.updated", actor=alice, task=task, payload={"n": n})
            for n in range(3)
        ]
    assert [e.seq for e in events] == [start + 1, start + 2, start + 3]
    assert board.last_seq == start + 3
    stored = Event.objects.filter(pk__in=[e.pk for e in events]).order_by("seq")
    assert [(e.seq, e.payload, e.actor_id, e.task_id) for e in stored] == [
        (start + n + 1, {"n": n}, alice.pk, task.pk) for n in range(3)
    ]
