"""Comments and watchers over the HTTP API: the rules of the services, in the API's shapes."""

from __future__ import annotations

import pytest

from board.limits import COMMENT_MAX_LENGTH
from board.models import Board, Event, EventKind, Task
from board.services import task_create
from board.services.comments import comment_create
from discussion.models import Comment
from tests.api.conftest import error_of
from tests.factories import BoardFactory, member_add

pytestmark = pytest.mark.django_db

KEY = {"Idempotency-Key": "c0mment-key-1"}


def comments_url(task: Task) -> str:
    return f"/tasks/{task.pk}/comments"


def test_a_comment_is_created_with_its_html_and_counted_on_the_card(alice, alice_api, task):
    response = alice_api.post(comments_url(task), {"body": "Looks **good**"})

    assert response.status_code == 201
    comment = response.json()
    assert comment["body"] == "Looks **good**"
    assert comment["html"] == "<p>Looks <strong>good</strong></p>\n"
    assert (comment["task"], comment["author"]["id"], comment["edited_at"]) == (
        task.pk,
        alice.pk,
        None,
    )
    assert alice_api.get(f"/tasks/{task.pk}").json()["comment_count"] == 1
    assert Event.objects.filter(task=task, kind=EventKind.COMMENT_CREATED).count() == 1


def test_script_in_a_comment_comes_back_sanitized(alice_api, task):
    response = alice_api.post(comments_url(task), {"body": "<script>alert(1)</script>hi"})

    assert response.status_code == 201
    assert "<script" not in response.json()["html"]


def test_a_viewer_cannot_comment_and_an_outsider_does_not_see_the_task(
    viewer_api, outsider_api, task
):
    refused = viewer_api.post(comments_url(task), {"body": "Hi"})
    hidden = outsider_api.post(comments_url(task), {"body": "Hi"})

    assert (refused.status_code, error_of(refused)["code"]) == (403, "forbidden")
    assert (hidden.status_code, error_of(hidden)["code"]) == (404, "not_found")
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"body": "x" * (COMMENT_MAX_LENGTH + 1)},
        {"body": "   "},
        {"body": 5},
        {"body": "nul \x00"},
        {},
        ["body"],
    ],
)
def test_a_huge_blank_or_malformed_comment_is_a_field_error(alice_api, task, body):
    response = alice_api.post(comments_url(task), body)

    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "invalid"
    assert "body" in error["fields"]
    assert not Comment.objects.exists()


def test_a_comment_of_the_longest_length_is_taken(alice_api, task):
    response = alice_api.post(comments_url(task), {"body": "x" * COMMENT_MAX_LENGTH})

    assert response.status_code == 201


def test_a_retried_comment_is_posted_once(alice_api, task):
    first = alice_api.post(comments_url(task), {"body": "Once"}, headers=KEY)
    retry = alice_api.post(comments_url(task), {"body": "Once"}, headers=KEY)
    other = alice_api.post(comments_url(task), {"body": "Twice?"}, headers=KEY)

    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert other.status_code == 422 and "Idempotency-Key" in error_of(other)["fields"]
    assert Comment.objects.filter(task=task).count() == 1


def test_comments_are_listed_oldest_first_a_page_at_a_time(alice, viewer_api, task):
    for n in range(5):
        comment_create(actor=alice, task_id=task.pk, body=f"Comment {n}")

    bodies, cursor, pages = [], None, 0
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = viewer_api.get(comments_url(task), params).json()
        bodies += [item["body"] for item in page["items"]]
        pages += 1
        cursor = page["next"]
        if cursor is None:
            break

    assert bodies == [f"Comment {n}" for n in range(5)]
    assert pages == 3


def test_the_list_holds_only_the_tasks_comments(alice, alice_api, board, task):
    other = task_create(actor=alice, board_id=board.pk, title="Other")
    comment_create(actor=alice, task_id=other.pk, body="Elsewhere")

    assert alice_api.get(comments_url(task)).json() == {"items": [], "next": None}


@pytest.mark.parametrize("cursor", ["nonsense", "dGFzazox", "x" * 101])
def test_a_cursor_we_did_not_issue_for_comments_is_422(alice_api, task, cursor):
    # "dGFzazox" is a task list's cursor ("task:1"): not one of the comments'.
    response = alice_api.get(comments_url(task), {"cursor": cursor})

    assert response.status_code == 422
    assert "cursor" in error_of(response)["fields"]


def test_an_outsider_cannot_list_the_comments(alice, outsider_api, task):
    comment_create(actor=alice, task_id=task.pk, body="Private")

    response = outsider_api.get(comments_url(task))

    assert response.status_code == 404


