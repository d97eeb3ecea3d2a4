"""Domain exceptions raised by services. Each has a stable wire `code`."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "invalid"
    default_message = "The request is invalid."

    def __init__(
        self, message: str | None = None, *, task: Any = None, fields: dict | None = None
    ) -> None:
        self.message = message or self.default_message
        self.task = task
        self.fields = fields or {}
        super().__init__(self.message)


class TaskAlreadyClaimed(DomainError):
    code = "already_claimed"
    default_message = "This task has already been claimed."


class InvalidTransition(DomainError):
    code = "invalid_transition"
    default_message = "This change is not allowed from the task's current status."


class VersionConflict(DomainError):
    code = "version_conflict"
    default_message = "Someone else changed this task first. It now shows its latest state."


class WipLimitReached(DomainError):
    code = "wip_limit"
    default_message = "That column is at its work-in-progress limit."


class PermissionDenied(DomainError):
    code = "forbidden"
    default_message = "You do not have permission to do that."


class NotFound(DomainError):
    code = "not_found"
    default_message = "Not found."


class ValidationFailed(DomainError):
    code = "invalid"
    default_message = "Please correct the errors below."
