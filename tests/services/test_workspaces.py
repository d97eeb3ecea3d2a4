"""Workspaces: who creates boards, who manages members, and the last owner."""

from __future__ import annotations

import pytest

from accounts.models import WorkspaceMembership, WorkspaceRole
from board.exceptions import NotFound, PermissionDenied, ValidationFailed
from board.limits import WORKSPACE_NAME_MAX_LENGTH
from board.models import Membership, Role
from board.services import (
    board_create,
    workspace_create,
    workspace_member_remove,
    workspace_member_set_role,
    workspace_update,
)
from board.services.boards import membership_grant
from tests.factories import UserFactory


def role_in(workspace, user) -> str | None:
    return (
        WorkspaceMembership.objects.filter(organization=workspace, user=user)
        .values_list("role", flat=True)
        .first()
    )


def joined(workspace, role=WorkspaceRole.MEMBER):
    user = UserFactory()
    WorkspaceMembership.objects.create(organization=workspace, user=user, role=role)
    return user


@pytest.fixture
def owner(db):
    return UserFactory()


@pytest.fixture
def workspace(owner):
    return workspace_create(actor=owner, name="Acme Robotics")


def test_the_creator_owns_the_workspace_and_its_slug_comes_from_the_name(workspace, owner):
    assert role_in(workspace, owner) == WorkspaceRole.OWNER
    assert workspace.slug == "acme-robotics"


def test_a_second_workspace_of_the_same_name_gets_a_numbered_slug(workspace, owner):
    assert workspace_create(actor=owner, name="Acme Robotics").slug == "acme-robotics-2"


def test_a_chosen_slug_that_is_taken_is_a_field_error(workspace, owner):
    with pytest.raises(ValidationFailed) as refused:
        workspace_create(actor=owner, name="Other", slug="ACME-robotics")

    assert refused.value.fields == {"slug": "That address is taken; choose another."}


@pytest.mark.parametrize("slug", ["has space", "-dash", "a--b", "admin", "x" * 121, 7])
def test_a_bad_slug_is_a_field_error(owner, slug):
    with pytest.raises(ValidationFailed) as refused:
        workspace_create(actor=owner, name="Team", slug=slug)

    assert "slug" in refused.value.fields


@pytest.mark.parametrize("name", ["", "  ", None, "x" * (WORKSPACE_NAME_MAX_LENGTH + 1)])
def test_a_bad_name_is_a_field_error(owner, name):
    with pytest.raises(ValidationFailed) as refused:
        workspace_create(actor=owner, name=name)

    assert "name" in refused.value.fields


def test_owners_admins_and_members_create_boards_while_the_workspace_allows(workspace, owner):
    admin, member = joined(workspace, WorkspaceRole.ADMIN), joined(workspace)

    for user in (owner, admin, member):
        board = board_create(actor=user, organization=workspace, name="Roadmap")
        assert Membership.objects.get(board=board, user=user).role == Role.ADMIN


def test_members_cannot_create_boards_when_the_workspace_forbids(workspace, owner):
    member, admin = joined(workspace), joined(workspace, WorkspaceRole.ADMIN)
    workspace_update(
        actor=owner, workspace_id=workspace.pk, name="Acme", members_can_create_boards=False
    )

    with pytest.raises(PermissionDenied):
        board_create(actor=member, organization=workspace, name="Roadmap")
    assert board_create(actor=admin, organization=workspace, name="Roadmap")


def test_an_outsider_cannot_create_a_board_in_the_workspace(workspace):
    with pytest.raises(NotFound):
        board_create(actor=UserFactory(), organization=workspace, name="Roadmap")


def test_a_member_cannot_change_the_workspace(workspace):
    with pytest.raises(PermissionDenied):
        workspace_update(
            actor=joined(workspace),
            workspace_id=workspace.pk,
            name="Mine",
            members_can_create_boards=True,
        )


def test_an_admin_promotes_a_member_to_admin_but_not_to_owner(workspace):
    admin, member = joined(workspace, WorkspaceRole.ADMIN), joined(workspace)

    workspace_member_set_role(
        actor=admin, workspace_id=workspace.pk, user_id=member.pk, role=WorkspaceRole.ADMIN
    )
    assert role_in(workspace, member) == WorkspaceRole.ADMIN
    with pytest.raises(PermissionDenied):
        workspace_member_set_role(
            actor=admin, workspace_id=workspace.pk, user_id=member.pk, role=WorkspaceRole.OWNER
        )


def test_the_last_owner_can_be_neither_demoted_nor_removed_nor_leave(workspace, owner):
    with pytest.raises(ValidationFailed) as refused:
        workspace_member_set_role(
            actor=owner, workspace_id=workspace.pk, user_id=owner.pk, role=WorkspaceRole.ADMIN
        )
    assert "at least one owner" in refused.value.message
    with pytest.raises(ValidationFailed):
        workspace_member_remove(actor=owner, workspace_id=workspace.pk, user_id=owner.pk)
    assert role_in(workspace, owner) == WorkspaceRole.OWNER


def test_with_a_second_owner_the_first_may_step_down(workspace, owner):
    second = joined(workspace, WorkspaceRole.OWNER)

    workspace_member_set_role(
        actor=second, workspace_id=workspace.pk, user_id=owner.pk, role=WorkspaceRole.MEMBER
    )

    assert role_in(workspace, owner) == WorkspaceRole.MEMBER


def test_removing_someone_takes_them_off_every_board_of_the_workspace(workspace, owner):
    member = joined(workspace)
    board = board_create(actor=owner, organization=workspace, name="Roadmap")
    membership_grant(board=board, user=member, role=Role.MEMBER, actor=owner)

    workspace_member_remove(actor=owner, workspace_id=workspace.pk, user_id=member.pk)

    assert role_in(workspace, member) is None
    assert not Membership.objects.filter(board=board, user=member).exists()


def test_nobody_leaves_the_workspace_while_the_last_admin_of_one_of_its_boards(workspace):
    member = joined(workspace)
    board = board_create(actor=member, organization=workspace, name="Mine")

    with pytest.raises(ValidationFailed) as refused:
        workspace_member_remove(actor=member, workspace_id=workspace.pk, user_id=member.pk)

    assert "last admin of “Mine”" in refused.value.message
    assert role_in(workspace, member) == WorkspaceRole.MEMBER
    assert Membership.objects.filter(board=board, user=member).exists()


def test_a_member_cannot_remove_someone_else(workspace, owner):
    with pytest.raises(PermissionDenied):
        workspace_member_remove(
            actor=joined(workspace), workspace_id=workspace.pk, user_id=owner.pk
        )
