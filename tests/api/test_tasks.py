from __future__ import annotations

import datetime

import pytest

from board.models import Board, Event, Status, Task
from board.public import task_public_state
from board.services import (
    epic_create,
    sprint_add_task,
    sprint_create,
    task_archive,
    task_claim,
    task_create,
    task_set_status,
)
from tests.api.conftest import error_of

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    return [item["title"] for item in response.json()["items"]]


@pytest.fixture
def spread(board, alice, bob, admin):
    """Tasks in every status, with epics, a sprint and due dates to filter on."""
    epic = epic_create(actor=alice, board_id=board.pk, name="Login")
    a = task_create(
        actor=alice, board_id=board.pk, title="Alpha login", due_date="2026-05-01", epic_id=epic.pk
    )
    b = task_create(actor=alice, board_id=board.pk, title="Bravo", due_date="2026-06-01")
    c = task_create(actor=alice, board_id=board.pk, title="Charlie login")
    d = task_create(actor=alice, board_id=board.pk, title="Delta")
    task_claim(actor=bob, task_id=b.pk)
    task_claim(actor=alice, task_id=c.pk)
    task_set_status(actor=alice, task_id=c.pk, status=Status.DONE)
    task_archive(actor=admin, task_id=d.pk)
    sprint = sprint_create(
        actor=alice, board_id=board.pk, name="S1", start_date="2026-05-01", end_date="2026-05-15"
    )
    sprint_add_task(actor=alice, sprint_id=sprint.pk, task_id=a.pk)
    return {"epic": epic, "sprint": sprint}


def test_tasks_lists_every_status_but_archived_in_creation_order(board, alice_api, spread):
    response = alice_api.get(f"/boards/{board.pk}/tasks")

    assert response.status_code == 200
    assert titles(response) == ["Alpha login", "Bravo", "Charlie login"]
    assert response.json()["next"] is None


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "IN_PROGRESS"}, ["Bravo"]),
        ({"status": "ARCHIVED"}, ["Delta"]),
        ({"owner": "none"}, ["Alpha login"]),
        ({"due_before": "2026-05-01"}, ["Alpha login"]),
        ({"due_after": "2026-05-02"}, ["Bravo"]),
        ({"q": "LOGIN"}, ["Alpha login", "Charlie login"]),
        ({"q": "login", "status": "DONE"}, ["Charlie login"]),
    ],
)
def test_tasks_filters(board, alice_api, spread, params, expected):
    assert titles(alice_api.get(f"/boards/{board.pk}/tasks", params)) == expected


def test_tasks_filter_by_owner_id_and_me(board, bob, alice_api, bob_api, spread):
    assert titles(alice_api.get(f"/boards/{board.pk}/tasks", {"owner": bob.pk})) == ["Bravo"]
    assert titles(bob_api.get(f"/boards/{board.pk}/tasks", {"owner": "me"})) == ["Bravo"]


def test_tasks_filter_by_epic_and_sprint(board, alice_api, spread):
    by_epic = alice_api.get(f"/boards/{board.pk}/tasks", {"epic": spread["epic"].pk})
    by_sprint = alice_api.get(f"/boards/{board.pk}/tasks", {"sprint": spread["sprint"].pk})

    assert titles(by_epic) == ["Alpha login"]
    assert titles(by_sprint) == ["Alpha login"]


def test_tasks_pages_follow_the_next_cursor_to_the_end(board, alice, alice_api):
    for n in range(5):
        task_create(actor=alice, board_id=board.pk, title=f"T{n}")
    seen: list[str] = []
    params: dict = {"limit": 2}
    pages = 0
    while True:
        body = alice_api.get(f"/boards/{board.pk}/tasks", params).json()
        seen += [item["title"] for item in body["items"]]
        pages += 1
        if body["next"] is None:
            break
        params = {"limit": 2, "cursor": body["next"]}

    assert seen == ["T0", "T1", "T2", "T3", "T4"]
    assert pages == 3


def test_a_cursor_we_did_not_issue_is_422_on_cursor(board, alice_api):
    response = alice_api.get(f"/boards/{board.pk}/tasks", {"cursor": "not-a-cursor"})

    assert response.status_code == 422
    assert "cursor" in error_of(response)["fields"]


def test_a_bad_date_filter_is_422(board, alice_api):
    response = alice_api.get(f"/boards/{board.pk}/tasks", {"due_before": "tomorrow"})

    assert response.status_code == 422
    assert "due_before" in error_of(response)["fields"]


