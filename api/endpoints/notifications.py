"""Your notifications: the inbox, a page at a time, and marking them read."""

# No `from __future__ import annotations`: ninja reads these annotations at runtime.

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router
from ninja.responses import Status

from api.conversation import notification_state, notifications_page, unread_count
from api.conversation_schemas import NotificationPage, NotificationsReadIn, NotificationsReadOut
from api.endpoints._responses import READ_ERRORS, WRITE_ERRORS
from api.schemas import Input
from api.writes import WRITE_DOCS, idempotent_write
from board.exceptions import ValidationFailed
from board.services.notify import notifications_mark_read

router = Router(tags=["notifications"])

NOTIFICATIONS_PAGE_MAX = 200


class NotificationQuery(Input):
    unread: bool = Field(False, description="Only the unread ones.")
    cursor: str = Field(None, max_length=100, description="`next` of the previous page.")
    limit: int = Field(50, ge=1, le=NOTIFICATIONS_PAGE_MAX)


@router.get("/notifications", response={200: NotificationPage, **READ_ERRORS})
def notifications_list(request: HttpRequest, query: Query[NotificationQuery]) -> dict[str, Any]:
    """Your notifications, newest first, with the number unread."""
    items, next_cursor = notifications_page(
        user=request.auth, unread_only=query.unread, cursor=query.cursor, limit=query.limit
    )
    return {
        "items": [notification_state(n) for n in items],
        "next": next_cursor,
        "unread": unread_count(user=request.auth),
    }


@router.post(
    "/notifications/read",
    response={200: NotificationsReadOut, **WRITE_ERRORS},
    openapi_extra=WRITE_DOCS,
)
@idempotent_write
def notifications_read(request: HttpRequest, payload: NotificationsReadIn) -> Status:
    """Mark `ids` read, or all of them with `"all": true`. Your bell updates in every tab."""
    if (payload.ids is None) == (not payload.all):
        raise ValidationFailed(fields={"ids": 'Send the `ids` to mark read, or `"all": true`.'})
    marked = notifications_mark_read(
        user=request.auth, notification_ids=None if payload.all else payload.ids
    )
    return Status(200, {"marked": marked, "unread": unread_count(user=request.auth)})
