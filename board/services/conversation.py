"""What every change to a task's conversation shares: its members' mentions rendered
once, who watches it, and the notifications to the people concerned.

Called by the services with the board lock held, inside their transaction."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.urls import reverse

from board.models import Board, EventKind, Status, Task
from discussion.markdown import markdown_html, mentioned_usernames
from discussion.models import Mention, Watcher
from notifications.models import NotificationKind

# Task events and what the task's watchers are told of them (a status change is
# split by where it goes: finished or reopened).
WATCHER_KINDS = {
    EventKind.TASK_CLAIMED: NotificationKind.CLAIMED,
    EventKind.TASK_RELEASED: NotificationKind.RELEASED,
}
# Events that only the task's owner hears about ("a task you own is changed").
OWNER_KINDS = {EventKind.TASK_UPDATED, EventKind.TASK_MOVED, EventKind.TASK_ARCHIVED}


def board_members_by_username(*, board: Board, usernames: set[str]) -> dict[str, Any]:
    """The board's members among `usernames` (lowercased), by lowercased username."""
    if not usernames:
        return {}
    User = get_user_model()
    members = User.objects.filter(memberships__board=board).only("id", "username")
    found = [user for user in members if user.username.lower() in usernames]
    return {user.username.lower(): user for user in found}


def rendered_with_mentions(*, board: Board, text: str) -> tuple[str, list[Any]]:
    """The text's safe HTML and the board members it mentions."""
    members = board_members_by_username(board=board, usernames=mentioned_usernames(text))
    link = reverse("board_members", args=[board.pk])
    links = {name: (user.pk, f"{link}#user-{user.pk}") for name, user in members.items()}
    return markdown_html(text, members=links), list(members.values())


def mentions_record(*, task: Task, comment: Any, users: list[Any]) -> list[Any]:
    """Store the mentions of a comment (or of the description, `comment=None`) and
    return the people mentioned for the first time there."""
    held = set(Mention.objects.filter(task=task, comment=comment).values_list("user_id", flat=True))
    new = [user for user in users if user.pk not in held]
    Mention.objects.filter(task=task, comment=comment).exclude(
        user_id__in=[user.pk for user in users]
    ).delete()
    Mention.objects.bulk_create(Mention(task=task, comment=comment, user=user) for user in new)
    return new


def watchers_add(*, task: Task, users: list[Any]) -> None:
    Watcher.objects.bulk_create(
        (Watcher(task=task, user=user) for user in users if user is not None),
        ignore_conflicts=True,
    )


def task_watcher_ids_with(*, task: Task, user: Any) -> list[int]:
    """The ids of the task's watchers, `user` made one of them: one read, and an
    insert only the first time (the caller holds the board lock)."""
    ids = list(Watcher.objects.filter(task=task).values_list("user_id", flat=True))
    if user is not None and user.pk not in ids:
        watchers_add(task=task, users=[user])
        ids.append(user.pk)
    return ids


def task_change_notify(
    *, board: Board, task: Task, actor: Any, kind: str, watcher_ids: list[int] | None = None
) -> None:
    """Watchers hear of claims, releases, finishing and reopening; the owner of any
    other change by someone else. `watcher_ids`, when the caller has read them, saves
    reading them again."""
    from board.services.notify import notify

    notification = WATCHER_KINDS.get(kind)
    if kind == EventKind.TASK_STATUS_CHANGED:
        finished = task.status == Status.DONE
        notification = NotificationKind.FINISHED if finished else NotificationKind.REOPENED
    if notification is not None:
        if watcher_ids is None:
            watcher_ids = list(Watcher.objects.filter(task=task).values_list("user_id", flat=True))
        notify(board=board, task=task, actor=actor, kind=notification, user_ids=watcher_ids)
    elif kind in OWNER_KINDS and task.owner_id is not None:
        notify(
            board=board,
            task=task,
            actor=actor,
            kind=NotificationKind.CHANGED,
            user_ids=[task.owner_id],
        )
