"""The conversation on a task: its comments, who is mentioned, and who watches it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from board.limits import COMMENT_MAX_LENGTH


class Comment(models.Model):
    task = models.ForeignKey("board.Task", on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(max_length=COMMENT_MAX_LENGTH)
    # Rendered once when written (discussion.markdown), never per viewer.
    body_html = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["task", "id"])]
        constraints = [models.CheckConstraint(condition=~Q(body=""), name="comment_not_empty")]

    def __str__(self) -> str:
        return f"Comment {self.pk} on task {self.task_id}"


class Watcher(models.Model):
    task = models.ForeignKey("board.Task", on_delete=models.CASCADE, related_name="watchers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watching"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task", "user"], name="watcher_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} watches {self.task_id}"


class Mention(models.Model):
    """A board member named with @username in a comment, or in the task's description
    (then `comment` is empty)."""

    task = models.ForeignKey("board.Task", on_delete=models.CASCADE, related_name="mentions")
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="mentions"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task", "comment", "user"], name="mention_unique"),
        ]

    def __str__(self) -> str:
        return f"@{self.user_id} on task {self.task_id}"
