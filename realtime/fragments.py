"""HTML fragments for browsers. An event's fragment is rendered once per event, and
every connection on the board forwards the same string."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from board.models import Board, Event, EventKind, Status, Task
from board.selectors import Column, board_column_counts, board_member_count, board_snapshot
from discussion.presentation import comment_view, history_entry, task_head_context

ANNOUNCEMENT_VERBS = {
    EventKind.TASK_CREATED: "added",
    EventKind.TASK_UPDATED: "edited",
    EventKind.TASK_CLAIMED: "claimed",
    EventKind.TASK_RELEASED: "released",
    EventKind.TASK_STATUS_CHANGED: "moved",
    EventKind.TASK_MOVED: "moved",
    EventKind.TASK_ARCHIVED: "archived",
}


def event_fragment_html(
    *, event: Event, display: bool = False, columns: list[Column] | None = None
) -> str:
    """Out-of-band swaps for one event: the changed card, the column counts, the seq
    (with an empty `data-origin`, which the tab that made the change gets as "own":
    realtime.broadcast.own_frame), and a sentence for screen readers. `display`
    renders the read-only wall variant. `columns` are the board's column counts, when
    the caller has read them already."""
    task = event.payload if event.kind.startswith("task.") else None
    announcement = ""
    if task is not None:
        actor = event.actor.display_name if event.actor else "Someone"
        verb = ANNOUNCEMENT_VERBS.get(event.kind, "changed")
        where = f" to {Status(task['status']).label}" if verb == "moved" else ""
        announcement = f"{actor} {verb} “{task['title']}”{where}."
    membership = event.kind == EventKind.MEMBERSHIP_CHANGED
    if membership:
        announcement = membership_announcement(event)
    return render_to_string(
        "realtime/_event.html",
        {
            "task": task,
            "board": event.board,
            "columns": columns if columns is not None else board_column_counts(board=event.board),
            "seq": event.seq,
            "announcement": announcement,
            "display": display,
            **task_page_parts(event, display=display),
            # The board page's member count; a wall display shows none.
            "member_count": board_member_count(board=event.board)
            if membership and not display
            else None,
        },
    )


def task_page_parts(event: Event, *, display: bool = False) -> dict[str, Any]:
    """What the event changes on its task's page (the task page's ids are not on the
    board page, where htmx passes these swaps by): its header and description, a
    comment, the comment count (the card's too), the watchers, a line of history.
    The wall display only shows the count, on the card."""
    if event.task_id is None:
        return {}
    if display:
        count = event.payload.get("comment_count") if event.kind.startswith("comment.") else None
        return {"task_id": event.task_id, "count": count}
    payload = event.payload
    parts: dict[str, Any] = {"task_id": event.task_id, "entry": history_entry(event)}
    if event.kind.startswith("task."):
        html = Task.objects.filter(pk=event.task_id).values_list("description_html", flat=True)
        parts["head"] = task_head_context(payload, description_html=html.first() or "")
    elif event.kind.startswith("comment."):
        parts["count"] = payload["comment_count"]
        if event.kind == EventKind.COMMENT_DELETED:
            parts["comment_deleted"] = payload["id"]
        else:
            parts["comment"] = comment_view(payload)
            parts["comment_new"] = event.kind == EventKind.COMMENT_CREATED
    elif event.kind == EventKind.WATCHERS_CHANGED:
        parts["watchers"] = payload["watchers"]
    return parts


def membership_announcement(event: Event) -> str:
    """ "Bob joined the board.", for screen readers, from a membership.changed event."""
    person = (event.payload.get("user") or {}).get("name") or "Someone"
    role = event.payload.get("role")
    if event.payload.get("joined"):
        return f"{person} joined the board."
    if role is None:
        if event.actor_id is not None and event.actor_id == event.payload["user"].get("id"):
            return f"{person} left the board."
        return f"{person} was removed from the board."
    return f"{person} is now {'an' if role == 'admin' else 'a'} {role}."


def board_refresh_html(*, board: Board, display: bool = False) -> str:
    """Out-of-band swap of every column, for a page too far behind to replay events."""
    # The page's card limit: a refresh of a big board must stay one frame of a sane size.
    snapshot = board_snapshot(board=board, cards_per_column=settings.BOARD_PAGE_CARDS_PER_COLUMN)
    return render_to_string(
        "realtime/_board_refresh.html",
        {"board": board, "columns": snapshot.columns, "seq": snapshot.seq, "display": display},
    )
