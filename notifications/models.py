"""What a person is told about, in the app and by email."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from board.limits import NOTIFICATION_TEXT_MAX_LENGTH


class NotificationKind(models.TextChoices):
    MENTIONED = "mentioned", "Mentioned you"
    COMMENTED = "commented", "Commented"
    CLAIMED = "claimed", "Claimed"
    RELEASED = "released", "Released"
    FINISHED = "finished", "Finished"
    REOPENED = "reopened", "Reopened"
    CHANGED = "changed", "Changed"
    ADDED_TO_BOARD = "added_to_board", "Added you to a board"


class Notification(models.Model):
    """One thing to tell `recipient`. Changes to one task by others within a minute
    are coalesced into one row (`count` grows, `text` is the latest); email is sent
    from these rows by the notifications worker, which sets `emailed_at`."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    board = models.ForeignKey("board.Board", on_delete=models.CASCADE, related_name="+")
    task = models.ForeignKey(
        "board.Task", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    text = models.CharField(max_length=NOTIFICATION_TEXT_MAX_LENGTH)
    count = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(
                fields=["updated_at"], name="notification_to_email", condition=Q(emailed_at=None)
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=NotificationKind.values), name="notification_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.text}"


class EmailMode(models.TextChoices):
    OFF = "off", "Off"
    EACH = "each", "One email per notification"
    DIGEST = "digest", "A digest"


class NotificationSettings(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    email_mode = models.CharField(max_length=10, choices=EmailMode.choices, default=EmailMode.EACH)
    digest_minutes = models.PositiveIntegerField(default=60)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.email_mode}"
