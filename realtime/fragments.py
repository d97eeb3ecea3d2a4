"""HTML fragments for browsers, rendered once per event."""

from __future__ import annotations

from django.template.loader import render_to_string

from board.models import Event
from board.selectors import board_column_counts


def event_fragment_html(*, event: Event) -> str:
    return render_to_string(
        "realtime/_event.html",
        {
            "event": event,
            "task": event.payload if event.kind.startswith("task.") else None,
            "board": event.board,
            "columns": board_column_counts(board=event.board),
        },
    )
