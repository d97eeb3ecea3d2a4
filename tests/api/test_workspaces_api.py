"""The HTTP API for workspaces, their members and boards, and a board's life
(rename, archive, restore, delete, leave)."""

from __future__ import annotations

import pytest

from accounts.models import Organization, WorkspaceMembership, WorkspaceRole
from board.models import Board, Event, EventKind, Membership, Role
from board.services import task_create
from idempotency.models import IdempotencyKey
from tests.api.conftest import error_of
from tests.factories import BoardFactory, member_add

pytestmark = pytest.mark.django_db

KEY = {"Idempotency-Key": "0b7d2c4e-workspaces"}


def role_set(workspace, user, role: WorkspaceRole) -> None:
    WorkspaceMembership.objects.filter(organization=workspace, user=user).update(role=role)


@pytest.fixture
def workspace(board, admin):
    """The board's workspace, with the board's admin as its owner."""
    role_set(board.organization, admin, WorkspaceRole.OWNER)
    return board.organization


@pytest.fixture
def slug(workspace) -> str:
    return workspace.slug


# Workspaces.


def test_a_new_workspace_has_its_creator_as_owner_and_is_listed(alice_api, board):
    created = alice_api.post("/workspaces", {"name": "Platform team"})

    assert created.status_code == 201
    body = created.json()
    assert (body["name"], body["slug"], body["role"]) == ("Platform team", "platform-team", "owner")
    listed = {item["slug"]: item["role"] for item in alice_api.get("/workspaces").json()}
    assert listed == {board.organization.slug: "member", "platform-team": "owner"}
    assert alice_api.get("/workspaces/platform-team").json() == body


def test_a_retried_workspace_create_makes_one_workspace(alice_api):
    first = alice_api.post("/workspaces", {"name": "Once"}, headers=KEY)
    retry = alice_api.post("/workspaces", {"name": "Once"}, headers=KEY)

    assert retry.status_code == 201 and retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    assert Organization.objects.filter(name="Once").count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x" * 121}, "name"),
        ({"name": "  "}, "name"),
        ({"name": "Ok", "slug": "Not A Slug"}, "slug"),
        ({"name": "Ok", "slug": "s" * 121}, "slug"),
        ({"name": "Ok", "slug": "admin"}, "slug"),
        ({}, "name"),
    ],
)
def test_bad_workspace_input_is_a_field_error(alice_api, body, field):
    response = alice_api.post("/workspaces", body)

    assert response.status_code == 422
    assert field in error_of(response)["fields"]


def test_a_taken_slug_is_a_field_error(alice_api, slug):
    error = error_of(alice_api.post("/workspaces", {"name": "Again", "slug": slug}))

    assert error["fields"] == {"slug": "That address is taken; choose another."}


def test_a_workspace_you_are_not_in_does_not_exist(outsider_api, slug):
    response = outsider_api.get(f"/workspaces/{slug}")

    assert response.status_code == 404 and error_of(response)["code"] == "not_found"
    assert outsider_api.patch(f"/workspaces/{slug}", {"name": "Mine"}).status_code == 404


def test_owners_change_only_the_settings_they_send(admin_api, workspace, slug):
    response = admin_api.patch(f"/workspaces/{slug}", {"members_can_create_boards": False})

    assert response.status_code == 200
    assert response.json()["members_can_create_boards"] is False
    workspace.refresh_from_db()
    assert workspace.name.startswith("Org") and workspace.members_can_create_boards is False


def test_members_cannot_change_the_workspace(alice_api, slug):
    error = error_of(alice_api.patch(f"/workspaces/{slug}", {"name": "Mine"}))

    assert error["code"] == "forbidden"


# Members.


def test_members_are_listed_a_page_at_a_time_in_the_order_they_joined(
    alice_api, admin, alice, bob, workspace, slug
):
    first = alice_api.get(f"/workspaces/{slug}/members", {"limit": 2}).json()
    rest = alice_api.get(f"/workspaces/{slug}/members", {"cursor": first["next"]}).json()

    ids = [item["user"]["id"] for item in first["items"] + rest["items"]]
    joined = WorkspaceMembership.objects.filter(organization=workspace).order_by("pk")
    assert ids == list(joined.values_list("user_id", flat=True)) and len(ids) == 3
    assert len(first["items"]) == 2 and rest["next"] is None
    roles = {item["user"]["id"]: item["role"] for item in first["items"] + rest["items"]}
    assert roles == {admin.pk: "owner", alice.pk: "member", bob.pk: "member"}


def test_a_cursor_of_another_list_is_refused(alice_api, slug):
    from api.selectors import cursor_encode

    cursor = cursor_encode(1, kind="task")
    response = alice_api.get(f"/workspaces/{slug}/members", {"cursor": cursor})

    assert response.status_code == 422 and "cursor" in error_of(response)["fields"]


