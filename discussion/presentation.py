"""How a task's conversation and history read on its page: people's words ("Alice
claimed it", "Bob moved it to Done"), not event kinds or raw statuses.

Used by the task page and by the event fragments (realtime.fragments), which render
once per event for everyone, so nothing here depends on who is looking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.urls import reverse

from board.models import Event, EventKind, Status

# What the actor did, for events whose words do not depend on their payload.
PLAIN_SENTENCES = {
    EventKind.TASK_CREATED: "created it",
    EventKind.TASK_UPDATED: "edited it",
    EventKind.TASK_CLAIMED: "claimed it",
    EventKind.TASK_RELEASED: "released it",
    EventKind.TASK_ARCHIVED: "archived it",
    EventKind.COMMENT_CREATED: "commented",
    EventKind.COMMENT_UPDATED: "edited a comment",
    EventKind.COMMENT_DELETED: "deleted a comment",
}


@dataclass(frozen=True)
class HistoryEntry:
    seq: int
    sentence: str
    at: datetime


def comment_view(state: dict[str, Any]) -> dict[str, Any]:
    """A comment's public state (discussion.public.comment_public_state) with
    its times as datetimes, for the templates to format."""
    edited = state.get("edited_at")
    return {
        **state,
        "created": datetime.fromisoformat(state["created_at"]),
        "edited": datetime.fromisoformat(edited) if edited else None,
    }


def task_head_context(card: dict[str, Any], *, description_html: str) -> dict[str, Any]:
    """What the task page's header and description need besides the task's state."""
    return {
        "status_label": Status(card["status"]).label,
        "task_url": reverse("task_detail", args=[card["id"]]),
        "description_html": description_html,
    }


def event_sentence(event: Event) -> str:
    who = event.actor.display_name if event.actor else "Someone"
    return f"{who} {_what_happened(event)}"


def history_entry(event: Event) -> HistoryEntry:
    return HistoryEntry(seq=event.seq, sentence=event_sentence(event), at=event.created_at)


def _what_happened(event: Event) -> str:
    payload = event.payload if isinstance(event.payload, dict) else {}
    if event.kind in PLAIN_SENTENCES:
        return PLAIN_SENTENCES[EventKind(event.kind)]
    if event.kind in (EventKind.TASK_STATUS_CHANGED, EventKind.TASK_MOVED):
        status = payload.get("status")
        label = Status(status).label if status in Status.values else "another column"
        return f"moved it to {label}"
    if event.kind == EventKind.WATCHERS_CHANGED:
        watching = {w.get("id") for w in payload.get("watchers", []) if isinstance(w, dict)}
        return "started watching" if event.actor_id in watching else "stopped watching"
    if event.kind in (EventKind.SPRINT_TASK_ADDED, EventKind.SPRINT_TASK_REMOVED):
        name = payload.get("name") or "a sprint"
        added = event.kind == EventKind.SPRINT_TASK_ADDED
        return f"added it to {name}" if added else f"took it out of {name}"
    return EventKind(event.kind).label.lower() if event.kind in EventKind.values else "changed it"