def test_create_returns_201_and_the_task(board, alice, alice_api):
    epic = epic_create(actor=alice, board_id=board.pk, name="E")

    response = alice_api.post(
        f"/boards/{board.pk}/tasks",
        {
            "title": " Write docs ",
            "description": "All of it",
            "due_date": "2026-12-31",
            "epic": epic.pk,
        },
    )

    task = Task.objects.get()
    assert response.status_code == 201
    assert response.json() == task_public_state(task)
    assert (task.title, task.due_date, task.epic) == (
        "Write docs",
        datetime.date(2026, 12, 31),
        epic,
    )


def test_create_with_a_blank_title_is_422_on_title(board, alice_api):
    response = alice_api.post(f"/boards/{board.pk}/tasks", {"title": "  "})

    assert response.status_code == 422
    assert error_of(response)["fields"] == {"title": "Give the task a title."}


def test_create_without_a_title_is_422_on_title(board, alice_api):
    response = alice_api.post(f"/boards/{board.pk}/tasks", {"description": "no title"})

    assert response.status_code == 422
    assert "title" in error_of(response)["fields"]


def test_create_with_another_boards_epic_is_422_on_epic(board, alice_api):
    from tests.factories import BoardFactory, member_add

    other = BoardFactory()
    owner = member_add(board=other)
    epic = epic_create(actor=owner, board_id=other.pk, name="Elsewhere")

    response = alice_api.post(f"/boards/{board.pk}/tasks", {"title": "T", "epic": epic.pk})

    assert response.status_code == 422
    assert "epic" in error_of(response)["fields"]


def test_create_in_a_full_column_is_409_wip_limit(board, alice_api, task):
    Board.objects.filter(pk=board.pk).update(wip_limit_unassigned=1)

    response = alice_api.post(f"/boards/{board.pk}/tasks", {"title": "One too many"})

    assert response.status_code == 409
    assert error_of(response)["code"] == "wip_limit"


def test_task_detail_is_the_public_state(alice_api, task):
    assert alice_api.get(f"/tasks/{task.pk}").json() == task_public_state(task)


def test_an_unknown_task_is_404(alice_api):
    assert alice_api.get("/tasks/987654").status_code == 404


def test_patch_changes_only_the_fields_sent(alice_api, task):
    response = alice_api.patch(
        f"/tasks/{task.pk}", {"title": "New title", "due_date": "2026-01-02", "expected_version": 1}
    )

    task.refresh_from_db()
    assert response.status_code == 200
    assert (task.title, task.description, task.version) == ("New title", "", 2)
    assert response.json()["due_date"] == "2026-01-02"


def test_patch_with_null_clears_the_due_date(alice, alice_api):
    task = task_create(
        actor=alice, board_id=alice.memberships.get().board_id, title="T", due_date="2026-01-01"
    )

    response = alice_api.patch(f"/tasks/{task.pk}", {"due_date": None})

    assert response.json()["due_date"] is None


def test_patch_with_a_stale_version_is_409_with_the_current_task(alice_api, task):
    alice_api.patch(f"/tasks/{task.pk}", {"title": "First", "expected_version": 1})

    response = alice_api.patch(f"/tasks/{task.pk}", {"title": "Second", "expected_version": 1})

    error = error_of(response)
    assert response.status_code == 409
    assert error["code"] == "version_conflict"
    assert error["task"]["title"] == "First" and error["task"]["version"] == 2


def test_patch_with_a_too_long_title_is_422_on_title(alice_api, task):
    response = alice_api.patch(f"/tasks/{task.pk}", {"title": "x" * 201})

    assert response.status_code == 422
    assert "title" in error_of(response)["fields"]


def test_claim_gives_the_task_to_the_caller(alice, alice_api, task):
    response = alice_api.post(f"/tasks/{task.pk}/claim")

    assert response.status_code == 200
    assert response.json()["status"] == "IN_PROGRESS"
    assert response.json()["owner"]["id"] == alice.pk


def test_claiming_a_claimed_task_is_409_already_claimed(bob, bob_api, alice_api, task):
    task_claim(actor=bob, task_id=task.pk)

    response = alice_api.post(f"/tasks/{task.pk}/claim")

    error = error_of(response)
    assert response.status_code == 409
    assert error["code"] == "already_claimed"
    assert error["task"]["owner"]["id"] == bob.pk


