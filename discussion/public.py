"""The wire shapes of a task's conversation, one definition for its events, the socket's
acks and the API: a comment, a comment as its events carry it, and a task's watchers."""

from __future__ import annotations

from typing import Any

from board.public import user_public_state
from discussion.models import Comment, Watcher


def comment_public_state(comment: Comment) -> dict[str, Any]:
    return {
        "id": comment.pk,
        "task": comment.task_id,
        "author": user_public_state(comment.author),
        "body": comment.body,
        "html": comment.body_html,
        "created_at": comment.created_at.isoformat(),
        "edited_at": comment.edited_at.isoformat() if comment.edited_at else None,
    }


def comment_event_state(comment: Comment, *, comment_count: int) -> dict[str, Any]:
    """The payload of comment.created and comment.updated: the comment, and its task's
    comment count, so that a card's count follows without reading the task."""
    return comment_public_state(comment) | {"comment_count": comment_count}


def task_watchers_state(*, task_id: int) -> dict[str, Any]:
    """The payload of watchers.changed: the task and its watchers, first come first."""
    watchers = Watcher.objects.filter(task_id=task_id).select_related("user").order_by("created_at")
    return {"task": task_id, "watchers": [user_public_state(w.user) for w in watchers]}
