"""The workspace page, its forms and the board list grouped by workspace."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import WorkspaceMembership, WorkspaceRole
from board.models import Board, Invitation, Role
from board.services import invitation_create, invitation_link_create, workspace_create
from board.workspace_selectors import invitation_link
from tests.factories import BoardFactory, UserFactory, member_add

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttles")]


@pytest.fixture
def owner(db):
    return UserFactory(username="olga")


@pytest.fixture
def workspace(owner):
    return workspace_create(actor=owner, name="Studio", slug="studio")


def join(workspace, role=WorkspaceRole.MEMBER, **user):
    person = UserFactory(**user)
    WorkspaceMembership.objects.create(organization=workspace, user=person, role=role)
    return person


def url(name, workspace, *args):
    return reverse(name, args=[workspace.slug, *args])


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_owner_sees_members_invitations_and_settings(workspace, owner):
    join(workspace, username="max")
    page = as_user(owner).get(url("workspace_detail", workspace)).content.decode()

    assert "max" in page and "Pending invitations" in page
    assert "Invite to the workspace" in page and "Save settings" in page


def test_a_member_sees_no_admin_forms_and_an_admins_post_is_refused(workspace):
    member = join(workspace)
    client = as_user(member)

    page = client.get(url("workspace_detail", workspace)).content.decode()
    response = client.post(
        url("workspace_settings", workspace), {"name": "Mine now", "members_can_create_boards": ""}
    )

    assert "Invite to the workspace" not in page and "Save settings" not in page
    assert response.status_code == 403
    assert "Only the workspace&#x27;s owners and admins can do that." in response.content.decode()
    workspace.refresh_from_db()
    assert workspace.name == "Studio"


def test_an_outsider_gets_a_404(workspace):
    assert as_user(UserFactory()).get(url("workspace_detail", workspace)).status_code == 404


def test_the_last_owner_can_neither_leave_nor_be_demoted(workspace, owner):
    client = as_user(owner)

    leave = client.post(url("workspace_leave", workspace))
    demote = client.post(url("workspace_member_role", workspace, owner.pk), {"role": "member"})

    for response in (leave, demote):
        assert response.status_code == 422
        assert "A workspace needs at least one owner" in response.content.decode()
    assert 'id="leave-error" role="alert"' in leave.content.decode()
    assert workspace.workspace_memberships.get(user=owner).role == WorkspaceRole.OWNER


def test_an_admin_cannot_make_an_owner(workspace):
    admin = join(workspace, WorkspaceRole.ADMIN)
    member = join(workspace)

    response = as_user(admin).post(
        url("workspace_member_role", workspace, member.pk), {"role": "owner"}
    )

    assert response.status_code == 403
    assert "Only an owner can make or unmake owners." in response.content.decode()


def test_an_owner_changes_a_role_and_removes_a_member(workspace, owner):
    member = join(workspace)
    client = as_user(owner)

    assert (
        client.post(url("workspace_member_role", workspace, member.pk), {"role": "admin"})
    ).status_code == 302
    assert workspace.workspace_memberships.get(user=member).role == WorkspaceRole.ADMIN
    assert client.post(url("workspace_member_remove", workspace, member.pk)).status_code == 302
    assert not workspace.workspace_memberships.filter(user=member).exists()


def test_a_member_leaves(workspace):
    member = join(workspace)

    response = as_user(member).post(url("workspace_leave", workspace))

    assert response.status_code == 302
    assert not workspace.workspace_memberships.filter(user=member).exists()


def test_inviting_someone_already_in_the_workspace_is_a_field_error(workspace, owner):
    member = join(workspace)

    response = as_user(owner).post(
        url("workspace_invite", workspace), {"emails": member.email, "role": "member"}
    )

    assert response.status_code == 422
    assert f"Already a member: {member.email}." in response.content.decode()


def test_an_email_invitation_accepted_twice_says_it_was_used(
    workspace, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(owner).post(
            url("workspace_invite", workspace), {"emails": "ivy@example.com", "role": "admin"}
        )
    assert response.status_code == 302
    [message] = mail.outbox
    path = message.body.split("http://testserver", 1)[1].split()[0]
    ivy = as_user(UserFactory(email="ivy@example.com"))

    first = ivy.get(path)
    second = as_user(UserFactory()).get(path)

    assert first["Location"] == url("workspace_detail", workspace)
    assert ivy.get(first["Location"]).status_code == 200
    assert second.status_code == 410
    assert "This invitation has already been used." in second.content.decode()


def test_a_link_revoked_on_the_page_no_longer_opens(workspace, owner):
    client = as_user(owner)
    client.post(url("workspace_invite_link_create", workspace), {"role": "member"})
    link = Invitation.objects.get(organization=workspace, email="")
    path = invitation_link(invitation=link)
    assert path in client.get(url("workspace_detail", workspace)).content.decode()

    revoke = client.post(url("workspace_invitation_action", workspace, link.pk, "revoke"))
    response = as_user(UserFactory()).get(path)

    assert revoke.status_code == 302
    assert response.status_code == 410
    assert "This invitation was revoked." in response.content.decode()


def test_rotating_a_link_retires_the_old_one(workspace, owner):
    link = invitation_link_create(actor=owner, workspace_id=workspace.pk, role="member")
    old = invitation_link(invitation=link)

    as_user(owner).post(url("workspace_invitation_action", workspace, link.pk, "rotate"))
    link.refresh_from_db()

    assert as_user(UserFactory()).get(old).status_code == 410
    assert as_user(UserFactory()).get(invitation_link(invitation=link)).status_code == 302


def test_resend_mails_again(workspace, owner, django_capture_on_commit_callbacks):
    [invitation] = invitation_create(
        actor=owner, workspace_id=workspace.pk, emails="zoe@example.com", role="member", site_url=""
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(owner).post(
            url("workspace_invitation_action", workspace, invitation.pk, "resend")
        )

    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["zoe@example.com"]]


def test_resending_a_link_is_refused_inline(workspace, owner):
    link = invitation_link_create(actor=owner, workspace_id=workspace.pk, role="member")

    response = as_user(owner).post(url("workspace_invitation_action", workspace, link.pk, "resend"))

    assert response.status_code == 422
    assert "A link invitation has no address to mail" in response.content.decode()


@pytest.mark.parametrize("action", ["delete", "x" * 300])
def test_an_unknown_invitation_action_is_a_404(workspace, owner, action):
    link = invitation_link_create(actor=owner, workspace_id=workspace.pk, role="member")

    response = as_user(owner).post(url("workspace_invitation_action", workspace, link.pk, action))

    assert response.status_code == 404


def test_bad_link_settings_are_field_errors(workspace, owner):
    response = as_user(owner).post(
        url("workspace_invite_link_create", workspace),
        {"role": "owner", "expires_in_days": "1000", "max_uses": "0"},
    )

    page = response.content.decode()
    assert response.status_code == 422
    assert "Select a valid choice" in page and "less than or equal to 90" in page
    assert not Invitation.objects.exists()


def test_a_new_board_from_the_workspace_page_opens_it(workspace, owner):
    response = as_user(owner).post(
        url("workspace_board_create", workspace), {"name": "Roadmap", "start": "empty"}
    )

    board = Board.objects.get(name="Roadmap")
    assert response["Location"] == reverse("board_detail", args=[board.pk])


def test_members_create_boards_only_when_the_workspace_allows_it(workspace, owner):
    member = join(workspace)
    as_user(owner).post(url("workspace_settings", workspace), {"name": "Studio"})
    client = as_user(member)

    listing = client.get(reverse("board_list")).content.decode()
    response = client.post(
        url("workspace_board_create", workspace), {"name": "Mine", "start": "empty"}
    )

    assert url("workspace_board_create", workspace) not in listing
    assert response.status_code == 403
    assert "Only the workspace&#x27;s owners and admins can do that." in response.content.decode()


def test_the_board_list_groups_by_workspace_and_keeps_archived_boards_aside(owner, workspace):
    open_board = BoardFactory(organization=workspace, name="Open one")
    archived = BoardFactory(organization=workspace, name="Old one", archived_at=timezone.now())
    other = BoardFactory(name="Elsewhere")
    for board in (open_board, archived, other):
        member_add(board=board, user=owner, role=Role.ADMIN)

    page = as_user(owner).get(reverse("board_list")).content.decode()

    assert "Open one" in page and "Elsewhere" in page and "Old one" not in page
    assert "Archived boards (1)" in page
    assert url("workspace_board_create", workspace) in page
    assert page.index(other.organization.name) < page.index("Elsewhere") < page.index("Studio")
    assert page.index("Studio") < page.index("Open one")
    assert "New workspace" in page