def test_an_owner_changes_a_role(admin_api, alice, workspace, slug):
    response = admin_api.patch(f"/workspaces/{slug}/members/{alice.pk}", {"role": "admin"})

    assert response.status_code == 200
    assert response.json()["role"] == "admin" and response.json()["user"]["id"] == alice.pk
    assert WorkspaceMembership.objects.get(organization=workspace, user=alice).role == "admin"


def test_an_admin_cannot_make_owners(alice_api, alice, bob, workspace, slug):
    role_set(workspace, alice, WorkspaceRole.ADMIN)

    error = error_of(alice_api.patch(f"/workspaces/{slug}/members/{bob.pk}", {"role": "owner"}))

    assert error["code"] == "forbidden"
    assert error["message"] == "Only an owner can make or unmake owners."


def test_the_last_owner_stays_an_owner(admin_api, slug):
    response = admin_api.patch(f"/workspaces/{slug}/members/me", {"role": "member"})

    assert response.status_code == 422
    error = error_of(response)
    assert (
        error["message"] == "A workspace needs at least one owner: make someone else owner first."
    )
    assert error["fields"] == {"role": "This is the workspace's last owner."}


def test_a_role_must_be_a_workspace_role(admin_api, alice, slug):
    response = admin_api.patch(f"/workspaces/{slug}/members/{alice.pk}", {"role": "viewer"})

    assert response.status_code == 422 and "role" in error_of(response)["fields"]


def test_an_owner_removes_someone_from_the_workspace_and_its_boards(
    admin_api, alice, board, workspace, slug
):
    response = admin_api.delete(f"/workspaces/{slug}/members/{alice.pk}")

    assert response.status_code == 204
    assert not WorkspaceMembership.objects.filter(organization=workspace, user=alice).exists()
    assert not Membership.objects.filter(board=board, user=alice).exists()


def test_a_member_leaves_with_me(alice_api, alice, workspace, slug):
    assert alice_api.delete(f"/workspaces/{slug}/members/me").status_code == 204

    assert not WorkspaceMembership.objects.filter(organization=workspace, user=alice).exists()


def test_a_member_cannot_remove_others(alice_api, bob, slug):
    assert error_of(alice_api.delete(f"/workspaces/{slug}/members/{bob.pk}"))["code"] == (
        "forbidden"
    )


def test_the_last_owner_cannot_leave(admin_api, slug):
    error = error_of(admin_api.delete(f"/workspaces/{slug}/members/me"))

    assert error["code"] == "invalid" and error["fields"] == {
        "user": "This is the workspace's last owner."
    }


def test_nobody_leaves_while_they_are_a_boards_last_admin(admin_api, alice, workspace, slug):
    role_set(workspace, alice, WorkspaceRole.OWNER)

    error = error_of(admin_api.delete(f"/workspaces/{slug}/members/me"))

    assert error["fields"] == {"user": "This is the board's last admin."}
    assert "is the last admin of" in error["message"]


def test_a_member_id_out_of_range_is_a_field_error(admin_api, slug):
    response = admin_api.delete(f"/workspaces/{slug}/members/0")

    assert response.status_code == 422 and "user_id" in error_of(response)["fields"]


# Boards in a workspace.


@pytest.mark.parametrize(("start", "open_tasks"), [("empty", 0), ("sample", 5)])
def test_an_owner_creates_a_board_empty_or_with_the_sample(admin_api, slug, start, open_tasks):
    response = admin_api.post(f"/workspaces/{slug}/boards", {"name": "Launch", "start": start})

    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["role"], body["archived_at"]) == ("Launch", "admin", None)
    assert body["open_tasks"] == open_tasks


def test_members_create_boards_only_when_the_workspace_allows(alice_api, workspace, slug):
    workspace.members_can_create_boards = False
    workspace.save()

    error = error_of(alice_api.post(f"/workspaces/{slug}/boards", {"name": "Mine"}))

    assert error["code"] == "forbidden"
    assert not Board.objects.filter(name="Mine").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "n" * 121}, "name"),
        ({"name": "Ok", "description": "d" * 2001}, "description"),
        ({"name": "Ok", "start": "full"}, "start"),
    ],
)
def test_bad_board_input_is_a_field_error(admin_api, slug, body, field):
    response = admin_api.post(f"/workspaces/{slug}/boards", body)

    assert response.status_code == 422 and field in error_of(response)["fields"]


def test_a_workspaces_boards_show_open_ones_first_with_their_archived_state(
    admin_api, admin, board, workspace, slug
):
    archived = BoardFactory(organization=workspace, name="Aardvark")
    member_add(board=archived, user=admin, role=Role.ADMIN)
    admin_api.post(f"/boards/{archived.pk}/archive")

    boards = admin_api.get(f"/workspaces/{slug}/boards").json()

    assert [item["id"] for item in boards] == [board.pk, archived.pk]
    assert boards[0]["archived_at"] is None and boards[1]["archived_at"] is not None


