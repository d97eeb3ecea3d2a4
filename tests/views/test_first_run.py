"""The first run, as a new person: register, create a workspace and a board, invite a
colleague by email, who registers from the mail's link and lands on the board."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import Organization, WorkspaceRole
from board.models import Board, Invitation, Membership, Role, Task
from board.views.first_run import step_url
from tests.factories import BoardFactory, UserFactory, member_add

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttles")]

PASSWORD = "a-long-pass-phrase"


def register(client, username: str, next_url: str = ""):
    url = reverse("register") + (f"?next={next_url}" if next_url else "")
    data = {
        "username": username,
        "email": f"{username}@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    if next_url:
        data["next"] = next_url
    return client.post(url, data)


def link_in(text: str, pattern: str) -> str:
    found = re.search(pattern, text)
    assert found, f"no {pattern} in {text[:500]}"
    return found.group(0).replace("&amp;", "&")


def invitation_mail_to(address: str):
    [message] = [m for m in mail.outbox if address in m.to and "invited you" in m.subject]
    return message


def test_a_new_person_and_a_colleague_invited_by_email_end_up_on_one_board(
    client, django_capture_on_commit_callbacks
):
    assert register(client, "nora").status_code == 302
    assert client.get(reverse("board_list"))["Location"] == reverse("first_run")
    first = client.get(reverse("first_run"))
    assert first.status_code == 200
    assert "Create a workspace" in first.content.decode()

    response = client.post(step_url("workspace"), {"name": "Nora's Studio", "slug": "nora-studio"})
    assert response["Location"] == step_url("board", workspace="nora-studio")
    response = client.post(
        response["Location"], {"name": "Launch", "description": "", "start": "sample"}
    )
    board = Board.objects.get(name="Launch")
    assert board.organization.slug == "nora-studio"
    assert Task.objects.filter(board=board).count() == 5
    assert response["Location"] == step_url("invite", board=board.pk)

    invite_page = client.get(response["Location"]).content.decode()
    assert 'id="invite-link"' in invite_page and "/invite/" in invite_page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            response["Location"], {"emails": "omar@example.com", "role": "member"}
        )
    assert response.status_code == 302

    accept_url = link_in(
        invitation_mail_to("omar@example.com").body, r"http://testserver/invite/\S+/"
    )
    colleague = Client()
    page = colleague.get(accept_url).content.decode()
    register_url = link_in(page, r'/accounts/register/\?next=[^"]+')
    assert colleague.get(register_url).status_code == 200
    token_path = accept_url.removeprefix("http://testserver")
    assert register(colleague, "omar", next_url=token_path)["Location"] == token_path
    joined = colleague.get(token_path)
    assert joined["Location"] == reverse("board_detail", args=[board.pk])
    assert colleague.get(joined["Location"]).status_code == 200

    roles = dict(Membership.objects.filter(board=board).values_list("user__username", "role"))
    assert roles == {"nora": Role.ADMIN, "omar": Role.MEMBER}
    assert client.get(reverse("board_detail", args=[board.pk])).status_code == 200


def test_the_invite_step_shows_the_same_member_link_on_every_visit(client):
    nora = UserFactory()
    board = BoardFactory()
    member_add(board=board, user=nora, role=Role.ADMIN)
    client.force_login(nora)

    first = client.get(step_url("invite", board=board.pk)).content.decode()
    second = client.get(step_url("invite", board=board.pk)).content.decode()

    assert Invitation.objects.filter(board=board, email="").count() == 1
    link = link_in(first, r'value="http://testserver/invite/[^"]+"')
    assert link in second
    assert 'data-copy-for="invite-link"' in first and "hidden" in first


@pytest.mark.parametrize("step", ["workspace", "board", "invite"])
def test_every_step_opens_again_later_and_can_be_skipped(client, step):
    client.force_login(UserFactory())

    page = client.get(step_url(step)).content.decode()

    assert 'aria-current="step"' in page
    assert "Skip" in page


def test_skipping_the_first_run_leads_to_the_board_list_not_back(client):
    client.force_login(UserFactory())
    client.get(reverse("first_run"))

    response = client.get(reverse("board_list"))

    assert response.status_code == 200
    assert reverse("first_run") in response.content.decode()


def test_someone_who_opened_an_invitation_goes_back_to_it_not_to_the_first_run(client):
    from board.services import invitation_link_create
    from board.workspace_selectors import invitation_link

    board = BoardFactory()
    admin = member_add(board=board, role=Role.ADMIN)
    link = invitation_link(
        invitation=invitation_link_create(actor=admin, board_id=board.pk, role=Role.MEMBER)
    )
    client.get(link)
    register(client, "pia")  # from the header's link, without a next

    assert client.get(reverse("board_list"))["Location"] == link


def test_a_taken_slug_is_a_field_error_and_nothing_is_created(client):
    Organization.objects.create(name="Taken", slug="acme")
    client.force_login(UserFactory())

    response = client.post(step_url("workspace"), {"name": "Acme", "slug": "acme"})

    page = response.content.decode()
    assert response.status_code == 422
    assert "That address is taken" in page
    assert 'aria-describedby="id_slug_helptext id_slug_error"' in page
    assert Organization.objects.filter(name="Acme").count() == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "x" * 121, "slug": ""}, "at most 120 characters"),
        ({"name": "Fine", "slug": "Not A Slug"}, "lowercase letters, digits"),
        ({"name": "   ", "slug": ""}, "This field is required"),
    ],
)
def test_bad_workspace_input_is_refused_on_its_field(client, data, message):
    client.force_login(UserFactory())

    response = client.post(step_url("workspace"), data)

    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Organization.objects.exists()


def test_an_overlong_board_name_is_refused(client):
    nora = UserFactory()
    client.force_login(nora)
    client.post(step_url("workspace"), {"name": "Studio"})

    response = client.post(step_url("board"), {"name": "b" * 121, "start": "empty"})

    assert response.status_code == 422
    assert "at most 120 characters" in response.content.decode()
    assert not Board.objects.exists()


def test_the_board_step_without_a_workspace_says_so(client):
    client.force_login(UserFactory())

    response = client.post(step_url("board"), {"name": "Orphan", "start": "empty"})

    assert response.status_code == 409
    assert "Boards live in a workspace" in response.content.decode()


def test_inviting_an_address_already_on_the_board_is_a_field_error(client):
    board = BoardFactory()
    admin = member_add(board=board, role=Role.ADMIN)
    member = member_add(board=board)
    client.force_login(admin)

    response = client.post(
        step_url("invite", board=board.pk), {"emails": member.email.upper(), "role": "member"}
    )

    assert response.status_code == 422
    assert f"Already a member: {member.email}" in response.content.decode()
    assert not Invitation.objects.filter(email__iexact=member.email).exists()


def test_a_workspace_owner_is_made_by_the_first_step(client):
    nora = UserFactory()
    client.force_login(nora)

    client.post(step_url("workspace"), {"name": "Studio", "slug": ""})

    workspace = Organization.objects.get(name="Studio")
    assert workspace.slug == "studio"
    assert workspace.workspace_memberships.get(user=nora).role == WorkspaceRole.OWNER
