"""The public (wire) shape of domain objects: one definition for events, snapshots and APIs."""

from __future__ import annotations

from typing import Any

from board.models import Epic, Event, Sprint, Task


def user_public_state(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.display_name, "initials": user.initials}


# The task columns its public state is made of, as `QuerySet.values()` names them.
TASK_STATE_FIELDS = (
    "id",
    "board_id",
    "title",
    "description",
    "status",
    "owner_id",
    "creator_id",
    "epic_id",
    "due_date",
    "position",
    "version",
    "comment_count",
    "created_at",
    "updated_at",
)


def task_public_state(task: Task) -> dict[str, Any]:
    people = {user.pk: user_public_state(user) for user in (task.owner, task.creator) if user}
    epics = {task.epic_id: epic_ref(task.epic)} if task.epic else {}
    row = {name: getattr(task, name) for name in TASK_STATE_FIELDS}
    return task_row_public_state(row, people=people, epics=epics)


def task_row_public_state(
    row: dict[str, Any],
    *,
    people: dict[int, dict[str, Any] | None],
    epics: dict[int, dict[str, Any]],
) -> dict[str, Any]:
    """A task's public state from its TASK_STATE_FIELDS, with its people and epic
    looked up by id. Snapshots of thousands of tasks are built this way, without a
    model instance per row and with each person's state computed once."""
    due_date = row["due_date"]
    return {
        "id": row["id"],
        "board": row["board_id"],
        "title": row["title"],
        "description": row["description"],
        "status": row["status"],
        "owner": people.get(row["owner_id"]),
        "creator": people.get(row["creator_id"]),
        "epic": epics.get(row["epic_id"]),
        "due_date": due_date.isoformat() if due_date else None,
        "position": row["position"],
        "version": row["version"],
        "comment_count": row["comment_count"],
        "created_at": row["created_at"].isoformat(),
        "updated_at": row["updated_at"].isoformat(),
    }


def epic_ref(epic: Epic) -> dict[str, Any]:
    """How a task names its epic."""
    return {"id": epic.pk, "name": epic.name}


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
