"""An edit saved against an older version of a task, merged field by field.

The event log holds the task's whole state at every version (each task event's
payload), so the version the editor started from is known: a field that only they
changed is saved, a field they sent as it was keeps the other person's value,
and a field both changed to different values refuses the whole edit (nothing
half-saved), naming the fields; the refusal carries the task as it is now, so the
editor sees both values and chooses (Taiga's and Zulip's rule, per field)."""

from __future__ import annotations

from typing import Any

from board.exceptions import VersionConflict
from board.limits import VERSION_MAX
from board.models import Epic, Event, Task
from board.services._tasks_common import clean_whole_number

THEIRS_SHOWN_MAX = 300


def conflict_message(name: str, theirs: Any) -> str:
    """Names the other person's value, so the editor sees both and chooses."""
    if name == "epic":
        shown = theirs.name if isinstance(theirs, Epic) else "no epic"
    elif theirs in (None, ""):
        shown = "empty"
    else:
        shown = str(_public(name, theirs))
        if len(shown) > THEIRS_SHOWN_MAX:
            shown = shown[:THEIRS_SHOWN_MAX] + "…"
        shown = f"“{shown}”"
    return (
        f"Someone else changed this to {shown} while you edited. Keep yours below, or "
        "change it to theirs, and save again."
    )


def _public(name: str, value: Any) -> Any:
    """A field's value as the event payload spells it."""
    if name == "due_date":
        return value.isoformat() if value else None
    if name == "epic":
        return value.pk if isinstance(value, Epic) else None
    return value


def _payload_value(state: dict[str, Any], name: str) -> Any:
    if name == "epic":
        return (state.get("epic") or {}).get("id")
    return state.get(name)


def task_state_at(*, task: Task, version: int) -> dict[str, Any] | None:
    return (
        Event.objects.filter(task=task, kind__startswith="task.", payload__version=version)
        .order_by("-seq")
        .values_list("payload", flat=True)
        .first()
    )


def stale_edit_merge(
    *, task: Task, expected_version: Any, changes: dict[str, Any]
) -> dict[str, Any]:
    """The changes to save. With no expected version, or the current one, all of
    them; with an older one, those that do not overwrite someone else's change."""
    if expected_version is None:
        return changes
    clean_whole_number(expected_version, field="expected_version", maximum=VERSION_MAX)
    if expected_version == task.version:
        return changes
    base = (
        task_state_at(task=task, version=expected_version)
        if expected_version < task.version
        else None
    )
    if base is None:
        raise VersionConflict(task=task)
    merged, conflicts = {}, {}
    for name, value in changes.items():
        mine, theirs = _public(name, value), _public(name, getattr(task, name))
        started_from = _payload_value(base, name)
        if mine in (theirs, started_from):
            continue  # the same either way, or left as it was: theirs stays
        if theirs == started_from:
            merged[name] = value
        else:
            conflicts[name] = conflict_message(name, getattr(task, name))
    if conflicts:
        raise VersionConflict(
            "Someone else changed this task while you edited it. Your other changes are "
            "not saved yet: choose for each marked field, then save again.",
            task=task,
            fields=conflicts,
        )
    return merged
