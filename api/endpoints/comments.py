"""A task's comments and watchers: list, write, edit, delete; watch and unwatch."""

# No `from __future__ import annotations`: ninja reads these annotations at runtime.

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router
from ninja.responses import Status

from api.conversation import comments_page
from api.conversation_schemas import CommentIn, CommentOut, CommentPage, WatchersOut
from api.endpoints._responses import READ_ERRORS, WRITE_ERRORS
from api.schemas import Id, Input
from api.selectors import member_task
from api.writes import WRITE_DOCS, idempotent_write
from board.services.comments import comment_create, comment_delete, comment_update, task_watch
from discussion.public import comment_public_state, task_watchers_state

router = Router(tags=["comments"])

COMMENTS_PAGE_MAX = 200


class CommentQuery(Input):
    cursor: str = Field(None, max_length=100, description="`next` of the previous page.")
    limit: int = Field(50, ge=1, le=COMMENTS_PAGE_MAX)


def _watchers(task_id: int, user: Any) -> dict[str, Any]:
    state = task_watchers_state(task_id=task_id)
    return state | {"watching": any(w["id"] == user.pk for w in state["watchers"])}


@router.get("/tasks/{task_id}/comments", response={200: CommentPage, **READ_ERRORS})
def comments_list(request: HttpRequest, task_id: Id, query: Query[CommentQuery]) -> dict[str, Any]:
    """The task's comments, oldest first, a page at a time."""
    task = member_task(user=request.auth, task_id=task_id)
    comments, next_cursor = comments_page(task=task, cursor=query.cursor, limit=query.limit)
    return {"items": [comment_public_state(c) for c in comments], "next": next_cursor}


@router.post(
    "/tasks/{task_id}/comments",
    response={201: CommentOut, **WRITE_ERRORS},
    openapi_extra=WRITE_DOCS,
)
@idempotent_write
def comments_create(request: HttpRequest, task_id: Id, payload: CommentIn) -> Status:
    """Comment on a task (members and admins). You then watch it, as does anyone you
    @mention who is on the board."""
    comment = comment_create(actor=request.auth, task_id=task_id, body=payload.body)
    return Status(201, comment_public_state(comment))


@router.patch(
    "/comments/{comment_id}", response={200: CommentOut, **WRITE_ERRORS}, openapi_extra=WRITE_DOCS
)
@idempotent_write
def comment_edit(request: HttpRequest, comment_id: Id, payload: CommentIn) -> Status:
    """Change the body of your own comment; it shows as edited, with the time."""
    comment = comment_update(actor=request.auth, comment_id=comment_id, body=payload.body)
    return Status(200, comment_public_state(comment))


@router.delete(
    "/comments/{comment_id}", response={204: None, **WRITE_ERRORS}, openapi_extra=WRITE_DOCS
)
@idempotent_write
def comment_remove(request: HttpRequest, comment_id: Id) -> Status:
    """Delete your own comment (board admins: anyone's)."""
    comment_delete(actor=request.auth, comment_id=comment_id)
    return Status(204, None)


@router.get("/tasks/{task_id}/watchers", response={200: WatchersOut, **READ_ERRORS})
def task_watchers(request: HttpRequest, task_id: Id) -> dict[str, Any]:
    """Who is told of the task's changes and comments, first come first."""
    task = member_task(user=request.auth, task_id=task_id)
    return _watchers(task.pk, request.auth)


@router.put(
    "/tasks/{task_id}/watch", response={200: WatchersOut, **WRITE_ERRORS}, openapi_extra=WRITE_DOCS
)
@idempotent_write
def task_watch_start(request: HttpRequest, task_id: Id) -> Status:
    """Watch the task (anyone on the board, viewers too). Watching it again is no change."""
    task_watch(actor=request.auth, task_id=task_id, watching=True)
    return Status(200, _watchers(task_id, request.auth))


@router.delete(
    "/tasks/{task_id}/watch", response={200: WatchersOut, **WRITE_ERRORS}, openapi_extra=WRITE_DOCS
)
@idempotent_write
def task_watch_stop(request: HttpRequest, task_id: Id) -> Status:
    """Stop watching the task."""
    task_watch(actor=request.auth, task_id=task_id, watching=False)
    return Status(200, _watchers(task_id, request.auth))
