"""The database floor for `bench.claims`: the statements `task_claim` and its siblings
send to PostgreSQL, over raw psycopg (one async connection per client, no ORM, no
server), on a board seeded like the benchmark's own.

Each client cycles its own task through claim, done, reopen and release as the
uncontended clients do; each step is one transaction:

    BEGIN
    lock the task's board, reading the actor's role with it (FOR UPDATE)
    lock the task (FOR UPDATE)
    the position at the bottom of the target column
    update the task (status, owner, position, version)
    bump the board's last_seq (RETURNING it)
    insert the event
    COMMIT
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import orjson
import psycopg

from bench.common import latency_summary, run_tag
from bench.stack import seed

LOCK_BOARD = """
SELECT b.id, b.last_seq,
       (SELECT m.role FROM board_membership m WHERE m.board_id = b.id AND m.user_id = %(user)s)
FROM board_board b
WHERE b.id = (SELECT t.board_id FROM board_task t WHERE t.id = %(task)s)
FOR UPDATE OF b
"""
LOCK_TASK = "SELECT * FROM board_task WHERE id = %(task)s FOR UPDATE"
BOTTOM = """
SELECT position FROM board_task WHERE board_id = %(board)s AND status = %(status)s
ORDER BY position DESC LIMIT 1
"""
UPDATE_TASK = """
UPDATE board_task SET status = %(status)s, owner_id = %(owner)s, position = %(position)s,
       version = version + 1, updated_at = now()
WHERE id = %(task)s
"""
BUMP_SEQ = "UPDATE board_board SET last_seq = last_seq + 1 WHERE id = %(board)s RETURNING last_seq"
INSERT_EVENT = """
INSERT INTO board_event (board_id, seq, kind, task_id, actor_id, payload, created_at)
VALUES (%(board)s, %(seq)s, %(kind)s, %(task)s, %(user)s, %(payload)s, now())
"""

# claim, done, reopen, release: (status after, owned, event kind)
CYCLE = (
    ("IN_PROGRESS", True, "task.claimed"),
    ("DONE", True, "task.status_changed"),
    ("IN_PROGRESS", True, "task.status_changed"),
    ("UNASSIGNED", False, "task.released"),
)


async def floor_step(
    connection: psycopg.AsyncConnection, *, user: int, task: int, step: int
) -> None:
    status, owned, kind = CYCLE[step % len(CYCLE)]
    async with connection.transaction():
        cursor = connection.cursor()
        await cursor.execute(LOCK_BOARD, {"user": user, "task": task})
        board, _, _role = await cursor.fetchone()
        await cursor.execute(LOCK_TASK, {"task": task})
        row = await cursor.fetchone()
        await cursor.execute(BOTTOM, {"board": board, "status": status})
        bottom = await cursor.fetchone()
        position = (bottom[0] if bottom else 0) + 1024
        owner = user if owned else None
        await cursor.execute(
            UPDATE_TASK, {"status": status, "owner": owner, "position": position, "task": task}
        )
        await cursor.execute(BUMP_SEQ, {"board": board})
        (seq,) = await cursor.fetchone()
        # A payload of the size the app stores (the task's public state).
        payload = orjson.dumps({"id": task, "status": status, "row": str(row)[:300]}).decode()
        await cursor.execute(
            INSERT_EVENT,
            {
                "board": board,
                "seq": seq,
                "kind": kind,
                "task": task,
                "user": user,
                "payload": payload,
            },
        )


async def floor_run(
    *, database_url: str, users: list[int], tasks: list[int], seconds: float
) -> dict[str, Any]:
    """Writes per second with len(users) clients, each on its own task, for `seconds`."""
    connections = [
        await psycopg.AsyncConnection.connect(database_url, autocommit=True) for _ in users
    ]
    durations: list[float] = []
    deadline = time.monotonic() + seconds

    async def cycle(connection: psycopg.AsyncConnection, user: int, task: int) -> None:
        step = 0
        while time.monotonic() < deadline or step % len(CYCLE):
            began = time.monotonic()
            await floor_step(connection, user=user, task=task, step=step)
            durations.append(time.monotonic() - began)
            step += 1

    try:
        started = time.monotonic()
        await asyncio.gather(
            *(cycle(c, u, t) for c, u, t in zip(connections, users, tasks, strict=True))
        )
        elapsed = time.monotonic() - started
    finally:
        for connection in connections:
            await connection.close()
    return {
        "clients": len(users),
        "operations": len(durations),
        "operations_per_second": len(durations) / elapsed,
        "operation_ms": latency_summary(durations),
    }


async def floor_measure(
    database_url: str, *, members: int, tasks: int, clients: int, seconds: float
) -> dict[str, Any]:
    """The floor with `clients` clients, and with one alone, on a board of its own
    seeded like the benchmark's (`members` users, `tasks` tasks)."""
    data = await asyncio.to_thread(
        seed, "board", database_url=database_url, tag=run_tag(), members=members, tasks=tasks
    )
    users, task_ids = data["users"], data["tasks"]
    return {
        "uncontended": await floor_run(
            database_url=database_url,
            users=users[:clients],
            tasks=task_ids[:clients],
            seconds=seconds,
        ),
        "single": await floor_run(
            database_url=database_url, users=users[:1], tasks=task_ids[-1:], seconds=min(seconds, 5)
        ),
    }
