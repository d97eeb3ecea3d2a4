"""Sprints and epics: CRUD, and putting tasks in or out of them."""

# No `from __future__ import annotations`: ninja reads these annotations at runtime.

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status

from api.endpoints._responses import READ_ERRORS, WRITE_ERRORS
from api.schemas import (
    EpicIn,
    EpicOut,
    EpicUpdateIn,
    Id,
    SprintIn,
    SprintOut,
    SprintUpdateIn,
    TaskOut,
    TaskRefIn,
)
from api.selectors import (
    board_sprints_with_tasks,
    member_board,
    member_epic,
    member_sprint,
    member_task,
    sprint_task_ids,
)
from api.writes import WRITE_DOCS, idempotent_write
from board.exceptions import NotFound
from board.models import Sprint
from board.public import epic_public_state, sprint_public_state, task_public_state
from board.selectors import board_epics
from board.services import (
    epic_create,
    epic_delete,
    epic_update,
    sprint_add_task,
    sprint_create,
    sprint_delete,
    sprint_remove_task,
    sprint_update,
    task_update,
)

router = Router(tags=["sprints and epics"])


def _sprint_state(sprint: Sprint) -> dict[str, Any]:
    return sprint_public_state(sprint, task_ids=sprint_task_ids(sprint=sprint))


@router.get("/boards/{board_id}/sprints", response={200: list[SprintOut], **READ_ERRORS})
def sprints_list(request: HttpRequest, board_id: Id) -> list[dict[str, Any]]:
    board, _ = member_board(user=request.auth, board_id=board_id)
    return [
        sprint_public_state(sprint, task_ids=sorted(task.pk for task in sprint.tasks.all()))
        for sprint in board_sprints_with_tasks(board=board)
    ]


@router.post(
    "/boards/{board_id}/sprints",
    response={201: SprintOut, **WRITE_ERRORS},
    openapi_extra=WRITE_DOCS,
)
@idempotent_write
def sprints_create(request: HttpRequest, board_id: Id, payload: SprintIn) -> Status:
    sprint = sprint_create(actor=request.auth, board_id=board_id, **payload.model_dump())
    return Status(201, _sprint_state(sprint))


@router.get("/sprints/{sprint_id}", response={200: SprintOut, **READ_ERRORS})
def sprint_detail(request: HttpRequest, sprint_id: Id) -> dict[str, Any]:
    return _sprint_state(member_sprint(user=request.auth, sprint_id=sprint_id))


@router.patch(
    "/sprints/{sprint_id}", response={200: SprintOut, **WRITE_ERRORS}, openapi_extra=WRITE_DOCS
)
@idempotent_write
def sprint_edit(request: HttpRequest, sprint_id: Id, payload: SprintUpdateIn) -> Status:
    changes = payload.model_dump(exclude_unset=True)
    sprint = sprint_update(actor=request.auth, sprint_id=sprint_id, **changes)
    return Status(200, _sprint_state(sprint))


@router.delete(
    "/sprints/{sprint_id}", response={204: None, **WRITE_ERRORS}, openapi_extra=WRITE_DOCS
)
@idempotent_write
def sprint_remove(request: HttpRequest, sprint_id: Id) -> Status:
    """Delete the sprint (board admins only); its tasks stay on the board."""
    sprint_delete(actor=request.auth, sprint_id=sprint_id)
    return Status(204, None)


@router.post(
    "/sprints/{sprint_id}/tasks",
    response={200: SprintOut, **WRITE_ERRORS},
    openapi_extra=WRITE_DOCS,
)
@idempotent_write
def sprint_task_add(request: HttpRequest, sprint_id: Id, payload: TaskRefIn) -> Status:
    sprint = sprint_add_task(actor=request.auth, sprint_id=sprint_id, task_id=payload.task)
    return Status(200, _sprint_state(sprint))


@router.delete(
    "/sprints/{sprint_id}/tasks/{task_id}",
    response={200: SprintOut, **WRITE_ERRORS},
    openapi_extra=WRITE_DOCS,
)
@idempotent_write
def sprint_task_remove(request: HttpRequest, sprint_id: Id, task_id: Id) -> Status:
    sprint = sprint_remove_task(actor=request.auth, sprint_id=sprint_id, task_id=task_id)
    return Status(200, _sprint_state(sprint))


@router.get("/boards/{board_id}/epics", response={200: list[EpicOut], **READ_ERRORS})
def epics_list(request: HttpRequest, board_id: Id) -> list[dict[str, Any]]:
    board, _ = member_board(user=request.auth, board_id=board_id)
    return [epic_public_state(epic) for epic in board_epics(board=board)]


@router.post(
    "/boards/{board_id}/epics",
    response={201: EpicOut, **WRITE_ERRORS},
    openapi_extra=WRITE_DOCS,
)
@idempotent_write
def epics_create(request: HttpRequest, board_id: Id, payload: EpicIn) -> Status:
    epic = epic_create(actor=request.auth, board_id=board_id, **payload.model_dump())
    return Status(201, epic_public_state(epic))


@router.get("/epics/{epic_id}", response={200: EpicOut, **READ_ERRORS})
def epic_detail(request: HttpRequest, epic_id: Id) -> dict[str, Any]:
    return epic_public_state(member_epic(user=request.auth, epic_id=epic_id))


@router.patch("/epics/{epic_id}", response={200: EpicOut, **WRITE_ERRORS}, openapi_extra=WRITE_DOCS)
@idempotent_write
def epic_edit(request: HttpRequest, epic_id: Id, payload: EpicUpdateIn) -> Status:
    """Rename or describe the epic; its tasks show the new name."""
    changes = payload.model_dump(exclude_unset=True)
    epic = epic_update(actor=request.auth, epic_id=epic_id, **changes)
    return Status(200, epic_public_state(epic))


@router.delete("/epics/{epic_id}", response={204: None, **WRITE_ERRORS}, openapi_extra=WRITE_DOCS)
@idempotent_write
def epic_remove(request: HttpRequest, epic_id: Id) -> Status:
    """Delete the epic (board admins only); its tasks stay, without an epic."""
    epic_delete(actor=request.auth, epic_id=epic_id)
    return Status(204, None)


@router.post(
    "/epics/{epic_id}/tasks", response={200: TaskOut, **WRITE_ERRORS}, openapi_extra=WRITE_DOCS
)
@idempotent_write
def epic_task_add(request: HttpRequest, epic_id: Id, payload: TaskRefIn) -> Status:
    """Put a task of the epic's board into the epic (the same as PATCHing its `epic`)."""
    epic = member_epic(user=request.auth, epic_id=epic_id)
    task = task_update(
        actor=request.auth,
        task_id=payload.task,
        expected_version=payload.expected_version,
        epic_id=epic.pk,
    )
    return Status(200, task_public_state(task))


@router.delete(
    "/epics/{epic_id}/tasks/{task_id}",
    response={200: TaskOut, **WRITE_ERRORS},
    openapi_extra=WRITE_DOCS,
)
@idempotent_write
def epic_task_remove(request: HttpRequest, epic_id: Id, task_id: Id) -> Status:
    epic = member_epic(user=request.auth, epic_id=epic_id)
    task = member_task(user=request.auth, task_id=task_id)
    if task.epic_id != epic.pk:
        raise NotFound("That task is not in this epic.")
    # The version read above guards against a move to another epic in between.
    task = task_update(
        actor=request.auth, task_id=task_id, expected_version=task.version, epic_id=None
    )
    return Status(200, task_public_state(task))
