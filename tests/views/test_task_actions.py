from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from board.models import Status, Task
from board.services import task_claim, task_create
from realtime.origin import tab_origin

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def task(board, alice):
    return task_create(actor=alice, board_id=board.pk, title="Fix the login bug")


def test_claim_with_htmx_returns_the_card_and_column_counts(client, alice, task):
    client.force_login(alice)
    response = client.post(reverse("task_action", args=[task.pk, "claim"]), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="task-{task.pk}"' in html and 'data-status="IN_PROGRESS"' in html
    assert 'id="column-head-IN_PROGRESS"' in html and 'hx-swap-oob="true"' in html
    assert alice.display_name in html
    assert Task.objects.get(pk=task.pk).owner == alice


def test_claim_without_htmx_redirects_to_the_board_with_a_message(client, board, alice, task):
    client.force_login(alice)
    response = client.post(reverse("task_action", args=[task.pk, "claim"]))
    assert response.status_code == 302
    assert response["Location"] == reverse("board_detail", args=[board.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Claimed." in page


def test_claim_of_a_claimed_task_shows_who_has_it_and_the_current_card(client, alice, bob, task):
    task_claim(actor=alice, task_id=task.pk)
    client.force_login(bob)
    response = client.post(reverse("task_action", args=[task.pk, "claim"]), **HTMX)
    html = response.content.decode()
    assert response.status_code == 409
    assert f"Already claimed by {alice.display_name}." in html
    assert 'class="card-error" role="alert"' in html
    assert 'data-status="IN_PROGRESS"' in html


def test_refused_claim_without_htmx_shows_message_on_the_board(client, alice, bob, task):
    task_claim(actor=alice, task_id=task.pk)
    client.force_login(bob)
    response = client.post(reverse("task_action", args=[task.pk, "claim"]), follow=True)
    assert f"Already claimed by {alice.display_name}." in response.content.decode()


def test_stale_version_is_refused_with_a_clear_message(client, alice, task):
    task_claim(actor=alice, task_id=task.pk)
    client.force_login(alice)
    response = client.post(
        reverse("task_action", args=[task.pk, "done"]), {"expected_version": "1"}, **HTMX
    )
    assert response.status_code == 409
    assert "Someone else changed this task first" in response.content.decode()
    assert Task.objects.get(pk=task.pk).status == Status.IN_PROGRESS


def test_wip_limit_refusal_is_shown(client, board, alice, task):
    board.wip_limit_in_progress = 0
    board.save()
    client.force_login(alice)
    response = client.post(reverse("task_action", args=[task.pk, "claim"]), **HTMX)
    assert response.status_code == 409
    assert "limit of 0" in response.content.decode()


def test_done_reopen_release_flow(client, alice, task):
    client.force_login(alice)
    for action, status in [
        ("claim", Status.IN_PROGRESS),
        ("done", Status.DONE),
        ("reopen", Status.IN_PROGRESS),
        ("release", Status.UNASSIGNED),
    ]:
        client.post(reverse("task_action", args=[task.pk, action]), **HTMX)
        assert Task.objects.get(pk=task.pk).status == status


def test_admin_archives_and_card_leaves_the_board(client, board, admin, task):
    client.force_login(admin)
    client.post(reverse("task_action", args=[task.pk, "archive"]), **HTMX)
    assert Task.objects.get(pk=task.pk).status == Status.ARCHIVED
    page = client.get(reverse("board_detail", args=[board.pk])).content.decode()
    assert "Fix the login bug" not in page


def test_unknown_action_is_404(client, alice, task):
    client.force_login(alice)
    assert client.post(reverse("task_action", args=[task.pk, "explode"])).status_code == 404


def test_bad_expected_version_is_a_clear_error_not_a_500(client, alice, task):
    client.force_login(alice)
    response = client.post(
        reverse("task_action", args=[task.pk, "release"]), {"expected_version": "abc"}, **HTMX
    )
    assert response.status_code == 422
    assert "expected_version must be a whole number." in response.content.decode()


def test_get_on_an_action_is_not_allowed(client, alice, task):
    client.force_login(alice)
    assert client.get(reverse("task_action", args=[task.pk, "claim"])).status_code == 405


def test_csrf_is_enforced(board, alice, task):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post(reverse("task_action", args=[task.pk, "claim"]), **HTMX)
    assert response.status_code == 403
    assert Task.objects.get(pk=task.pk).status == Status.UNASSIGNED


def test_csrf_header_from_the_page_is_accepted(board, alice, task):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    client.get(reverse("board_detail", args=[board.pk]))
    token = client.cookies["csrftoken"].value
    response = client.post(
        reverse("task_action", args=[task.pk, "claim"]), HTTP_X_CSRFTOKEN=token, **HTMX
    )
    assert response.status_code == 200
    assert Task.objects.get(pk=task.pk).status == Status.IN_PROGRESS


def test_move_within_column(client, board, alice, task):
    other = task_create(actor=alice, board_id=board.pk, title="Second")
    client.force_login(alice)
    response = client.post(
        reverse("task_move", args=[other.pk]),
        {"index": "0", "status": "UNASSIGNED", "expected_version": str(other.version)},
        **HTMX,
    )
    assert response.status_code == 200
    order = list(Task.objects.filter(board=board).order_by("position").values_list("pk", flat=True))
    assert order == [other.pk, task.pk]


@pytest.mark.django_db(transaction=True)
def test_a_pages_write_is_broadcast_with_its_tab_bound_to_its_session(
    client, alice, task, monkeypatch
):
    """Transactional, so the commit (and its broadcast) happens inside the request."""
    sent = []

    class RecordingLayer:
        async def group_send(self, group, message):
            sent.append(message)

    monkeypatch.setattr("realtime.broadcast.get_channel_layer", RecordingLayer)
    client.force_login(alice)
    client.post(
        reverse("task_action", args=[task.pk, "claim"]), HTTP_X_REALTIME_ORIGIN="tab-abc123", **HTMX
    )
    session_key = client.session.session_key
    expected = tab_origin(session_key=session_key, tab="tab-abc123")
    assert expected and sent and all(message["origin"] == expected for message in sent)
    # The event itself names no origin: only the tab's own socket marks it.
    assert "tab-abc123" not in sent[0]["json"]
