"""Sprint and epic use cases."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from board.exceptions import NotFound, ValidationFailed
from board.limits import DESCRIPTION_MAX_LENGTH, NAME_MAX_LENGTH
from board.models import Board, Epic, EventKind, Role, Sprint, Task
from board.public import epic_public_state, sprint_public_state
from board.services._tasks_common import clean_description, clean_id, clean_text
from board.services.access import board_lock, role_require
from board.services.events import event_record


def clean_name(name: Any) -> str:
    return clean_text(name, field="name", max_length=NAME_MAX_LENGTH, blank="Give it a name.")


def clean_plan_description(description: Any) -> str:
    """An epic's or a sprint's description (shorter than a task's)."""
    return clean_description(description, max_length=DESCRIPTION_MAX_LENGTH)


def clean_date(value: Any, field: str) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValidationFailed(fields={field: "Use a date like 2026-12-31."})


def epic_create(*, actor: Any, board_id: int, name: Any, description: Any = "") -> Epic:
    with transaction.atomic():
        board = board_lock(board_id=board_id)
        role_require(actor=actor, board=board, role=Role.MEMBER)
        epic = Epic.objects.create(
            board=board, name=clean_name(name), description=clean_plan_description(description)
        )
        event_record(
            board=board, kind=EventKind.EPIC_CREATED, actor=actor, payload=epic_public_state(epic)
        )
        return epic


def sprint_create(
    *,
    actor: Any,
    board_id: int,
    name: Any,
    start_date: Any,
    end_date: Any,
    description: Any = "",
) -> Sprint:
    start = clean_date(start_date, "start_date")
    end = clean_date(end_date, "end_date")
    if end <= start:
        raise ValidationFailed(fields={"end_date": "The sprint must end after it starts."})
    with transaction.atomic():
        board = board_lock(board_id=board_id)
        role_require(actor=actor, board=board, role=Role.MEMBER)
        sprint = Sprint.objects.create(
            board=board,
            name=clean_name(name),
            description=clean_plan_description(description),
            start_date=start,
            end_date=end,
        )
        _sprint_event(board=board, sprint=sprint, actor=actor, kind=EventKind.SPRINT_CREATED)
        return sprint


def sprint_add_task(*, actor: Any, sprint_id: Any, task_id: Any) -> Sprint:
    return _sprint_membership_change(actor=actor, sprint_id=sprint_id, task_id=task_id, add=True)


def sprint_remove_task(*, actor: Any, sprint_id: Any, task_id: Any) -> Sprint:
    return _sprint_membership_change(actor=actor, sprint_id=sprint_id, task_id=task_id, add=False)


def _sprint_membership_change(*, actor: Any, sprint_id: Any, task_id: Any, add: bool) -> Sprint:
    sprint_id = clean_id(sprint_id, "sprint_id")
    task_id = clean_id(task_id, "task_id")
    board_id = Sprint.objects.filter(pk=sprint_id).values_list("board_id", flat=True).first()
    if board_id is None:
        raise NotFound("This sprint does not exist.")
    with transaction.atomic():
        board = board_lock(board_id=board_id)
        role_require(actor=actor, board=board, role=Role.MEMBER)
        sprint = Sprint.objects.select_for_update().get(pk=sprint_id)
        task = Task.objects.filter(board=board, pk=task_id).first()
        if task is None:
            raise NotFound("That task is not on this sprint's board.")
        in_sprint = sprint.tasks.filter(pk=task.pk).exists()
        if add == in_sprint:
            return sprint
        if add:
            sprint.tasks.add(task)
            kind = EventKind.SPRINT_TASK_ADDED
        else:
            sprint.tasks.remove(task)
            kind = EventKind.SPRINT_TASK_REMOVED
        _sprint_event(board=board, sprint=sprint, actor=actor, kind=kind, task=task)
        return sprint


def _sprint_event(
    *, board: Board, sprint: Sprint, actor: Any, kind: str, task: Task | None = None
) -> None:
    task_ids = sorted(sprint.tasks.values_list("pk", flat=True))
    payload = sprint_public_state(sprint, task_ids=task_ids)
    event_record(board=board, kind=kind, actor=actor, task=task, payload=payload)
