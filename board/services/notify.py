"""Notifications: who is told, coalescing, and reading them.

A person is never told of their own action. Changes to one task by others within
`NOTIFICATION_COALESCE_SECONDS` (60) become one notification, which counts them and
reads as the latest; a new one starts once it is read or the minute has passed. The
recipients' bells update after commit, in every worker (realtime.control)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from board.exceptions import ValidationFailed
from board.limits import DIGEST_MINUTES_MAX, DIGEST_MINUTES_MIN, NOTIFICATION_TEXT_MAX_LENGTH
from board.models import Board, Task
from board.selectors import ID_MAX
from notifications.models import EmailMode, Notification, NotificationKind, NotificationSettings
from realtime.control import notifications_changed_broadcast


def coalesce_seconds() -> int:
    return int(getattr(settings, "NOTIFICATION_COALESCE_SECONDS", 60))


def notification_text(*, kind: str, actor: Any, board: Board, task: Task | None) -> str:
    who = actor.display_name if actor is not None else "Someone"
    label = NotificationKind(kind).label.lower()
    if kind == NotificationKind.ADDED_TO_BOARD:
        text = f"{who} added you to {board.name}"
    elif task is not None:
        text = f"{who} {label} “{task.title}”"
    else:
        text = f"{who} {label} on {board.name}"
    return text[:NOTIFICATION_TEXT_MAX_LENGTH]


def notify(
    *, board: Board, task: Task | None, actor: Any, kind: str, user_ids: Iterable[int]
) -> list[int]:
    """Tell each of `user_ids` but the actor; return who was told."""
    recipients = sorted({uid for uid in user_ids if actor is None or uid != actor.pk})
    if not recipients:
        return []
    now = timezone.now()
    text = notification_text(kind=kind, actor=actor, board=board, task=task)
    coalesced = _coalesce(recipients, task=task, kind=kind, text=text, actor=actor, now=now)
    if len(coalesced) < len(recipients):
        Notification.objects.bulk_create(
            Notification(
                recipient_id=uid,
                board=board,
                task=task,
                actor=actor,
                kind=kind,
                text=text,
                updated_at=now,
            )
            for uid in recipients
            if uid not in coalesced
        )
    transaction.on_commit(lambda: notifications_changed_broadcast(user_ids=recipients))
    return recipients


def _coalesce(
    recipients: list[int], *, task: Task | None, kind: str, text: str, actor: Any, now: Any
) -> set[int]:
    """Count the change into each recipient's newest fresh notification of the same
    task (of the same kind, for a change to no task); return the recipients that had
    one. One statement, written out: every claim, release and status change of a
    watched task comes here, under the board's lock. A notification read meanwhile is
    not fresh any more: the UPDATE checks `read_at` again on the row it locks."""
    table = Notification._meta.db_table
    marks = ", ".join(["%s"] * len(recipients))
    same = "task_id = %s" if task is not None else "task_id IS NULL AND kind = %s"
    field = Notification._meta.get_field("updated_at")
    since = now - datetime.timedelta(seconds=coalesce_seconds())
    sql = (
        f"UPDATE {table} SET count = count + 1, text = %s, kind = %s, actor_id = %s,"
        f" updated_at = %s WHERE read_at IS NULL AND id IN (SELECT MAX(id) FROM {table}"
        f" WHERE recipient_id IN ({marks}) AND read_at IS NULL AND updated_at >= %s"
        f" AND {same} GROUP BY recipient_id) RETURNING recipient_id"
    )
    params = [
        text,
        kind,
        actor.pk if actor is not None else None,
        field.get_db_prep_save(now, connection),
        *recipients,
        field.get_db_prep_save(since, connection),
        task.pk if task is not None else kind,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {recipient for (recipient,) in cursor.fetchall()}


def notifications_mark_read(*, user: Any, notification_ids: Iterable[Any] | None = None) -> int:
    """Mark some of the user's notifications read, or all when no ids are given."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        ids = [
            i
            for i in notification_ids
            if isinstance(i, int) and not isinstance(i, bool) and 0 < i <= ID_MAX
        ]
        unread = unread.filter(pk__in=ids)
    with transaction.atomic():
        marked = unread.update(read_at=timezone.now())
        if marked:
            transaction.on_commit(lambda: notifications_changed_broadcast(user_ids=[user.pk]))
    return marked


def notification_settings_update(
    *, user: Any, email_mode: Any, digest_minutes: Any
) -> NotificationSettings:
    if email_mode not in EmailMode.values:
        raise ValidationFailed(fields={"email_mode": "Choose off, each or digest."})
    if isinstance(digest_minutes, str) and digest_minutes.strip().isdigit():
        digest_minutes = int(digest_minutes)
    if (
        isinstance(digest_minutes, bool)
        or not isinstance(digest_minutes, int)
        or not DIGEST_MINUTES_MIN <= digest_minutes <= DIGEST_MINUTES_MAX
    ):
        raise ValidationFailed(
            fields={
                "digest_minutes": f"Use a whole number of minutes from {DIGEST_MINUTES_MIN} "
                f"to {DIGEST_MINUTES_MAX:,}."
            }
        )
    with transaction.atomic():
        prefs, _ = NotificationSettings.objects.select_for_update().get_or_create(user=user)
        prefs.email_mode, prefs.digest_minutes = email_mode, digest_minutes
        prefs.save(update_fields=["email_mode", "digest_minutes"])
        return prefs
