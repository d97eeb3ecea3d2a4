"""HTML fragments for browsers. An event's fragment is rendered once per event, and
every connection on the board forwards the same string."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from board.models import Board, Event, EventKind, Status
from board.selectors import Column, board_column_counts, board_snapshot

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
    return render_to_string(
        "realtime/_event.html",
        {
            "task": task,
            "board": event.board,
            "columns": columns if columns is not None else board_column_counts(board=event.board),
            "seq": event.seq,
            "announcement": announcement,
            "display": display,
        },
    )


def board_refresh_html(*, board: Board, display: bool = False) -> str:
    """Out-of-band swap of every column, for a page too far behind to replay events."""
    # The page's card limit: a refresh of a big board must stay one frame of a sane size.
    snapshot = board_snapshot(board=board, cards_per_column=settings.BOARD_PAGE_CARDS_PER_COLUMN)
    return render_to_string(
        "realtime/_board_refresh.html",
        {"board": board, "columns": snapshot.columns, "seq": snapshot.seq, "display": display},
    )
