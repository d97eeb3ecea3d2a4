"""The HTTP API for invitations: by email or link, list, resend, rotate, revoke, accept."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import WorkspaceMembership, WorkspaceRole
from board.invitation_tokens import invitation_token
from board.models import Invitation, Membership
from idempotency.models import IdempotencyKey
from tests.api.conftest import error_of

pytestmark = pytest.mark.django_db

KEY = {"Idempotency-Key": "4c1e9a0d-invitations"}


def token_of(invitation_id: int) -> str:
    return invitation_token(nonce=Invitation.objects.get(pk=invitation_id).nonce)


def token_in(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]


@pytest.fixture
def workspace(board, admin):
    WorkspaceMembership.objects.filter(organization=board.organization, user=admin).update(
        role=WorkspaceRole.OWNER
    )
    return board.organization


@pytest.fixture
def link(admin_api, board) -> dict:
    response = admin_api.post(f"/boards/{board.pk}/invitations", {"link": True, "role": "member"})
    assert response.status_code == 201
    return response.json()[0]


@pytest.fixture
def email_invite(admin_api, board, django_capture_on_commit_callbacks) -> dict:
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_api.post(
            f"/boards/{board.pk}/invitations", {"emails": ["new@example.com"], "role": "viewer"}
        )
    assert response.status_code == 201
    return response.json()[0]


def test_an_email_invite_is_mailed_and_its_token_never_shown(email_invite, admin_api, board):
    token = token_of(email_invite["id"])
    (message,) = mail.outbox
    assert message.to == ["new@example.com"] and f"/invite/{token}/" in message.body
    assert (email_invite["kind"], email_invite["email"], email_invite["url"]) == (
        "email",
        "new@example.com",
        None,
    )
    listed = admin_api.get(f"/boards/{board.pk}/invitations")
    assert token not in listed.content.decode()
    assert listed.json()["items"][0]["id"] == email_invite["id"]


def test_a_link_invite_answers_its_url_and_opens_the_board(link, outsider_api, outsider, board):
    assert link["kind"] == "link" and link["url"].startswith("http://testserver/invite/")
    assert token_in(link["url"]) == token_of(link["id"])

    accepted = outsider_api.post("/invitations/accept", {"token": token_in(link["url"])})

    assert accepted.status_code == 200
    body = accepted.json()
    assert body["board"]["id"] == board.pk and body["board"]["role"] == "member"
    assert body["workspace"]["id"] == board.organization_id
    assert body["workspace"]["role"] == "member"
    assert Membership.objects.filter(board=board, user=outsider).exists()


def test_a_workspace_invite_joins_the_workspace_with_its_role(
    admin_api, workspace, outsider_api, outsider
):
    (link,) = admin_api.post(
        f"/workspaces/{workspace.slug}/invitations",
        {"link": True, "role": "admin", "expires_in_days": 2, "max_uses": 3},
    ).json()
    assert (link["board"], link["max_uses"]) == (None, 3)

    accepted = outsider_api.post("/invitations/accept", {"token": token_in(link["url"])}).json()

    assert accepted["board"] is None and accepted["workspace"]["role"] == "admin"
    assert WorkspaceMembership.objects.get(organization=workspace, user=outsider).role == "admin"


def test_an_email_invite_accepted_twice_is_used_up(email_invite, outsider_api, bob_api):
    token = token_of(email_invite["id"])
    assert outsider_api.post("/invitations/accept", {"token": token}).status_code == 200

    again = bob_api.post("/invitations/accept", {"token": token})

    assert again.status_code == 410
    assert error_of(again) == {
        "code": "invitation_unusable",
        "message": "This invitation has already been used.",
        "fields": {},
    }


def test_a_retried_accept_is_answered_as_the_first_time(email_invite, outsider_api):
    body = {"token": token_of(email_invite["id"])}
    first = outsider_api.post("/invitations/accept", body, headers=KEY)

    retry = outsider_api.post("/invitations/accept", body, headers=KEY)

    assert retry.status_code == 200 and retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()


def test_a_revoked_invite_cannot_be_accepted(link, admin_api, outsider_api):
    assert admin_api.delete(f"/invitations/{link['id']}").status_code == 204

    refused = outsider_api.post("/invitations/accept", {"token": token_in(link["url"])})

    assert refused.status_code == 410
    assert error_of(refused)["message"] == (
        "This invitation was revoked. Ask whoever invited you for a new one."
    )


def test_an_expired_invite_cannot_be_accepted(link, outsider_api):
    Invitation.objects.filter(pk=link["id"]).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )

    refused = outsider_api.post("/invitations/accept", {"token": token_in(link["url"])})

    assert refused.status_code == 410 and "expired" in error_of(refused)["message"]


@pytest.mark.parametrize("token", ["0" * 40, "x" * 64])
def test_an_unknown_token_is_unusable(outsider_api, token):
    response = outsider_api.post("/invitations/accept", {"token": token})

    assert response.status_code == 410 and error_of(response)["code"] == "invitation_unusable"


@pytest.mark.parametrize("body", [{"token": "x" * 65}, {"token": ""}, {}])
def test_a_malformed_token_is_a_field_error(outsider_api, body):
    response = outsider_api.post("/invitations/accept", body)

    assert response.status_code == 422 and "token" in error_of(response)["fields"]


def test_a_retried_link_create_makes_one_link_and_stores_no_token(admin_api, admin, board):
    body = {"link": True, "role": "member"}
    first = admin_api.post(f"/boards/{board.pk}/invitations", body, headers=KEY)

    retry = admin_api.post(f"/boards/{board.pk}/invitations", body, headers=KEY)

    assert retry["Idempotent-Replayed"] == "true" and retry.json() == first.json()
    assert Invitation.objects.filter(board=board).count() == 1
    stored = IdempotencyKey.objects.get(user=admin).response
    assert stored[0]["url"] is None and token_in(first.json()[0]["url"]) not in str(stored)


def test_rotating_a_link_answers_the_new_url_and_ends_the_old(link, admin_api, outsider_api):
    rotated = admin_api.post(f"/invitations/{link['id']}/rotate")

    assert rotated.status_code == 200 and rotated.json()["url"] != link["url"]
    old = outsider_api.post("/invitations/accept", {"token": token_in(link["url"])})
    assert old.status_code == 410
    new = outsider_api.post("/invitations/accept", {"token": token_in(rotated.json()["url"])})
    assert new.status_code == 200


def test_resend_mails_a_fresh_link(email_invite, admin_api, django_capture_on_commit_callbacks):
    old = token_of(email_invite["id"])
    with django_capture_on_commit_callbacks(execute=True):
        resent = admin_api.post(f"/invitations/{email_invite['id']}/resend")

    assert resent.status_code == 200 and resent.json()["url"] is None
    assert len(mail.outbox) == 2 and token_of(email_invite["id"]) in mail.outbox[1].body
    assert token_of(email_invite["id"]) != old


def test_a_link_cannot_be_resent(link, admin_api):
    response = admin_api.post(f"/invitations/{link['id']}/resend")

    assert response.status_code == 422
    assert error_of(response)["message"] == (
        "A link invitation has no address to mail; copy the link."
    )


def test_an_accepted_email_invite_cannot_be_resent(email_invite, admin_api, outsider_api):
    outsider_api.post("/invitations/accept", {"token": token_of(email_invite["id"])})

    response = admin_api.post(f"/invitations/{email_invite['id']}/resend")

    assert response.status_code == 410 and error_of(response)["code"] == "invitation_unusable"


def test_invitations_are_listed_newest_first_a_page_at_a_time(admin_api, workspace, board):
    made = [
        admin_api.post(f"/boards/{board.pk}/invitations", {"link": True, "role": "member"})
        for _ in range(3)
    ]
    ids = [response.json()[0]["id"] for response in made]

    first = admin_api.get(f"/workspaces/{workspace.slug}/invitations", {"limit": 2}).json()
    rest = admin_api.get(
        f"/workspaces/{workspace.slug}/invitations", {"cursor": first["next"]}
    ).json()

    assert [item["id"] for item in first["items"] + rest["items"]] == ids[::-1]
    assert rest["next"] is None and all(item["url"] for item in first["items"])


def test_board_members_cannot_invite_or_see_invitations(alice_api, board, link):
    invite = alice_api.post(f"/boards/{board.pk}/invitations", {"link": True, "role": "member"})

    assert invite.status_code == 403 and error_of(invite)["code"] == "forbidden"
    assert alice_api.get(f"/boards/{board.pk}/invitations").status_code == 403
    assert alice_api.post(f"/invitations/{link['id']}/rotate").status_code == 403
    assert alice_api.delete(f"/invitations/{link['id']}").status_code == 403


def test_workspace_members_cannot_invite_to_the_workspace(alice_api, workspace):
    path = f"/workspaces/{workspace.slug}/invitations"

    assert alice_api.post(path, {"link": True, "role": "member"}).status_code == 403
    assert alice_api.get(path).status_code == 403


def test_outsiders_learn_nothing(outsider_api, board, workspace, link):
    assert outsider_api.get(f"/boards/{board.pk}/invitations").status_code == 404
    assert outsider_api.get(f"/workspaces/{workspace.slug}/invitations").status_code == 404
    assert outsider_api.delete(f"/invitations/{link['id']}").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "member"}, "emails"),
        ({"emails": ["a@example.com"], "link": True, "role": "member"}, "emails"),
        ({"emails": [], "role": "member"}, "emails"),
        ({"emails": [f"p{n}@example.com" for n in range(51)], "role": "member"}, "emails"),
        ({"emails": ["not an address"], "role": "member"}, "emails"),
        ({"emails": ["a" * 250 + "@example.com"], "role": "member"}, "emails.0"),
        ({"emails": ["a@example.com"], "role": "member", "max_uses": 2}, "max_uses"),
        ({"link": True, "role": "member", "expires_in_days": 91}, "expires_in_days"),
        ({"link": True, "role": "member", "max_uses": 0}, "max_uses"),
        ({"link": True, "role": "owner"}, "role"),
    ],
)
def test_bad_invitation_input_is_a_field_error(admin_api, board, body, field):
    response = admin_api.post(f"/boards/{board.pk}/invitations", body)

    assert response.status_code == 422
    assert field in error_of(response)["fields"]


def test_a_workspace_invite_cannot_make_viewers_or_owners(admin_api, workspace):
    path = f"/workspaces/{workspace.slug}/invitations"
    for role in ("viewer", "owner"):
        response = admin_api.post(path, {"link": True, "role": role})
        assert response.status_code == 422 and "role" in error_of(response)["fields"]


def test_inviting_a_member_again_is_a_field_error(admin_api, board, alice):
    response = admin_api.post(
        f"/boards/{board.pk}/invitations", {"emails": [alice.email], "role": "member"}
    )

    assert error_of(response)["fields"] == {"emails": f"Already a member: {alice.email}."}


def test_an_archived_boards_invitations_are_refused(admin_api, board, link):
    admin_api.post(f"/boards/{board.pk}/archive")

    listed = admin_api.get(f"/boards/{board.pk}/invitations")

    assert listed.status_code == 409 and error_of(listed)["code"] == "board_archived"
