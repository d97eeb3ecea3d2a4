"""Role checks and board locking shared by every service."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, Subquery

from accounts.models import WORKSPACE_ROLE_RANK, Organization, WorkspaceMembership, WorkspaceRole
from board.exceptions import BoardArchived, NotFound, PermissionDenied
from board.models import ROLE_RANK, Board, Membership, Role, Task


def board_lock(*, board_id: int) -> Board:
    """Lock the board row. Every write on a board takes this lock first, so the
    per-board event sequence stays gap-free and writers never deadlock."""
    board = Board.objects.select_for_update().filter(pk=board_id).first()
    if board is None:
        raise NotFound("This board does not exist.")
    return board


def role_require(*, actor: Any, board: Board, role: Role, archived_ok: bool = False) -> Role:
    """Return the actor's role on the board, or raise. Non-members get NotFound so that
    the existence of a board is not revealed to them. An archived board takes no
    change but those that name `archived_ok` (restore, delete, leave)."""
    if actor is None or not actor.is_authenticated:
        raise NotFound("This board does not exist.")
    actual = (
        Membership.objects.filter(board=board, user=actor).values_list("role", flat=True).first()
    )
    return _role_check(actual, role, board=board, archived_ok=archived_ok)


def board_lock_with_role(
    *, actor: Any, role: Role | None, board_id: int | None = None, task_id: int | None = None
) -> tuple[Board, Role | None]:
    """`board_lock` and `role_require` in one query: lock the board (given, or the
    task's), and read the actor's role with it. `role=None` skips the check (system
    actions). A task that does not exist raises NotFound, as an unknown board does.

    The role is read in the statement's snapshot, taken before the lock was granted.
    A role change holds the board lock and records an event, so if the board's seq
    moved while this query waited (the locked row is newer than the snapshot), the
    role is read again, under the lock."""
    boards = Board.objects.select_for_update(of=("self",))
    if task_id is not None:
        boards = boards.filter(pk=Subquery(Task.objects.filter(pk=task_id).values("board_id")))
    else:
        boards = boards.filter(pk=board_id)
    checked = role is not None and actor is not None and actor.is_authenticated
    if checked:
        memberships = Membership.objects.filter(board=OuterRef("pk"), user=actor)
        snapshot = Board.objects.filter(pk=OuterRef("pk"))
        boards = boards.annotate(
            actor_role=Subquery(memberships.values("role")[:1]),
            snapshot_seq=Subquery(snapshot.values("last_seq")[:1]),
        )
    board = boards.first()
    if board is None:
        unknown = "task" if task_id is not None else "board"
        raise NotFound(f"This {unknown} does not exist.")
    if role is None:
        return board, None
    if checked and board.snapshot_seq != board.last_seq:
        return board, role_require(actor=actor, board=board, role=role)
    return board, _role_check(board.actor_role if checked else None, role, board=board)


def _role_check(actual: str | None, role: Role, *, board: Board, archived_ok: bool = False) -> Role:
    """The role, if it is at least `role` and the board takes changes; else raise."""
    if actual is None:
        raise NotFound("This board does not exist.")
    actual_role = Role(actual)
    if ROLE_RANK[actual_role] < ROLE_RANK[role]:
        raise PermissionDenied(_refusal_for(role))
    if board.archived_at is not None and not archived_ok:
        raise BoardArchived()
    return actual_role


def workspace_lock(*, workspace_id: Any) -> Organization:
    """Lock the workspace row: changes to its members and invitations take it first."""
    workspace = Organization.objects.select_for_update().filter(pk=workspace_id).first()
    if workspace is None:
        raise NotFound("This workspace does not exist.")
    return workspace


def workspace_role_require(
    *, actor: Any, workspace: Organization, role: WorkspaceRole
) -> WorkspaceRole:
    """The actor's role in the workspace, or raise (NotFound to outsiders)."""
    if actor is None or not actor.is_authenticated:
        raise NotFound("This workspace does not exist.")
    actual = (
        WorkspaceMembership.objects.filter(organization=workspace, user=actor)
        .values_list("role", flat=True)
        .first()
    )
    if actual is None:
        raise NotFound("This workspace does not exist.")
    actual = WorkspaceRole(actual)
    if WORKSPACE_ROLE_RANK[actual] < WORKSPACE_ROLE_RANK[role]:
        raise PermissionDenied(
            "Only the workspace's owners can do that."
            if role == WorkspaceRole.OWNER
            else "Only the workspace's owners and admins can do that."
        )
    return actual


def _refusal_for(role: Role) -> str:
    if role == Role.ADMIN:
        return "Only a board admin can do that."
    return "Viewers can only look at this board; ask an admin to make you a member."
