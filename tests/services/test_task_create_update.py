from __future__ import annotations

import datetime

import pytest

from board.exceptions import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
    VersionConflict,
    WipLimitReached,
)
from board.models import Epic, EventKind, Status, Task
from board.services import task_create, task_update
from tests.factories import BoardFactory
from tests.services.helpers import event_count, fresh, last_event, task_kinds, wip_limit_set


def test_create_makes_an_unassigned_task_created_by_the_actor(board, alice):
    task = task_create(actor=alice, board_id=board.pk, title="Plan the launch")

    created = fresh(task)
    assert created.status == Status.UNASSIGNED
    assert created.owner is None
    assert created.creator == alice
    assert created.version == 1


def test_create_records_one_task_created_event(board, alice):
    task = task_create(actor=alice, board_id=board.pk, title="Plan the launch")

    assert task_kinds(task) == [EventKind.TASK_CREATED]


def test_create_puts_the_task_at_the_bottom_of_unassigned(board, alice):
    first = task_create(actor=alice, board_id=board.pk, title="First")
    second = task_create(actor=alice, board_id=board.pk, title="Second")

    assert second.position > first.position


def test_create_trims_the_title(board, alice):
    task = task_create(actor=alice, board_id=board.pk, title="  Plan the launch \n")

    assert fresh(task).title == "Plan the launch"


def test_create_trims_the_description(board, alice):
    task = task_create(actor=alice, board_id=board.pk, title="T", description="  notes  ")

    assert fresh(task).description == "notes"


@pytest.mark.parametrize("title", ["", "   ", "\n\t", None, 42])
def test_create_without_a_title_is_validation_failed_on_title(board, alice, title):
    with pytest.raises(ValidationFailed) as refused:
        task_create(actor=alice, board_id=board.pk, title=title)

    assert "title" in refused.value.fields


def test_create_accepts_a_200_character_title(board, alice):
    task = task_create(actor=alice, board_id=board.pk, title="x" * 200)

    assert len(fresh(task).title) == 200


def test_create_refuses_a_201_character_title(board, alice):
    with pytest.raises(ValidationFailed) as refused:
        task_create(actor=alice, board_id=board.pk, title="x" * 201)

    assert "title" in refused.value.fields


def test_create_counts_the_title_length_after_trimming(board, alice):
    task = task_create(actor=alice, board_id=board.pk, title=" " + "x" * 200 + " ")

    assert fresh(task).title == "x" * 200


def test_refused_create_leaves_no_task_and_no_event(board, alice):
    with pytest.raises(ValidationFailed):
        task_create(actor=alice, board_id=board.pk, title="")

    assert not Task.objects.filter(board=board).exists()
    assert event_count(board) == 0


def test_create_refuses_non_text_description(board, alice):
    with pytest.raises(ValidationFailed) as refused:
        task_create(actor=alice, board_id=board.pk, title="T", description=["x"])

    assert "description" in refused.value.fields


def test_create_parses_an_iso_due_date(board, alice):
    task = task_create(actor=alice, board_id=board.pk, title="T", due_date="2026-12-31")

    assert fresh(task).due_date == datetime.date(2026, 12, 31)


def test_create_accepts_a_date_object_as_due_date(board, alice):
    task = task_create(
        actor=alice, board_id=board.pk, title="T", due_date=datetime.date(2026, 1, 2)
    )

    assert fresh(task).due_date == datetime.date(2026, 1, 2)


def test_a_datetime_due_date_is_stored_and_published_as_a_date(board, alice):
    task = task_create(
        actor=alice, board_id=board.pk, title="T", due_date=datetime.datetime(2026, 1, 2, 12, 0)
    )

    assert fresh(task).due_date == datetime.date(2026, 1, 2)
    assert task.events.get().payload["due_date"] == "2026-01-02"


@pytest.mark.parametrize("due_date", ["2026-02-30", "tomorrow", "31/12/2026", 20261231, ["x"]])
def test_create_with_a_bad_due_date_is_validation_failed_on_due_date(board, alice, due_date):
    with pytest.raises(ValidationFailed) as refused:
        task_create(actor=alice, board_id=board.pk, title="T", due_date=due_date)

    assert "due_date" in refused.value.fields


