from __future__ import annotations

import pytest
from django.urls import reverse

from board.models import Epic, Task
from board.services import task_create, task_update

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def test_quick_create_with_htmx_returns_fresh_form_and_the_new_card(client, board, alice):
    client.force_login(alice)
    response = client.post(
        reverse("task_create", args=[board.pk]), {"title": "  Ship it  "}, **HTMX
    )
    html = response.content.decode()
    task = Task.objects.get(board=board)
    assert task.title == "Ship it"
    assert 'id="quick-task-form"' in html
    assert 'value=""' in html
    assert f'id="task-{task.pk}"' in html and 'data-origin="response"' in html


def test_quick_create_without_htmx_redirects(client, board, alice):
    client.force_login(alice)
    response = client.post(reverse("task_create", args=[board.pk]), {"title": "Plain post"})
    assert response.status_code == 302
    assert Task.objects.filter(title="Plain post").exists()


@pytest.mark.parametrize("headers", [HTMX, {}])
def test_quick_create_with_blank_title_shows_a_field_error(client, board, alice, headers):
    client.force_login(alice)
    response = client.post(reverse("task_create", args=[board.pk]), {"title": "   "}, **headers)
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Task.objects.exists()


def test_too_long_title_keeps_what_the_user_typed(client, board, alice):
    client.force_login(alice)
    title = "x" * 201
    response = client.post(reverse("task_create", args=[board.pk]), {"title": title}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 422
    assert f'value="{title}"' in html
    assert "200 characters" in html


def test_edit_dialog_get_returns_the_form_partial(client, board, alice):
    task = task_create(actor=alice, board_id=board.pk, title="Edit me")
    client.force_login(alice)
    html = client.get(reverse("task_edit", args=[task.pk]), **HTMX).content.decode()
    assert "<html" not in html
    assert 'id="task-edit-form"' in html and 'value="Edit me"' in html


def test_edit_saves_and_closes_the_dialog(client, board, alice):
    epic = Epic.objects.create(board=board, name="Billing")
    task = task_create(actor=alice, board_id=board.pk, title="Edit me")
    client.force_login(alice)
    response = client.post(
        reverse("task_edit", args=[task.pk]),
        {
            "title": "Edited",
            "description": "Now with words",
            "due_date": "2026-12-24",
            "epic": str(epic.pk),
            "expected_version": str(task.version),
        },
        **HTMX,
    )
    assert response.status_code == 200
    assert "taskboard:dialog-close" in response["HX-Trigger"]
    task.refresh_from_db()
    assert (task.title, task.epic, str(task.due_date)) == ("Edited", epic, "2026-12-24")


def test_edit_with_invalid_date_keeps_input_and_shows_error(client, board, alice):
    task = task_create(actor=alice, board_id=board.pk, title="Edit me")
    client.force_login(alice)
    response = client.post(
        reverse("task_edit", args=[task.pk]),
        {"title": "Typed title", "due_date": "not-a-date", "expected_version": str(task.version)},
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert 'value="Typed title"' in html and "Enter a valid date." in html
    assert Task.objects.get(pk=task.pk).title == "Edit me"


def test_edit_with_stale_version_is_refused(client, board, alice):
    task = task_create(actor=alice, board_id=board.pk, title="Edit me")
    client.force_login(alice)
    response = client.post(
        reverse("task_edit", args=[task.pk]), {"title": "Mine", "expected_version": "0"}, **HTMX
    )
    assert response.status_code == 409
    assert "Someone else changed this task first" in response.content.decode()


def test_edit_form_shows_the_description_limit_to_browsers(client, board, alice):
    task = task_create(actor=alice, board_id=board.pk, title="Limits")
    client.force_login(alice)
    html = client.get(reverse("task_edit", args=[task.pk])).content.decode()
    assert 'maxlength="5000"' in html


def test_a_description_at_the_limit_with_line_breaks_is_saved(client, board, alice):
    """The browser counts each line break once but sends CRLF."""
    task = task_create(actor=alice, board_id=board.pk, title="Lines")
    client.force_login(alice)
    description = "line\r\n" * 1000  # 6,000 characters sent, 5,000 in the textarea

    response = client.post(
        reverse("task_edit", args=[task.pk]), {"title": "Lines", "description": description}
    )

    assert response.status_code == 302
    task.refresh_from_db()
    assert task.description == ("line\n" * 1000).strip()


def test_a_conflicting_edit_shows_both_values_and_saving_again_keeps_the_choice(
    client, board, alice, bob
):
    task = task_create(actor=alice, board_id=board.pk, title="Plan")
    opened = task.version
    task_update(actor=bob, task_id=task.pk, title="Bob's plan")
    client.force_login(alice)

    response = client.post(
        reverse("task_edit", args=[task.pk]),
        {"title": "Alice's plan", "description": "notes", "expected_version": str(opened)},
    )

    html = response.content.decode()
    assert response.status_code == 409
    assert 'value="Alice&#x27;s plan"' in html
    assert "changed this to “Bob&#x27;s plan”" in html
    current = Task.objects.get(pk=task.pk)
    assert f'name="expected_version" value="{current.version}"' in html
    assert current.description == ""

    saved = client.post(
        reverse("task_edit", args=[task.pk]),
        {"title": "Alice's plan", "description": "notes", "expected_version": str(current.version)},
    )
    assert saved.status_code == 302
    assert Task.objects.get(pk=task.pk).title == "Alice's plan"
