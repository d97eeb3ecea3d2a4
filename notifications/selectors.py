"""Reads of a person's notifications: the bell's count and the list."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from board.selectors import id_or_none
from notifications.models import EmailMode, Notification, NotificationSettings


def unread_count(*, user: Any) -> int:
    """How many of the user's notifications are unread (the bell's number)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_for(*, user: Any, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's notifications, newest first, with what their rows show."""
    found = Notification.objects.filter(recipient=user).select_related("board", "task", "actor")
    if unread_only:
        found = found.filter(read_at__isnull=True)
    return found.order_by("-updated_at", "-id")


def notification_for(*, user: Any, notification_id: Any) -> Notification | None:
    """One of the user's own notifications, or None (someone else's reads as missing,
    and so does an id no row can have)."""
    pk = id_or_none(notification_id)
    if pk is None:
        return None
    return (
        Notification.objects.filter(recipient=user, pk=pk).select_related("board", "task").first()
    )


def notification_settings_of(*, user: Any) -> NotificationSettings:
    """The user's settings, or the defaults (unsaved) when they never chose."""
    found = NotificationSettings.objects.filter(user=user).first()
    return found or NotificationSettings(user=user, email_mode=EmailMode.EACH)
