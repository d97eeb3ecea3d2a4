"""How a service's refusal reads at every door: the pages, the HTTP API and the socket.

One function turns a DomainError into its wire form, so the same refusal has the same
code, HTTP status and message wherever it was asked for (the tables are in docs/api.md
and docs/protocol.md). Each door only dresses it: the API as `{"error": ...}`, the
socket as an `error` message, a page as its inline message with the HTTP status.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import InterfaceError, OperationalError

from board.exceptions import DomainError, ServiceUnavailable
from board.public import task_public_state
from ops import metrics

# What the database raises when it does not answer in time: it is down or restarting,
# a lock or statement timeout fired (config/settings.py), or the pool had no free
# connection. A transaction that raised one was rolled back.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)

# Service argument names, as the wire (API bodies, socket fields, forms) spells them.
WIRE_FIELD_NAMES = {"task_id": "task", "epic_id": "epic"}


@dataclass(frozen=True)
class Refusal:
    code: str
    status: int
    message: str
    fields: dict[str, str]
    # The task as it is now, when the refusal concerns one (a 409's current state).
    task: dict[str, Any] | None = None

    def wire(self) -> dict[str, Any]:
        """The parts every door sends: code, message, fields and the task if any."""
        parts: dict[str, Any] = {"code": self.code, "message": self.message, "fields": self.fields}
        if self.task is not None:
            parts["task"] = self.task
        return parts


def refusal_of(error: DomainError) -> Refusal:
    fields = {WIRE_FIELD_NAMES.get(name, name): str(text) for name, text in error.fields.items()}
    message = error.message
    # "Please correct the errors below." says less than the field's own problem.
    if fields and message == type(error).default_message:
        message = next(iter(fields.values()))
    return Refusal(
        code=error.code,
        status=error.http_status,
        message=message,
        fields=fields,
        task=task_public_state(error.task) if error.task is not None else None,
    )


def refusal_of_failure(error: Exception) -> Refusal | None:
    """The `unavailable` refusal for a database that did not answer, or None for any
    other failure (a bug: the door answers `internal`)."""
    if isinstance(error, DATABASE_UNAVAILABLE):
        metrics.dependency_error("database", "request")
        return refusal_of(ServiceUnavailable())
    return None