@pytest.mark.parametrize("limit", [0, 201, "many"])
def test_a_limit_out_of_range_is_422(alice_api, task, limit):
    assert alice_api.get(comments_url(task), {"limit": limit}).status_code == 422


def test_the_author_edits_a_comment_and_it_shows_as_edited(alice, alice_api, task):
    comment = comment_create(actor=alice, task_id=task.pk, body="Frist")

    response = alice_api.patch(f"/comments/{comment.pk}", {"body": "First"})

    assert response.status_code == 200
    assert response.json()["body"] == "First"
    assert response.json()["edited_at"] is not None


def test_nobody_else_edits_a_comment(alice, admin_api, task):
    comment = comment_create(actor=alice, task_id=task.pk, body="Mine")

    response = admin_api.patch(f"/comments/{comment.pk}", {"body": "Ours"})

    assert (response.status_code, error_of(response)["code"]) == (403, "forbidden")
    assert Comment.objects.get(pk=comment.pk).body == "Mine"


def test_an_edit_too_long_or_of_no_comment_is_refused(alice, alice_api, task):
    comment = comment_create(actor=alice, task_id=task.pk, body="Mine")

    huge = alice_api.patch(f"/comments/{comment.pk}", {"body": "y" * (COMMENT_MAX_LENGTH + 1)})
    missing = alice_api.patch(f"/comments/{comment.pk + 1000}", {"body": "Hi"})

    assert huge.status_code == 422 and "body" in error_of(huge)["fields"]
    assert (missing.status_code, error_of(missing)["code"]) == (404, "not_found")


def test_the_author_deletes_a_comment_and_the_count_drops(alice, alice_api, task):
    comment = comment_create(actor=alice, task_id=task.pk, body="Oops")

    response = alice_api.delete(f"/comments/{comment.pk}", headers=KEY)
    retry = alice_api.delete(f"/comments/{comment.pk}", headers=KEY)

    assert response.status_code == retry.status_code == 204
    assert retry["Idempotent-Replayed"] == "true"
    assert Task.objects.get(pk=task.pk).comment_count == 0
    assert Event.objects.filter(kind=EventKind.COMMENT_DELETED).count() == 1


def test_a_member_cannot_delete_anothers_comment_but_an_admin_can(alice, bob_api, admin_api, task):
    comment = comment_create(actor=alice, task_id=task.pk, body="Mine")

    refused = bob_api.delete(f"/comments/{comment.pk}")
    deleted = admin_api.delete(f"/comments/{comment.pk}")

    assert (refused.status_code, error_of(refused)["code"]) == (403, "forbidden")
    assert deleted.status_code == 204
    assert not Comment.objects.exists()


def test_a_comment_on_a_board_of_someone_elses_is_not_found(alice_api):
    board = BoardFactory()
    stranger = member_add(board=board)
    task = task_create(actor=stranger, board_id=board.pk, title="Theirs")
    comment = comment_create(actor=stranger, task_id=task.pk, body="Theirs")

    assert alice_api.delete(f"/comments/{comment.pk}").status_code == 404
    assert alice_api.patch(f"/comments/{comment.pk}", {"body": "x"}).status_code == 404
    assert Board.objects.count() == 2


def test_watch_and_unwatch_show_the_watchers(alice, bob, bob_api, task):
    watched = bob_api.put(f"/tasks/{task.pk}/watch")
    again = bob_api.put(f"/tasks/{task.pk}/watch")
    listed = bob_api.get(f"/tasks/{task.pk}/watchers")
    unwatched = bob_api.delete(f"/tasks/{task.pk}/watch")

    assert watched.status_code == again.status_code == 200
    assert watched.json()["watching"] is True
    assert [w["id"] for w in listed.json()["watchers"]] == [alice.pk, bob.pk]
    assert unwatched.json() == {
        "task": task.pk,
        "watchers": [{"id": alice.pk, "name": alice.display_name, "initials": alice.initials}],
        "watching": False,
    }
    assert Event.objects.filter(kind=EventKind.WATCHERS_CHANGED).count() == 2


def test_a_viewer_may_watch_and_an_outsider_may_not(viewer_api, outsider_api, task):
    assert viewer_api.put(f"/tasks/{task.pk}/watch").json()["watching"] is True
    assert outsider_api.put(f"/tasks/{task.pk}/watch").status_code == 404
    assert outsider_api.get(f"/tasks/{task.pk}/watchers").status_code == 404
