from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from board.limits import (
    DESCRIPTION_MAX_LENGTH,
    DISPLAY_KEY_NAME_MAX_LENGTH,
    NAME_MAX_LENGTH,
    TASK_DESCRIPTION_MAX_LENGTH,
    TASK_TITLE_MAX_LENGTH,
)


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    MEMBER = "member", "Member"
    ADMIN = "admin", "Admin"


ROLE_RANK = {Role.VIEWER: 0, Role.MEMBER: 1, Role.ADMIN: 2}


class Status(models.TextChoices):
    UNASSIGNED = "UNASSIGNED", "Unassigned"
    IN_PROGRESS = "IN_PROGRESS", "In progress"
    DONE = "DONE", "Done"
    ARCHIVED = "ARCHIVED", "Archived"


COLUMN_STATUSES = (Status.UNASSIGNED, Status.IN_PROGRESS, Status.DONE)


class Board(models.Model):
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="boards"
    )
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    slug = models.SlugField(max_length=120)
    description = models.TextField(blank=True, default="", max_length=DESCRIPTION_MAX_LENGTH)
    wip_limit_unassigned = models.PositiveIntegerField(null=True, blank=True)
    wip_limit_in_progress = models.PositiveIntegerField(null=True, blank=True)
    wip_limit_done = models.PositiveIntegerField(null=True, blank=True)
    # Hard limits refuse a task entering a full column; soft ones only turn its header amber.
    wip_limits_hard = models.BooleanField(default=True)
    last_seq = models.BigIntegerField(default=0)
    # An archived board is read by nobody and written by nobody until it is restored.
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "slug"], name="board_slug_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def wip_limit(self, status: str) -> int | None:
        return {
            Status.UNASSIGNED: self.wip_limit_unassigned,
            Status.IN_PROGRESS: self.wip_limit_in_progress,
            Status.DONE: self.wip_limit_done,
        }.get(status)


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "board"], name="membership_unique"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.board} ({self.role})"


class Epic(models.Model):
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="epics")
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    description = models.TextField(blank=True, default="", max_length=DESCRIPTION_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Task(models.Model):
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=TASK_TITLE_MAX_LENGTH)
    description = models.TextField(blank=True, default="", max_length=TASK_DESCRIPTION_MAX_LENGTH)
    # The description's Markdown rendered once when written (discussion.markdown).
    description_html = models.TextField(blank=True, default="")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.UNASSIGNED)
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="created_tasks",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_tasks",
    )
    epic = models.ForeignKey(
        Epic, on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks"
    )
    due_date = models.DateField(null=True, blank=True)
    position = models.BigIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    # Kept by the comment services under the board lock, so cards show it without a count.
    comment_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["board", "status", "position"])]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values), name="task_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=Status.UNASSIGNED) | Q(owner__isnull=True),
                name="task_unassigned_has_no_owner",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.IN_PROGRESS) | Q(owner__isnull=False),
                name="task_in_progress_has_owner",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="task_title_not_empty"),
        ]

    def __str__(self) -> str:
        return self.title


class Sprint(models.Model):
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="sprints")
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    description = models.TextField(blank=True, default="", max_length=DESCRIPTION_MAX_LENGTH)
    start_date = models.DateField()
    end_date = models.DateField()
    tasks = models.ManyToManyField(Task, blank=True, related_name="sprints")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gt=models.F("start_date")), name="sprint_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class EventKind(models.TextChoices):
    TASK_CREATED = "task.created", "Created"
    TASK_UPDATED = "task.updated", "Edited"
    TASK_CLAIMED = "task.claimed", "Claimed"
    TASK_RELEASED = "task.released", "Released"
    TASK_STATUS_CHANGED = "task.status_changed", "Status changed"
    TASK_MOVED = "task.moved", "Moved"
    TASK_ARCHIVED = "task.archived", "Archived"
    SPRINT_CREATED = "sprint.created", "Sprint created"
    SPRINT_UPDATED = "sprint.updated", "Sprint edited"
    SPRINT_DELETED = "sprint.deleted", "Sprint deleted"
    SPRINT_TASK_ADDED = "sprint.task_added", "Added to sprint"
    SPRINT_TASK_REMOVED = "sprint.task_removed", "Removed from sprint"
    EPIC_CREATED = "epic.created", "Epic created"
    EPIC_UPDATED = "epic.updated", "Epic edited"
    EPIC_DELETED = "epic.deleted", "Epic deleted"
    COMMENT_CREATED = "comment.created", "Commented"
    COMMENT_UPDATED = "comment.updated", "Comment edited"
    COMMENT_DELETED = "comment.deleted", "Comment deleted"
    WATCHERS_CHANGED = "watchers.changed", "Watchers changed"
    BOARD_UPDATED = "board.updated", "Board settings changed"
    BOARD_ARCHIVED = "board.archived", "Board archived"
    BOARD_RESTORED = "board.restored", "Board restored"
    MEMBERSHIP_CHANGED = "membership.changed", "Membership changed"


class Event(models.Model):
    """One committed change on a board: its history, and the source of every broadcast."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="events")
    seq = models.BigIntegerField()
    kind = models.CharField(max_length=40, choices=EventKind.choices)
    task = models.ForeignKey(
        Task, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["board", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["board", "seq"], name="event_board_seq_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.board_id}#{self.seq} {self.kind}"


class DisplayKey(models.Model):
    """A read-only key for a wall display. Only its SHA-256 is stored; it is shown once."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="display_keys")
    name = models.CharField(max_length=DISPLAY_KEY_NAME_MAX_LENGTH)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Invitation(models.Model):
    """An invitation to a workspace, or to one of its boards.

    With an `email` it is a single-use invite mailed to that address; without, a link an
    admin shares (with an optional use limit). The token is never stored: it is an HMAC
    of `nonce` under SECRET_KEY (so the admin page can show the link again, and a copy
    of the database alone opens nothing), and it is looked up by its SHA-256.
    Rotating a link changes its nonce."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="invitations"
    )
    board = models.ForeignKey(
        Board, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    email = models.EmailField(blank=True, default="")
    # A board Role for a board's invitation, a WorkspaceRole (member, admin) otherwise.
    role = models.CharField(max_length=10)
    nonce = models.CharField(max_length=64)
    token_hash = models.CharField(max_length=64, unique=True)
    max_uses = models.PositiveIntegerField(null=True, blank=True)
    uses = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation to {self.board or self.organization} ({self.email or 'link'})"

    @property
    def is_link(self) -> bool:
        return not self.email
