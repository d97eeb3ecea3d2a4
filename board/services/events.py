"""The one helper through which services record events."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from board.models import Board, Event, Task


def event_record(
    *,
    board: Board,
    kind: str,
    actor: Any,
    payload: dict[str, Any],
    task: Task | None = None,
) -> Event:
    """Append an event with the board's next seq. The caller holds the board lock
    (`board_lock`), so the sequence has no gaps and no duplicates. The broadcast is
    deferred to commit: a rolled-back change is never announced."""
    from realtime.broadcast import event_broadcast

    board.last_seq += 1
    board.save(update_fields=["last_seq"])
    event = Event.objects.create(
        board=board,
        seq=board.last_seq,
        kind=kind,
        task=task,
        actor=actor if actor is not None and actor.is_authenticated else None,
        payload=payload,
    )
    transaction.on_commit(lambda: event_broadcast(event=event))
    return event
