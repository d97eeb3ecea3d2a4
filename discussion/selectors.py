"""Reads of a task's conversation, for its page and the mention autocomplete."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from board.models import Board, Role, Task
from board.public import user_public_state
from board.selectors import id_or_none, task_for_member
from discussion.models import Comment, Watcher

MENTION_SUGGESTIONS_MAX = 8
MENTION_QUERY_MAX_LENGTH = 150


def task_comments(*, task: Task) -> QuerySet[Comment]:
    """Oldest first: a conversation reads down, the newest last."""
    return Comment.objects.filter(task=task).select_related("author").order_by("created_at", "id")


def task_watchers(*, task: Task) -> list[dict[str, Any] | None]:
    """The watchers' public states, in the order they started watching (as the
    `watchers.changed` event lists them)."""
    watchers = Watcher.objects.filter(task=task).select_related("user").order_by("created_at")
    return [user_public_state(watcher.user) for watcher in watchers]


def task_watched_by(*, task: Task, user: Any) -> bool:
    return Watcher.objects.filter(task=task, user=user).exists()


def mention_suggestions(*, board: Board, query: str) -> list[dict[str, str]]:
    """The board's members whose username or name starts with `query`, for `@`."""
    query = query[:MENTION_QUERY_MAX_LENGTH]
    members = get_user_model().objects.filter(memberships__board=board)
    if query:
        members = members.filter(
            Q(username__istartswith=query)
            | Q(first_name__istartswith=query)
            | Q(last_name__istartswith=query)
        )
    found = members.order_by("username")[:MENTION_SUGGESTIONS_MAX]
    return [{"username": user.username, "name": user.display_name} for user in found]


def comment_for_member(*, user: Any, comment_id: Any) -> tuple[Comment, Role] | None:
    """The comment with its task and board, and the user's role there, if they are
    on its board."""
    comment_id = id_or_none(comment_id)
    if comment_id is None:
        return None
    comment = Comment.objects.select_related("author", "task").filter(pk=comment_id).first()
    if comment is None:
        return None
    found = task_for_member(user=user, task_id=comment.task_id)
    if found is None:
        return None
    comment.task = found[0]
    return comment, found[1]
