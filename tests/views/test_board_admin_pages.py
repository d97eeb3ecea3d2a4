"""The board's settings page: name and description, archive, restore, delete with a
typed confirmation, and leave; each a plain form POST, refused with the service's
message and status."""

from __future__ import annotations

import pytest
from django.urls import reverse

from board.limits import DESCRIPTION_MAX_LENGTH, NAME_MAX_LENGTH
from board.models import Board, Membership, Role, Task
from board.services import board_archive, task_create
from tests.factories import member_add

pytestmark = pytest.mark.django_db


def _post(client, name: str, board: Board, data: dict | None = None, **kwargs):
    return client.post(reverse(name, args=[board.pk]), data or {}, **kwargs)


def test_the_settings_page_has_a_section_for_each_setting(client, board, admin):
    client.force_login(admin)

    page = client.get(reverse("board_settings", args=[board.pk])).content.decode()

    for heading in ["Name and description", "Work-in-progress limits", "Wall displays"]:
        assert heading in page
    for action in ["board_update", "board_archive", "board_delete", "board_leave"]:
        assert reverse(action, args=[board.pk]) in page


def test_an_admin_renames_the_board_and_changes_its_description(client, board, admin):
    client.force_login(admin)

    response = _post(
        client, "board_update", board, {"name": "Launch", "description": "Ship it"}, follow=True
    )

    board.refresh_from_db()
    assert (board.name, board.description) == ("Launch", "Ship it")
    assert response.redirect_chain[-1][0] == reverse("board_settings", args=[board.pk])
    assert "Name and description saved." in response.content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "x" * (NAME_MAX_LENGTH + 1)}, "name"),
        ({"name": "ok", "description": "x" * (DESCRIPTION_MAX_LENGTH + 1)}, "description"),
        ({"name": "   "}, "name"),
    ],
)
def test_a_bad_name_or_description_is_a_field_error(client, board, admin, data, field):
    client.force_login(admin)
    before = board.name

    response = _post(client, "board_update", board, data)

    assert response.status_code == 422
    assert field in response.context["details_form"].errors
    board.refresh_from_db()
    assert board.name == before


def test_a_member_cannot_rename_the_board(client, board, alice):
    client.force_login(alice)
    before = board.name

    response = _post(client, "board_update", board, {"name": "Mine now"})

    assert response.status_code == 403
    assert "Only a board admin can do that." in response.content.decode()
    board.refresh_from_db()
    assert board.name == before


def test_an_admin_archives_the_board_and_its_page_says_so(client, board, admin):
    client.force_login(admin)

    response = _post(client, "board_archive", board, follow=True)

    board.refresh_from_db()
    assert board.archived_at is not None
    assert response.status_code == 409
    page = response.content.decode()
    assert "This board is archived" in page
    assert "is archived. Restore it at any time." in page
    assert reverse("board_restore", args=[board.pk]) in page


def test_an_admin_restores_an_archived_board(client, board, admin):
    board_archive(actor=admin, board_id=board.pk)
    client.force_login(admin)

    response = _post(client, "board_restore", board, follow=True)

    board.refresh_from_db()
    assert board.archived_at is None
    assert response.status_code == 200
    assert 'id="board"' in response.content.decode()


@pytest.mark.parametrize("action", ["board_archive", "board_restore"])
def test_a_member_cannot_archive_or_restore(client, board, admin, alice, action):
    if action == "board_restore":
        board_archive(actor=admin, board_id=board.pk)
    client.force_login(alice)
    before = Board.objects.get(pk=board.pk).archived_at

    response = _post(client, action, board)

    assert response.status_code == 403
    assert "Only a board admin can do that." in response.content.decode()
    assert Board.objects.get(pk=board.pk).archived_at == before


def test_an_archived_boards_settings_offer_only_restore_delete_and_leave(client, board, admin):
    board_archive(actor=admin, board_id=board.pk)
    client.force_login(admin)

    page = client.get(reverse("board_settings", args=[board.pk])).content.decode()

    assert reverse("board_restore", args=[board.pk]) in page
    assert reverse("board_delete", args=[board.pk]) in page
    assert reverse("board_leave", args=[board.pk]) in page
    assert reverse("board_update", args=[board.pk]) not in page


