"""The notification inbox over the HTTP API: newest first, unread filter, mark read."""

from __future__ import annotations

import pytest

from board.services import task_create
from board.services.comments import comment_create
from notifications.models import Notification
from tests.api.conftest import ApiClient, error_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_for_alice(alice, bob, board) -> list[int]:
    """Bob comments on three of alice's tasks: three notifications (one per task)."""
    ids = []
    for n in range(3):
        task = task_create(actor=alice, board_id=board.pk, title=f"Task {n}")
        comment_create(actor=bob, task_id=task.pk, body=f"On {n}")
        ids.append(Notification.objects.filter(recipient=alice, task=task).get().pk)
    return ids


def test_the_inbox_lists_newest_first_with_links_and_the_unread_count(
    alice_api, bob, three_for_alice
):
    page = alice_api.get("/notifications").json()

    assert [item["id"] for item in page["items"]] == three_for_alice[::-1]
    newest = page["items"][0]
    assert (newest["kind"], newest["count"], newest["actor"]["id"]) == ("commented", 1, bob.pk)
    assert newest["url"] == f"/tasks/{newest['task']}/"
    assert newest["read_at"] is None
    assert (page["unread"], page["next"]) == (3, None)


def test_the_inbox_comes_a_page_at_a_time(alice_api, three_for_alice):
    first = alice_api.get("/notifications", {"limit": 2}).json()
    second = alice_api.get("/notifications", {"limit": 2, "cursor": first["next"]}).json()

    assert [item["id"] for item in first["items"] + second["items"]] == three_for_alice[::-1]
    assert second["next"] is None


def test_a_foreign_cursor_is_422(alice_api, three_for_alice):
    response = alice_api.get("/notifications", {"cursor": "Y29tbWVudDox"})  # "comment:1"

    assert response.status_code == 422 and "cursor" in error_of(response)["fields"]


def test_marking_some_read_leaves_the_others_unread(alice_api, three_for_alice):
    marked = alice_api.post("/notifications/read", {"ids": three_for_alice[:2]})
    unread = alice_api.get("/notifications", {"unread": "true"}).json()

    assert marked.status_code == 200
    assert marked.json() == {"marked": 2, "unread": 1}
    assert [item["id"] for item in unread["items"]] == three_for_alice[2:]


def test_marking_all_read(alice_api, three_for_alice):
    response = alice_api.post("/notifications/read", {"all": True})

    assert response.json() == {"marked": 3, "unread": 0}
    assert alice_api.get("/notifications", {"unread": "true"}).json()["items"] == []


def test_nobody_marks_or_reads_anothers_notifications(bob_api, three_for_alice):
    response = bob_api.post("/notifications/read", {"ids": three_for_alice})

    assert response.json() == {"marked": 0, "unread": 0}
    assert bob_api.get("/notifications").json()["items"] == []
    assert Notification.objects.filter(read_at__isnull=True).count() == 3


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"all": False},
        {"ids": [1], "all": True},
        {"ids": "all"},
        {"ids": [0]},
        {"ids": list(range(1, 502))},
        {"all": "yes"},
    ],
)
def test_a_mark_read_that_is_not_ids_or_all_is_422(alice_api, three_for_alice, body):
    response = alice_api.post("/notifications/read", body)

    assert response.status_code == 422
    assert error_of(response)["code"] == "invalid"
    assert Notification.objects.filter(read_at__isnull=True).count() == 3


def test_a_retried_mark_read_answers_the_same(alice_api, three_for_alice):
    key = {"Idempotency-Key": "read-all-1"}
    first = alice_api.post("/notifications/read", {"all": True}, headers=key)
    retry = alice_api.post("/notifications/read", {"all": True}, headers=key)

    assert retry.json() == first.json() == {"marked": 3, "unread": 0}
    assert retry["Idempotent-Replayed"] == "true"


def test_the_inbox_needs_a_token(db):
    response = ApiClient().get("/notifications")

    assert (response.status_code, error_of(response)["code"]) == (401, "unauthenticated")