def test_create_with_an_epic_of_the_board_links_it(board, alice):
    epic = Epic.objects.create(board=board, name="Launch")

    task = task_create(actor=alice, board_id=board.pk, title="T", epic_id=epic.pk)

    assert fresh(task).epic == epic


def test_create_with_an_epic_of_another_board_is_validation_failed(board, alice):
    foreign = Epic.objects.create(board=BoardFactory(), name="Elsewhere")

    with pytest.raises(ValidationFailed) as refused:
        task_create(actor=alice, board_id=board.pk, title="T", epic_id=foreign.pk)

    assert "epic" in refused.value.fields


def test_create_with_a_malformed_epic_id_is_validation_failed(board, alice):
    with pytest.raises(ValidationFailed) as refused:
        task_create(actor=alice, board_id=board.pk, title="T", epic_id="launch")

    assert "epic" in refused.value.fields


def test_viewer_cannot_create(board, viewer):
    with pytest.raises(PermissionDenied):
        task_create(actor=viewer, board_id=board.pk, title="T")


def test_non_member_create_is_not_found(board, outsider):
    with pytest.raises(NotFound):
        task_create(actor=outsider, board_id=board.pk, title="T")


def test_create_on_unknown_board_is_not_found(alice):
    with pytest.raises(NotFound):
        task_create(actor=alice, board_id=999_999, title="T")


def test_create_into_full_unassigned_column_is_wip_limit_reached(board, alice):
    task_create(actor=alice, board_id=board.pk, title="First")
    wip_limit_set(board, Status.UNASSIGNED, 1)

    with pytest.raises(WipLimitReached):
        task_create(actor=alice, board_id=board.pk, title="Second")


def test_update_changes_the_title_and_bumps_the_version(task, bob):
    task_update(actor=bob, task_id=task.pk, title="  Renamed ")

    updated = fresh(task)
    assert updated.title == "Renamed"
    assert updated.version == task.version + 1


def test_update_records_one_task_updated_event(task, bob):
    task_update(actor=bob, task_id=task.pk, title="Renamed", description="More")

    assert task_kinds(task) == [EventKind.TASK_CREATED, EventKind.TASK_UPDATED]


def test_update_that_changes_nothing_records_no_event(task, bob):
    task_update(actor=bob, task_id=task.pk, title=f"  {task.title}  ")

    assert fresh(task).version == task.version
    assert task_kinds(task) == [EventKind.TASK_CREATED]


def test_update_leaves_fields_it_is_not_given(board, alice):
    task = task_create(actor=alice, board_id=board.pk, title="T", description="Keep me")

    task_update(actor=alice, task_id=task.pk, title="New")

    assert fresh(task).description == "Keep me"


def test_update_with_empty_due_date_clears_it(board, alice):
    task = task_create(actor=alice, board_id=board.pk, title="T", due_date="2026-05-01")

    task_update(actor=alice, task_id=task.pk, due_date="")

    assert fresh(task).due_date is None


def test_update_with_empty_epic_unlinks_it(board, alice):
    epic = Epic.objects.create(board=board, name="Launch")
    task = task_create(actor=alice, board_id=board.pk, title="T", epic_id=epic.pk)

    task_update(actor=alice, task_id=task.pk, epic_id=None)

    assert fresh(task).epic is None


def test_update_with_empty_title_is_validation_failed_on_title(task, alice):
    with pytest.raises(ValidationFailed) as refused:
        task_update(actor=alice, task_id=task.pk, title="  ")

    assert "title" in refused.value.fields


def test_update_with_too_long_title_is_refused(task, alice):
    with pytest.raises(ValidationFailed):
        task_update(actor=alice, task_id=task.pk, title="x" * 201)


def test_update_with_bad_due_date_is_validation_failed_on_due_date(task, alice):
    with pytest.raises(ValidationFailed) as refused:
        task_update(actor=alice, task_id=task.pk, due_date="next week")

    assert "due_date" in refused.value.fields


