"""An archived board's pages say it is archived (with Restore for its admins) instead
of showing it; a deleted board is unknown, like any other."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from board.models import Task
from board.services import (
    board_archive,
    board_delete,
    display_key_create,
    sprint_create,
    task_create,
)

pytestmark = pytest.mark.django_db

ARCHIVED = "This board is archived"


@pytest.fixture
def archived(board, admin, alice):
    """The board, archived, with a task and a sprint."""
    task = task_create(actor=alice, board_id=board.pk, title="Left as it was")
    start = datetime.date(2026, 1, 5)
    sprint = sprint_create(
        actor=alice,
        board_id=board.pk,
        name="Sprint",
        start_date=start,
        end_date=start + datetime.timedelta(days=14),
    )
    board_archive(actor=admin, board_id=board.pk)
    return {"board": board, "task": task, "sprint": sprint}


def _pages(archived) -> list[str]:
    board_id = archived["board"].pk
    return [
        reverse("board_detail", args=[board_id]),
        reverse("board_members", args=[board_id]),
        reverse("epic_list", args=[board_id]),
        reverse("sprint_list", args=[board_id]),
        reverse("sprint_detail", args=[archived["sprint"].pk]),
        reverse("task_detail", args=[archived["task"].pk]),
        reverse("task_edit", args=[archived["task"].pk]),
    ]


def test_every_page_of_an_archived_board_says_so_and_shows_none_of_it(client, archived, alice):
    client.force_login(alice)

    for url in _pages(archived):
        response = client.get(url)
        page = response.content.decode()
        assert response.status_code == 409, url
        assert ARCHIVED in page, url
        assert "Left as it was" not in page, url
        assert "Ask an admin of the board to restore it." in page
        assert reverse("board_restore", args=[archived["board"].pk]) not in page


def test_an_admin_is_offered_restore_and_delete(client, archived, admin):
    client.force_login(admin)
    board_id = archived["board"].pk

    page = client.get(reverse("board_detail", args=[board_id])).content.decode()

    assert reverse("board_restore", args=[board_id]) in page
    assert reverse("board_settings", args=[board_id]) in page
    assert reverse("board_leave", args=[board_id]) in page


def test_a_write_from_an_archived_boards_page_gets_the_archived_page(client, archived, alice):
    client.force_login(alice)
    board_id = archived["board"].pk

    created = client.post(reverse("task_create", args=[board_id]), {"title": "New"})
    edited = client.post(
        reverse("task_edit", args=[archived["task"].pk]),
        {"title": "Changed", "expected_version": 1},
    )

    assert created.status_code == edited.status_code == 409
    assert ARCHIVED in created.content.decode()
    assert list(Task.objects.values_list("title", flat=True)) == ["Left as it was"]


def test_an_htmx_request_gets_the_archived_refusal(client, archived, alice):
    client.force_login(alice)

    response = client.get(
        reverse("task_detail", args=[archived["task"].pk]), headers={"HX-Request": "true"}
    )

    assert response.status_code == 409
    assert "board_archived" in response["HX-Trigger"]


def test_a_card_action_on_an_archived_board_is_refused_with_its_message(client, archived, alice):
    client.force_login(alice)

    response = client.post(reverse("task_action", args=[archived["task"].pk, "claim"]), follow=True)

    assert "This board is archived: restore it to change it." in response.content.decode()
    assert Task.objects.get().owner is None


def test_a_deleted_board_is_a_404_like_any_unknown_board(client, board, admin, alice):
    task = task_create(actor=alice, board_id=board.pk, title="Gone")
    board_delete(actor=admin, board_id=board.pk, confirm_name=board.name)
    client.force_login(admin)

    assert client.get(reverse("board_detail", args=[board.pk])).status_code == 404
    assert client.get(reverse("board_settings", args=[board.pk])).status_code == 404
    assert client.get(reverse("task_detail", args=[task.pk])).status_code == 404


def test_the_wall_display_of_an_archived_board_says_so(client, board, admin):
    _, key = display_key_create(actor=admin, board_id=board.pk, name="TV")
    task_create(actor=admin, board_id=board.pk, title="Not on the wall")
    board_archive(actor=admin, board_id=board.pk)

    response = client.get(reverse("board_display", args=[board.pk]), {"key": key}, follow=True)

    assert response.status_code == 409
    page = response.content.decode()
    assert f"{board.name} is archived" in page
    assert "Not on the wall" not in page
    assert '<meta http-equiv="refresh" content="300">' in page


def test_the_board_page_shows_its_member_count(client, board, admin, alice, bob):
    client.force_login(alice)

    page = client.get(reverse("board_detail", args=[board.pk])).content.decode()

    members = reverse("board_members", args=[board.pk])
    assert f'<a id="member-count" class="member-count" href="{members}">3 members</a>' in page
