"""Boards, their members, and their event log."""

# No `from __future__ import annotations`: ninja reads these annotations at runtime.

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status

from accounts.selectors import user_to_add
from api.endpoints._responses import READ_ERRORS, WRITE_ERRORS
from api.schemas import BoardDetailOut, BoardOut, EventPage, Id, MemberIn, MemberOut
from api.selectors import boards_with_roles, events_page, member_board
from api.writes import WRITE_DOCS, idempotent_write
from board.models import Board, Role
from board.public import event_message, user_public_state
from board.selectors import board_column_counts, board_members
from board.services import membership_set_role

router = Router(tags=["boards"])

EVENTS_PAGE_MAX = 500


def _board_state(board: Board, role: Role) -> dict[str, Any]:
    return {
        "id": board.pk,
        "name": board.name,
        "slug": board.slug,
        "description": board.description,
        "organization": {"id": board.organization_id, "name": board.organization.name},
        "role": role,
    }


@router.get("/boards", response={200: list[BoardOut], **READ_ERRORS})
def boards_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The boards you are a member of."""
    return [
        _board_state(board, role) | {"open_tasks": board.open_tasks}
        for board, role in boards_with_roles(user=request.auth)
    ]


@router.get("/boards/{board_id}", response={200: BoardDetailOut, **READ_ERRORS})
def board_detail(request: HttpRequest, board_id: Id) -> dict[str, Any]:
    """The board with its columns' counts and WIP limits, and its latest event seq."""
    board, role = member_board(user=request.auth, board_id=board_id)
    columns = [column.public_state() for column in board_column_counts(board=board)]
    return _board_state(board, role) | {"seq": board.last_seq, "columns": columns}


@router.get("/boards/{board_id}/members", response={200: list[MemberOut], **READ_ERRORS})
def board_members_list(request: HttpRequest, board_id: Id) -> list[dict[str, Any]]:
    board, _ = member_board(user=request.auth, board_id=board_id)
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
