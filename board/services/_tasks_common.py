"""Pieces shared by the task services: locking, validation, transitions, saving."""

from __future__ import annotations

import datetime
from typing import Any

from board.exceptions import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    TaskAlreadyClaimed,
    ValidationFailed,
    VersionConflict,
    WipLimitReached,
)
from board.limits import (
    TASK_DESCRIPTION_MAX_LENGTH,
    TASK_TITLE_MAX_LENGTH,
    VERSION_MAX,
    too_long_message,
)
from board.models import COLUMN_STATUSES, Board, Epic, EventKind, Role, Status, Task
from board.public import task_public_state
from board.selectors import id_or_none
from board.services._task_rows import POSITION_STEP, task_lock, task_row_save
from board.services.access import board_lock_with_role, role_check
from board.services.conversation import (
    mentions_record,
    rendered_with_mentions,
    task_change_notify,
    task_watcher_ids_with,
    watchers_add,
)
from board.services.events import event_record
from board.services.notify import notify
from notifications.models import NotificationKind

# An argument not given: the field keeps its value (None may be a value).
UNSET: Any = object()


def task_lock_with_board(
    *, actor: Any, task_id: Any, role: Role | None = Role.MEMBER
) -> tuple[Board, Task, Role | None]:
    """Lock the task's board, then the task, and check the actor's role
    (`role=None` skips the check, for system actions). The role is read with the
    task, under the board's lock, so it is the one in force even when this write
    waited for the lock behind others."""
    task_id = clean_id(task_id, "task_id")
    board, _ = board_lock_with_role(actor=actor, role=None, task_id=task_id)
    checked = role is not None and actor is not None and actor.is_authenticated
    task, actual = task_lock(task_id=task_id, user_id=actor.pk if checked else None)
    if task is None:
        raise NotFound("This task does not exist.")
    if role is None:
        return board, task, None
    return board, task, role_check(actual, role, board=board)


def clean_id(value: Any, field: str) -> int:
    number = None if isinstance(value, bool) or not isinstance(value, int | str) else value
    number = id_or_none(number)
    if number is None:
        raise ValidationFailed(fields={field: "Must be an integer id."})
    return number


