from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from board.models import Event, Task
from board.services import task_claim
from idempotency.keys import idempotency_keys_purge
from idempotency.models import IdempotencyKey
from tests.api.conftest import error_of

pytestmark = pytest.mark.django_db

KEY = {"Idempotency-Key": "6f1c1a52-3b7e-4a7c-9d55-2f0f5e9b8a10"}


def test_a_retried_create_returns_the_first_response_and_creates_one_task(board, alice_api):
    first = alice_api.post(f"/boards/{board.pk}/tasks", {"title": "Once"}, headers=KEY)
    retry = alice_api.post(f"/boards/{board.pk}/tasks", {"title": "Once"}, headers=KEY)

    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert Task.objects.filter(board=board).count() == 1


def test_the_same_body_with_other_spacing_and_key_order_is_the_same_request(board, alice_api):
    url = f"/api/v1/boards/{board.pk}/tasks"
    send = alice_api.client.post
    headers = {**alice_api.headers, **KEY}
    send(url, '{"title": "T", "description": "d"}', "application/json", headers=headers)

    retry = send(url, '{"description":"d","title":"T"}', "application/json", headers=headers)

    assert retry.status_code == 201
    assert Task.objects.filter(board=board).count() == 1


def test_a_retried_claim_returns_200_not_already_claimed(board, alice_api, task):
    first = alice_api.post(f"/tasks/{task.pk}/claim", headers=KEY)
    retry = alice_api.post(f"/tasks/{task.pk}/claim", headers=KEY)

    assert first.status_code == retry.status_code == 200
    assert retry.json() == first.json()
    assert Event.objects.filter(task=task, kind="task.claimed").count() == 1


def test_a_retried_status_change_changes_nothing(alice, alice_api, task):
    task_claim(actor=alice, task_id=task.pk)
    alice_api.post(f"/tasks/{task.pk}/status", {"status": "DONE"}, headers=KEY)
    seq = Event.objects.filter(task=task).count()

    retry = alice_api.post(f"/tasks/{task.pk}/status", {"status": "DONE"}, headers=KEY)

    assert retry.status_code == 200 and retry.json()["status"] == "DONE"
    assert Event.objects.filter(task=task).count() == seq


def test_a_retried_delete_returns_204_again(admin, admin_api, board):
    from board.services import epic_create

    epic = epic_create(actor=admin, board_id=board.pk, name="E")
    admin_api.delete(f"/epics/{epic.pk}", headers=KEY)

    retry = admin_api.delete(f"/epics/{epic.pk}", headers=KEY)

    assert retry.status_code == 204
    assert admin_api.delete(f"/epics/{epic.pk}").status_code == 404


def test_the_same_key_with_a_different_body_is_422(board, alice_api):
    alice_api.post(f"/boards/{board.pk}/tasks", {"title": "One"}, headers=KEY)

    response = alice_api.post(f"/boards/{board.pk}/tasks", {"title": "Two"}, headers=KEY)

    assert response.status_code == 422
    assert "Idempotency-Key" in error_of(response)["fields"]
    assert Task.objects.filter(board=board).count() == 1


def test_the_same_key_on_another_endpoint_is_422(alice_api, task):
    alice_api.post(f"/tasks/{task.pk}/claim", headers=KEY)

    assert alice_api.post(f"/tasks/{task.pk}/release", headers=KEY).status_code == 422


def test_a_refused_write_keeps_no_key_so_a_corrected_retry_runs(board, alice_api):
    refused = alice_api.post(f"/boards/{board.pk}/tasks", {"title": ""}, headers=KEY)
    corrected = alice_api.post(f"/boards/{board.pk}/tasks", {"title": "Fixed"}, headers=KEY)

    assert refused.status_code == 422
    assert corrected.status_code == 201
    assert not corrected.has_header("Idempotent-Replayed")


def test_keys_belong_to_their_user(board, alice_api, bob_api):
    alice_api.post(f"/boards/{board.pk}/tasks", {"title": "Mine"}, headers=KEY)

    response = bob_api.post(f"/boards/{board.pk}/tasks", {"title": "Mine"}, headers=KEY)

    assert response.status_code == 201
    assert Task.objects.filter(board=board).count() == 2


@pytest.mark.parametrize("key", ["", "x" * 256, "has space", "ключ"])
def test_a_malformed_key_is_422(board, alice_api, key):
    response = alice_api.post(
        f"/boards/{board.pk}/tasks", {"title": "T"}, headers={"Idempotency-Key": key}
    )

    assert response.status_code == 422
    assert Task.objects.filter(board=board).count() == 0


def test_an_expired_key_can_be_used_again(board, alice_api, settings):
    alice_api.post(f"/boards/{board.pk}/tasks", {"title": "Old"}, headers=KEY)
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))

    response = alice_api.post(f"/boards/{board.pk}/tasks", {"title": "New"}, headers=KEY)

    assert response.status_code == 201
    assert response.json()["title"] == "New"


def test_purge_forgets_only_expired_keys(board, alice_api):
    alice_api.post(f"/boards/{board.pk}/tasks", {"title": "Old"}, headers=KEY)
    alice_api.post(f"/boards/{board.pk}/tasks", {"title": "New"}, headers={"Idempotency-Key": "k2"})
    IdempotencyKey.objects.filter(key=KEY["Idempotency-Key"]).update(
        created_at=timezone.now() - timedelta(days=2)
    )

    assert idempotency_keys_purge() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["k2"]
