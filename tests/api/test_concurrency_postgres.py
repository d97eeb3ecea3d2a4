"""Races over HTTP on PostgreSQL: real threads, each with its own client and connection."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from accounts.tokens import api_token_create
from board.models import Event, Task
from board.services import task_create
from idempotency.models import IdempotencyKey
from tests.api.conftest import ApiClient
from tests.factories import member_add
from tests.threads import threads_run

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(90),
]


def token_client(user: Any) -> ApiClient:
    return ApiClient(api_token_create(user=user, name="race")[1])


def test_twenty_clients_claiming_at_once_give_exactly_one_200(board):
    users = [member_add(board=board) for _ in range(20)]
    task = task_create(actor=users[0], board_id=board.pk, title="Contested")
    clients = [token_client(user) for user in users]

    answers = threads_run(20, lambda i: clients[i].post(f"/tasks/{task.pk}/claim"))

    statuses = Counter(answer.status_code for answer in answers)
    codes = Counter(a.json()["error"]["code"] for a in answers if a.status_code != 200)
    winner = next(a for a in answers if a.status_code == 200).json()["owner"]["id"]
    assert statuses == {200: 1, 409: 19}
    assert codes == {"already_claimed": 19}
    assert Task.objects.get(pk=task.pk).owner_id == winner
    assert Event.objects.filter(task=task, kind="task.claimed").count() == 1


def test_ten_identical_creates_with_one_key_at_once_create_one_task(board):
    client = token_client(member_add(board=board))
    key = {"Idempotency-Key": "race-create-1"}

    answers = threads_run(
        10, lambda i: client.post(f"/boards/{board.pk}/tasks", {"title": "Once"}, headers=key)
    )

    assert [a.status_code for a in answers] == [201] * 10
    assert all(a.json() == answers[0].json() for a in answers)
    assert Task.objects.filter(board=board).count() == 1
    assert Event.objects.filter(board=board).count() == 1
    assert IdempotencyKey.objects.count() == 1
    assert sum(a.has_header("Idempotent-Replayed") for a in answers) == 9


def test_ten_identical_claims_with_one_key_at_once_claim_once(board):
    user = member_add(board=board)
    task = task_create(actor=user, board_id=board.pk, title="Mine")
    client = token_client(user)
    key = {"Idempotency-Key": "race-claim-1"}

    answers = threads_run(10, lambda i: client.post(f"/tasks/{task.pk}/claim", headers=key))

    assert [a.status_code for a in answers] == [200] * 10
    assert all(a.json() == answers[0].json() for a in answers)
    assert Event.objects.filter(task=task, kind="task.claimed").count() == 1
    assert Task.objects.get(pk=task.pk).version == 2
