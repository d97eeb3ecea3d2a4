"""The shapes of workspaces, their members, board life and invitations. As in
api/schemas.py, inputs check only shape and the limits of board/limits.py; the
services hold the rules."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import ValidationError, ValidatorFunctionWrapHandler, WrapValidator

from api.schemas import (
    BoardOut,
    Description,
    Id,
    Input,
    IsoDateTime,
    Name,
    RoleName,
    UserOut,
)
from board.limits import (
    INVITE_EMAILS_MAX,
    INVITE_EXPIRY_DAYS_MAX,
    INVITE_USES_MAX,
    USER_IDENTIFIER_MAX_LENGTH,
    WORKSPACE_NAME_MAX_LENGTH,
    WORKSPACE_SLUG_MAX_LENGTH,
)
from board.workspace_selectors import INVITATION_TOKEN_MAX_LENGTH

WorkspaceRoleName = Literal["member", "admin", "owner"]
WorkspaceName = Annotated[str, Field(max_length=WORKSPACE_NAME_MAX_LENGTH)]
Slug = Annotated[str, Field(max_length=WORKSPACE_SLUG_MAX_LENGTH)]
Email = Annotated[str, Field(max_length=USER_IDENTIFIER_MAX_LENGTH)]
PAGE_MAX = 200


def _user_ref_check(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    # One message, not one per branch of the union.
    try:
        return handler(value)
    except ValidationError:
        raise ValueError("Use a user id (a positive integer) or `me`.") from None


UserRef = Annotated[Id | Literal["me"], WrapValidator(_user_ref_check)]


class PageQuery(Input):
    cursor: str = Field(None, max_length=100, description="`next` of the previous page.")
    limit: int = Field(50, ge=1, le=PAGE_MAX)


class WorkspaceOut(Schema):
    id: int
    name: str
    slug: str
    role: WorkspaceRoleName = Field(description="Your role in the workspace.")
    members_can_create_boards: bool


class WorkspaceCreateIn(Input):
    name: WorkspaceName
    slug: Slug = Field("", description="Its address; default: made from the name.")


class WorkspaceUpdateIn(Input):
    """Only the fields sent change."""

    name: WorkspaceName = Field(None)
    members_can_create_boards: bool = Field(None)


class WorkspaceMemberOut(Schema):
    user: UserOut
    role: WorkspaceRoleName
    joined_at: IsoDateTime


class WorkspaceMemberPage(Schema):
    items: list[WorkspaceMemberOut]
    next: str | None = Field(description="Pass as `cursor` for the next page; null at the end.")


class WorkspaceRoleIn(Input):
    role: WorkspaceRoleName


class BoardCreateIn(Input):
    name: Name
    description: Description = ""
    start: Literal["empty", "sample"] = Field(
        "empty", description="`sample` adds a few example tasks and a WIP limit."
    )


class BoardUpdateIn(Input):
    """Only the fields sent change."""

    name: Name = Field(None)
    description: Description = Field(None)


class BoardDeleteIn(Input):
    confirm_name: Name = Field(description="The board's name, exactly.")


class InvitationIn(Input):
    """Either `emails` (each address gets its own single-use link by mail) or
    `"link": true` (one shareable link, with an optional expiry and use limit)."""

    emails: list[Email] = Field(None, min_length=1, max_length=INVITE_EMAILS_MAX)
    link: bool = False
    expires_in_days: int = Field(
        None, ge=1, le=INVITE_EXPIRY_DAYS_MAX, description="Links only; default 7."
    )
    max_uses: int = Field(
        None, ge=1, le=INVITE_USES_MAX, description="Links only; default: unlimited."
    )


class BoardInvitationIn(InvitationIn):
    role: RoleName


class WorkspaceInvitationIn(InvitationIn):
    role: Literal["member", "admin"]


class WorkspaceRef(Schema):
    id: int
    name: str
    slug: str


class BoardRef(Schema):
    id: int
    name: str


class InvitationOut(Schema):
    id: int
    kind: Literal["email", "link"]
    email: str | None
    role: Literal["viewer", "member", "admin"]
    workspace: WorkspaceRef
    board: BoardRef | None = Field(description="null for an invitation to the workspace.")
    uses: int
    max_uses: int | None
    expires_at: IsoDateTime
    created_at: IsoDateTime
    sent_at: IsoDateTime | None
    revoked_at: IsoDateTime | None
    created_by: UserOut | None
    url: str | None = Field(description="A link invitation's link; null for an email one.")


class InvitationPage(Schema):
    items: list[InvitationOut]
    next: str | None = Field(description="Pass as `cursor` for the next page; null at the end.")


class AcceptIn(Input):
    token: str = Field(
        min_length=1,
        max_length=INVITATION_TOKEN_MAX_LENGTH,
        description="The last part of the invitation's link, `/invite/<token>/`.",
    )


class AcceptOut(Schema):
    workspace: WorkspaceOut
    board: BoardOut | None = Field(description="The board, for a board's invitation.")
