"""Task use cases. Each locks the board and the task, checks the role and the rules,
saves, and records one event (broadcast after commit)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from board.exceptions import InvalidTransition, TaskAlreadyClaimed
from board.models import COLUMN_STATUSES, EventKind, Role, Status, Task
from board.services._tasks_common import (
    UNSET,
    claimed_by_message,
    clean_description,
    clean_due_date,
    clean_epic,
    clean_title,
    position_at_bottom,
    task_lock_with_board,
    task_save_with_event,
    transition_apply,
    version_check,
    wip_check,
)
from board.services.access import board_lock_with_role
from board.services.task_merge import stale_edit_merge


def task_create(
    *,
    actor: Any,
    board_id: int,
    title: Any,
    description: Any = "",
    due_date: Any = None,
    epic_id: Any = None,
) -> Task:
    with transaction.atomic():
        board, _ = board_lock_with_role(actor=actor, role=Role.MEMBER, board_id=board_id)
        task = Task(
            board=board,
            title=clean_title(title),
            description=clean_description(description),
            due_date=clean_due_date(due_date),
            epic=clean_epic(board=board, epic_id=epic_id),
            creator=actor,
            status=Status.UNASSIGNED,
            version=0,
        )
        wip_check(board=board, status=Status.UNASSIGNED)
        task.position = position_at_bottom(board=board, status=Status.UNASSIGNED)
        return task_save_with_event(
            board=board,
            task=task,
            actor=actor,
            kind=EventKind.TASK_CREATED,
            description_changed=bool(task.description),
        )


def task_update(
    *,
    actor: Any,
    task_id: Any,
    expected_version: int | None = None,
    title: Any = UNSET,
    description: Any = UNSET,
    due_date: Any = UNSET,
    epic_id: Any = UNSET,
) -> Task:
    """Edit a task's text fields. A call that changes nothing records no event. With
    an `expected_version` older than the task's, the edit is merged with what changed
    since (board.services.task_merge)."""
    with transaction.atomic():
        board, task, _ = task_lock_with_board(actor=actor, task_id=task_id)
        if task.status == Status.ARCHIVED:
            raise InvalidTransition("An archived task cannot be edited.", task=task)
        changes: dict[str, Any] = {}
        if title is not UNSET:
            changes["title"] = clean_title(title)
        if description is not UNSET:
            changes["description"] = clean_description(description)
        if due_date is not UNSET:
            changes["due_date"] = clean_due_date(due_date)
        if epic_id is not UNSET:
            changes["epic"] = clean_epic(board=board, epic_id=epic_id)
        changes = stale_edit_merge(task=task, expected_version=expected_version, changes=changes)
        changed = {name: value for name, value in changes.items() if getattr(task, name) != value}
        if not changed:
            return task
        for name, value in changed.items():
            setattr(task, name, value)
        return task_save_with_event(
            board=board,
            task=task,
            actor=actor,
            kind=EventKind.TASK_UPDATED,
            description_changed="description" in changed,
        )


def task_claim(*, actor: Any, task_id: Any, expected_version: int | None = None) -> Task:
    with transaction.atomic():
        board, task, role = task_lock_with_board(actor=actor, task_id=task_id)
        if task.status == Status.IN_PROGRESS:
            raise TaskAlreadyClaimed(claimed_by_message(task=task, actor=actor), task=task)
        version_check(task=task, expected_version=expected_version)
        if task.status != Status.UNASSIGNED:
            raise InvalidTransition(
                f"Only unassigned tasks can be claimed; this one is "
                f"{Status(task.status).label.lower()}.",
                task=task,
            )
        kind = transition_apply(
            board=board, task=task, to=Status.IN_PROGRESS, actor=actor, role=role
        )
        return task_save_with_event(board=board, task=task, actor=actor, kind=kind, to_bottom=True)


def task_release(*, actor: Any, task_id: Any, expected_version: int | None = None) -> Task:
    with transaction.atomic():
        board, task, role = task_lock_with_board(actor=actor, task_id=task_id)
        version_check(task=task, expected_version=expected_version)
        if task.status != Status.IN_PROGRESS:
            raise InvalidTransition("Only a task in progress can be released.", task=task)
        kind = transition_apply(
            board=board, task=task, to=Status.UNASSIGNED, actor=actor, role=role
        )
        return task_save_with_event(board=board, task=task, actor=actor, kind=kind, to_bottom=True)


def task_set_status(
    *, actor: Any, task_id: Any, status: Any, expected_version: int | None = None
) -> Task:
    with transaction.atomic():
        board, task, role = task_lock_with_board(actor=actor, task_id=task_id)
        version_check(task=task, expected_version=expected_version)
        kind = transition_apply(board=board, task=task, to=status, actor=actor, role=role)
        return task_save_with_event(
            board=board, task=task, actor=actor, kind=kind, to_bottom=status in COLUMN_STATUSES
        )


def task_archive(*, actor: Any, task_id: Any, expected_version: int | None = None) -> Task:
    return task_set_status(
        actor=actor, task_id=task_id, status=Status.ARCHIVED, expected_version=expected_version
    )


def user_tasks_release(*, user: Any) -> int:
    """Release every task the user has in progress (before the user is deleted)."""
    task_ids = list(
        Task.objects.filter(owner=user, status=Status.IN_PROGRESS).values_list("pk", flat=True)
    )
    released = 0
    for task_id in task_ids:
        with transaction.atomic():
            board, task, _ = task_lock_with_board(actor=user, task_id=task_id, role=None)
            if task.status != Status.IN_PROGRESS or task.owner_id != user.pk:
                continue
            task.owner = None
            task.status = Status.UNASSIGNED
            task_save_with_event(
                board=board, task=task, actor=user, kind=EventKind.TASK_RELEASED, to_bottom=True
            )
            released += 1
    return released
