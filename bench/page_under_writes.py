"""Board page under write load: a board page of 300 visible cards, fetched over HTTP
from one worker while it is idle, then while W clients (8) write to the same board as
fast as they can over the JSON protocol. Prints the page's time under load as a ratio
of its idle time (issue 13: at most 2x), and the writes per second meanwhile.

    python -m bench.page_under_writes [--writers 8] [--pages 30] [--server daphne|uvicorn]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from typing import Any

from bench.claims import Actor, uncontended
from bench.common import nofile_limit_raise, results_write, run_tag, table
from bench.stack import Stack, database_prepare, seed

# 500 tasks over three columns: 300 visible cards (100 per column), as bench.board_page.
BOARD_TASKS = 500


async def page_get(port: int, path: str, cookie: str) -> float:
    """Fetch one page on a fresh connection; return the seconds it took."""
    started = time.monotonic()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n"
        "Connection: close\r\n\r\n".encode()
    )
    await writer.drain()
    status_line = await reader.readline()
    body = await reader.read()
    writer.close()
    if b" 200 " not in status_line or b"</html>" not in body:
        raise RuntimeError(f"page: {status_line!r}")
    return time.monotonic() - started


async def pages_time(port: int, path: str, cookie: str, count: int) -> dict[str, float]:
    times = [await page_get(port, path, cookie) for _ in range(count)]
    return {
        "pages": count,
        "median_ms": statistics.median(times) * 1000,
        "p95_ms": sorted(times)[int(0.95 * (count - 1))] * 1000,
    }


async def run(
    *, writers: int, pages: int, server: str, tasks: int = BOARD_TASKS, database_url: str = ""
) -> dict[str, Any]:
    nofile_limit_raise()
    database_url = database_url or database_prepare()
    with Stack() as stack:
        redis_url, _ = stack.redis()
        data = await asyncio.to_thread(
            seed, "page_board", database_url=database_url, tag=run_tag(), tasks=tasks
        )
        [(port, _)] = stack.workers(
            1, database_url=database_url, redis_url=redis_url, server=server
        )
        path, cookie = f"/boards/{data['board']}/", data["cookie"]
        await pages_time(port, path, cookie, 3)  # warm: templates, cards, connections
        idle = await pages_time(port, path, cookie, pages)
        actors = await asyncio.gather(
            *(Actor.open("ws", port, data["board"], token) for token in data["tokens"][:writers])
        )
        try:
            # The writers run until the loaded pages are done, and a little longer.
            load_seconds = max(5.0, pages * idle["median_ms"] / 1000 * 4)
            writing = asyncio.create_task(
                uncontended(actors, data["free_tasks"][:writers], load_seconds)
            )
            await asyncio.sleep(1.0)
            loaded = await pages_time(port, path, cookie, pages)
            writes = await writing
        finally:
            await asyncio.gather(*(actor.close() for actor in actors))
    return {
        "server": server,
        "writers": writers,
        "idle": idle,
        "loaded": loaded,
        "writes": writes,
        "ratio": loaded["median_ms"] / idle["median_ms"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--server", default="daphne")
    args = parser.parse_args()
    result = asyncio.run(run(writers=args.writers, pages=args.pages, server=args.server))
    rows = [{"while": name, **result[name]} for name in ("idle", "loaded") if name in result]
    print(table(rows, ["while", "pages", "median_ms", "p95_ms"]))
    writes = result["writes"]
    print(
        f"writes meanwhile: {writes['operations_per_second']:.1f}/s by {result['writers']} "
        f"clients, errors {writes['errors'] or 'none'}"
    )
    print(f"page under writes / idle: {result['ratio']:.2f}x (target <= 2x, issue 13)")
    print(f"raw results: {results_write('page_under_writes', result)}")


if __name__ == "__main__":
    main()
