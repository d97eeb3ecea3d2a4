from __future__ import annotations

from typing import Any

from django.http import Http404

from board.models import Board, Role, Task
from board.selectors import board_for_member, task_for_member


class BoardArchivedPage(Exception):
    """A page of an archived board was asked for. Whichever view asked, the middleware
    answers with the page that says the board is archived (board.middleware)."""

    def __init__(self, *, board: Board, role: Role) -> None:
        super().__init__(f"Board {board.pk} is archived.")
        self.board = board
        self.role = role


def member_board_or_404(
    *, user: Any, board_id: Any, archived_ok: bool = False
) -> tuple[Board, Role]:
    """The board and the user's role on it. A deleted board is unknown, as any other;
    an archived one shows only the archived page, unless the view names `archived_ok`
    (its settings, restore, delete and leave)."""
    found = board_for_member(user=user, board_id=board_id)
    if found is None:
        raise Http404("This board does not exist.")
    if found[0].archived_at is not None and not archived_ok:
        raise BoardArchivedPage(board=found[0], role=found[1])
    return found


def member_task_or_404(*, user: Any, task_id: Any) -> tuple[Task, Role]:
    found = task_for_member(user=user, task_id=task_id)
    if found is None:
        raise Http404("This task does not exist.")
    if found[0].board.archived_at is not None:
        raise BoardArchivedPage(board=found[0].board, role=found[1])
    return found
