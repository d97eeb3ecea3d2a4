"""An email address names someone to add to a board only once they have verified it
(accounts.selectors.user_to_add). The API's door: tests/api/test_boards.py."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.selectors import user_by_login, user_to_add
from board.models import Membership, Role
from tests.factories import UserFactory, workspace_member_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(board):
    """In the board's workspace, not on the board, address not verified yet."""
    return workspace_member_add(
        organization=board.organization,
        user=UserFactory(email="newcomer@example.com", email_verified_at=None),
    )


def test_an_unverified_address_names_nobody_to_add(newcomer):
    assert user_to_add("Newcomer@example.com") is None


def test_a_verified_address_names_its_account(newcomer):
    newcomer.email_verified_at = newcomer.date_joined
    newcomer.save()

    assert user_to_add("newcomer@EXAMPLE.com") == newcomer


def test_a_username_names_anyone(newcomer):
    assert user_to_add(newcomer.username.upper()) == newcomer


def test_login_still_finds_an_unverified_address(newcomer):
    assert user_by_login("newcomer@example.com") == newcomer


def test_the_members_page_refuses_an_unverified_address_as_it_refuses_nobody(
    client, board, admin, newcomer
):
    client.force_login(admin)
    members = reverse("board_members", args=[board.pk])

    unverified = client.post(members, {"username": newcomer.email, "role": Role.MEMBER})
    nobody = client.post(members, {"username": "nobody@example.com", "role": Role.MEMBER})

    assert unverified.status_code == nobody.status_code == 404
    assert unverified.context["form"].errors == nobody.context["form"].errors
    assert "verified email address" in unverified.content.decode()
    assert not Membership.objects.filter(board=board, user=newcomer).exists()


def test_the_members_page_adds_an_unverified_person_by_username(client, board, admin, newcomer):
    client.force_login(admin)

    response = client.post(
        reverse("board_members", args=[board.pk]),
        {"username": newcomer.username, "role": Role.MEMBER},
    )

    assert response.status_code == 302
    assert Membership.objects.filter(board=board, user=newcomer).exists()