def test_claim_with_a_stale_expected_version_is_409_version_conflict(alice_api, task):
    response = alice_api.post(f"/tasks/{task.pk}/claim", {"expected_version": 7})

    assert error_of(response)["code"] == "version_conflict"


def test_release_returns_the_task_to_unassigned(alice, alice_api, task):
    task_claim(actor=alice, task_id=task.pk)

    response = alice_api.post(f"/tasks/{task.pk}/release", {"expected_version": 2})

    assert response.status_code == 200
    assert response.json()["status"] == "UNASSIGNED" and response.json()["owner"] is None


def test_releasing_someone_elses_task_is_403(alice, bob_api, task):
    task_claim(actor=alice, task_id=task.pk)

    response = bob_api.post(f"/tasks/{task.pk}/release")

    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"


def test_releasing_an_unassigned_task_is_409_invalid_transition(alice_api, task):
    response = alice_api.post(f"/tasks/{task.pk}/release")

    assert response.status_code == 409
    assert error_of(response)["code"] == "invalid_transition"


def test_status_done_then_back_to_in_progress(alice, alice_api, task):
    task_claim(actor=alice, task_id=task.pk)

    done = alice_api.post(f"/tasks/{task.pk}/status", {"status": "DONE"})
    reopened = alice_api.post(f"/tasks/{task.pk}/status", {"status": "IN_PROGRESS"})

    assert done.json()["status"] == "DONE"
    assert reopened.json()["status"] == "IN_PROGRESS"


def test_status_from_unassigned_to_done_is_409_invalid_transition(alice_api, task):
    response = alice_api.post(f"/tasks/{task.pk}/status", {"status": "DONE"})

    assert response.status_code == 409
    assert error_of(response)["code"] == "invalid_transition"


def test_an_unknown_status_is_422_on_status(alice_api, task):
    response = alice_api.post(f"/tasks/{task.pk}/status", {"status": "WONTFIX"})

    assert response.status_code == 422
    assert "status" in error_of(response)["fields"]


def test_an_admin_archives_a_task(admin_api, task):
    response = admin_api.post(f"/tasks/{task.pk}/archive")

    assert response.status_code == 200
    assert response.json()["status"] == "ARCHIVED"


def test_a_member_cannot_archive(alice_api, task):
    response = alice_api.post(f"/tasks/{task.pk}/archive")

    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"


def test_archiving_an_archived_task_is_409_invalid_transition(admin, admin_api, task):
    task_archive(actor=admin, task_id=task.pk)

    assert error_of(admin_api.post(f"/tasks/{task.pk}/archive"))["code"] == "invalid_transition"


def test_move_puts_the_card_at_the_index(board, alice, alice_api):
    first = task_create(actor=alice, board_id=board.pk, title="First")
    second = task_create(actor=alice, board_id=board.pk, title="Second")

    response = alice_api.post(f"/tasks/{second.pk}/move", {"index": 0})

    assert response.status_code == 200
    order = Task.objects.filter(board=board).order_by("position").values_list("pk", flat=True)
    assert list(order) == [second.pk, first.pk]


def test_move_into_another_column_claims(alice, alice_api, task):
    response = alice_api.post(f"/tasks/{task.pk}/move", {"index": 0, "status": "IN_PROGRESS"})

    assert response.json()["status"] == "IN_PROGRESS"
    assert response.json()["owner"]["id"] == alice.pk


def test_move_to_a_negative_index_is_422_on_index(alice_api, task):
    response = alice_api.post(f"/tasks/{task.pk}/move", {"index": -1})

    assert response.status_code == 422
    assert "index" in error_of(response)["fields"]


def test_every_write_records_one_event(board, alice_api, task):
    before = Event.objects.filter(board=board).count()

    alice_api.post(f"/tasks/{task.pk}/claim")

    assert Event.objects.filter(board=board).count() == before + 1


def test_an_api_write_is_broadcast_to_open_boards(
    alice_api, task, monkeypatch, django_capture_on_commit_callbacks
):
    import realtime.broadcast

    sent: list[Event] = []
    monkeypatch.setattr(realtime.broadcast, "event_broadcast", lambda *, event: sent.append(event))

    with django_capture_on_commit_callbacks(execute=True):
        alice_api.post(f"/tasks/{task.pk}/claim")

    assert [event.kind for event in sent] == ["task.claimed"]
