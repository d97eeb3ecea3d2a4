"""The API's shapes of boards, workspaces, their members and invitations, built in one
place so that every endpoint (and an accepted invitation) answers them alike. Tasks,
sprints, epics and events come from board/public.py, as on the socket."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest

from accounts.models import Organization, WorkspaceMembership, WorkspaceRole
from api.selectors import invitations_by_id, listed_board
from board.models import Board, Invitation, Role
from board.public import user_public_state
from board.workspace_selectors import invitation_link


def iso_or_none(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def board_state(board: Board, role: Role) -> dict[str, Any]:
    return {
        "id": board.pk,
        "name": board.name,
        "slug": board.slug,
        "description": board.description,
        "organization": {"id": board.organization_id, "name": board.organization.name},
        "role": role,
        "archived_at": iso_or_none(board.archived_at),
    }


def listed_board_state(*, user: Any, board_id: int) -> dict[str, Any]:
    """The board as `GET /boards` lists it, read again after a change."""
    board, role = listed_board(user=user, board_id=board_id)
    return board_state(board, role) | {"open_tasks": board.open_tasks}


def workspace_state(workspace: Organization, role: WorkspaceRole) -> dict[str, Any]:
    return {
        "id": workspace.pk,
        "name": workspace.name,
        "slug": workspace.slug,
        "role": role,
        "members_can_create_boards": workspace.members_can_create_boards,
    }


def workspace_member_state(membership: WorkspaceMembership) -> dict[str, Any]:
    return {
        "user": user_public_state(membership.user),
        "role": membership.role,
        "joined_at": membership.created_at.isoformat(),
    }


def invitation_state(invitation: Invitation) -> dict[str, Any]:
    """An invitation without its link: what may be stored (an idempotent answer) and
    what an email invitation always shows. `invitations_reveal` adds the link."""
    board = invitation.board
    workspace = invitation.organization
    return {
        "id": invitation.pk,
        "kind": "link" if invitation.is_link else "email",
        "email": invitation.email or None,
        "role": invitation.role,
        "workspace": {"id": workspace.pk, "name": workspace.name, "slug": workspace.slug},
        "board": {"id": board.pk, "name": board.name} if board is not None else None,
        "uses": invitation.uses,
        "max_uses": invitation.max_uses,
        "expires_at": invitation.expires_at.isoformat(),
        "created_at": invitation.created_at.isoformat(),
        "sent_at": iso_or_none(invitation.sent_at),
        "revoked_at": iso_or_none(invitation.revoked_at),
        "created_by": user_public_state(invitation.created_by),
        "url": None,
    }


def invitations_reveal(request: HttpRequest, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The invitations with each link invitation's current URL (its nonce, read again:
    a rotated link shows its new URL). An email invitation's link goes only to its
    address, so it has none here."""
    link_ids = [item["id"] for item in items if item["kind"] == "link"]
    links = {
        invitation.pk: request.build_absolute_uri(invitation_link(invitation=invitation))
        for invitation in invitations_by_id(ids=link_ids)
    }
    return [item | {"url": links.get(item["id"])} for item in items]


def invitation_reveal(request: HttpRequest, item: dict[str, Any]) -> dict[str, Any]:
    return invitations_reveal(request, [item])[0]