def test_an_admin_deletes_the_board_by_typing_its_name(client, board, admin, alice):
    task_create(actor=alice, board_id=board.pk, title="Goes with it")
    client.force_login(admin)

    response = _post(client, "board_delete", board, {"confirm_name": board.name}, follow=True)

    assert not Board.objects.filter(pk=board.pk).exists()
    assert not Task.objects.exists()
    assert f"“{board.name}” is deleted" in response.content.decode()
    assert client.get(reverse("board_detail", args=[board.pk])).status_code == 404


@pytest.mark.parametrize("typed", ["", "Another board", "x" * (NAME_MAX_LENGTH + 5)])
def test_a_wrong_confirmation_keeps_the_board_and_says_what_to_type(client, board, admin, typed):
    client.force_login(admin)

    response = _post(client, "board_delete", board, {"confirm_name": typed})

    assert response.status_code == 422
    assert Board.objects.filter(pk=board.pk).exists()
    errors = response.context["delete_form"].errors["confirm_name"]
    assert f"Type “{board.name}” exactly." in errors


def test_an_archived_board_can_be_deleted(client, board, admin):
    board_archive(actor=admin, board_id=board.pk)
    client.force_login(admin)

    response = _post(client, "board_delete", board, {"confirm_name": board.name})

    assert response.status_code == 302
    assert not Board.objects.filter(pk=board.pk).exists()


def test_a_member_cannot_delete_the_board_even_with_its_name(client, board, alice):
    client.force_login(alice)

    response = _post(client, "board_delete", board, {"confirm_name": board.name})

    assert response.status_code == 403
    assert "Only a board admin can do that." in response.content.decode()
    assert Board.objects.filter(pk=board.pk).exists()


@pytest.mark.parametrize("back", ["members", "settings"])
def test_a_member_leaves_the_board(client, board, admin, alice, back):
    client.force_login(alice)

    response = _post(client, "board_leave", board, {"back": back}, follow=True)

    assert not Membership.objects.filter(board=board, user=alice).exists()
    assert f"You left “{board.name}”." in response.content.decode()
    assert client.get(reverse("board_detail", args=[board.pk])).status_code == 404


@pytest.mark.parametrize(("back", "page_form"), [("settings", "details_form"), ("members", "form")])
def test_the_last_admin_cannot_leave_and_is_told_why_on_the_same_page(
    client, board, admin, back, page_form
):
    client.force_login(admin)

    response = _post(client, "board_leave", board, {"back": back})

    assert response.status_code == 422
    assert page_form in response.context
    assert "is the last admin of" in response.context["leave_error"]
    assert 'id="leave-error"' in response.content.decode()
    assert Membership.objects.filter(board=board, user=admin, role=Role.ADMIN).exists()


def test_the_last_admin_of_an_archived_board_cannot_leave_either(client, board, admin):
    board_archive(actor=admin, board_id=board.pk)
    client.force_login(admin)

    response = _post(client, "board_leave", board, {"back": "archived"})

    assert response.status_code == 422
    assert "This board is archived" in response.content.decode()
    assert "is the last admin of" in response.context["leave_error"]


def test_an_admin_leaves_once_someone_else_is_admin(client, board, admin):
    member_add(board=board, role=Role.ADMIN)
    client.force_login(admin)

    response = _post(client, "board_leave", board, {"back": "settings"})

    assert response.status_code == 302
    assert not Membership.objects.filter(board=board, user=admin).exists()


def test_a_non_member_gets_404_from_every_board_action(client, board, admin, outsider):
    client.force_login(outsider)

    for name in ["board_update", "board_archive", "board_restore", "board_delete", "board_leave"]:
        assert _post(client, name, board, {"confirm_name": board.name}).status_code == 404
    assert Board.objects.get(pk=board.pk).archived_at is None


def test_board_actions_take_only_posts(client, board, admin):
    client.force_login(admin)

    for name in ["board_update", "board_archive", "board_restore", "board_delete", "board_leave"]:
        assert client.get(reverse(name, args=[board.pk])).status_code == 405
