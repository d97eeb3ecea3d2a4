from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from board.models import Role, Status, Task
from board.services import task_claim, task_create
from tests.factories import UserFactory, member_add, workspace_member_add

pytestmark = pytest.mark.django_db


def _without_csrf(page: str) -> str:
    return re.sub(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', "", page)


def _board_page_queries(client, board) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("board_detail", args=[board.pk]))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_board_page_shows_columns_counts_and_cards(client, board, alice, bob):
    task = task_create(actor=alice, board_id=board.pk, title="Write the release notes")
    task_claim(actor=bob, task_id=task.pk)
    board.wip_limit_in_progress = 3
    board.save()
    client.force_login(alice)
    html = client.get(reverse("board_detail", args=[board.pk])).content.decode()
    assert "Unassigned" in html and "In progress" in html and "Done" in html
    assert "Write the release notes" in html
    assert bob.display_name in html
    assert '<span class="limit"> / 3</span>' in html


def test_board_page_query_count_does_not_grow_with_tasks(client, board, alice):
    client.force_login(alice)
    for n in range(5):
        task_create(actor=alice, board_id=board.pk, title=f"Task {n}")
    small = _board_page_queries(client, board)
    Task.objects.bulk_create(
        Task(board=board, title=f"Bulk {n}", creator=alice, position=10_000 + n) for n in range(495)
    )
    assert Task.objects.filter(board=board).count() == 500
    assert _board_page_queries(client, board) == small


def test_non_member_gets_404_on_board_and_task(client, board, alice, outsider):
    task = task_create(actor=alice, board_id=board.pk, title="Secret")
    client.force_login(outsider)
    assert client.get(reverse("board_detail", args=[board.pk])).status_code == 404
    assert client.get(reverse("task_detail", args=[task.pk])).status_code == 404
    response = client.post(reverse("task_action", args=[task.pk, "claim"]))
    assert response.status_code == 404
    assert Task.objects.get(pk=task.pk).status == Status.UNASSIGNED


def test_anonymous_user_is_sent_to_login(client, board):
    response = client.get(reverse("board_detail", args=[board.pk]))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_board_list_shows_only_my_boards(client, board, alice):
    other = member_add(
        board=board.__class__.objects.create(
            organization=board.organization, name="Hidden board", slug="hidden"
        )
    )
    client.force_login(alice)
    html = client.get(reverse("board_list")).content.decode()
    assert board.name in html
    assert "Hidden board" not in html
    assert other.pk != alice.pk


def test_task_detail_shows_history(client, board, alice):
    task = task_create(actor=alice, board_id=board.pk, title="Has a past")
    task_claim(actor=alice, task_id=task.pk)
    client.force_login(alice)
    html = client.get(reverse("task_detail", args=[task.pk])).content.decode()
    assert f"{alice.display_name} created it" in html
    assert f"{alice.display_name} claimed it" in html


def test_viewer_sees_the_board_but_cannot_change_anything(client, board, alice, viewer):
    task = task_create(actor=alice, board_id=board.pk, title="Look, don't touch")
    client.force_login(viewer)
    page = client.get(reverse("board_detail", args=[board.pk])).content.decode()
    assert 'data-role="viewer"' in page
    assert 'id="quick-task-form"' not in page
    for action in ["claim", "release", "done", "reopen", "archive"]:
        client.post(reverse("task_action", args=[task.pk, action]))
    client.post(reverse("task_create", args=[board.pk]), {"title": "Sneaky"})
    client.post(reverse("task_edit", args=[task.pk]), {"title": "Renamed"})
    client.post(reverse("task_move", args=[task.pk]), {"index": "0"})
    task.refresh_from_db()
    assert task.status == Status.UNASSIGNED and task.title == "Look, don't touch"
    assert task.version == 1
    assert Task.objects.filter(board=board).count() == 1


def test_member_role_is_enforced_for_archive(client, board, alice):
    task = task_create(actor=alice, board_id=board.pk, title="Keep me")
    client.force_login(alice)
    response = client.post(reverse("task_action", args=[task.pk, "archive"]), follow=True)
    assert "Only a board admin can archive tasks." in response.content.decode()
    assert Task.objects.get(pk=task.pk).status == Status.UNASSIGNED


def test_admin_can_set_member_roles(client, board, admin, colleague):
    client.force_login(admin)
    response = client.post(
        reverse("board_members", args=[board.pk]),
        {"username": colleague.email.upper(), "role": Role.VIEWER},
    )
    assert response.status_code == 302
    assert board.memberships.get(user=colleague).role == Role.VIEWER


def test_unknown_member_username_gets_a_field_error(client, board, admin):
    client.force_login(admin)
    response = client.post(
        reverse("board_members", args=[board.pk]), {"username": "nobody", "role": Role.MEMBER}
    )
    assert response.status_code == 404  # not_found, as through the API
    assert (
        "No one in this workspace has that username or verified email address."
        in response.content.decode()
    )


def test_adding_someone_outside_the_workspace_reads_as_if_they_had_no_account(
    client, board, admin, outsider
):
    client.force_login(admin)
    members = reverse("board_members", args=[board.pk])

    stranger = client.post(members, {"username": outsider.email, "role": Role.MEMBER})
    nobody = client.post(members, {"username": "nobody@example.com", "role": Role.MEMBER})

    assert stranger.status_code == nobody.status_code == 404
    page = stranger.content.decode()
    assert "Only people in the workspace can be added" in page
    assert outsider.display_name not in page
    same = [_without_csrf(page.replace(outsider.email, "nobody@example.com"))]
    assert same == [_without_csrf(nobody.content.decode())]
    assert not board.memberships.filter(user=outsider).exists()


def test_a_squatters_username_does_not_capture_an_email_lookup(client, board, admin):
    # The squatter registered first (the lower id), before usernames refused `@`.
    squatter = workspace_member_add(organization=board.organization)
    type(squatter).objects.filter(pk=squatter.pk).update(username="newhire@corp.example")
    hire = workspace_member_add(
        organization=board.organization, user=UserFactory(email="newhire@corp.example")
    )
    client.force_login(admin)

    client.post(
        reverse("board_members", args=[board.pk]),
        {"username": "NewHire@corp.example", "role": Role.MEMBER},
    )

    assert board.memberships.filter(user=hire).exists()
    assert not board.memberships.filter(user=squatter).exists()


def test_ids_beyond_any_row_are_404_not_500(client, alice):
    client.force_login(alice)
    huge = 2**64
    assert client.get(f"/boards/{huge}/").status_code == 404
    assert client.get(f"/tasks/{huge}/").status_code == 404
    assert client.post(f"/tasks/{huge}/claim/").status_code == 404


def test_a_huge_column_renders_its_top_cards_and_offers_the_rest(client, board, alice, settings):
    settings.BOARD_PAGE_CARDS_PER_COLUMN = 3
    tasks = [task_create(actor=alice, board_id=board.pk, title=f"Task {n}") for n in range(5)]
    client.force_login(alice)
    html = client.get(reverse("board_detail", args=[board.pk])).content.decode()
    assert f'id="task-{tasks[2].pk}"' in html and f'id="task-{tasks[3].pk}"' not in html
    assert "2 more cards: show all 5" in html
    assert '<span class="count"' in html and ">5<" in html
    everything = client.get(reverse("board_detail", args=[board.pk]), {"all": "1"}).content.decode()
    assert f'id="task-{tasks[4].pk}"' in everything and "more card" not in everything
