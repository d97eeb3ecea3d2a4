"""Workspaces: create and rename them, their members and roles, and their boards."""

# No `from __future__ import annotations`: ninja reads these annotations at runtime.

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status

from api.endpoints._responses import READ_ERRORS, WRITE_ERRORS
from api.schemas import BoardOut
from api.selectors import (
    member_workspace,
    workspace_boards_with_roles,
    workspace_members_page,
    workspaces_with_roles,
)
from api.states import board_state, listed_board_state, workspace_member_state, workspace_state
from api.workspace_schemas import (
    BoardCreateIn,
    PageQuery,
    Slug,
    UserRef,
    WorkspaceCreateIn,
    WorkspaceMemberOut,
    WorkspaceMemberPage,
    WorkspaceOut,
    WorkspaceRoleIn,
    WorkspaceUpdateIn,
)
from api.writes import WRITE_DOCS, idempotent_write
from board.services import (
    board_create,
    workspace_create,
    workspace_member_remove,
    workspace_member_set_role,
    workspace_update,
)

router = Router(tags=["workspaces"])


def _workspace_out(user: Any, slug: str) -> dict[str, Any]:
    return workspace_state(*member_workspace(user=user, slug=slug))


@router.get("/workspaces", response={200: list[WorkspaceOut], **READ_ERRORS})
def workspaces_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The workspaces you belong to, with your role in each."""
    return [workspace_state(*found) for found in workspaces_with_roles(user=request.auth)]


@router.post("/workspaces", response={201: WorkspaceOut, **WRITE_ERRORS}, openapi_extra=WRITE_DOCS)
@idempotent_write
def workspaces_create(request: HttpRequest, payload: WorkspaceCreateIn) -> Status:
    """A new workspace, with you as its owner."""
    workspace = workspace_create(actor=request.auth, name=payload.name, slug=payload.slug)
    return Status(201, _workspace_out(request.auth, workspace.slug))


@router.get("/workspaces/{slug}", response={200: WorkspaceOut, **READ_ERRORS})
def workspace_detail(request: HttpRequest, slug: Slug) -> dict[str, Any]:
    return _workspace_out(request.auth, slug)


@router.patch(
    "/workspaces/{slug}", response={200: WorkspaceOut, **WRITE_ERRORS}, openapi_extra=WRITE_DOCS
)
@idempotent_write
def workspace_edit(request: HttpRequest, slug: Slug, payload: WorkspaceUpdateIn) -> Status:
    """Rename the workspace, or say whether members may create boards (owners and
    admins); only the fields sent change."""
    workspace, _ = member_workspace(user=request.auth, slug=slug)
    changes = payload.model_dump(exclude_unset=True, exclude_none=True)
    workspace_update(actor=request.auth, workspace_id=workspace.pk, **changes)
    return Status(200, _workspace_out(request.auth, slug))


@router.get("/workspaces/{slug}/members", response={200: WorkspaceMemberPage, **READ_ERRORS})
def workspace_members_list(
    request: HttpRequest, slug: Slug, query: Query[PageQuery]
) -> dict[str, Any]:
    """The workspace's members and their roles, in the order they joined."""
    workspace, _ = member_workspace(user=request.auth, slug=slug)
    members, next_cursor = workspace_members_page(
        workspace=workspace, cursor=query.cursor, limit=query.limit
    )
    return {"items": [workspace_member_state(m) for m in members], "next": next_cursor}


@router.patch(
    "/workspaces/{slug}/members/{user_id}",
    response={200: WorkspaceMemberOut, **WRITE_ERRORS},
    openapi_extra=WRITE_DOCS,
)
@idempotent_write
def workspace_member_role(
    request: HttpRequest, slug: Slug, user_id: UserRef, payload: WorkspaceRoleIn
) -> Status:
    """Change a member's role (owners and admins; only owners make or unmake owners).
    The last owner stays an owner."""
    workspace, _ = member_workspace(user=request.auth, slug=slug)
    membership = workspace_member_set_role(
        actor=request.auth,
        workspace_id=workspace.pk,
        user_id=request.auth.pk if user_id == "me" else user_id,
        role=payload.role,
    )
    return Status(200, workspace_member_state(membership))


@router.delete(
    "/workspaces/{slug}/members/{user_id}",
    response={204: None, **WRITE_ERRORS},
    openapi_extra=WRITE_DOCS,
)
@idempotent_write
def workspace_member_delete(request: HttpRequest, slug: Slug, user_id: UserRef) -> Status:
    """Take someone out of the workspace and all its boards (owners and admins), or
    leave it (your own id, or `me`). The last owner cannot go, and nobody goes while
    they are the last admin of one of its boards."""
    workspace, _ = member_workspace(user=request.auth, slug=slug)
    workspace_member_remove(
        actor=request.auth,
        workspace_id=workspace.pk,
        user_id=request.auth.pk if user_id == "me" else user_id,
    )
    return Status(204, None)


@router.get("/workspaces/{slug}/boards", response={200: list[BoardOut], **READ_ERRORS})
def workspace_boards_list(request: HttpRequest, slug: Slug) -> list[dict[str, Any]]:
    """The workspace's boards you are on, open ones first (archived ones too, with
    their `archived_at`)."""
    workspace, _ = member_workspace(user=request.auth, slug=slug)
    return [
        board_state(board, role) | {"open_tasks": board.open_tasks}
        for board, role in workspace_boards_with_roles(user=request.auth, workspace=workspace)
    ]


@router.post(
    "/workspaces/{slug}/boards", response={201: BoardOut, **WRITE_ERRORS}, openapi_extra=WRITE_DOCS
)
@idempotent_write
def workspace_board_create(request: HttpRequest, slug: Slug, payload: BoardCreateIn) -> Status:
    """A new board in the workspace, with you as its admin: `start` is `empty` or
    `sample` (a few example tasks). Owners and admins may; members if the workspace
    allows it."""
    workspace, _ = member_workspace(user=request.auth, slug=slug)
    board = board_create(
        actor=request.auth,
        organization=workspace,
        name=payload.name,
        description=payload.description,
        start=payload.start,
    )
    return Status(201, listed_board_state(user=request.auth, board_id=board.pk))
