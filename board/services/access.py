"""Role checks and board locking shared by every service."""

from __future__ import annotations

from typing import Any

from board.exceptions import NotFound, PermissionDenied
from board.models import ROLE_RANK, Board, Membership, Role


def board_lock(*, board_id: int) -> Board:
    """Lock the board row. Every write on a board takes this lock first, so the
    per-board event sequence stays gap-free and writers never deadlock."""
    board = Board.objects.select_for_update().filter(pk=board_id).first()
    if board is None:
        raise NotFound("This board does not exist.")
    return board


def role_require(*, actor: Any, board: Board, role: Role) -> Role:
    """Return the actor's role on the board, or raise. Non-members get NotFound so that
    the existence of a board is not revealed to them."""
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
    return actual


def _refusal_for(role: Role) -> str:
    if role == Role.ADMIN:
        return "Only a board admin can do that."
    return "Viewers can only look at this board; ask an admin to make you a member."
