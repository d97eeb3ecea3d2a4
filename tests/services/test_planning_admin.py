"""board/services/planning_admin.py (written for the API's sprint and epic CRUD)."""

from __future__ import annotations

import datetime

import pytest

from board.exceptions import NotFound, PermissionDenied, ValidationFailed
from board.models import Epic, Event, EventKind, Sprint, Task
from board.public import epic_public_state, sprint_public_state, task_public_state
from board.services import (
    epic_create,
    epic_delete,
    epic_update,
    sprint_add_task,
    sprint_create,
    sprint_delete,
    sprint_update,
    task_create,
)

pytestmark = pytest.mark.django_db

START = datetime.date(2026, 3, 2)
END = datetime.date(2026, 3, 16)


def last_event(board) -> Event:
    return Event.objects.filter(board=board).order_by("-seq").first()


@pytest.fixture
def sprint(board, alice) -> Sprint:
    return sprint_create(actor=alice, board_id=board.pk, name="S1", start_date=START, end_date=END)


@pytest.fixture
def epic(board, alice) -> Epic:
    return epic_create(actor=alice, board_id=board.pk, name="Login")


def test_sprint_update_saves_and_records_sprint_updated(board, alice, sprint):
    updated = sprint_update(actor=alice, sprint_id=sprint.pk, name=" S one ", end_date="2026-03-20")

    event = last_event(board)
    assert (updated.name, updated.end_date) == ("S one", datetime.date(2026, 3, 20))
    assert event.kind == EventKind.SPRINT_UPDATED
    assert event.payload == sprint_public_state(updated, task_ids=[])


def test_sprint_update_that_changes_nothing_records_no_event(board, alice, sprint):
    seq = board.__class__.objects.get(pk=board.pk).last_seq

    sprint_update(actor=alice, sprint_id=sprint.pk, name="S1")

    assert last_event(board).seq == seq


def test_sprint_update_checks_the_dates_together(alice, sprint):
    with pytest.raises(ValidationFailed) as refused:
        sprint_update(actor=alice, sprint_id=sprint.pk, start_date="2026-03-16")

    assert "end_date" in refused.value.fields


def test_sprint_update_by_a_viewer_is_refused(viewer, sprint):
    with pytest.raises(PermissionDenied):
        sprint_update(actor=viewer, sprint_id=sprint.pk, name="X")


def test_sprint_update_by_a_non_member_is_not_found(outsider, sprint):
    with pytest.raises(NotFound):
        sprint_update(actor=outsider, sprint_id=sprint.pk, name="X")


def test_sprint_delete_records_the_sprint_as_it_was(board, alice, admin, sprint, task):
    sprint_add_task(actor=alice, sprint_id=sprint.pk, task_id=task.pk)
    before = sprint_public_state(sprint, task_ids=[task.pk])

    sprint_delete(actor=admin, sprint_id=sprint.pk)

    event = last_event(board)
    assert not Sprint.objects.filter(pk=before["id"]).exists()
    assert (event.kind, event.payload) == (EventKind.SPRINT_DELETED, before)


def test_sprint_delete_is_for_admins(alice, sprint):
    with pytest.raises(PermissionDenied):
        sprint_delete(actor=alice, sprint_id=sprint.pk)


def test_sprint_delete_of_an_unknown_sprint_is_not_found(admin):
    with pytest.raises(NotFound):
        sprint_delete(actor=admin, sprint_id=987654)


def test_epic_rename_saves_each_task_with_a_new_version_and_event(board, alice, epic):
    task = task_create(actor=alice, board_id=board.pk, title="T", epic_id=epic.pk)

    epic_update(actor=alice, epic_id=epic.pk, name="Sign-in")

    fresh = Task.objects.select_related("epic", "owner", "creator").get(pk=task.pk)
    kinds = list(Event.objects.filter(board=board).order_by("seq").values_list("kind", flat=True))
    assert fresh.version == task.version + 1
    assert kinds[-2:] == [EventKind.EPIC_UPDATED, EventKind.TASK_UPDATED]
    assert last_event(board).payload == task_public_state(fresh)


def test_epic_description_change_leaves_its_tasks_alone(board, alice, epic):
    task = task_create(actor=alice, board_id=board.pk, title="T", epic_id=epic.pk)

    epic_update(actor=alice, epic_id=epic.pk, description="Why")

    assert Task.objects.get(pk=task.pk).version == task.version
    assert last_event(board).payload == epic_public_state(Epic.objects.get(pk=epic.pk))


def test_epic_delete_clears_the_epic_from_its_tasks_with_events(board, alice, admin, epic):
    task = task_create(actor=alice, board_id=board.pk, title="T", epic_id=epic.pk)
    before = epic_public_state(epic)

    epic_delete(actor=admin, epic_id=epic.pk)

    fresh = Task.objects.get(pk=task.pk)
    kinds = list(Event.objects.filter(board=board).order_by("seq").values_list("kind", flat=True))
    assert fresh.epic is None and fresh.version == task.version + 1
    assert kinds[-2:] == [EventKind.TASK_UPDATED, EventKind.EPIC_DELETED]
    assert last_event(board).payload == before


def test_epic_delete_is_for_admins(alice, epic):
    with pytest.raises(PermissionDenied):
        epic_delete(actor=alice, epic_id=epic.pk)


def test_epic_update_with_a_blank_name_is_validation_failed(alice, epic):
    with pytest.raises(ValidationFailed):
        epic_update(actor=alice, epic_id=epic.pk, name=" ")


def test_a_malformed_id_is_validation_failed(alice):
    with pytest.raises(ValidationFailed):
        epic_update(actor=alice, epic_id="abc", name="X")
