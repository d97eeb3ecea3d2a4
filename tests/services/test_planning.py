from __future__ import annotations

import datetime

import pytest

from board.exceptions import NotFound, PermissionDenied, ValidationFailed
from board.models import EventKind, Sprint
from board.public import epic_public_state, sprint_public_state
from board.services import (
    epic_create,
    sprint_add_task,
    sprint_create,
    sprint_remove_task,
    task_create,
)
from tests.factories import BoardFactory, member_add
from tests.services.helpers import event_count, last_event

START = datetime.date(2026, 3, 2)
END = datetime.date(2026, 3, 16)


@pytest.fixture
def sprint(board, alice) -> Sprint:
    return sprint_create(
        actor=alice, board_id=board.pk, name="Sprint 1", start_date=START, end_date=END
    )


def test_sprint_create_stores_the_sprint(board, alice):
    sprint = sprint_create(
        actor=alice, board_id=board.pk, name=" Sprint 1 ", start_date=START, end_date=END
    )

    assert sprint.name == "Sprint 1"
    assert (sprint.start_date, sprint.end_date) == (START, END)


def test_sprint_create_parses_iso_dates(board, alice):
    sprint = sprint_create(
        actor=alice, board_id=board.pk, name="S", start_date="2026-03-02", end_date="2026-03-16"
    )

    assert (sprint.start_date, sprint.end_date) == (START, END)


def test_sprint_create_records_a_sprint_created_event(board, sprint):
    event = last_event(board)

    assert event.kind == EventKind.SPRINT_CREATED
    assert event.payload == sprint_public_state(sprint, task_ids=[])


def test_sprint_ending_on_its_start_day_is_validation_failed_on_end_date(board, alice):
    with pytest.raises(ValidationFailed) as refused:
        sprint_create(actor=alice, board_id=board.pk, name="S", start_date=START, end_date=START)

    assert "end_date" in refused.value.fields


def test_sprint_ending_before_it_starts_is_validation_failed_on_end_date(board, alice):
    with pytest.raises(ValidationFailed) as refused:
        sprint_create(actor=alice, board_id=board.pk, name="S", start_date=END, end_date=START)

    assert "end_date" in refused.value.fields


@pytest.mark.parametrize("field", ["start_date", "end_date"])
def test_sprint_with_a_malformed_date_is_validation_failed_on_that_field(board, alice, field):
    dates = {"start_date": START, "end_date": END, field: "soon"}

    with pytest.raises(ValidationFailed) as refused:
        sprint_create(actor=alice, board_id=board.pk, name="S", **dates)

    assert field in refused.value.fields


@pytest.mark.parametrize("name", ["", "  ", None, "x" * 121])
def test_sprint_with_a_bad_name_is_validation_failed_on_name(board, alice, name):
    with pytest.raises(ValidationFailed) as refused:
        sprint_create(actor=alice, board_id=board.pk, name=name, start_date=START, end_date=END)

    assert "name" in refused.value.fields


def test_refused_sprint_records_nothing(board, alice):
    with pytest.raises(ValidationFailed):
        sprint_create(actor=alice, board_id=board.pk, name="S", start_date=END, end_date=START)

    assert not Sprint.objects.filter(board=board).exists()
    assert event_count(board) == 0


def test_viewer_cannot_create_a_sprint(board, viewer):
    with pytest.raises(PermissionDenied):
        sprint_create(actor=viewer, board_id=board.pk, name="S", start_date=START, end_date=END)


def test_non_member_sprint_create_is_not_found(board, outsider):
    with pytest.raises(NotFound):
        sprint_create(actor=outsider, board_id=board.pk, name="S", start_date=START, end_date=END)


def test_sprint_add_task_puts_the_task_in_the_sprint(sprint, task, alice):
    sprint_add_task(actor=alice, sprint_id=sprint.pk, task_id=task.pk)

    assert list(sprint.tasks.all()) == [task]


def test_sprint_add_task_records_sprint_task_added_with_the_task_ids(board, sprint, task, alice):
    sprint_add_task(actor=alice, sprint_id=sprint.pk, task_id=task.pk)

    event = last_event(board)
    assert event.kind == EventKind.SPRINT_TASK_ADDED
    assert event.task_id == task.pk
    assert event.payload["tasks"] == [task.pk]


def test_adding_a_task_already_in_the_sprint_records_no_event(board, sprint, task, alice):
    sprint_add_task(actor=alice, sprint_id=sprint.pk, task_id=task.pk)
    events_before = event_count(board)

    sprint_add_task(actor=alice, sprint_id=sprint.pk, task_id=task.pk)

    assert event_count(board) == events_before


def test_sprint_remove_task_takes_the_task_out(board, sprint, task, alice):
    sprint_add_task(actor=alice, sprint_id=sprint.pk, task_id=task.pk)

    sprint_remove_task(actor=alice, sprint_id=sprint.pk, task_id=task.pk)

    assert not sprint.tasks.exists()
    assert last_event(board).kind == EventKind.SPRINT_TASK_REMOVED


def test_removing_a_task_not_in_the_sprint_records_no_event(board, sprint, task, alice):
    events_before = event_count(board)

    sprint_remove_task(actor=alice, sprint_id=sprint.pk, task_id=task.pk)

    assert event_count(board) == events_before


def test_adding_a_task_of_another_board_is_not_found(sprint, alice):
    other = BoardFactory()
    member_add(board=other, user=alice)
    foreign = task_create(actor=alice, board_id=other.pk, title="Elsewhere")

    with pytest.raises(NotFound):
        sprint_add_task(actor=alice, sprint_id=sprint.pk, task_id=foreign.pk)


def test_adding_to_an_unknown_sprint_is_not_found(task, alice):
    with pytest.raises(NotFound):
        sprint_add_task(actor=alice, sprint_id=999_999, task_id=task.pk)


@pytest.mark.parametrize("field", ["sprint_id", "task_id"])
def test_sprint_add_task_with_a_malformed_id_is_validation_failed(sprint, task, alice, field):
    ids = {"sprint_id": sprint.pk, "task_id": task.pk, field: "abc"}

    with pytest.raises(ValidationFailed) as refused:
        sprint_add_task(actor=alice, **ids)

    assert field in refused.value.fields


def test_viewer_cannot_add_a_task_to_a_sprint(sprint, task, viewer):
    with pytest.raises(PermissionDenied):
        sprint_add_task(actor=viewer, sprint_id=sprint.pk, task_id=task.pk)


def test_epic_create_stores_the_epic_and_records_epic_created(board, alice):
    epic = epic_create(actor=alice, board_id=board.pk, name=" Launch ", description="Big")

    assert epic.name == "Launch"
    assert last_event(board).kind == EventKind.EPIC_CREATED
    assert last_event(board).payload == epic_public_state(epic)


def test_epic_without_a_name_is_validation_failed_on_name(board, alice):
    with pytest.raises(ValidationFailed) as refused:
        epic_create(actor=alice, board_id=board.pk, name=" ")

    assert "name" in refused.value.fields


def test_viewer_cannot_create_an_epic(board, viewer):
    with pytest.raises(PermissionDenied):
        epic_create(actor=viewer, board_id=board.pk, name="Launch")


def test_non_member_epic_create_is_not_found(board, outsider):
    with pytest.raises(NotFound):
        epic_create(actor=outsider, board_id=board.pk, name="Launch")
