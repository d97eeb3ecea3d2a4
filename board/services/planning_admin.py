"""Editing and deleting sprints and epics (the API's CRUD; the pages may use them too).

An epic's name travels inside every card of the epic (`task.epic`), so renaming or
deleting an epic also saves each of its tasks with a new version and a `task.updated`
event: open boards then show the change like any other edit.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from board.exceptions import NotFound, ValidationFailed
from board.models import Board, Epic, EventKind, Role, Sprint, Task
from board.public import epic_public_state, sprint_public_state
from board.services._tasks_common import UNSET, clean_id, task_save_with_event
from board.services.access import board_lock, role_require
from board.services.events import event_record
from board.services.planning import clean_date, clean_name, clean_plan_description

# Event kinds that EventKind (board/models.py) does not list yet; the lead moves them there.


def sprint_update(
    *,
    actor: Any,
    sprint_id: Any,
    name: Any = UNSET,
    description: Any = UNSET,
    start_date: Any = UNSET,
    end_date: Any = UNSET,
) -> Sprint:
    """Edit a sprint. A call that changes nothing records no event."""
    with transaction.atomic():
        board, sprint = _sprint_lock(actor=actor, sprint_id=sprint_id, role=Role.MEMBER)
        changes: dict[str, Any] = {}
        if name is not UNSET:
            changes["name"] = clean_name(name)
        if description is not UNSET:
            changes["description"] = clean_plan_description(description)
        if start_date is not UNSET:
            changes["start_date"] = clean_date(start_date, "start_date")
        if end_date is not UNSET:
            changes["end_date"] = clean_date(end_date, "end_date")
        start = changes.get("start_date", sprint.start_date)
        end = changes.get("end_date", sprint.end_date)
        if end <= start:
            raise ValidationFailed(fields={"end_date": "The sprint must end after it starts."})
        changed = {key: value for key, value in changes.items() if getattr(sprint, key) != value}
        if not changed:
            return sprint
        for key, value in changed.items():
            setattr(sprint, key, value)
        sprint.save(update_fields=list(changed))
        event_record(
            board=board, kind=EventKind.SPRINT_UPDATED, actor=actor, payload=_sprint_state(sprint)
        )
        return sprint


def sprint_delete(*, actor: Any, sprint_id: Any) -> None:
    """Delete a sprint (board admins only). Its tasks stay on the board."""
    with transaction.atomic():
        board, sprint = _sprint_lock(actor=actor, sprint_id=sprint_id, role=Role.ADMIN)
        payload = _sprint_state(sprint)
        sprint.delete()
        event_record(board=board, kind=EventKind.SPRINT_DELETED, actor=actor, payload=payload)


def epic_update(*, actor: Any, epic_id: Any, name: Any = UNSET, description: Any = UNSET) -> Epic:
    """Edit an epic. A new name is saved into each of its tasks too."""
    with transaction.atomic():
        board, epic = _epic_lock(actor=actor, epic_id=epic_id, role=Role.MEMBER)
        changes: dict[str, Any] = {}
        if name is not UNSET:
            changes["name"] = clean_name(name)
        if description is not UNSET:
            changes["description"] = clean_plan_description(description)
        changed = {key: value for key, value in changes.items() if getattr(epic, key) != value}
        if not changed:
            return epic
        for key, value in changed.items():
            setattr(epic, key, value)
        epic.save(update_fields=list(changed))
        event_record(
            board=board, kind=EventKind.EPIC_UPDATED, actor=actor, payload=epic_public_state(epic)
        )
        if "name" in changed:
            for task in _epic_tasks_lock(epic=epic):
                task.epic = epic
                task_save_with_event(
                    board=board, task=task, actor=actor, kind=EventKind.TASK_UPDATED
                )
        return epic


def epic_delete(*, actor: Any, epic_id: Any) -> None:
    """Delete an epic (board admins only). Its tasks stay, without an epic."""
    with transaction.atomic():
        board, epic = _epic_lock(actor=actor, epic_id=epic_id, role=Role.ADMIN)
        for task in _epic_tasks_lock(epic=epic):
            task.epic = None
            task_save_with_event(board=board, task=task, actor=actor, kind=EventKind.TASK_UPDATED)
        payload = epic_public_state(epic)
        epic.delete()
        event_record(board=board, kind=EventKind.EPIC_DELETED, actor=actor, payload=payload)


def _sprint_lock(*, actor: Any, sprint_id: Any, role: Role) -> tuple[Board, Sprint]:
    return _board_item_lock(model=Sprint, actor=actor, item_id=sprint_id, role=role)


def _epic_lock(*, actor: Any, epic_id: Any, role: Role) -> tuple[Board, Epic]:
    return _board_item_lock(model=Epic, actor=actor, item_id=epic_id, role=role)


def _board_item_lock(*, model: type, actor: Any, item_id: Any, role: Role) -> tuple[Board, Any]:
    """Lock the board of a sprint or epic, check the role, then lock the item."""
    name = model._meta.model_name
    item_id = clean_id(item_id, f"{name}_id")
    board_id = model.objects.filter(pk=item_id).values_list("board_id", flat=True).first()
    if board_id is None:
        raise NotFound(f"This {name} does not exist.")
    board = board_lock(board_id=board_id)
    role_require(actor=actor, board=board, role=role)
    item = model.objects.select_for_update().filter(pk=item_id).first()
    if item is None:
        raise NotFound(f"This {name} does not exist.")
    return board, item


def _epic_tasks_lock(*, epic: Epic) -> list[Task]:
    return list(
        Task.objects.select_for_update(of=("self",))
        .select_related("owner", "creator", "epic")
        .filter(epic=epic)
        .order_by("pk")
    )


def _sprint_state(sprint: Sprint) -> dict[str, Any]:
    task_ids = sorted(sprint.tasks.values_list("pk", flat=True))
    return sprint_public_state(sprint, task_ids=task_ids)
