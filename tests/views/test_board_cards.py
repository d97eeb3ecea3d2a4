"""A board page's cards and a task page's header: light (no form of their own), cards
rendered once per look of a task, and their buttons still work as plain form POSTs
without JavaScript."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from board.models import Epic, Status, Task
from board.selectors import board_snapshot
from board.services import task_create, task_update
from board.templatetags.cards import board_card
from tests.factories import member_add

pytestmark = pytest.mark.django_db

BYTES_PER_CARD = 800


def page_of(client, user, board) -> str:
    client.force_login(user)
    response = client.get(reverse("board_detail", args=[board.pk]))
    assert response.status_code == 200
    return response.content.decode()


def card_html(page: str, task_id: int) -> str:
    return re.search(rf'<article id="task-{task_id}".*?</article>', page, re.S).group(0)


def test_a_card_has_no_form_token_or_key_of_its_own(client, board, alice):
    task = task_create(actor=alice, board_id=board.pk, title="Light")
    page = page_of(client, alice, board)

    card = card_html(page, task.pk)
    assert "<form" not in card and "csrfmiddlewaretoken" not in card
    assert "idempotency_key" not in card
    assert (
        f'form="card-action" formaction="/tasks/{task.pk}/claim/" name="expected_version"'
        f' value="{task.version}"' in card
    )
    assert page.count('<form id="card-action"') == 1


def test_without_javascript_a_card_button_submits_the_page_form(client, board, alice):
    task = task_create(actor=alice, board_id=board.pk, title="By hand")
    page = page_of(client, alice, board)
    form = re.search(r'<form id="card-action".*?</form>', page, re.S).group(0)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))
    button = r'formaction="([^"]+)" name="([^"]+)" value="(\d+)"'
    action, name, value = re.search(button, card_html(page, task.pk)).groups()

    response = client.post(action, {**fields, name: value})

    assert response.status_code == 302
    assert Task.objects.get(pk=task.pk).status == Status.IN_PROGRESS


def test_a_page_of_300_cards_stays_under_800_bytes_a_card(client, board, alice):
    people = [alice] + [member_add(board=board) for _ in range(4)]
    epic = Epic.objects.create(board=board, name="Launch")
    Task.objects.bulk_create(
        Task(
            board=board,
            title=f"Task {i}: a realistic card title of some length",
            status=(Status.UNASSIGNED, Status.IN_PROGRESS, Status.DONE)[i % 3],
            creator=alice,
            owner=people[i % 5] if i % 3 else None,
            epic=epic if i % 2 else None,
            due_date=date(2030, 1, 1) if i % 4 == 0 else None,
            position=(i + 1) * 1024,
        )
        for i in range(300)
    )

    page = page_of(client, alice, board)

    assert page.count("<article ") == 300
    assert len(page.encode()) / 300 <= BYTES_PER_CARD


@pytest.mark.parametrize("display", [False, True])
def test_a_remembered_card_is_the_card_rendered_afresh(board, alice, display):
    task = task_create(actor=alice, board_id=board.pk, title="Same either way")

    def rows() -> list[dict]:
        return [row for column in board_snapshot(board=board).columns for row in column.tasks]

    [row] = rows()
    assert board_card(row, display) == render_to_string(
        "board/_card.html", {"task": row, "display": display}
    )
    task_update(actor=alice, task_id=task.pk, title="Renamed")
    [row] = rows()
    assert "Renamed" in board_card(row, display)
    assert board_card(row, display) == render_to_string(
        "board/_card.html", {"task": row, "display": display}
    )


def test_the_task_pages_buttons_submit_its_form_and_come_back_to_it(client, board, alice):
    task = task_create(actor=alice, board_id=board.pk, title="From its own page")
    client.force_login(alice)
    page = client.get(reverse("task_detail", args=[task.pk])).content.decode()
    form = re.search(r'<form id="card-action".*?</form>', page, re.S).group(0)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))
    head = re.search(rf'<header id="task-head-{task.pk}".*?</header>', page, re.S).group(0)
    assert "<form" not in head
    action, name, value = re.search(
        r'formaction="([^"]+/claim/)" name="([^"]+)" value="(\d+)"', head
    ).groups()

    response = client.post(action, {**fields, name: value})

    assert response.status_code == 302
    assert response["Location"] == reverse("task_detail", args=[task.pk])
    assert Task.objects.get(pk=task.pk).status == Status.IN_PROGRESS
