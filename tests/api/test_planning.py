from __future__ import annotations

import pytest

from board.models import Epic, Sprint, Task
from board.services import epic_create, sprint_add_task, sprint_create, task_create
from tests.api.conftest import error_of
from tests.factories import BoardFactory, member_add

pytestmark = pytest.mark.django_db

DATES = {"start_date": "2026-03-02", "end_date": "2026-03-16"}


@pytest.fixture
def sprint(board, alice) -> Sprint:
    return sprint_create(actor=alice, board_id=board.pk, name="Sprint 1", **DATES)


@pytest.fixture
def epic(board, alice) -> Epic:
    return epic_create(actor=alice, board_id=board.pk, name="Login")


def test_sprint_create_returns_201_and_the_sprint(board, alice_api):
    response = alice_api.post(f"/boards/{board.pk}/sprints", {"name": "S1", **DATES})

    assert response.status_code == 201
    assert response.json() | {"id": 0} == {
        "id": 0,
        "board": board.pk,
        "name": "S1",
        "description": "",
        "start_date": "2026-03-02",
        "end_date": "2026-03-16",
        "tasks": [],
    }


def test_a_sprint_ending_before_it_starts_is_422_on_end_date(board, alice_api):
    body = {"name": "S", "start_date": "2026-03-16", "end_date": "2026-03-02"}

    response = alice_api.post(f"/boards/{board.pk}/sprints", body)

    assert response.status_code == 422
    assert "end_date" in error_of(response)["fields"]


def test_a_viewer_cannot_create_a_sprint(board, viewer_api):
    response = viewer_api.post(f"/boards/{board.pk}/sprints", {"name": "S", **DATES})

    assert response.status_code == 403


def test_sprints_list_and_detail_show_their_tasks(board, alice, alice_api, sprint, task):
    sprint_add_task(actor=alice, sprint_id=sprint.pk, task_id=task.pk)

    listed = alice_api.get(f"/boards/{board.pk}/sprints").json()
    detail = alice_api.get(f"/sprints/{sprint.pk}").json()

    assert [s["tasks"] for s in listed] == [[task.pk]]
    assert detail == listed[0]


def test_a_sprint_of_another_board_is_404(outsider, make_api, sprint):
    assert make_api(outsider).get(f"/sprints/{sprint.pk}").status_code == 404


def test_sprint_patch_renames_and_moves_dates(alice_api, sprint):
    response = alice_api.patch(
        f"/sprints/{sprint.pk}", {"name": "Sprint one", "end_date": "2026-03-20"}
    )

    sprint.refresh_from_db()
    assert response.status_code == 200
    assert (sprint.name, sprint.end_date.isoformat()) == ("Sprint one", "2026-03-20")


def test_sprint_patch_that_ends_it_before_its_start_is_422(alice_api, sprint):
    response = alice_api.patch(f"/sprints/{sprint.pk}", {"end_date": "2026-03-01"})

    assert response.status_code == 422
    assert "end_date" in error_of(response)["fields"]


def test_an_admin_deletes_a_sprint_and_its_tasks_stay(admin, alice, admin_api, sprint, task):
    sprint_add_task(actor=alice, sprint_id=sprint.pk, task_id=task.pk)

    response = admin_api.delete(f"/sprints/{sprint.pk}")

    assert response.status_code == 204
    assert not Sprint.objects.filter(pk=sprint.pk).exists()
    assert Task.objects.filter(pk=task.pk).exists()


def test_a_member_cannot_delete_a_sprint(alice_api, sprint):
    response = alice_api.delete(f"/sprints/{sprint.pk}")

    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"


def test_tasks_are_added_to_and_removed_from_a_sprint(alice_api, sprint, task):
    added = alice_api.post(f"/sprints/{sprint.pk}/tasks", {"task": task.pk})
    removed = alice_api.delete(f"/sprints/{sprint.pk}/tasks/{task.pk}")

    assert added.status_code == 200 and added.json()["tasks"] == [task.pk]
    assert removed.status_code == 200 and removed.json()["tasks"] == []


def test_adding_another_boards_task_to_a_sprint_is_404(alice_api, sprint):
    other = BoardFactory()
    stranger = member_add(board=other)
    foreign = task_create(actor=stranger, board_id=other.pk, title="Elsewhere")

    response = alice_api.post(f"/sprints/{sprint.pk}/tasks", {"task": foreign.pk})

    assert response.status_code == 404


def test_epic_create_list_and_detail(board, alice_api):
    created = alice_api.post(f"/boards/{board.pk}/epics", {"name": "Billing"})

    assert created.status_code == 201
    assert alice_api.get(f"/boards/{board.pk}/epics").json() == [created.json()]
    assert alice_api.get(f"/epics/{created.json()['id']}").json() == created.json()


def test_an_epic_without_a_name_is_422_on_name(board, alice_api):
    response = alice_api.post(f"/boards/{board.pk}/epics", {"name": ""})

    assert response.status_code == 422
    assert "name" in error_of(response)["fields"]


def test_renaming_an_epic_shows_in_its_tasks(board, alice, alice_api, epic):
    task = task_create(actor=alice, board_id=board.pk, title="T", epic_id=epic.pk)

    response = alice_api.patch(f"/epics/{epic.pk}", {"name": "Sign-in"})

    shown = alice_api.get(f"/tasks/{task.pk}").json()
    assert response.status_code == 200
    assert shown["epic"] == {"id": epic.pk, "name": "Sign-in"}
    assert shown["version"] == task.version + 1


def test_an_admin_deletes_an_epic_and_its_tasks_lose_it(board, alice, admin_api, epic):
    task = task_create(actor=alice, board_id=board.pk, title="T", epic_id=epic.pk)

    response = admin_api.delete(f"/epics/{epic.pk}")

    assert response.status_code == 204
    assert Task.objects.get(pk=task.pk).epic is None


def test_a_member_cannot_delete_an_epic(alice_api, epic):
    assert alice_api.delete(f"/epics/{epic.pk}").status_code == 403


def test_tasks_are_put_into_and_taken_out_of_an_epic(alice_api, epic, task):
    added = alice_api.post(f"/epics/{epic.pk}/tasks", {"task": task.pk})
    removed = alice_api.delete(f"/epics/{epic.pk}/tasks/{task.pk}")

    assert added.status_code == 200 and added.json()["epic"]["id"] == epic.pk
    assert removed.status_code == 200 and removed.json()["epic"] is None


def test_taking_a_task_out_of_an_epic_it_is_not_in_is_404(alice_api, epic, task):
    response = alice_api.delete(f"/epics/{epic.pk}/tasks/{task.pk}")

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_putting_a_task_into_another_boards_epic_is_404(alice_api, task):
    other = BoardFactory()
    stranger = member_add(board=other)
    foreign = epic_create(actor=stranger, board_id=other.pk, name="Elsewhere")

    assert alice_api.post(f"/epics/{foreign.pk}/tasks", {"task": task.pk}).status_code == 404
