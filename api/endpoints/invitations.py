"""Invitations to a workspace or a board: by email or by a shareable link; resend,
rotate, revoke, and accept.

A link invitation's answers carry its URL (its admins may copy it again); an email
invitation's never do, since its link is meant for its address only. The URL is added
to each answer, never stored with an Idempotency-Key (api/writes.py, `reveal`).
"""

# No `from __future__ import annotations`: ninja reads these annotations at runtime.

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status

from accounts.models import WorkspaceRole
from api.endpoints._responses import READ_ERRORS, WRITE_ERRORS
from api.schemas import ErrorOut, Id
from api.selectors import invitations_page, member_board, member_workspace
from api.states import (
    invitation_reveal,
    invitation_state,
    invitations_reveal,
    listed_board_state,
    workspace_state,
)
from api.workspace_schemas import (
    AcceptIn,
    AcceptOut,
    BoardInvitationIn,
    InvitationIn,
    InvitationOut,
    InvitationPage,
    PageQuery,
    Slug,
    WorkspaceInvitationIn,
)
from api.writes import WRITE_DOCS, idempotent_write
from board.exceptions import ValidationFailed
from board.models import Invitation, Role
from board.services import (
    invitation_accept,
    invitation_create,
    invitation_link_create,
    invitation_resend,
    invitation_revoke,
    invitation_rotate,
)
from board.services.access import role_require, workspace_role_require

router = Router(tags=["invitations"])

MANAGE_READ_ERRORS: dict[int, Any] = {**READ_ERRORS, 403: ErrorOut, 409: ErrorOut}
UNUSABLE_ERRORS: dict[int, Any] = {**WRITE_ERRORS, 410: ErrorOut}


def _site_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _invite(request: HttpRequest, payload: InvitationIn, **target: Any) -> list[dict[str, Any]]:
    """Either one link or one invitation per address; `target` names the workspace or
    the board."""
    if payload.link == (payload.emails is not None):
        raise ValidationFailed(
            fields={"emails": 'Send either `emails` or `"link": true`, not both.'}
        )
    if payload.link:
        invitation = invitation_link_create(
            actor=request.auth,
            role=payload.role,
            expires_in_days=payload.expires_in_days,
            max_uses=payload.max_uses,
            **target,
        )
        return [invitation_state(invitation)]
    for field in ("expires_in_days", "max_uses"):
        if getattr(payload, field) is not None:
            raise ValidationFailed(fields={field: "Only a link invitation takes this."})
    invitations = invitation_create(
        actor=request.auth,
        emails=payload.emails,
        role=payload.role,
        site_url=_site_url(request),
        **target,
    )
    return [invitation_state(invitation) for invitation in invitations]


def _page(request: HttpRequest, found: tuple[list[Invitation], str | None]) -> dict[str, Any]:
    invitations, next_cursor = found
    items = invitations_reveal(request, [invitation_state(i) for i in invitations])
    return {"items": items, "next": next_cursor}


@router.get("/boards/{board_id}/invitations", response={200: InvitationPage, **MANAGE_READ_ERRORS})
def board_invitations_list(
    request: HttpRequest, board_id: Id, query: Query[PageQuery]
) -> dict[str, Any]:
    """The board's pending invitations, newest first (board admins)."""
    board, _ = member_board(user=request.auth, board_id=board_id)
    role_require(actor=request.auth, board=board, role=Role.ADMIN)
    found = invitations_page(
        workspace=board.organization, board=board, cursor=query.cursor, limit=query.limit
    )
    return _page(request, found)


@router.post(
    "/boards/{board_id}/invitations",
    response={201: list[InvitationOut], **WRITE_ERRORS},
    openapi_extra=WRITE_DOCS,
)
@idempotent_write(reveal=invitations_reveal)
def board_invitations_create(
    request: HttpRequest, board_id: Id, payload: BoardInvitationIn
) -> Status:
    """Invite to the board (board admins), with a board role: each address gets its
    link by mail, or one link (`"link": true`) is made to share."""
    return Status(201, _invite(request, payload, board_id=board_id))


@router.get("/workspaces/{slug}/invitations", response={200: InvitationPage, **MANAGE_READ_ERRORS})
def workspace_invitations_list(
    request: HttpRequest, slug: Slug, query: Query[PageQuery]
) -> dict[str, Any]:
    """The workspace's pending invitations and its boards', newest first (owners and
    admins)."""
    workspace, _ = member_workspace(user=request.auth, slug=slug)
    workspace_role_require(actor=request.auth, workspace=workspace, role=WorkspaceRole.ADMIN)
    found = invitations_page(
        workspace=workspace, board=None, cursor=query.cursor, limit=query.limit
    )
    return _page(request, found)


@router.post(
    "/workspaces/{slug}/invitations",
    response={201: list[InvitationOut], **WRITE_ERRORS},
    openapi_extra=WRITE_DOCS,
)
@idempotent_write(reveal=invitations_reveal)
def workspace_invitations_create(
    request: HttpRequest, slug: Slug, payload: WorkspaceInvitationIn
) -> Status:
    """Invite to the workspace (owners and admins), as a member or an admin."""
    workspace, _ = member_workspace(user=request.auth, slug=slug)
    return Status(201, _invite(request, payload, workspace_id=workspace.pk))


# Before /invitations/{invitation_id}, which would take "accept" for an id.
@router.post(
    "/invitations/accept", response={200: AcceptOut, **UNUSABLE_ERRORS}, openapi_extra=WRITE_DOCS
)
@idempotent_write
def invitation_accept_action(request: HttpRequest, payload: AcceptIn) -> Status:
    """Join what the invitation is for, as you. An invitation that is revoked, expired,
    used up or unknown is 410 `invitation_unusable`, saying which."""
    invitation = invitation_accept(actor=request.auth, token=payload.token)
    workspace = workspace_state(
        *member_workspace(user=request.auth, slug=invitation.organization.slug)
    )
    board = None
    if invitation.board_id is not None:
        board = listed_board_state(user=request.auth, board_id=invitation.board_id)
    return Status(200, {"workspace": workspace, "board": board})


@router.post(
    "/invitations/{invitation_id}/resend",
    response={200: InvitationOut, **UNUSABLE_ERRORS},
    openapi_extra=WRITE_DOCS,
)
@idempotent_write
def invitation_resend_action(request: HttpRequest, invitation_id: Id) -> Status:
    """Mail an email invitation again, with a fresh link and expiry (the old link
    stops working)."""
    invitation = invitation_resend(
        actor=request.auth, invitation_id=invitation_id, site_url=_site_url(request)
    )
    return Status(200, invitation_state(invitation))


@router.post(
    "/invitations/{invitation_id}/rotate",
    response={200: InvitationOut, **WRITE_ERRORS},
    openapi_extra=WRITE_DOCS,
)
@idempotent_write(reveal=invitation_reveal)
def invitation_rotate_action(request: HttpRequest, invitation_id: Id) -> Status:
    """A new link for the invitation; the old one stops working. For an email
    invitation use `resend`, which mails the new link."""
    invitation = invitation_rotate(actor=request.auth, invitation_id=invitation_id)
    return Status(200, invitation_state(invitation))


@router.delete(
    "/invitations/{invitation_id}", response={204: None, **WRITE_ERRORS}, openapi_extra=WRITE_DOCS
)
@idempotent_write
def invitation_revoke_action(request: HttpRequest, invitation_id: Id) -> Status:
    """Revoke the invitation: its link stops working. Revoking twice changes nothing."""
    invitation_revoke(actor=request.auth, invitation_id=invitation_id)
    return Status(204, None)
