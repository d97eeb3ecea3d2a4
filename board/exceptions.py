"""Domain exceptions raised by services.

Each class carries its stable wire `code` and the HTTP status it is answered with
(as Zulip's JsonableError does), so every door refuses it alike: board/refusals.py
turns one into the message the pages, the API and the socket send. A new refusal is
one class here.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "invalid"
    http_status = 422
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
    http_status = 409
    default_message = "This task has already been claimed."


class InvalidTransition(DomainError):
    code = "invalid_transition"
    http_status = 409
    default_message = "This change is not allowed from the task's current status."


class VersionConflict(DomainError):
    code = "version_conflict"
    http_status = 409
    default_message = "Someone else changed this task first. It now shows its latest state."


class WipLimitReached(DomainError):
    code = "wip_limit"
    http_status = 409
    default_message = "That column is at its work-in-progress limit."


class PermissionDenied(DomainError):
    code = "forbidden"
    http_status = 403
    default_message = "You do not have permission to do that."


class NotFound(DomainError):
    code = "not_found"
    http_status = 404
    default_message = "Not found."


class ValidationFailed(DomainError):
    code = "invalid"
    http_status = 422
    default_message = "Please correct the errors below."


class BoardArchived(DomainError):
    code = "board_archived"
    http_status = 409
    default_message = "This board is archived: restore it to change it."


class InvitationUnusable(DomainError):
    """Revoked, expired, used up, or never was: the message says which."""

    code = "invitation_unusable"
    http_status = 410
    default_message = "This invitation can no longer be used."


class ServiceUnavailable(DomainError):
    """Not a rule of the board: the database did not answer in time (down, a lock held
    too long, no free connection). Nothing was written; the same request may be sent
    again after `retry_after` seconds."""

    code = "unavailable"
    http_status = 503
    default_message = "The board cannot save changes right now; try again in a few seconds."
    retry_after = 5


def domain_error_codes() -> list[str]:
    """Every refusal's code, once each (the API documents them as one enum)."""
    classes = [DomainError]
    for cls in classes:
        classes.extend(cls.__subclasses__())
    return list(dict.fromkeys(cls.code for cls in classes))
