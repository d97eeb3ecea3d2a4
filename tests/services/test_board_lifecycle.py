"""A board's life: the sample start, settings, archive and restore, delete, leave."""

from __future__ import annotations

import pytest

from accounts.models import WorkspaceRole
from board.exceptions import BoardArchived, NotFound, PermissionDenied, ValidationFailed
from board.models import Board, Event, EventKind, Membership, Role, Status, Task
from board.services import (
    board_archive,
    board_create,
    board_delete,
    board_restore,
    board_update,
    membership_remove,
    task_create,
    workspace_create,
)
from board.services.sample_board import SAMPLE_TASKS, SAMPLE_WIP_LIMIT
from tests.services.helpers import board_seqs, last_event


@pytest.fixture
def workspace(admin):
    return workspace_create(actor=admin, name="Team")


def test_a_sample_start_has_example_tasks_a_claimed_one_and_a_soft_wip_limit(workspace, admin):
    board = board_create(actor=admin, organization=workspace, name="Try it", start="sample")

    tasks = Task.objects.filter(board=board)
    assert tasks.count() == len(SAMPLE_TASKS)
    assert tasks.filter(status=Status.IN_PROGRESS, owner=admin).count() == 1
    board.refresh_from_db()
    assert (board.wip_limit_in_progress, board.wip_limits_hard) == (SAMPLE_WIP_LIMIT, False)
    assert board_seqs(board) == list(range(1, board.last_seq + 1))


def test_an_empty_start_has_no_tasks_and_an_unknown_start_is_refused(workspace, admin):
    assert not board_create(actor=admin, organization=workspace, name="Blank").tasks.exists()
    with pytest.raises(ValidationFailed) as refused:
        board_create(actor=admin, organization=workspace, name="X", start="full")
    assert "start" in refused.value.fields


def test_renaming_records_an_event(board, admin):
    board_update(actor=admin, board_id=board.pk, name="Launch", description="Q3 launch")

    assert Board.objects.get(pk=board.pk).name == "Launch"
    event = last_event(board)
    assert (event.kind, event.payload["name"]) == (EventKind.BOARD_UPDATED, "Launch")


def test_members_cannot_rename_archive_or_delete(board, alice):
    with pytest.raises(PermissionDenied):
        board_update(actor=alice, board_id=board.pk, name="Mine", description="")
    with pytest.raises(PermissionDenied):
        board_archive(actor=alice, board_id=board.pk)
    with pytest.raises(PermissionDenied):
        board_delete(actor=alice, board_id=board.pk, confirm_name=board.name)


def test_an_archived_board_takes_no_change_until_restored(board, admin, alice):
    board_archive(actor=admin, board_id=board.pk)

    assert last_event(board).kind == EventKind.BOARD_ARCHIVED
    with pytest.raises(BoardArchived) as refused:
        task_create(actor=alice, board_id=board.pk, title="Too late")
    assert (refused.value.code, refused.value.http_status) == ("board_archived", 409)

    board_restore(actor=admin, board_id=board.pk)
    assert last_event(board).kind == EventKind.BOARD_RESTORED
    assert task_create(actor=alice, board_id=board.pk, title="Back")


def test_archive_closes_the_boards_sockets_after_commit(
    board, admin, monkeypatch, django_capture_on_commit_callbacks
):
    closed = []
    monkeypatch.setattr(
        "board.services.boards.board_closed_broadcast",
        lambda *, board_id, seq=None: closed.append(board_id),
    )

    with django_capture_on_commit_callbacks(execute=True):
        board_archive(actor=admin, board_id=board.pk)

    assert closed == [board.pk]


def test_delete_needs_the_typed_name_and_takes_tasks_and_events_with_it(board, admin, alice):
    task_create(actor=alice, board_id=board.pk, title="Gone soon")

    with pytest.raises(ValidationFailed) as refused:
        board_delete(actor=admin, board_id=board.pk, confirm_name="not it")
    assert "confirm_name" in refused.value.fields
    assert Board.objects.filter(pk=board.pk).exists()

    board_delete(actor=admin, board_id=board.pk, confirm_name=f"  {board.name} ")
    assert not Board.objects.filter(pk=board.pk).exists()
    assert not Task.objects.filter(board_id=board.pk).exists()
    assert not Event.objects.filter(board_id=board.pk).exists()


def test_a_member_leaves_and_the_board_records_it(board, alice):
    membership_remove(actor=alice, board_id=board.pk, user_id=alice.pk)

    assert not Membership.objects.filter(board=board, user=alice).exists()
    event = last_event(board)
    assert event.kind == EventKind.MEMBERSHIP_CHANGED
    assert (event.payload["user"]["id"], event.payload["role"]) == (alice.pk, None)


def test_the_last_admin_can_neither_leave_nor_be_demoted(board, admin):
    with pytest.raises(ValidationFailed) as refused:
        membership_remove(actor=admin, board_id=board.pk, user_id=admin.pk)

    assert "last admin" in refused.value.message
    assert Membership.objects.filter(board=board, user=admin, role=Role.ADMIN).exists()


def test_an_admin_removes_a_member_but_a_member_removes_nobody(board, admin, alice, bob):
    with pytest.raises(PermissionDenied):
        membership_remove(actor=alice, board_id=board.pk, user_id=bob.pk)

    membership_remove(actor=admin, board_id=board.pk, user_id=bob.pk)
    assert not Membership.objects.filter(board=board, user=bob).exists()


def test_leaving_a_board_one_is_not_on_is_not_found(board, alice, outsider):
    with pytest.raises(NotFound):
        membership_remove(actor=outsider, board_id=board.pk, user_id=outsider.pk)


def test_workspace_role_is_recorded_for_a_board_creator(workspace, admin):
    assert workspace.workspace_memberships.get(user=admin).role == WorkspaceRole.OWNER
