"""Role checks and board locking shared by every service."""

from __future__ import annotations

from typing import Any

from accounts.models import WORKSPACE_ROLE_RANK, Organization, WorkspaceMembership, WorkspaceRole
from board.exceptions import BoardArchived, NotFound, PermissionDenied
from board.models import ROLE_RANK, Board, Membership, Role


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
    if actual is None:
        raise NotFound("This board does not exist.")
    actual = Role(actual)
    if ROLE_RANK[actual] < ROLE_RANK[role]:
        raise PermissionDenied(_refusal_for(role))
    if board.archived_at is not None and not archived_ok:
        raise BoardArchived()
    return actual


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
