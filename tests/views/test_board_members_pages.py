"""The members page: invite by email, invite links (create, copy, rotate, revoke),
pending invitations (resend, revoke), and removing a member; every refusal with the
service's message and status, never a 500."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from board.limits import INVITE_EXPIRY_DAYS_MAX, INVITE_USES_MAX
from board.models import Invitation, Membership, Role
from board.services import invitation_create, invitation_link_create
from board.workspace_selectors import invitation_link

pytestmark = pytest.mark.django_db

SITE = "http://testserver/"


def _url(name: str, board, *args) -> str:
    return reverse(name, args=[board.pk, *args])


@pytest.fixture
def as_admin(client, admin):
    client.force_login(admin)
    return client


def test_an_admin_invites_several_addresses_and_each_gets_a_mail(
    as_admin, board, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_admin.post(
            _url("board_invite", board),
            {"emails": "ann@example.com, Ben@Example.com\ncat@example.com", "role": "viewer"},
            follow=True,
        )

    assert "Invited ann@example.com, ben@example.com, cat@example.com." in response.content.decode()
    invitations = Invitation.objects.filter(board=board)
    assert sorted(i.email for i in invitations) == [
        "ann@example.com",
        "ben@example.com",
        "cat@example.com",
    ]
    assert {i.role for i in invitations} == {Role.VIEWER}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(i.email for i in invitations)
    assert all("http://testserver/invite/" in m.body for m in mail.outbox)
    page = response.content.decode()
    assert "Pending invitations" in page and "ann@example.com" in page


@pytest.mark.parametrize(
    ("emails", "message"),
    [
        ("not-an-address", "“not-an-address” is not an email address."),
        (" , ", "Give one or more email addresses."),
        ("x" * 20_000, "Ensure this value has at most"),
        (" ".join(f"p{n}@example.com" for n in range(51)), "Invite up to 50 addresses"),
    ],
)
def test_bad_addresses_are_a_field_error(as_admin, board, emails, message):
    response = as_admin.post(_url("board_invite", board), {"emails": emails, "role": "member"})

    assert response.status_code == 422
    assert any(message in error for error in response.context["invite_form"].errors["emails"])
    assert not Invitation.objects.exists()


def test_inviting_someone_already_on_the_board_says_so(as_admin, board, alice):
    response = as_admin.post(
        _url("board_invite", board), {"emails": alice.email.upper(), "role": "member"}
    )

    assert response.status_code == 422
    assert response.context["invite_form"].errors["emails"] == [f"Already a member: {alice.email}."]
    assert not Invitation.objects.exists()


def test_an_unknown_role_is_a_field_error(as_admin, board):
    response = as_admin.post(
        _url("board_invite", board), {"emails": "a@example.com", "role": "god"}
    )

    assert response.status_code == 422
    assert "role" in response.context["invite_form"].errors


def test_a_member_cannot_invite_and_is_told_why(client, board, alice):
    client.force_login(alice)

    response = client.post(
        _url("board_invite", board), {"emails": "a@example.com", "role": "admin"}
    )

    assert response.status_code == 403
    assert "Only a board admin can do that." in response.content.decode()
    assert not Invitation.objects.exists()


def test_an_admin_creates_an_invite_link_shown_in_full_to_copy(as_admin, board):
    response = as_admin.post(
        _url("board_invite_link_create", board),
        {"role": "member", "expires_in_days": "3", "max_uses": "5"},
        follow=True,
    )

    [link] = Invitation.objects.filter(board=board)
    assert (link.email, link.role, link.max_uses) == ("", Role.MEMBER, 5)
    assert (link.expires_at - timezone.now()).days == 2  # 3 days, less a moment
    page = response.content.decode()
    full = "http://testserver" + invitation_link(invitation=link)
    assert re.search(rf'<input type="text" id="board-link-{link.pk}" value="{full}" readonly', page)
    assert f'data-copy-for="board-link-{link.pk}"' in page
    assert "js/copy-link.js" in page


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"expires_in_days": "0"}, "expires_in_days"),
        ({"expires_in_days": str(INVITE_EXPIRY_DAYS_MAX + 1)}, "expires_in_days"),
        ({"expires_in_days": "soon"}, "expires_in_days"),
        ({"max_uses": "0"}, "max_uses"),
        ({"max_uses": str(INVITE_USES_MAX + 1)}, "max_uses"),
        ({"max_uses": "9" * 30}, "max_uses"),
    ],
)
def test_a_bad_expiry_or_use_limit_is_a_field_error(as_admin, board, data, field):
    response = as_admin.post(_url("board_invite_link_create", board), {"role": "member"} | data)

    assert response.status_code == 422
    assert field in response.context["link_form"].errors
    assert not Invitation.objects.exists()


def test_a_member_cannot_create_an_invite_link(client, board, alice):
    client.force_login(alice)

    response = client.post(_url("board_invite_link_create", board), {"role": "member"})

    assert response.status_code == 403
    assert "Only a board admin can do that." in response.content.decode()


def test_rotating_a_link_replaces_it(as_admin, board, admin):
    link = invitation_link_create(actor=admin, board_id=board.pk, role=Role.MEMBER)
    old = invitation_link(invitation=link)

    response = as_admin.post(_url("board_invitation_action", board, link.pk, "rotate"), follow=True)

    link.refresh_from_db()
    assert invitation_link(invitation=link) != old
    page = response.content.decode()
    assert invitation_link(invitation=link) in page and old not in page
    assert "A new link replaces the old one" in page


def test_revoking_a_link_takes_it_off_the_page(as_admin, board, admin):
    link = invitation_link_create(actor=admin, board_id=board.pk, role=Role.MEMBER)

    response = as_admin.post(_url("board_invitation_action", board, link.pk, "revoke"), follow=True)

    link.refresh_from_db()
    assert link.revoked_at is not None
    assert invitation_link(invitation=link) not in response.content.decode()


def test_resend_mails_a_pending_invitation_again(
    as_admin, board, admin, django_capture_on_commit_callbacks
):
    [invitation] = invitation_create(
        actor=admin, board_id=board.pk, emails="dan@example.com", role="member", site_url=SITE
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = as_admin.post(_url("board_invitation_action", board, invitation.pk, "resend"))

    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["dan@example.com"]]


def test_resending_a_link_is_refused_by_its_row(as_admin, board, admin):
    link = invitation_link_create(actor=admin, board_id=board.pk, role=Role.MEMBER)

    response = as_admin.post(_url("board_invitation_action", board, link.pk, "resend"))

    assert response.status_code == 422
    assert response.context["row_error"]["message"] == (
        "A link invitation has no address to mail; copy the link."
    )


def test_an_unknown_invitation_or_action_is_a_clear_refusal(as_admin, board):
    missing = as_admin.post(_url("board_invitation_action", board, 987654, "revoke"))
    unknown = as_admin.post(_url("board_invitation_action", board, 1, "explode"))

    assert missing.status_code == 404
    assert "This invitation does not exist." in missing.content.decode()
    assert unknown.status_code == 404


def test_a_member_cannot_revoke_an_invitation(client, board, admin, alice):
    link = invitation_link_create(actor=admin, board_id=board.pk, role=Role.MEMBER)
    client.force_login(alice)

    response = client.post(_url("board_invitation_action", board, link.pk, "revoke"))

    assert response.status_code == 403
    assert "Only a board admin can do that." in response.content.decode()
    link.refresh_from_db()
    assert link.revoked_at is None


def test_a_member_sees_no_invitations_or_admin_forms(client, board, admin, alice):
    invitation_link_create(actor=admin, board_id=board.pk, role=Role.MEMBER)
    client.force_login(alice)

    page = client.get(_url("board_members", board)).content.decode()

    assert "/invite/" not in page
    assert _url("board_invite", board) not in page
    assert _url("board_leave", board) in page


def test_an_admin_removes_a_member(as_admin, board, alice):
    response = as_admin.post(_url("board_member_remove", board, alice.pk), follow=True)

    assert not Membership.objects.filter(board=board, user=alice).exists()
    assert "Removed from the board." in response.content.decode()


def test_a_member_cannot_remove_another(client, board, alice, bob):
    client.force_login(alice)

    response = client.post(_url("board_member_remove", board, bob.pk))

    assert response.status_code == 403
    assert "Only a board admin can do that." in response.content.decode()
    assert Membership.objects.filter(board=board, user=bob).exists()


def test_removing_someone_not_on_the_board_is_refused_by_name(as_admin, board, outsider):
    response = as_admin.post(_url("board_member_remove", board, outsider.pk))

    assert response.status_code == 404
    assert "That person is not on this board." in response.content.decode()


def test_the_last_admin_cannot_remove_themself(as_admin, board, admin):
    response = as_admin.post(_url("board_member_remove", board, admin.pk))

    assert response.status_code == 422
    assert f'id="member-{admin.pk}-error"' in response.content.decode()
    assert Membership.objects.filter(board=board, user=admin).exists()