def clean_whole_number(value: Any, *, field: str, maximum: int) -> int:
    """An integer from 0 to `maximum`: the last check before a database column."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
        raise ValidationFailed(fields={field: f"Use a whole number from 0 to {maximum:,}."})
    return value


def version_check(*, task: Task, expected_version: int | None) -> None:
    if expected_version is None:
        return
    clean_whole_number(expected_version, field="expected_version", maximum=VERSION_MAX)
    if expected_version != task.version:
        raise VersionConflict(task=task)


def clean_text(value: Any, *, field: str, max_length: int | None = None, blank: str = "") -> str:
    """Trimmed text. `blank` is the message for an empty value (empty allowed if none).
    NUL and lone surrogates are refused: PostgreSQL cannot store them."""
    if not isinstance(value, str):
        raise ValidationFailed(fields={field: "Must be text."})
    if "\x00" in value or any("\ud800" <= char <= "\udfff" for char in value):
        raise ValidationFailed(fields={field: "Contains characters that cannot be stored."})
    value = value.strip()
    if blank and not value:
        raise ValidationFailed(fields={field: blank})
    if max_length is not None and len(value) > max_length:
        raise ValidationFailed(fields={field: too_long_message(max_length)})
    return value


def clean_title(title: Any) -> str:
    return clean_text(
        title, field="title", max_length=TASK_TITLE_MAX_LENGTH, blank="Give the task a title."
    )


def clean_description(description: Any, *, max_length: int = TASK_DESCRIPTION_MAX_LENGTH) -> str:
    return clean_text(description, field="description", max_length=max_length)


def clean_due_date(due_date: Any) -> datetime.date | None:
    if due_date is None or due_date == "":
        return None
    if isinstance(due_date, datetime.datetime):
        return due_date.date()
    if isinstance(due_date, datetime.date):
        return due_date
    if isinstance(due_date, str):
        try:
            return datetime.date.fromisoformat(due_date)
        except ValueError:
            pass
    raise ValidationFailed(fields={"due_date": "Use a date like 2026-12-31."})


def clean_epic(*, board: Board, epic_id: Any) -> Epic | None:
    if epic_id is None or epic_id == "":
        return None
    epic = Epic.objects.filter(board=board, pk=clean_id(epic_id, "epic")).first()
    if epic is None:
        raise ValidationFailed(fields={"epic": "Choose an epic of this board."})
    return epic


def wip_check(*, board: Board, status: str, exclude_task_id: int | None = None) -> None:
    limit = board.wip_limit(status)
    if limit is None or not board.wip_limits_hard:
        return
    in_column = Task.objects.filter(board=board, status=status)
    if exclude_task_id is not None:
        in_column = in_column.exclude(pk=exclude_task_id)
    if in_column.count() >= limit:
        label = Status(status).label
        raise WipLimitReached(f"“{label}” is at its limit of {limit} tasks.")


def position_at_bottom(*, board: Board, status: str) -> int:
    last = (
        Task.objects.filter(board=board, status=status)
        .order_by("-position")
        .values_list("position", flat=True)
        .first()
    )
    return (last or 0) + POSITION_STEP


def transition_apply(*, board: Board, task: Task, to: str, actor: Any, role: Role) -> str:
    """Move the task to status `to` if the rules allow it; return the event kind.

    The one table of allowed transitions: claim, release, done, reopen, archive. A
    task that enters a column goes to its bottom as it is saved (`task_save_with_event`
    with `to_bottom`), unless the caller places it (task_move).
    """
    if to not in Status.values:
        raise ValidationFailed(fields={"status": f"Unknown status {to!r}."})
    frm = task.status
    if to == Status.ARCHIVED:
        if role != Role.ADMIN:
            raise PermissionDenied("Only a board admin can archive tasks.", task=task)
        if frm == Status.ARCHIVED:
            raise InvalidTransition("This task is already archived.", task=task)
        kind = EventKind.TASK_ARCHIVED
    elif frm == Status.UNASSIGNED and to == Status.IN_PROGRESS:
        task.owner = actor
        kind = EventKind.TASK_CLAIMED
    elif frm == Status.IN_PROGRESS and to == Status.IN_PROGRESS:
        raise TaskAlreadyClaimed(claimed_by_message(task=task, actor=actor), task=task)
    elif frm == Status.IN_PROGRESS and to == Status.UNASSIGNED:
        if task.owner_id != actor.pk and role != Role.ADMIN:
            raise PermissionDenied(
                "Only the task's owner or a board admin can release it.", task=task
            )
        task.owner = None
        kind = EventKind.TASK_RELEASED
    elif (frm, to) in {(Status.IN_PROGRESS, Status.DONE), (Status.DONE, Status.IN_PROGRESS)}:
        if task.owner is None:
            task.owner = actor
        kind = EventKind.TASK_STATUS_CHANGED
    else:
        raise InvalidTransition(
            f"A task that is {Status(frm).label.lower()} cannot become {Status(to).label.lower()}.",
            task=task,
        )
    if to in COLUMN_STATUSES:
        wip_check(board=board, status=to, exclude_task_id=task.pk)
    task.status = to
    return kind


def claimed_by_message(*, task: Task, actor: Any) -> str:
    if task.owner_id == actor.pk:
        return "You have already claimed this task."
    owner = task.owner.display_name if task.owner else "someone else"
    return f"Already claimed by {owner}."


def task_save_with_event(
    *,
    board: Board,
    task: Task,
    actor: Any,
    kind: str,
    description_changed: bool = False,
    to_bottom: bool = False,
) -> Task:
    """Bump the version, save (`to_bottom`: below the last task of its column), and
    record the event: every task change ends here, and so do its conversation's
    effects (board.services.conversation): the description rendered once, its
    mentions, watchers, notifications."""
    mentioned: list[Any] = []
    if description_changed:
        task.description_html, mentioned = rendered_with_mentions(
            board=board, text=task.description
        )
    task.version += 1
    if task._state.adding:
        task.save()
    else:
        task_row_save(task, to_bottom=to_bottom)
    event_record(board=board, kind=kind, actor=actor, task=task, payload=task_public_state(task))
    if description_changed:
        new = mentions_record(task=task, comment=None, users=mentioned)
        notify(
            board=board,
            task=task,
            actor=actor,
            kind=NotificationKind.MENTIONED,
            user_ids=[user.pk for user in new],
        )
        watchers_add(task=task, users=new)
    watcher_ids = None
    if kind == EventKind.TASK_CREATED:
        watchers_add(task=task, users=[actor])
    elif kind == EventKind.TASK_CLAIMED:
        watcher_ids = task_watcher_ids_with(task=task, user=task.owner)
    task_change_notify(board=board, task=task, actor=actor, kind=kind, watcher_ids=watcher_ids)
    return task
