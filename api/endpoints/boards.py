"""Boards (rename, archive, restore, delete), their members, and their event log."""

# No `from __future__ import annotations`: ninja reads these annotations at runtime.

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status

from accounts.selectors import user_to_add
from api.endpoints._responses import READ_ERRORS, WRITE_ERRORS
from api.schemas import BoardDetailOut, BoardOut, EventPage, Id, MemberIn, MemberOut
from api.selectors import boards_with_roles, events_page, member_board
from api.states import board_state, listed_board_state
from api.workspace_schemas import BoardDeleteIn, BoardUpdateIn, UserRef
from api.writes import WRITE_DOCS, idempotent_write
from board.limits import NAME_MAX_LENGTH
from board.public import event_message, user_public_state
from board.selectors import board_column_counts, board_members
from board.services import (
    board_archive,
    board_delete,
    board_restore,
    board_update,
    membership_remove,
    membership_set_role,
)

router = Router(tags=["boards"])

EVENTS_PAGE_MAX = 500


@router.get("/boards", response={200: list[BoardOut], **READ_ERRORS})
def boards_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The boards you are a member of."""
    return [
        board_state(board, role) | {"open_tasks": board.open_tasks}
        for board, role in boards_with_roles(user=request.auth)
    ]


@router.get("/boards/{board_id}", response={200: BoardDetailOut, **READ_ERRORS})
def board_detail(request: HttpRequest, board_id: Id) -> dict[str, Any]:
    """The board with its columns' counts and WIP limits, and its latest event seq.
    An archived board shows too (with `archived_at`); its tasks and events do not."""
    board, role = member_board(user=request.auth, board_id=board_id, archived_ok=True)
    columns = [column.public_state() for column in board_column_counts(board=board)]
    return board_state(board, role) | {"seq": board.last_seq, "columns": columns}


@router.patch(
    "/boards/{board_id}", response={200: BoardOut, **WRITE_ERRORS}, openapi_extra=WRITE_DOCS
)
@idempotent_write
def board_edit(request: HttpRequest, board_id: Id, payload: BoardUpdateIn) -> Status:
    """Rename the board or change its description (board admins); only the fields sent
    change. Open boards see it at once (a `board.updated` event)."""
    member_board(user=request.auth, board_id=board_id, archived_ok=True)
    changes = payload.model_dump(exclude_unset=True, exclude_none=True)
    board_update(actor=request.auth, board_id=board_id, **changes)
    return Status(200, listed_board_state(user=request.auth, board_id=board_id))


@router.post(
    "/boards/{board_id}/archive",
    response={200: BoardOut, **WRITE_ERRORS},
    openapi_extra=WRITE_DOCS,
)
@idempotent_write
def board_archive_action(request: HttpRequest, board_id: Id) -> Status:
    """Archive the board (board admins): nobody reads or changes it until it is
    restored, and its open sockets close. Archiving an archived board changes nothing."""
    board_archive(actor=request.auth, board_id=board_id)
    return Status(200, listed_board_state(user=request.auth, board_id=board_id))


@router.post(
    "/boards/{board_id}/restore",
    response={200: BoardOut, **WRITE_ERRORS},
    openapi_extra=WRITE_DOCS,
)
@idempotent_write
def board_restore_action(request: HttpRequest, board_id: Id) -> Status:
    """Open an archived board again (board admins)."""
    board_restore(actor=request.auth, board_id=board_id)
    return Status(200, listed_board_state(user=request.auth, board_id=board_id))


@router.delete("/boards/{board_id}", response={204: None, **WRITE_ERRORS}, openapi_extra=WRITE_DOCS)
@idempotent_write
def board_remove(
    request: HttpRequest,
    board_id: Id,
    confirm_name: str = Query(
        None, max_length=NAME_MAX_LENGTH, description="The board's name (or send it in the body)."
    ),
    payload: BoardDeleteIn | None = None,
) -> Status:
    """Delete the board with its tasks, sprints, epics and events (board admins), for
    good. `confirm_name`, in the query or the body, must be the board's name."""
    typed = payload.confirm_name if payload is not None else confirm_name
    board_delete(actor=request.auth, board_id=board_id, confirm_name=typed)
    return Status(204, None)


@router.get("/boards/{board_id}/members", response={200: list[MemberOut], **READ_ERRORS})
def board_members_list(request: HttpRequest, board_id: Id) -> list[dict[str, Any]]:
    board, _ = member_board(user=request.auth, board_id=board_id, archived_ok=True)
    return [
        {"user": user_public_state(membership.user), "role": membership.role}
        for membership in board_members(board=board)
    ]


@router.post(
    "/boards/{board_id}/members",
    response={200: MemberOut, **WRITE_ERRORS},
    openapi_extra=WRITE_DOCS,
)
@idempotent_write
def board_member_set(request: HttpRequest, board_id: Id, payload: MemberIn) -> Status:
    """Add someone from the board's workspace, or change a member's role (board
    admins only). `user` is an email address if it has `@`, else a username."""
    membership = membership_set_role(
        actor=request.auth, board_id=board_id, user=user_to_add(payload.user), role=payload.role
    )
    return Status(200, {"user": user_public_state(membership.user), "role": membership.role})


@router.delete(
    "/boards/{board_id}/members/{user_id}",
    response={204: None, **WRITE_ERRORS},
    openapi_extra=WRITE_DOCS,
)
@idempotent_write
def board_member_remove(request: HttpRequest, board_id: Id, user_id: UserRef) -> Status:
    """Take someone off the board (board admins), or leave it (your own id, or `me`).
    The board's last admin can do neither: make someone else admin first."""
    user_id = request.auth.pk if user_id == "me" else user_id
    membership_remove(actor=request.auth, board_id=board_id, user_id=user_id)
    return Status(204, None)


# exclude_unset: an event carries only its own subject key, as on the socket.
@router.get(
    "/boards/{board_id}/events", response={200: EventPage, **READ_ERRORS}, exclude_unset=True
)
def board_events(
    request: HttpRequest,
    board_id: Id,
    after: int = Query(0, ge=0, le=2**63 - 1, description="Return events with seq > after."),
    limit: int = Query(100, ge=1, le=EVENTS_PAGE_MAX),
) -> dict[str, Any]:
    """The event log: the same `event` objects as the WebSocket sends, oldest first."""
    board, _ = member_board(user=request.auth, board_id=board_id)
    events, next_after = events_page(board=board, after=after, limit=limit)
    # `own: false`, exactly as the socket replays a logged event.
    items = [event_message(event) | {"own": False} for event in events]
    seq = max([board.last_seq, *(event.seq for event in events)])
    return {"items": items, "next": next_after, "seq": seq}
