"""The one helper through which services record events."""

from __future__ import annotations

import functools
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from board.models import Board, Event, Task
from ops import tracing


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
    deferred to commit: a rolled-back change is never announced.

    Every change of every door ends here, so the seq's bump and the event's insert are
    one statement written out once (`_event_insert_sql`), not built by the ORM."""
    from realtime.broadcast import event_broadcast

    actor = actor if actor is not None and actor.is_authenticated else None
    event = Event(
        board=board, kind=kind, task=task, actor=actor, payload=payload, created_at=timezone.now()
    )
    params = [
        board.pk,
        board.pk,
        kind,
        task.pk if task is not None else None,
        actor.pk if actor is not None else None,
        Event._meta.get_field("payload").get_db_prep_save(payload, connection),
        Event._meta.get_field("created_at").get_db_prep_save(event.created_at, connection),
    ]
    *bumps, insert = _event_insert_sql()
    with connection.cursor() as cursor:
        for bump in bumps:
            cursor.execute(bump, [board.pk])
        cursor.execute(insert, params)
        event.pk, event.seq = cursor.fetchone()
    event._state.adding, event._state.db = False, connection.alias
    board.last_seq = event.seq
    # Under the trace that is current now (the service's span), though it runs at commit.
    transaction.on_commit(tracing.context_bound(lambda: event_broadcast(event=event)))
    return event


@functools.cache
def _event_insert_sql() -> tuple[str, ...]:
    """The statements that bump the board's seq and insert the event with it; the
    last one (params: the board twice, kind, task, actor, payload, created_at) returns
    the event's id and seq. One statement on PostgreSQL; SQLite has no UPDATE inside a
    WITH, so it bumps first (params: the board)."""
    boards, events = Board._meta.db_table, Event._meta.db_table
    bump = f"UPDATE {boards} SET last_seq = last_seq + 1 WHERE id = %s"
    columns = "board_id, seq, kind, task_id, actor_id, payload, created_at"
    if connection.vendor == "postgresql":
        return (
            f"WITH bumped AS ({bump} RETURNING last_seq)"
            f" INSERT INTO {events} ({columns})"
            " SELECT %s, bumped.last_seq, %s, %s, %s, %s, %s FROM bumped"
            " RETURNING id, seq",
        )
    return (
        bump,
        f"INSERT INTO {events} ({columns})"
        f" SELECT %s, (SELECT last_seq FROM {boards} WHERE id = %s), %s, %s, %s, %s, %s"
        " RETURNING id, seq",
    )
