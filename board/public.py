"""The public (wire) shape of domain objects: one definition for events, snapshots and APIs."""

from __future__ import annotations

from typing import Any

from board.models import Epic, Event, Sprint, Task


def user_public_state(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.display_name, "initials": user.initials}


def task_public_state(task: Task) -> dict[str, Any]:
    epic = task.epic
    return {
        "id": task.pk,
        "board": task.board_id,
        "title": task.title,
        "description": task.description,
        "status": task.status,
        "owner": user_public_state(task.owner),
        "creator": user_public_state(task.creator),
        "epic": {"id": epic.pk, "name": epic.name} if epic else None,
        "due_date": task.due_date.isoformat() if task.due_date else None,
        "position": task.position,
        "version": task.version,
        "created_at": task.created_at.isoformat(),
        "updated_at": task.updated_at.isoformat(),
    }


def sprint_public_state(sprint: Sprint, *, task_ids: list[int]) -> dict[str, Any]:
    return {
        "id": sprint.pk,
        "board": sprint.board_id,
        "name": sprint.name,
        "description": sprint.description,
        "start_date": sprint.start_date.isoformat(),
        "end_date": sprint.end_date.isoformat(),
        "tasks": task_ids,
    }


def epic_public_state(epic: Epic) -> dict[str, Any]:
    return {
        "id": epic.pk,
        "board": epic.board_id,
        "name": epic.name,
        "description": epic.description,
    }


def event_subject(kind: str) -> str:
    """The key the event's payload travels under: "task", "sprint", "epic" or "membership"."""
    return kind.split(".", 1)[0]


def event_message(event: Event) -> dict[str, Any]:
    """The `event` message of the WebSocket protocol and the HTTP event feed."""
    return {
        "type": "event",
        "seq": event.seq,
        "kind": event.kind,
        event_subject(event.kind): event.payload,
        "actor": user_public_state(event.actor),
        "at": event.created_at.isoformat(),
    }
