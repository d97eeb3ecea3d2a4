"""Tasks: list with filters, create, read, edit, and the card actions."""

# No `from __future__ import annotations`: ninja reads these annotations at runtime.

import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router
from ninja.responses import Status

from api.endpoints._responses import READ_ERRORS, WRITE_ERRORS
from api.schemas import (
    Id,
    Input,
    MoveIn,
    StatusIn,
    StatusName,
    TaskCreateIn,
    TaskOut,
    TaskPage,
    TaskUpdateIn,
    VersionIn,
)
from api.selectors import TaskFilters, member_board, member_task, tasks_page
from api.writes import WRITE_DOCS, idempotent_write
from board.public import task_public_state
from board.services import (
    task_archive,
    task_claim,
    task_create,
    task_move,
    task_release,
    task_set_status,
    task_update,
)

router = Router(tags=["tasks"])

TASKS_PAGE_MAX = 200


class TaskQuery(Input):
    status: StatusName = Field(None, description="Default: every status but ARCHIVED.")
    owner: Id | Literal["me", "none"] = Field(None, description="A user id, me or none.")
    epic: Id = Field(None)
    sprint: Id = Field(None)
    due_before: datetime.date = Field(None, description="Due on or before this day.")
    due_after: datetime.date = Field(None, description="Due on or after this day.")
    q: str = Field(None, max_length=200, description="Text in the title.")
    cursor: str = Field(None, max_length=100, description="`next` of the previous page.")
    limit: int = Field(50, ge=1, le=TASKS_PAGE_MAX)


@router.get("/boards/{board_id}/tasks", response={200: TaskPage, **READ_ERRORS})
def tasks_list(request: HttpRequest, board_id: Id, query: Query[TaskQuery]) -> dict[str, Any]:
    """The board's tasks in creation order, a page at a time."""
    board, _ = member_board(user=request.auth, board_id=board_id)
    filters = TaskFilters(**query.model_dump(exclude={"cursor", "limit"}))
    tasks, next_cursor = tasks_page(
        board=board, user=request.auth, filters=filters, cursor=query.cursor, limit=query.limit
    )
    return {"items": [task_public_state(task) for task in tasks], "next": next_cursor}


@router.post(
    "/boards/{board_id}/tasks",
    response={201: TaskOut, **WRITE_ERRORS},
    openapi_extra=WRITE_DOCS,
)
@idempotent_write
def tasks_create(request: HttpRequest, board_id: Id, payload: TaskCreateIn) -> Status:
    task = task_create(
        actor=request.auth,
        board_id=board_id,
        title=payload.title,
        description=payload.description,
        due_date=payload.due_date,
        epic_id=payload.epic,
    )
    return Status(201, task_public_state(task))


@router.get("/tasks/{task_id}", response={200: TaskOut, **READ_ERRORS})
def task_detail(request: HttpRequest, task_id: Id) -> dict[str, Any]:
    return task_public_state(member_task(user=request.auth, task_id=task_id))


@router.patch("/tasks/{task_id}", response={200: TaskOut, **WRITE_ERRORS}, openapi_extra=WRITE_DOCS)
@idempotent_write
def task_edit(request: HttpRequest, task_id: Id, payload: TaskUpdateIn) -> Status:
    """Change the fields you send. With `expected_version`, a task changed by someone
    else since you read it is refused with version_conflict (and its current state)."""
    changes = payload.model_dump(exclude_unset=True)
    if "epic" in changes:
        changes["epic_id"] = changes.pop("epic")
    task = task_update(actor=request.auth, task_id=task_id, **changes)
    return Status(200, task_public_state(task))


@router.post(
    "/tasks/{task_id}/claim", response={200: TaskOut, **WRITE_ERRORS}, openapi_extra=WRITE_DOCS
)
@idempotent_write
def task_claim_action(
    request: HttpRequest, task_id: Id, payload: VersionIn | None = None
) -> Status:
    """Take an unassigned task: it moves to IN_PROGRESS with you as its owner."""
    version = payload.expected_version if payload else None
    task = task_claim(actor=request.auth, task_id=task_id, expected_version=version)
    return Status(200, task_public_state(task))


@router.post(
    "/tasks/{task_id}/release", response={200: TaskOut, **WRITE_ERRORS}, openapi_extra=WRITE_DOCS
)
@idempotent_write
def task_release_action(
    request: HttpRequest, task_id: Id, payload: VersionIn | None = None
) -> Status:
    """Give a task in progress back (its owner or a board admin)."""
    version = payload.expected_version if payload else None
    task = task_release(actor=request.auth, task_id=task_id, expected_version=version)
    return Status(200, task_public_state(task))


@router.post(
    "/tasks/{task_id}/status", response={200: TaskOut, **WRITE_ERRORS}, openapi_extra=WRITE_DOCS
)
@idempotent_write
def task_status_action(request: HttpRequest, task_id: Id, payload: StatusIn) -> Status:
    """Move a task along: IN_PROGRESS -> DONE, DONE -> IN_PROGRESS, and the rest of the
    rules of the board (claim, release, archive)."""
    task = task_set_status(
        actor=request.auth,
        task_id=task_id,
        status=payload.status,
        expected_version=payload.expected_version,
    )
    return Status(200, task_public_state(task))


@router.post(
    "/tasks/{task_id}/archive", response={200: TaskOut, **WRITE_ERRORS}, openapi_extra=WRITE_DOCS
)
@idempotent_write
def task_archive_action(
    request: HttpRequest, task_id: Id, payload: VersionIn | None = None
) -> Status:
    """Take a task off the board (board admins only)."""
    version = payload.expected_version if payload else None
    task = task_archive(actor=request.auth, task_id=task_id, expected_version=version)
    return Status(200, task_public_state(task))


@router.post(
    "/tasks/{task_id}/move", response={200: TaskOut, **WRITE_ERRORS}, openapi_extra=WRITE_DOCS
)
@idempotent_write
def task_move_action(request: HttpRequest, task_id: Id, payload: MoveIn) -> Status:
    """Put the card at `index` of its column, or of another column (as drag and drop)."""
    task = task_move(
        actor=request.auth,
        task_id=task_id,
        index=payload.index,
        status=payload.status,
        expected_version=payload.expected_version,
    )
    return Status(200, task_public_state(task))
