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
from django.db import transaction
from django.db.models import F
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
    fresh = Notification.objects.filter(
        recipient_id__in=recipients,
        read_at__isnull=True,
        updated_at__gte=now - datetime.timedelta(seconds=coalesce_seconds()),
    )
    fresh = (
        fresh.filter(task=task) if task is not None else fresh.filter(task__isnull=True, kind=kind)
    )
    # Ordered so that each recipient's newest one is the one kept.
    coalesced = dict(
        fresh.select_for_update()
        .order_by("recipient_id", "updated_at")
        .values_list("recipient_id", "pk")
    )
    if coalesced:
        Notification.objects.filter(pk__in=coalesced.values()).update(
            count=F("count") + 1, text=text, kind=kind, actor=actor, updated_at=now
        )
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
