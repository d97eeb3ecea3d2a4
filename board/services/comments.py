"""Comments on a task, and watching it.

Members comment (viewers only look); people edit and delete their own comments, and
board admins delete anyone's. Every change is an event in the board's log, so open
boards and task pages apply it live and resume covers it; the comment's HTML is
rendered once, here."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from board.exceptions import NotFound, PermissionDenied, ValidationFailed
from board.limits import COMMENT_MAX_LENGTH, too_long_message
from board.models import Board, EventKind, Role, Task
from board.services._tasks_common import clean_id, task_lock_with_board
from board.services.access import role_require
from board.services.conversation import mentions_record, rendered_with_mentions, watchers_add
from board.services.events import event_record
from board.services.notify import notify
from discussion.models import Comment, Watcher
from discussion.public import comment_event_state, task_watchers_state
from notifications.models import NotificationKind


def clean_body(value: Any) -> str:
    if not isinstance(value, str):
        raise ValidationFailed(fields={"body": "Write a comment."})
    body = value.strip()
    if not body:
        raise ValidationFailed(fields={"body": "Write a comment."})
    if len(body) > COMMENT_MAX_LENGTH:
        raise ValidationFailed(fields={"body": too_long_message(COMMENT_MAX_LENGTH)})
    return body


def comment_create(*, actor: Any, task_id: Any, body: Any) -> Comment:
    body = clean_body(body)
    with transaction.atomic():
        board, task, _ = task_lock_with_board(actor=actor, task_id=task_id)
        html, mentioned = rendered_with_mentions(board=board, text=body)
        comment = Comment.objects.create(task=task, author=actor, body=body, body_html=html)
        task.comment_count += 1
        Task.objects.filter(pk=task.pk).update(comment_count=task.comment_count)
        new = mentions_record(task=task, comment=comment, users=mentioned)
        watchers_add(task=task, users=[actor, *mentioned])
        _comment_event(board, task, comment, actor, EventKind.COMMENT_CREATED)
        _comment_notify(board=board, task=task, actor=actor, mentioned=new)
        return comment


def comment_update(*, actor: Any, comment_id: Any, body: Any) -> Comment:
    body = clean_body(body)
    with transaction.atomic():
        board, task, comment = _comment_lock(actor=actor, comment_id=comment_id, role=Role.MEMBER)
        if comment.author_id != actor.pk:
            raise PermissionDenied("Only its author can edit a comment.")
        if body == comment.body:
            return comment
        html, mentioned = rendered_with_mentions(board=board, text=body)
        comment.body, comment.body_html, comment.edited_at = body, html, timezone.now()
        comment.save(update_fields=["body", "body_html", "edited_at"])
        new = mentions_record(task=task, comment=comment, users=mentioned)
        watchers_add(task=task, users=new)
        _comment_event(board, task, comment, actor, EventKind.COMMENT_UPDATED)
        notify(
            board=board,
            task=task,
            actor=actor,
            kind=NotificationKind.MENTIONED,
            user_ids=[u.pk for u in new],
        )
        return comment


def comment_delete(*, actor: Any, comment_id: Any) -> None:
    with transaction.atomic():
        board, task, comment = _comment_lock(actor=actor, comment_id=comment_id, role=Role.VIEWER)
        if comment.author_id != actor.pk:
            role_require(actor=actor, board=board, role=Role.ADMIN)
        comment_id = comment.pk
        comment.delete()
        task.comment_count = max(task.comment_count - 1, 0)
        Task.objects.filter(pk=task.pk).update(comment_count=task.comment_count)
        event_record(
            board=board,
            kind=EventKind.COMMENT_DELETED,
            actor=actor,
            task=task,
            payload={"id": comment_id, "task": task.pk, "comment_count": task.comment_count},
        )


def task_watch(*, actor: Any, task_id: Any, watching: bool) -> bool:
    """Watch or stop watching a task (anyone on the board, viewers too)."""
    with transaction.atomic():
        board, task, _ = task_lock_with_board(actor=actor, task_id=task_id, role=Role.VIEWER)
        held = Watcher.objects.filter(task=task, user=actor)
        if watching == held.exists():
            return watching
        if watching:
            Watcher.objects.create(task=task, user=actor)
        else:
            held.delete()
        event_record(
            board=board,
            kind=EventKind.WATCHERS_CHANGED,
            actor=actor,
            task=task,
            payload=task_watchers_state(task_id=task.pk),
        )
        return watching


def _comment_lock(*, actor: Any, comment_id: Any, role: Role) -> tuple[Board, Task, Comment]:
    comment_id = clean_id(comment_id, "comment_id")
    task_id = Comment.objects.filter(pk=comment_id).values_list("task_id", flat=True).first()
    if task_id is None:
        raise NotFound("This comment does not exist.")
    try:
        board, task, _ = task_lock_with_board(actor=actor, task_id=task_id, role=role)
    except NotFound as unreachable:
        # Its task is out of the actor's reach (another board's, for a socket acting on
        # its own): the comment is not found, in the words of one that does not exist.
        raise NotFound("This comment does not exist.") from unreachable
    comment = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("author")
        .filter(pk=comment_id)
        .first()
    )
    if comment is None:
        raise NotFound("This comment does not exist.")
    return board, task, comment


def _comment_event(board: Board, task: Task, comment: Comment, actor: Any, kind: str) -> None:
    payload = comment_event_state(comment, comment_count=task.comment_count)
    event_record(board=board, kind=kind, actor=actor, task=task, payload=payload)


def _comment_notify(*, board: Board, task: Task, actor: Any, mentioned: list[Any]) -> None:
    """The newly mentioned hear that; the other watchers that someone commented."""
    mentioned_ids = [user.pk for user in mentioned]
    notify(
        board=board, task=task, actor=actor, kind=NotificationKind.MENTIONED, user_ids=mentioned_ids
    )
    watchers = Watcher.objects.filter(task=task).exclude(user_id__in=mentioned_ids)
    notify(
        board=board,
        task=task,
        actor=actor,
        kind=NotificationKind.COMMENTED,
        user_ids=list(watchers.values_list("user_id", flat=True)),
    )