# A board's life.


def test_an_admin_renames_a_board_and_open_boards_hear_it(admin_api, board):
    response = admin_api.patch(f"/boards/{board.pk}", {"name": "Renamed"})

    assert response.status_code == 200 and response.json()["name"] == "Renamed"
    board.refresh_from_db()
    assert board.name == "Renamed" and board.description == ""
    assert Event.objects.filter(board=board, kind=EventKind.BOARD_UPDATED).exists()


def test_members_cannot_rename_a_board(alice_api, board):
    assert error_of(alice_api.patch(f"/boards/{board.pk}", {"name": "Mine"}))["code"] == (
        "forbidden"
    )


def test_an_archived_board_is_listed_but_its_contents_are_refused_until_restored(
    admin_api, alice_api, board, alice
):
    task = task_create(actor=alice, board_id=board.pk, title="Kept")

    archived = admin_api.post(f"/boards/{board.pk}/archive")

    assert archived.status_code == 200 and archived.json()["archived_at"] is not None
    (listed,) = alice_api.get("/boards").json()
    assert listed["archived_at"] == archived.json()["archived_at"]
    for path in (f"/boards/{board.pk}/tasks", f"/tasks/{task.pk}", f"/boards/{board.pk}/events"):
        response = alice_api.get(path)
        assert response.status_code == 409 and error_of(response)["code"] == "board_archived"
    assert error_of(admin_api.patch(f"/boards/{board.pk}", {"name": "X"}))["code"] == (
        "board_archived"
    )

    restored = admin_api.post(f"/boards/{board.pk}/restore")

    assert restored.status_code == 200 and restored.json()["archived_at"] is None
    assert alice_api.get(f"/tasks/{task.pk}").status_code == 200


def test_members_cannot_archive_a_board(alice_api, board):
    assert error_of(alice_api.post(f"/boards/{board.pk}/archive"))["code"] == "forbidden"


def test_deleting_a_board_needs_its_name_typed(admin_api, board):
    response = admin_api.delete(f"/boards/{board.pk}", {"confirm_name": "Something else"})

    assert response.status_code == 422
    assert error_of(response)["fields"] == {"confirm_name": f"Type “{board.name}” exactly."}
    assert Board.objects.filter(pk=board.pk).exists()


def test_a_board_is_deleted_with_its_name_in_the_body_or_the_query(admin_api, admin, board):
    other = BoardFactory(organization=board.organization)
    member_add(board=other, user=admin, role=Role.ADMIN)

    by_body = admin_api.delete(f"/boards/{board.pk}", {"confirm_name": board.name})
    by_query = admin_api.delete(f"/boards/{other.pk}?confirm_name={other.name}")

    assert by_body.status_code == by_query.status_code == 204
    assert not Board.objects.filter(pk__in=[board.pk, other.pk]).exists()


def test_a_retried_delete_is_answered_as_the_first_time(admin_api, board, admin):
    body = {"confirm_name": board.name}
    admin_api.delete(f"/boards/{board.pk}", body, headers=KEY)

    retry = admin_api.delete(f"/boards/{board.pk}", body, headers=KEY)

    assert retry.status_code == 204 and retry["Idempotent-Replayed"] == "true"
    assert IdempotencyKey.objects.filter(user=admin).count() == 1


def test_members_cannot_delete_a_board(alice_api, board):
    response = alice_api.delete(f"/boards/{board.pk}", {"confirm_name": board.name})

    assert error_of(response)["code"] == "forbidden"


def test_an_admin_takes_someone_off_a_board(admin_api, alice, board):
    assert admin_api.delete(f"/boards/{board.pk}/members/{alice.pk}").status_code == 204

    assert not Membership.objects.filter(board=board, user=alice).exists()


def test_a_member_leaves_a_board(alice_api, alice, board):
    assert alice_api.delete(f"/boards/{board.pk}/members/me").status_code == 204

    assert not Membership.objects.filter(board=board, user=alice).exists()


def test_a_member_cannot_take_others_off(alice_api, bob, board):
    assert error_of(alice_api.delete(f"/boards/{board.pk}/members/{bob.pk}"))["code"] == (
        "forbidden"
    )


def test_the_last_admin_cannot_leave_a_board(admin_api, admin, board):
    error = error_of(admin_api.delete(f"/boards/{board.pk}/members/{admin.pk}"))

    assert error["message"] == (
        f"{admin.display_name} is the last admin of “{board.name}”: "
        "make someone else admin first, or delete the board."
    )
