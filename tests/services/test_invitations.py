"""Invitations by email and by link: who may invite, single use, expiry, revocation."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import WorkspaceMembership, WorkspaceRole
from board.exceptions import InvitationUnusable, PermissionDenied, ValidationFailed
from board.invitation_tokens import invitation_token
from board.models import EventKind, Invitation, Membership, Role
from board.services import (
    board_archive,
    invitation_accept,
    invitation_create,
    invitation_link_create,
    invitation_resend,
    invitation_revoke,
    invitation_rotate,
)
from board.workspace_selectors import invitation_by_token, pending_invitations
from tests.factories import UserFactory
from tests.services.helpers import last_event

SITE = "http://testserver"


def token_of(invitation: Invitation) -> str:
    invitation.refresh_from_db()
    return invitation_token(nonce=invitation.nonce)


def board_role(board, user):
    return Membership.objects.filter(board=board, user=user).values_list("role", flat=True).first()


@pytest.fixture
def email_invite(board, admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        (invitation,) = invitation_create(
            actor=admin,
            board_id=board.pk,
            emails="New.Person@Example.com",
            role=Role.MEMBER,
            site_url=SITE,
        )
    return invitation


def test_an_email_invite_is_mailed_with_a_link_that_opens_it(email_invite):
    assert email_invite.email == "new.person@example.com"
    (message,) = mail.outbox
    assert message.to == ["new.person@example.com"]
    token = token_of(email_invite)
    assert f"{SITE}/invite/{token}/" in message.body
    assert invitation_by_token(token=token) == email_invite
    email_invite.refresh_from_db()
    assert email_invite.sent_at is not None


def test_the_token_is_not_stored(email_invite):
    token = token_of(email_invite)
    stored = Invitation.objects.filter(pk=email_invite.pk).values()[0]
    assert token not in {str(value) for value in stored.values()}


def test_accepting_puts_a_new_person_in_the_workspace_and_on_the_board_with_an_event(
    board, email_invite
):
    person = UserFactory()

    invitation_accept(actor=person, token=token_of(email_invite))

    assert board_role(board, person) == Role.MEMBER
    assert (
        WorkspaceMembership.objects.get(organization=board.organization, user=person).role
        == "member"
    )
    event = last_event(board)
    assert event.kind == EventKind.MEMBERSHIP_CHANGED
    assert event.payload["joined"] is True and event.payload["user"]["id"] == person.pk


def test_an_email_invite_works_once(email_invite):
    invitation_accept(actor=UserFactory(), token=token_of(email_invite))

    with pytest.raises(InvitationUnusable) as refused:
        invitation_accept(actor=UserFactory(), token=token_of(email_invite))
    assert refused.value.message == "This invitation has already been used."
    assert refused.value.http_status == 410


def test_accepting_twice_as_the_same_person_uses_nothing_up(board, admin):
    link = invitation_link_create(actor=admin, board_id=board.pk, role=Role.MEMBER, max_uses=2)
    person = UserFactory()

    invitation_accept(actor=person, token=token_of(link))
    invitation_accept(actor=person, token=token_of(link))

    link.refresh_from_db()
    assert link.uses == 1


def test_an_expired_invite_says_so(email_invite):
    Invitation.objects.filter(pk=email_invite.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )

    with pytest.raises(InvitationUnusable) as refused:
        invitation_accept(actor=UserFactory(), token=token_of(email_invite))
    assert "expired" in refused.value.message


def test_a_revoked_invite_says_so(email_invite, admin):
    invitation_revoke(actor=admin, invitation_id=email_invite.pk)

    with pytest.raises(InvitationUnusable) as refused:
        invitation_accept(actor=UserFactory(), token=token_of(email_invite))
    assert "revoked" in refused.value.message


@pytest.mark.parametrize("token", ["", "nope", "x" * 65, None, 5])
def test_an_unknown_token_says_so(db, token):
    with pytest.raises(InvitationUnusable) as refused:
        invitation_accept(actor=UserFactory(), token=token)
    assert "not valid" in refused.value.message


def test_an_invite_to_an_archived_board_cannot_be_accepted(board, admin, email_invite):
    board_archive(actor=admin, board_id=board.pk)

    with pytest.raises(InvitationUnusable) as refused:
        invitation_accept(actor=UserFactory(), token=token_of(email_invite))
    assert "archived" in refused.value.message


def test_a_link_stops_at_its_use_limit(board, admin):
    link = invitation_link_create(actor=admin, board_id=board.pk, role=Role.VIEWER, max_uses=1)
    invitation_accept(actor=UserFactory(), token=token_of(link))

    with pytest.raises(InvitationUnusable) as refused:
        invitation_accept(actor=UserFactory(), token=token_of(link))
    assert "limit of uses" in refused.value.message


def test_a_link_without_a_limit_lets_many_join_with_its_role(board, admin):
    link = invitation_link_create(actor=admin, board_id=board.pk, role=Role.VIEWER)
    people = [UserFactory() for _ in range(3)]

    for person in people:
        invitation_accept(actor=person, token=token_of(link))

    assert [board_role(board, p) for p in people] == [Role.VIEWER] * 3


def test_rotating_a_link_ends_the_old_one(board, admin):
    link = invitation_link_create(actor=admin, board_id=board.pk, role=Role.MEMBER)
    old = token_of(link)

    invitation_rotate(actor=admin, invitation_id=link.pk)

    with pytest.raises(InvitationUnusable):
        invitation_accept(actor=UserFactory(), token=old)
    invitation_accept(actor=UserFactory(), token=token_of(link))


def test_resend_mails_a_fresh_link_and_the_old_one_stops(
    email_invite, admin, django_capture_on_commit_callbacks
):
    old = token_of(email_invite)

    with django_capture_on_commit_callbacks(execute=True):
        invitation_resend(actor=admin, invitation_id=email_invite.pk, site_url=SITE)

    assert len(mail.outbox) == 2
    assert token_of(email_invite) in mail.outbox[1].body
    with pytest.raises(InvitationUnusable):
        invitation_accept(actor=UserFactory(), token=old)


def test_inviting_an_address_already_on_the_board_is_a_field_error(board, admin, alice):
    with pytest.raises(ValidationFailed) as refused:
        invitation_create(
            actor=admin,
            board_id=board.pk,
            emails=[alice.email.upper()],
            role=Role.MEMBER,
            site_url=SITE,
        )
    assert refused.value.fields == {"emails": f"Already a member: {alice.email.lower()}."}
    assert not Invitation.objects.exists()


def test_inviting_an_address_again_replaces_its_pending_invite(board, admin, email_invite):
    invitation_create(
        actor=admin,
        board_id=board.pk,
        emails=["new.person@example.com"],
        role=Role.ADMIN,
        site_url=SITE,
    )

    pending = pending_invitations(workspace=board.organization, board=board)
    assert [(i.email, i.role) for i in pending] == [("new.person@example.com", Role.ADMIN)]


@pytest.mark.parametrize(
    ("emails", "message"),
    [
        ("", "Give one or more email addresses."),
        ("not-an-address", "“not-an-address” is not an email address."),
        ([1, 2], "Give one or more email addresses."),
        (" ".join(f"p{n}@example.com" for n in range(51)), "Invite up to 50 addresses at a time."),
    ],
)
def test_bad_addresses_are_field_errors(board, admin, emails, message):
    with pytest.raises(ValidationFailed) as refused:
        invitation_create(
            actor=admin, board_id=board.pk, emails=emails, role=Role.MEMBER, site_url=SITE
        )
    assert refused.value.fields == {"emails": message}


def test_only_board_admins_invite_to_a_board(board, alice):
    with pytest.raises(PermissionDenied):
        invitation_create(
            actor=alice, board_id=board.pk, emails="x@example.com", role="member", site_url=SITE
        )
    with pytest.raises(PermissionDenied):
        invitation_link_create(actor=alice, board_id=board.pk, role=Role.MEMBER)


def test_a_board_invite_role_must_be_a_board_role(board, admin):
    with pytest.raises(ValidationFailed) as refused:
        invitation_link_create(actor=admin, board_id=board.pk, role=WorkspaceRole.OWNER)
    assert "role" in refused.value.fields


@pytest.mark.parametrize(
    ("field", "value"),
    [("expires_in_days", 0), ("expires_in_days", 91), ("max_uses", 0), ("max_uses", "many")],
)
def test_link_limits_are_bounded(board, admin, field, value):
    with pytest.raises(ValidationFailed) as refused:
        invitation_link_create(actor=admin, board_id=board.pk, role=Role.MEMBER, **{field: value})
    assert field in refused.value.fields


def test_a_workspace_invite_joins_the_workspace_with_its_role_and_no_board(board, db):
    owner = UserFactory()
    WorkspaceMembership.objects.create(organization=board.organization, user=owner, role="owner")
    link = invitation_link_create(
        actor=owner, workspace_id=board.organization.pk, role=WorkspaceRole.ADMIN
    )
    person = UserFactory()

    invitation_accept(actor=person, token=token_of(link))

    assert (
        WorkspaceMembership.objects.get(organization=board.organization, user=person).role
        == "admin"
    )
    assert board_role(board, person) is None


def test_workspace_members_cannot_invite_to_the_workspace(board, alice):
    with pytest.raises(PermissionDenied):
        invitation_link_create(actor=alice, workspace_id=board.organization.pk, role="member")


def test_a_workspace_invite_cannot_make_owners(board):
    owner = UserFactory()
    WorkspaceMembership.objects.create(organization=board.organization, user=owner, role="owner")

    with pytest.raises(ValidationFailed) as refused:
        invitation_link_create(actor=owner, workspace_id=board.organization.pk, role="owner")
    assert refused.value.fields == {"role": "Choose member or admin."}
