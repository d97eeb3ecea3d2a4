from __future__ import annotations

import pytest

from board.exceptions import NotFound, PermissionDenied, ValidationFailed
from board.models import EventKind, Membership, Role
from board.public import user_public_state
from board.services import membership_set_role, task_create
from tests.factories import UserFactory
from tests.services.helpers import event_count, last_event


def role_of(board, user) -> str | None:
    return Membership.objects.filter(board=board, user=user).values_list("role", flat=True).first()


def test_admin_adds_a_workspace_member_to_the_board_with_a_role(board, admin, colleague):
    membership_set_role(actor=admin, board_id=board.pk, user=colleague, role=Role.MEMBER)

    assert role_of(board, colleague) == Role.MEMBER


def test_added_member_can_create_tasks(board, admin, colleague):
    membership_set_role(actor=admin, board_id=board.pk, user=colleague, role=Role.MEMBER)

    task = task_create(actor=colleague, board_id=board.pk, title="Now I belong")

    assert task.creator == colleague


def test_someone_outside_the_workspace_cannot_be_added(board, admin, outsider):
    with pytest.raises(NotFound) as refused:
        membership_set_role(actor=admin, board_id=board.pk, user=outsider, role=Role.MEMBER)

    assert "Only people in the workspace" in refused.value.fields["user"]
    assert role_of(board, outsider) is None
    assert not board.organization.members.filter(pk=outsider.pk).exists()


def test_an_outsider_and_no_one_get_the_same_refusal(board, admin, outsider):
    with pytest.raises(NotFound) as stranger:
        membership_set_role(actor=admin, board_id=board.pk, user=outsider, role=Role.MEMBER)
    with pytest.raises(NotFound) as nobody:
        membership_set_role(actor=admin, board_id=board.pk, user=None, role=Role.MEMBER)

    assert (stranger.value.message, stranger.value.fields) == (
        nobody.value.message,
        nobody.value.fields,
    )


def test_a_member_outside_the_workspace_can_still_have_their_role_changed(board, admin):
    legacy = UserFactory()
    Membership.objects.create(board=board, user=legacy, role=Role.MEMBER)

    membership_set_role(actor=admin, board_id=board.pk, user=legacy, role=Role.VIEWER)

    assert role_of(board, legacy) == Role.VIEWER


def test_admin_changes_a_members_role(board, admin, alice):
    membership_set_role(actor=admin, board_id=board.pk, user=alice, role=Role.ADMIN)

    assert role_of(board, alice) == Role.ADMIN


def test_member_demoted_to_viewer_can_no_longer_write(board, admin, alice):
    membership_set_role(actor=admin, board_id=board.pk, user=alice, role=Role.VIEWER)

    with pytest.raises(PermissionDenied):
        task_create(actor=alice, board_id=board.pk, title="T")


def test_role_change_records_a_membership_changed_event(board, admin, alice):
    membership_set_role(actor=admin, board_id=board.pk, user=alice, role=Role.VIEWER)

    event = last_event(board)
    assert event.kind == EventKind.MEMBERSHIP_CHANGED
    assert event.payload == {"user": user_public_state(alice), "role": Role.VIEWER, "joined": False}


def test_member_cannot_set_roles(board, alice, bob):
    with pytest.raises(PermissionDenied):
        membership_set_role(actor=alice, board_id=board.pk, user=bob, role=Role.ADMIN)


def test_member_cannot_promote_themselves(board, alice):
    with pytest.raises(PermissionDenied):
        membership_set_role(actor=alice, board_id=board.pk, user=alice, role=Role.ADMIN)

    assert role_of(board, alice) == Role.MEMBER


def test_viewer_cannot_set_roles(board, viewer, alice):
    with pytest.raises(PermissionDenied):
        membership_set_role(actor=viewer, board_id=board.pk, user=alice, role=Role.VIEWER)


def test_non_member_setting_roles_is_not_found(board, outsider, alice):
    with pytest.raises(NotFound):
        membership_set_role(actor=outsider, board_id=board.pk, user=alice, role=Role.VIEWER)


@pytest.mark.parametrize("role", ["owner", "", None, "ADMIN"])
def test_unknown_role_is_validation_failed_on_role(board, admin, alice, role):
    with pytest.raises(ValidationFailed) as refused:
        membership_set_role(actor=admin, board_id=board.pk, user=alice, role=role)

    assert "role" in refused.value.fields


def test_setting_the_role_of_no_user_is_not_found(board, admin):
    with pytest.raises(NotFound):
        membership_set_role(actor=admin, board_id=board.pk, user=None, role=Role.MEMBER)


def test_refused_role_change_records_no_event(board, alice, bob):
    events_before = event_count(board)

    with pytest.raises(PermissionDenied):
        membership_set_role(actor=alice, board_id=board.pk, user=bob, role=Role.ADMIN)

    assert event_count(board) == events_before


def test_setting_the_same_role_again_records_no_event(board, admin, alice):
    before = event_count(board)

    membership_set_role(actor=admin, board_id=board.pk, user=alice, role=Role.MEMBER)

    assert event_count(board) == before


def test_the_last_admin_cannot_be_demoted(board, admin):
    with pytest.raises(ValidationFailed) as refused:
        membership_set_role(actor=admin, board_id=board.pk, user=admin, role=Role.MEMBER)

    assert "at least one admin" in refused.value.message
    assert role_of(board, admin) == Role.ADMIN


def test_an_admin_can_step_down_once_another_admin_exists(board, admin, alice):
    membership_set_role(actor=admin, board_id=board.pk, user=alice, role=Role.ADMIN)

    membership_set_role(actor=admin, board_id=board.pk, user=admin, role=Role.MEMBER)

    assert role_of(board, admin) == Role.MEMBER
