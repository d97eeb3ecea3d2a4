"""Each rendered form carries its own idempotency key: submitting it twice changes the
board once, and a form refused by a service can be corrected and sent again."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from board.models import Board, Event, EventKind, Task
from board.services import task_create

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def form_key(html: str, form_id: str | None = None) -> str:
    if form_id:
        html = html[html.index(f'id="{form_id}"') :]
    return re.search(r'name="idempotency_key" value="([0-9a-f]+)"', html).group(1)


def test_quick_create_submitted_twice_creates_one_task(client, board, alice):
    client.force_login(alice)
    page = client.get(reverse("board_detail", args=[board.pk])).content.decode()
    data = {"title": "Only once", "idempotency_key": form_key(page, "quick-task-form")}
    first = client.post(reverse("task_create", args=[board.pk]), data, **HTMX)
    second = client.post(reverse("task_create", args=[board.pk]), data, **HTMX)
    assert first.status_code == second.status_code == 200
    assert Task.objects.filter(board=board, title="Only once").count() == 1


def test_a_double_clicked_claim_claims_once_and_says_so_both_times(client, board, alice):
    task = task_create(actor=alice, board_id=board.pk, title="Click click")
    client.force_login(alice)
    page = client.get(reverse("board_detail", args=[board.pk])).content.decode()
    key = form_key(page, "card-action")
    url = reverse("task_action", args=[task.pk, "claim"])
    responses = [client.post(url, {"idempotency_key": key}, **HTMX) for _ in range(2)]
    assert [r.status_code for r in responses] == [200, 200]
    assert "card-error" not in responses[1].content.decode()
    assert Event.objects.filter(task=task, kind=EventKind.TASK_CLAIMED).count() == 1


def test_one_page_key_acts_once_on_each_card(client, board, alice):
    """Every card's buttons submit the page's one form: its key, spent on one card (a
    page reached again with Back), still acts on another, and once on each."""
    first = task_create(actor=alice, board_id=board.pk, title="First")
    second = task_create(actor=alice, board_id=board.pk, title="Second")
    client.force_login(alice)
    page = client.get(reverse("board_detail", args=[board.pk])).content.decode()
    key = form_key(page, "card-action")
    for task in (first, second, first):
        response = client.post(
            reverse("task_action", args=[task.pk, "claim"]), {"idempotency_key": key}
        )
        assert response.status_code == 302
    claimed = Event.objects.filter(kind=EventKind.TASK_CLAIMED)
    assert sorted(claimed.values_list("task_id", flat=True)) == [first.pk, second.pk]


def test_a_refused_form_can_be_sent_again_with_the_same_key(client, board, alice):
    Board.objects.filter(pk=board.pk).update(wip_limit_unassigned=0)
    client.force_login(alice)
    data = {"title": "Wait for room", "idempotency_key": "a" * 32}
    refused = client.post(reverse("task_create", args=[board.pk]), data, **HTMX)
    assert refused.status_code == 409 and "limit of 0" in refused.content.decode()
    Board.objects.filter(pk=board.pk).update(wip_limit_unassigned=None)
    accepted = client.post(reverse("task_create", args=[board.pk]), data, **HTMX)
    assert accepted.status_code == 200
    assert Task.objects.filter(title="Wait for room").count() == 1


def test_a_key_reused_for_a_different_form_is_refused_clearly(client, board, alice):
    client.force_login(alice)
    url = reverse("task_create", args=[board.pk])
    client.post(url, {"title": "First", "idempotency_key": "b" * 32}, **HTMX)
    response = client.post(url, {"title": "Second", "idempotency_key": "b" * 32}, **HTMX)
    assert response.status_code == 422
    assert "already used for a different request" in response.content.decode()
    assert not Task.objects.filter(title="Second").exists()
