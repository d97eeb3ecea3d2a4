from __future__ import annotations

import orjson
import pytest
from django.db import transaction

from board.models import Board, Event, Membership, Role, Status
from board.services import task_claim, task_create
from realtime.broadcast import event_json
from tests.api.conftest import error_of
from tests.factories import BoardFactory, UserFactory, member_add, workspace_member_add

pytestmark = pytest.mark.django_db


def test_boards_lists_only_my_boards_with_my_role_and_open_tasks(board, alice, alice_api, task):
    BoardFactory()  # someone else's
    other = BoardFactory()
    member_add(board=other, user=alice, role=Role.ADMIN)

    boards = {item["id"]: item for item in alice_api.get("/boards").json()}

    assert set(boards) == {board.pk, other.pk}
    assert boards[board.pk]["role"] == "member" and boards[board.pk]["open_tasks"] == 1
    assert boards[other.pk]["role"] == "admin" and boards[other.pk]["open_tasks"] == 0
    assert boards[board.pk]["organization"]["id"] == board.organization_id


def test_board_detail_has_columns_with_counts_and_wip_limits_and_the_seq(board, alice_api, task):
    Board.objects.filter(pk=board.pk).update(wip_limit_in_progress=3)

    detail = alice_api.get(f"/boards/{board.pk}").json()

    assert detail["seq"] == 1
    assert [c["status"] for c in detail["columns"]] == ["UNASSIGNED", "IN_PROGRESS", "DONE"]
    assert detail["columns"][0]["count"] == 1
    assert detail["columns"][1]["wip_limit"] == 3


def test_an_unknown_board_is_404(alice_api):
    assert alice_api.get("/boards/999999").status_code == 404


def test_members_lists_each_member_with_their_role(board, alice, admin, alice_api):
    members = alice_api.get(f"/boards/{board.pk}/members").json()

    assert {(m["user"]["id"], m["role"]) for m in members} == {
        (alice.pk, "member"),
        (admin.pk, "admin"),
    }


def test_an_admin_adds_a_member_by_username_or_email(board, admin_api, colleague):
    response = admin_api.post(
        f"/boards/{board.pk}/members", {"user": colleague.email, "role": "viewer"}
    )

    assert response.status_code == 200
    assert response.json() == {"user": response.json()["user"], "role": "viewer"}
    assert Membership.objects.get(board=board, user=colleague).role == "viewer"


def test_adding_someone_outside_the_workspace_is_the_404_of_no_account(board, admin_api, outsider):
    stranger = admin_api.post(
        f"/boards/{board.pk}/members", {"user": outsider.email, "role": "member"}
    )
    nobody = admin_api.post(
        f"/boards/{board.pk}/members", {"user": "nobody@example.com", "role": "member"}
    )

    assert stranger.status_code == nobody.status_code == 404
    assert error_of(stranger) == error_of(nobody)
    assert "Only people in the workspace" in error_of(stranger)["message"]
    assert outsider.display_name not in stranger.content.decode()
    assert not Membership.objects.filter(board=board, user=outsider).exists()


def test_an_unverified_address_is_the_404_of_no_account(board, admin_api):
    newcomer = workspace_member_add(
        organization=board.organization, user=UserFactory(email_verified_at=None)
    )
    unverified = admin_api.post(
        f"/boards/{board.pk}/members", {"user": newcomer.email, "role": "member"}
    )
    nobody = admin_api.post(
        f"/boards/{board.pk}/members", {"user": "nobody@example.com", "role": "member"}
    )

    assert unverified.status_code == nobody.status_code == 404
    assert error_of(unverified) == error_of(nobody)
    assert not Membership.objects.filter(board=board, user=newcomer).exists()


def test_a_member_cannot_change_roles(board, bob, alice_api):
    response = alice_api.post(
        f"/boards/{board.pk}/members", {"user": bob.username, "role": "admin"}
    )

    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"


def test_adding_an_unknown_user_is_404(board, admin_api):
    response = admin_api.post(f"/boards/{board.pk}/members", {"user": "nobody", "role": "member"})

    assert response.status_code == 404


def test_an_unknown_role_is_422_on_role(board, bob, admin_api):
    response = admin_api.post(
        f"/boards/{board.pk}/members", {"user": bob.username, "role": "owner"}
    )

    assert response.status_code == 422
    assert "role" in error_of(response)["fields"]


def test_events_are_the_websocket_event_messages(board, alice, bob, alice_api, task):
    task_claim(actor=bob, task_id=task.pk)

    page = alice_api.get(f"/boards/{board.pk}/events").json()

    events = Event.objects.filter(board=board).order_by("seq")
    assert page["items"] == [orjson.loads(event_json(event)) for event in events]
    assert [item["kind"] for item in page["items"]] == ["task.created", "task.claimed"]
    assert page["next"] is None and page["seq"] == 2


def test_events_after_k_start_after_seq_k(board, alice, alice_api, task):
    task_claim(actor=alice, task_id=task.pk)

    page = alice_api.get(f"/boards/{board.pk}/events", {"after": 1}).json()

    assert [item["seq"] for item in page["items"]] == [2]


def test_events_are_paginated_by_next(board, alice, alice_api):
    for n in range(5):
        task_create(actor=alice, board_id=board.pk, title=f"T{n}")

    first = alice_api.get(f"/boards/{board.pk}/events", {"limit": 2}).json()
    second = alice_api.get(f"/boards/{board.pk}/events", {"after": first["next"], "limit": 2})
    last = alice_api.get(f"/boards/{board.pk}/events", {"after": 4, "limit": 2}).json()

    assert [e["seq"] for e in first["items"]] == [1, 2] and first["next"] == 2
    assert [e["seq"] for e in second.json()["items"]] == [3, 4]
    assert [e["seq"] for e in last["items"]] == [5] and last["next"] is None


def test_membership_events_carry_their_subject_only(board, bob, admin, admin_api):
    admin_api.post(f"/boards/{board.pk}/members", {"user": bob.username, "role": "admin"})

    item = admin_api.get(f"/boards/{board.pk}/events").json()["items"][-1]

    assert item["kind"] == "membership.changed"
    assert item["membership"]["role"] == "admin"
    assert "task" not in item and "sprint" not in item


def test_a_negative_after_is_422(board, alice_api):
    response = alice_api.get(f"/boards/{board.pk}/events", {"after": -1})

    assert response.status_code == 422
    assert "after" in error_of(response)["fields"]


def test_a_status_filter_value_outside_the_statuses_is_422(board, alice_api):
    response = alice_api.get(f"/boards/{board.pk}/tasks", {"status": Status.IN_PROGRESS.lower()})

    assert response.status_code == 422


def test_an_event_subject_the_api_does_not_know_yet_still_reaches_it(board, alice, alice_api):
    from board.services.access import board_lock
    from board.services.events import event_record

    with transaction.atomic():
        event_record(
            board=board_lock(board_id=board.pk), kind="gadget.made", actor=alice, payload={"n": 1}
        )

    item = alice_api.get(f"/boards/{board.pk}/events").json()["items"][-1]

    assert item == orjson.loads(event_json(Event.objects.get(board=board, kind="gadget.made")))
