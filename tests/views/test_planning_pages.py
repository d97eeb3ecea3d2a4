from __future__ import annotations

import pytest
from django.urls import reverse

from board.models import Sprint
from board.services import sprint_create, task_claim, task_create, task_set_status

pytestmark = pytest.mark.django_db


def test_create_epic_and_list_it(client, board, alice):
    client.force_login(alice)
    response = client.post(reverse("epic_list", args=[board.pk]), {"name": "Onboarding"})
    assert response.status_code == 302
    assert "Onboarding" in client.get(reverse("epic_list", args=[board.pk])).content.decode()


def test_sprint_with_end_before_start_shows_a_field_error(client, board, alice):
    client.force_login(alice)
    response = client.post(
        reverse("sprint_list", args=[board.pk]),
        {"name": "S1", "start_date": "2026-12-10", "end_date": "2026-12-01"},
    )
    assert response.status_code == 422
    assert "The sprint must end after it starts." in response.content.decode()
    assert not Sprint.objects.exists()


def test_sprint_progress_and_add_remove_tasks(client, board, alice):
    sprint = sprint_create(
        actor=alice, board_id=board.pk, name="S1", start_date="2026-12-01", end_date="2026-12-14"
    )
    done = task_create(actor=alice, board_id=board.pk, title="Done one")
    open_task = task_create(actor=alice, board_id=board.pk, title="Open one")
    task_claim(actor=alice, task_id=done.pk)
    task_set_status(actor=alice, task_id=done.pk, status="DONE")
    client.force_login(alice)
    url = reverse("sprint_task_change", args=[sprint.pk, "add"])
    client.post(url, {"task_id": done.pk})
    client.post(url, {"task_id": open_task.pk})
    html = client.get(reverse("sprint_detail", args=[sprint.pk])).content.decode()
    assert "50% done" in html
    client.post(
        reverse("sprint_task_change", args=[sprint.pk, "remove"]), {"task_id": open_task.pk}
    )
    assert "100% done" in client.get(reverse("sprint_detail", args=[sprint.pk])).content.decode()
    listing = client.get(reverse("sprint_list", args=[board.pk])).content.decode()
    assert "100%" in listing


def test_adding_garbage_task_id_to_sprint_is_a_message_not_a_500(client, board, alice):
    sprint = sprint_create(
        actor=alice, board_id=board.pk, name="S1", start_date="2026-12-01", end_date="2026-12-14"
    )
    client.force_login(alice)
    response = client.post(
        reverse("sprint_task_change", args=[sprint.pk, "add"]), {"task_id": "abc"}, follow=True
    )
    assert response.status_code == 200
