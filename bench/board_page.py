"""Board page: server time and query count to render a board of 50, 500 and 2,000
tasks as the HTML page, the wall display, and the JSON snapshot a socket sends.
In-process, with Django's test client and CaptureQueriesContext (DEBUG off).

    python -m bench.board_page --sizes 50,500,2000
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

from bench.common import results_write, run_tag, table

STATUSES = ("UNASSIGNED", "IN_PROGRESS", "DONE")
EPICS = 5


def board_with_tasks(*, size: int, tag: str) -> tuple[Any, Any, str]:
    """A board with `size` tasks spread over the columns, some with owners, epics and
    due dates; returns the board, an admin member, and a display key."""
    from django.contrib.auth import get_user_model

    from accounts.models import Organization
    from board.models import Board, Epic, Membership, Role, Task
    from board.services import display_key_create, task_create

    users = get_user_model()
    organization = Organization.objects.create(name=f"Bench {tag}", slug=f"bench-{tag}")
    board = Board.objects.create(organization=organization, name=f"Bench {tag}", slug=tag)
    people = [
        users.objects.create_user(
            username=f"{tag}-{i}",
            email=f"{tag}-{i}@bench.invalid",
            first_name="Bench",
            last_name=f"User{i}",
            password=None,
        )
        for i in range(10)
    ]
    Membership.objects.bulk_create(Membership(board=board, user=u, role=Role.ADMIN) for u in people)
    organization.members.add(*people)
    epics = [Epic.objects.create(board=board, name=f"Epic {i}") for i in range(EPICS)]
    first = min(size, 3)  # a few through the service, so the board has real events
    for i in range(first):
        task_create(actor=people[0], board_id=board.pk, title=f"Task {i}")
    Task.objects.bulk_create(
        Task(
            board=board,
            title=f"Task {i}: a realistic card title of some length",
            description="Some words about the task. " * 3,
            status=STATUSES[i % 3],
            creator=people[i % 10],
            owner=people[(i + 1) % 10] if i % 3 else None,
            epic=epics[i % EPICS] if i % 2 else None,
            due_date=date(2030, 1, 1) + timedelta(days=i) if i % 4 == 0 else None,
            position=(i + 1) * 1024,
            version=1,
        )
        for i in range(first, size)
    )
    _, key = display_key_create(actor=people[0], board_id=board.pk, name="Wall")
    return board, people[0], key


def snapshot_json(board: Any) -> str:
    """The snapshot frames exactly as the JSON socket builds them, joined."""
    from realtime.consumers import BoardJsonConsumer

    stand_in = SimpleNamespace(access=SimpleNamespace(board=board))
    return "".join(BoardJsonConsumer.snapshot_frames(stand_in)[1])  # type: ignore[arg-type]


def timed(render: Callable[[], Any], repeat: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    body = render()  # warm: templates compiled, connection open
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            body = render()
            times.append(time.perf_counter() - started)
    if hasattr(body, "status_code"):
        assert body.status_code == 200, body.status_code
        body = body.content
    return {
        "median_ms": statistics.median(times) * 1000,
        "min_ms": min(times) * 1000,
        "queries": len(queries),
        "bytes": len(body),
    }


def measure(*, sizes: list[int], repeat: int = 5) -> dict[str, Any]:
    """Measure on the database Django is configured with."""
    from django.test import Client

    results: dict[str, Any] = {}
    for size in sizes:
        board, member, key = board_with_tasks(size=size, tag=f"{run_tag()}s{size}")
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(member)
        # A display trades its ?key= for a cookie on its first request, then reloads.
        client.get(f"/boards/{board.pk}/display/", {"key": key})
        renders = {
            "html_page": lambda b=board, c=client: c.get(f"/boards/{b.pk}/"),
            "display_page": lambda b=board, c=client: c.get(f"/boards/{b.pk}/display/"),
            "json_snapshot": lambda b=board: snapshot_json(b),
        }
        results[str(size)] = {name: timed(render, repeat) for name, render in renders.items()}
    return results


def summary(results: dict[str, Any]) -> dict[str, Any]:
    """Per render: is the query count the same at every size, and the largest/smallest time."""
    sizes = sorted(results, key=int)
    out = {}
    for name in results[sizes[0]]:
        counts = {results[s][name]["queries"] for s in sizes}
        ratio = results[sizes[-1]][name]["median_ms"] / results[sizes[0]][name]["median_ms"]
        out[name] = {"queries_constant": len(counts) == 1, "largest_over_smallest": ratio}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="50,500,2000")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    from bench.stack import database_prepare, django_env

    os.environ.update(django_env(database_url=database_prepare()))
    import django

    django.setup()
    results = measure(sizes=[int(s) for s in args.sizes.split(",")], repeat=args.repeat)
    rows = [
        {"tasks": size, "render": name, **numbers}
        for size, renders in results.items()
        for name, numbers in renders.items()
    ]
    print(table(rows, ["tasks", "render", "median_ms", "min_ms", "queries", "bytes"]))
    checks = summary(results)
    for name, check in checks.items():
        print(
            f"{name}: queries independent of size: {check['queries_constant']}; "
            f"largest/smallest time {check['largest_over_smallest']:.1f}x (target < 10x)"
        )
    print(f"raw results: {results_write('board_page', {'sizes': results, 'checks': checks})}")


if __name__ == "__main__":
    main()
