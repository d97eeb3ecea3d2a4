from __future__ import annotations

from typing import Any

from django.http import Http404

from board.models import Board, Role, Task
from board.selectors import board_for_member, task_for_member


def member_board_or_404(*, user: Any, board_id: Any) -> tuple[Board, Role]:
    found = board_for_member(user=user, board_id=board_id)
    if found is None:
        raise Http404("This board does not exist.")
    return found


def member_task_or_404(*, user: Any, task_id: Any) -> tuple[Task, Role]:
    found = task_for_member(user=user, task_id=task_id)
    if found is None:
        raise Http404("This task does not exist.")
    return found