def test_update_with_an_epic_of_another_board_is_validation_failed(task, alice):
    foreign = Epic.objects.create(board=BoardFactory(), name="Elsewhere")

    with pytest.raises(ValidationFailed) as refused:
        task_update(actor=alice, task_id=task.pk, epic_id=foreign.pk)

    assert "epic" in refused.value.fields


def test_update_with_stale_version_is_version_conflict(task, alice):
    task_update(actor=alice, task_id=task.pk, title="First edit")

    with pytest.raises(VersionConflict):
        task_update(actor=alice, task_id=task.pk, title="Second", expected_version=task.version)


def test_version_conflict_carries_the_current_task(task, alice):
    task_update(actor=alice, task_id=task.pk, title="First edit")

    with pytest.raises(VersionConflict) as refused:
        task_update(actor=alice, task_id=task.pk, title="Second", expected_version=task.version)

    assert refused.value.task.title == "First edit"


def test_update_of_archived_task_is_invalid_transition(archived_task, admin):
    with pytest.raises(InvalidTransition):
        task_update(actor=admin, task_id=archived_task.pk, title="Renamed")


def test_viewer_cannot_update(task, viewer):
    with pytest.raises(PermissionDenied):
        task_update(actor=viewer, task_id=task.pk, title="Renamed")


def test_non_member_update_is_not_found(task, outsider):
    with pytest.raises(NotFound):
        task_update(actor=outsider, task_id=task.pk, title="Renamed")


def test_update_event_payload_shows_the_new_title(task, alice):
    task_update(actor=alice, task_id=task.pk, title="Renamed")

    assert last_event(task.board).payload["title"] == "Renamed"


@pytest.mark.parametrize(
    ("field", "value"), [("title", "nul\x00byte"), ("description", "lone \ud800 surrogate")]
)
def test_text_postgresql_cannot_store_is_refused_on_its_field(board, alice, field, value):
    fields = {"title": "Fine", field: value}
    with pytest.raises(ValidationFailed) as refused:
        task_create(actor=alice, board_id=board.pk, **fields)

    assert field in refused.value.fields


def test_a_stale_edit_of_other_fields_is_merged(task, alice, bob):
    opened_at = task.version
    task_update(actor=bob, task_id=task.pk, title="Bob's title")

    merged = task_update(
        actor=alice,
        task_id=task.pk,
        expected_version=opened_at,
        title=task.title,  # sent as it was, as a form sends every field
        description="Alice's description",
    )

    assert (merged.title, merged.description) == ("Bob's title", "Alice's description")


def test_a_stale_edit_of_the_same_field_is_refused_whole_naming_it(task, alice, bob):
    opened_at = task.version
    task_update(actor=bob, task_id=task.pk, title="Bob's title")

    with pytest.raises(VersionConflict) as refused:
        task_update(
            actor=alice,
            task_id=task.pk,
            expected_version=opened_at,
            title="Alice's title",
            description="Alice's description",
        )

    assert list(refused.value.fields) == ["title"]
    assert refused.value.task.title == "Bob's title"
    fresh = Task.objects.get(pk=task.pk)
    assert (fresh.title, fresh.description) == ("Bob's title", "")


def test_a_stale_edit_that_agrees_with_the_other_is_no_conflict(task, alice, bob):
    opened_at = task.version
    task_update(actor=bob, task_id=task.pk, title="Same idea")

    same = task_update(actor=alice, task_id=task.pk, expected_version=opened_at, title="Same idea")

    assert same.version == opened_at + 1


def test_a_stale_edit_of_the_due_date_and_epic_merges_like_text(task, alice, bob):
    epic = Epic.objects.create(board=task.board, name="Launch")
    opened_at = task.version
    task_update(actor=bob, task_id=task.pk, epic_id=epic.pk)

    merged = task_update(
        actor=alice, task_id=task.pk, expected_version=opened_at, epic_id="", due_date="2026-12-31"
    )

    assert (merged.epic_id, merged.due_date.isoformat()) == (epic.pk, "2026-12-31")
