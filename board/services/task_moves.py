"""Moving one card: to another place in its column, or into another column.

A move sends one card with its expected version, never a column's order, so a
stale page cannot overwrite someone else's move.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from board.exceptions import InvalidTransition, ValidationFailed
from board.limits import MOVE_INDEX_MAX
from board.models import COLUMN_STATUSES, Board, EventKind, Status, Task
from board.services._tasks_common import (
    POSITION_STEP,
    clean_whole_number,
    task_lock_with_board,
    task_save_with_event,
    transition_apply,
    version_check,
)


def task_move(
    *,
    actor: Any,
    task_id: Any,
    index: Any,
    status: Any = None,
    expected_version: int | None = None,
) -> Task:
    """Put the task at `index` (0 = top) of column `status` (default: its own column).
    Entering another column follows the transition rules (claim, release, done, reopen)."""
    index = clean_whole_number(index, field="index", maximum=MOVE_INDEX_MAX)
    with transaction.atomic():
        board, task, role = task_lock_with_board(actor=actor, task_id=task_id)
        version_check(task=task, expected_version=expected_version)
        if task.status == Status.ARCHIVED:
            raise InvalidTransition("An archived task cannot be moved.", task=task)
        target = task.status if status in (None, "") else status
        if target not in COLUMN_STATUSES:
            raise ValidationFailed(fields={"status": "Choose one of the board's columns."})
        kind = EventKind.TASK_MOVED
        if target != task.status:
            kind = transition_apply(board=board, task=task, to=target, actor=actor, role=role)
        siblings = list(
            Task.objects.select_for_update(of=("self",))
            .select_related("owner", "creator", "epic")
            .filter(board=board, status=target)
            .exclude(pk=task.pk)
            .order_by("position", "id")
        )
        index = min(index, len(siblings))
        position = _position_between(siblings, index)
        if position is None:
            _column_respace(board=board, siblings=siblings, actor=actor, gap_at=index)
            position = _position_between(siblings, index)
        if kind == EventKind.TASK_MOVED and position == task.position:
            return task
        task.position = position
        return task_save_with_event(board=board, task=task, actor=actor, kind=kind)


def _position_between(siblings: list[Task], index: int) -> int | None:
    before = siblings[index - 1].position if index > 0 else None
    after = siblings[index].position if index < len(siblings) else None
    if before is None and after is None:
        return POSITION_STEP
    if before is None:
        return after - POSITION_STEP
    if after is None:
        return before + POSITION_STEP
    if after - before < 2:
        return None
    return (before + after) // 2


def _column_respace(*, board: Board, siblings: list[Task], actor: Any, gap_at: int) -> None:
    """Spread the column out again when two neighbours have no room between them.
    Each card whose position changes gets its own `task.moved` event, so every
    client keeps the same order."""
    for offset, sibling in enumerate(siblings):
        slot = offset + (1 if offset >= gap_at else 0)
        new_position = (slot + 1) * POSITION_STEP
        if sibling.position != new_position:
            sibling.position = new_position
            task_save_with_event(board=board, task=sibling, actor=actor, kind=EventKind.TASK_MOVED)
