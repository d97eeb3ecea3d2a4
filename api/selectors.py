"""The API's reads: filtered, cursor-paginated lists, and membership-checked lookups.
Like board/selectors.py, nothing here writes."""

from __future__ import annotations

import base64
import binascii
import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from board.exceptions import NotFound, ValidationFailed
from board.models import Board, Epic, Event, Membership, Role, Sprint, Status, Task
from board.selectors import board_for_member, boards_for_user, task_for_member


@dataclass(frozen=True)
class TaskFilters:
    status: str | None = None
    owner: int | str | None = None  # a user id, "me" or "none"
    epic: int | None = None
    sprint: int | None = None
    due_before: datetime.date | None = None
    due_after: datetime.date | None = None
    q: str | None = None


def member_board(*, user: Any, board_id: int) -> tuple[Board, Role]:
    found = board_for_member(user=user, board_id=board_id)
    if found is None:
        raise NotFound("This board does not exist.")
    return found


def member_task(*, user: Any, task_id: int) -> Task:
    found = task_for_member(user=user, task_id=task_id)
    if found is None:
        raise NotFound("This task does not exist.")
    return found[0]


def member_sprint(*, user: Any, sprint_id: int) -> Sprint:
    sprint = Sprint.objects.filter(pk=sprint_id).first()
    if sprint is None or board_for_member(user=user, board_id=sprint.board_id) is None:
        raise NotFound("This sprint does not exist.")
    return sprint


def member_epic(*, user: Any, epic_id: int) -> Epic:
    epic = Epic.objects.filter(pk=epic_id).first()
    if epic is None or board_for_member(user=user, board_id=epic.board_id) is None:
        raise NotFound("This epic does not exist.")
    return epic


def boards_with_roles(*, user: Any) -> list[tuple[Board, Role]]:
    roles = dict(Membership.objects.filter(user=user).values_list("board_id", "role"))
    return [(board, Role(roles[board.pk])) for board in boards_for_user(user=user)]


def sprint_task_ids(*, sprint: Sprint) -> list[int]:
    return sorted(sprint.tasks.values_list("pk", flat=True))


def board_sprints_with_tasks(*, board: Board) -> QuerySet[Sprint]:
    return Sprint.objects.filter(board=board).prefetch_related("tasks")


def tasks_page(
    *, board: Board, user: Any, filters: TaskFilters, cursor: str | None, limit: int
) -> tuple[list[Task], str | None]:
    """One page of the board's tasks in id order, and the cursor of the next page.
    Archived tasks are left out unless `status=ARCHIVED` asks for them."""
    tasks = Task.objects.filter(board=board).select_related("owner", "creator", "epic")
    if filters.status is None:
        tasks = tasks.exclude(status=Status.ARCHIVED)
    else:
        tasks = tasks.filter(status=filters.status)
    if filters.owner == "me":
        tasks = tasks.filter(owner=user)
    elif filters.owner == "none":
        tasks = tasks.filter(owner__isnull=True)
    elif filters.owner is not None:
        tasks = tasks.filter(owner_id=filters.owner)
    if filters.epic is not None:
        tasks = tasks.filter(epic_id=filters.epic)
    if filters.sprint is not None:
        tasks = tasks.filter(sprints__id=filters.sprint)
    if filters.due_before is not None:
        tasks = tasks.filter(due_date__lte=filters.due_before)
    if filters.due_after is not None:
        tasks = tasks.filter(due_date__gte=filters.due_after)
    if filters.q:
        tasks = tasks.filter(title__icontains=filters.q)
    if cursor is not None:
        tasks = tasks.filter(pk__gt=cursor_decode(cursor, kind="task"))
    page = list(tasks.order_by("pk")[: limit + 1])
    if len(page) > limit:
        return page[:limit], cursor_encode(page[limit - 1].pk, kind="task")
    return page, None


def cursor_encode(last_id: int, *, kind: str) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{last_id}".encode()).decode().rstrip("=")


def cursor_decode(cursor: str, *, kind: str) -> int:
    """The id a cursor of this kind of list continues from; ValidationFailed for
    anything we did not issue (or issued for another list)."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, last_id = text.partition(":")
        if prefix == kind and last_id.isdigit() and int(last_id) < 2**63:
            return int(last_id)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise ValidationFailed(fields={"cursor": "Use the `next` value of the previous page."})


def events_page(*, board: Board, after: int, limit: int) -> tuple[list[Event], int | None]:
    """The board's events with seq > after, oldest first, and the `after` of the next page."""
    events = list(
        Event.objects.filter(board=board, seq__gt=after)
        .select_related("actor")
        .order_by("seq")[: limit + 1]
    )
    if len(events) > limit:
        return events[:limit], events[limit - 1].seq
    return events, None
