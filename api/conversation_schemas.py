"""The API's shapes of comments, watchers and notifications (as api/schemas.py: inputs
check only shape, outputs mirror discussion/public.py and api/conversation.py)."""

from __future__ import annotations

from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import StrictBool

from api.schemas import Id, Input, IsoDateTime, UserOut
from board.limits import COMMENT_MAX_LENGTH
from notifications.models import NotificationKind

CommentBody = Annotated[
    str, Field(max_length=COMMENT_MAX_LENGTH, description="Markdown; @username mentions.")
]
NotificationKindName = Literal[tuple(NotificationKind.values)]  # type: ignore[valid-type]
# Ids that one "mark read" may name: an inbox page is at most 200.
READ_IDS_MAX = 500


class CommentOut(Schema):
    id: int
    task: int
    author: UserOut | None
    body: str
    html: str = Field(description="The body rendered once, sanitized: safe to show.")
    created_at: IsoDateTime
    edited_at: IsoDateTime | None = Field(description="When it was last edited; null if never.")


class CommentPage(Schema):
    items: list[CommentOut]
    next: str | None = Field(description="Pass as `cursor` for the next page; null at the end.")


class CommentIn(Input):
    body: CommentBody


class WatchersOut(Schema):
    task: int
    watchers: list[UserOut]
    watching: bool = Field(description="Whether you watch the task.")


class NotificationOut(Schema):
    id: int
    kind: NotificationKindName
    text: str
    count: int = Field(description="How many changes it stands for (coalesced in a minute).")
    board: int
    task: int | None
    actor: UserOut | None
    url: str = Field(description="The page it is about.")
    created_at: IsoDateTime
    updated_at: IsoDateTime
    read_at: IsoDateTime | None


class NotificationPage(Schema):
    items: list[NotificationOut]
    next: str | None = Field(description="Pass as `cursor` for the next page; null at the end.")
    unread: int = Field(description="How many of yours are unread (the bell's count).")


class NotificationsReadIn(Input):
    """Either `ids` (yours; others' are ignored) or `"all": true`."""

    ids: list[Id] | None = Field(None, max_length=READ_IDS_MAX)
    all: StrictBool = False


class NotificationsReadOut(Schema):
    marked: int = Field(description="How many were unread and are now read.")
    unread: int
