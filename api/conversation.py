"""The API's reads of a task's conversation and of a person's notifications, a page at a
time, with the cursors of api/selectors.py. Nothing here writes."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from api.selectors import cursor_decode, cursor_encode
from board.models import Task
from board.public import user_public_state
from discussion.models import Comment
from notifications.models import Notification


def comments_page(
    *, task: Task, cursor: str | None, limit: int
) -> tuple[list[Comment], str | None]:
    """The task's comments, oldest first, and the cursor of the next page."""
    comments = Comment.objects.filter(task=task).select_related("author")
    if cursor is not None:
        comments = comments.filter(pk__gt=cursor_decode(cursor, kind="comment"))
    page = list(comments.order_by("pk")[: limit + 1])
    if len(page) > limit:
        return page[:limit], cursor_encode(page[limit - 1].pk, kind="comment")
    return page, None


def notifications_page(
    *, user: Any, unread_only: bool, cursor: str | None, limit: int
) -> tuple[list[Notification], str | None]:
    """The user's notifications, newest first (by when each began: a coalesced one
    keeps its place), and the cursor of the next page."""
    notifications = Notification.objects.filter(recipient=user).select_related("actor")
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    if cursor is not None:
        notifications = notifications.filter(pk__lt=cursor_decode(cursor, kind="notification"))
    page = list(notifications.order_by("-pk")[: limit + 1])
    if len(page) > limit:
        return page[:limit], cursor_encode(page[limit - 1].pk, kind="notification")
    return page, None


def unread_count(*, user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_state(notification: Notification) -> dict[str, Any]:
    """A notification as the API shows it, with the page it links to."""
    if notification.task_id is not None:
        url = reverse("task_detail", args=[notification.task_id])
    else:
        url = reverse("board_detail", args=[notification.board_id])
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "text": notification.text,
        "count": notification.count,
        "board": notification.board_id,
        "task": notification.task_id,
        "actor": user_public_state(notification.actor),
        "url": url,
        "created_at": notification.created_at.isoformat(),
        "updated_at": notification.updated_at.isoformat(),
        "read_at": notification.read_at.isoformat() if notification.read_at else None,
    }
