"""Claims: contended (K clients, half over HTTP and half over the WebSocket protocol,
race to claim the same task, again and again: exactly one must win each race) and
uncontended (each client cycles its own task through claim, done, reopen and release
as fast as it can), at 1 and 2 worker processes; then one client alone (the latency of
a single write: sent to ack, sent to its event). The same run measures the database
floor (bench.claims_floor: the same statements over raw psycopg, the same number of
clients, on a board of the same shape) and prints each figure as a ratio of it.

    python -m bench.claims --racers 8 --races 200 --clients 8 --seconds 10 --workers 1,2
        [--server daphne|uvicorn] [--py-spy PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

from bench.claims_floor import floor_measure
from bench.common import latency_summary, nofile_limit_raise, results_write, run_tag, table
from bench.drivers import HttpClient, ProtocolClient
from bench.fanout import _action
from bench.profiling import profilers_start, profilers_stop
from bench.stack import Stack, database_prepare, seed

TRANSPORTS = ("ws", "http")


@dataclass
class ClaimsOptions:
    racers: int = 8
    races: int = 100
    clients: int = 8
    seconds: float = 10.0
    workers: tuple[int, ...] = (1, 2)
    database_url: str = ""
    server: str = "daphne"
    py_spy: str = ""  # a py-spy binary: profile the workers and this driver (uncontended WS)


class Actor:
    """One user's connection to one worker, over either transport."""

    def __init__(self, transport: str, client: ProtocolClient | HttpClient) -> None:
        self.transport = transport
        self.client = client

    @classmethod
    async def open(cls, transport: str, port: int, board: int, token: str) -> Actor:
        if transport == "ws":
            url = f"ws://127.0.0.1:{port}/ws/v1/boards/{board}/"
            return cls(transport, await ProtocolClient.open(url, token))
        return cls(transport, await HttpClient(port, token).open())

    async def do(self, action: dict[str, Any]) -> tuple[bool, str]:
        """Run an action; return (succeeded, error code or "")."""
        if isinstance(self.client, ProtocolClient):
            reply = await self.client.act(action)
            return reply["type"] == "ack", reply.get("code", "")
        path = f"/api/v1/tasks/{action['task']}/{action['type'].replace('set_', '')}"
        body = {"status": action["status"]} if "status" in action else {}
        status, answer = await self.client.post(path, body)
        code = (answer or {}).get("error", {}).get("code", "") if status != 200 else ""
        return status == 200, code or ("" if status == 200 else str(status))

    async def close(self) -> None:
        await self.client.close()


async def contended(actors: list[Actor], tasks: list[int]) -> dict[str, Any]:
    winners: list[int] = []
    unexpected: Counter[str] = Counter()
    durations = []
    started = time.monotonic()
    for task in tasks:
        race_start = time.monotonic()
        outcomes = await asyncio.gather(*(a.do({"type": "claim", "task": task}) for a in actors))
        durations.append(time.monotonic() - race_start)
        winners.append(sum(ok for ok, _ in outcomes))
        unexpected.update(code for ok, code in outcomes if not ok and code != "already_claimed")
    elapsed = time.monotonic() - started
    return {
        "races": len(tasks),
        "racers": len(actors),
        "races_per_second": len(tasks) / elapsed,
        "single_winner_races": sum(1 for w in winners if w == 1),
        "winner_counts": sorted(set(winners)),
        "unexpected_errors": dict(unexpected),
        "race_ms": latency_summary(durations),
    }


async def uncontended(actors: list[Actor], tasks: list[int], seconds: float) -> dict[str, Any]:
    durations: list[float] = []
    errors: Counter[str] = Counter()
    deadline = time.monotonic() + seconds

    async def cycle(actor: Actor, task: int) -> None:
        step = 0
        while time.monotonic() < deadline or step % 4:
            began = time.monotonic()
            ok, code = await actor.do(_action(step, [task]))
            durations.append(time.monotonic() - began)
            if not ok:
                errors[code] += 1
                return
            step += 1

    started = time.monotonic()
    await asyncio.gather(*(cycle(a, t) for a, t in zip(actors, tasks, strict=True)))
    elapsed = time.monotonic() - started
    return {
        "clients": len(actors),
        "operations": len(durations),
        "operations_per_second": len(durations) / elapsed,
        "errors": dict(errors),
        "operation_ms": latency_summary(durations),
    }


async def single(actor: Actor, task: int, seconds: float) -> dict[str, Any]:
    """One client, no other load: the time from sending an action to its ack, and to
    the arrival of its event on the same socket."""
    client = actor.client
    assert isinstance(client, ProtocolClient)
    acks: list[float] = []
    events: list[float] = []
    deadline = time.monotonic() + seconds
    step = 0
    while time.monotonic() < deadline or step % 4:
        began = time.monotonic()
        reply = await client.act(_action(step, [task]))
        acks.append(time.monotonic() - began)
        seq = reply["seq"]
        await client.wait_for(lambda seq=seq: client.seq >= seq, timeout=10)
        arrived = next(at for s, _, at in reversed(client.events) if s == seq)
        events.append(arrived - began)
        step += 1
    return {"ack_ms": latency_summary(acks), "event_ms": latency_summary(events)}


async def claimed_events(observer: ProtocolClient, seq: int, timeout: float = 15) -> Counter:
    """How many task.claimed events the observer saw per task, once it reached `seq`."""
    deadline = time.monotonic() + timeout
    while observer.seq < seq and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    return Counter(m["task"]["id"] for m in observer.frames if m.get("kind") == "task.claimed")


async def run_workers(options: ClaimsOptions, workers: int, database_url: str) -> dict:
    with Stack() as stack:
        redis_url, _ = stack.redis()
        data = await asyncio.to_thread(
            seed,
            "board",
            database_url=database_url,
            tag=run_tag(),
            members=max(options.racers, len(TRANSPORTS) * options.clients) + 1,
            tasks=options.races + len(TRANSPORTS) * options.clients + 1,
        )
        servers = stack.workers(
            workers, database_url=database_url, redis_url=redis_url, server=options.server
        )
        ports, pids = [port for port, _ in servers], [pid for _, pid in servers]
        board, tokens, tasks = data["board"], data["tokens"], data["tasks"]
        url = f"ws://127.0.0.1:{ports[-1]}/ws/v1/boards/{board}/"
        observer = await ProtocolClient.open(url, tokens[-1])
        observer.keep_frames = True

        def open_actors(count: int, transports: tuple[str, ...]) -> Any:
            return asyncio.gather(
                *(
                    Actor.open(transports[i % len(transports)], ports[i % len(ports)], board, t)
                    for i, t in enumerate(tokens[:count])
                )
            )

        racers = await open_actors(options.racers, TRANSPORTS)
        try:
            race = await contended(racers, tasks[: options.races])
        finally:
            await asyncio.gather(*(a.close() for a in racers))
        rows = {"contended": race}
        for n, transport in enumerate(TRANSPORTS):
            actors = await open_actors(options.clients, (transport,))
            first = options.races + n * options.clients
            mine = tasks[first : first + options.clients]
            profiled = options.py_spy and transport == "ws"
            profilers = profilers_start(
                options.py_spy if profiled else "", [*pids, os.getpid()], f"claims-{workers}"
            )
            try:
                rows[f"uncontended_{transport}"] = await uncontended(actors, mine, options.seconds)
            finally:
                await asyncio.gather(*(a.close() for a in actors))
                if profiled:
                    rows[f"profiles_{transport}"] = profilers_stop(profilers)
        [alone] = await open_actors(1, ("ws",))
        try:
            rows["single"] = await single(alone, tasks[-1], min(options.seconds, 5))
        finally:
            await alone.close()
        changes = sum(rows[f"uncontended_{t}"]["operations"] for t in TRANSPORTS)
        changes += rows["single"]["ack_ms"]["samples"]
        last_seq = data["seq"] + options.races + changes
        claims = await claimed_events(observer, last_seq)
        await observer.close()
        race["claimed_events_per_race"] = sorted({claims[t] for t in tasks[: options.races]})
        race["observer_seq"], race["expected_seq"] = observer.seq, last_seq
        return rows


async def run(options: ClaimsOptions) -> dict[str, Any]:
    nofile_limit_raise()
    database_url = options.database_url or database_prepare()
    members = max(options.racers, len(TRANSPORTS) * options.clients) + 1
    tasks = options.races + len(TRANSPORTS) * options.clients + 1
    floor = await floor_measure(
        database_url,
        members=members,
        tasks=tasks,
        clients=options.clients,
        seconds=options.seconds,
    )
    runs = {str(w): await run_workers(options, w, database_url) for w in options.workers}
    return {"options": asdict(options), "floor": floor, "workers": runs}


def report_rows(workers: str, rows: dict[str, Any]) -> list[dict[str, Any]]:
    race = rows["contended"]
    one_winner = race["single_winner_races"] == race["races"]
    table_rows = [
        {
            "workers": workers,
            "mode": f"contended x{race['racers']}",
            "per_second": race["races_per_second"],
            "p50_ms": race["race_ms"]["p50_ms"],
            "p99_ms": race["race_ms"]["p99_ms"],
            "check": "ok" if one_winner and race["claimed_events_per_race"] == [1] else "FAILED",
        }
    ]
    for transport in TRANSPORTS:
        row = rows[f"uncontended_{transport}"]
        table_rows.append(
            {
                "workers": workers,
                "mode": f"uncontended {transport} x{row['clients']}",
                "per_second": row["operations_per_second"],
                "p50_ms": row["operation_ms"]["p50_ms"],
                "p99_ms": row["operation_ms"]["p99_ms"],
                "check": "ok" if not row["errors"] else f"errors {row['errors']}",
            }
        )
    return table_rows


def ratio_rows(workers: str, rows: dict[str, Any], floor: dict[str, Any]) -> list[dict]:
    """Our figures as ratios of the floor's (writes/s: ours / floor; latency: ours / the
    floor's single-client transaction time, both p50)."""
    floor_ops = floor["uncontended"]["operations_per_second"]
    floor_ms = floor["single"]["operation_ms"]["p50_ms"]
    return [
        {
            "workers": workers,
            "measure": f"uncontended {t} writes/s / floor",
            "ours": rows[f"uncontended_{t}"]["operations_per_second"],
            "floor": floor_ops,
            "ratio": rows[f"uncontended_{t}"]["operations_per_second"] / floor_ops,
        }
        for t in TRANSPORTS
    ] + [
        {
            "workers": workers,
            "measure": f"single write, sent to {what} p50 / floor transaction",
            "ours": rows["single"][f"{what}_ms"]["p50_ms"],
            "floor": floor_ms,
            "ratio": rows["single"][f"{what}_ms"]["p50_ms"] / floor_ms,
        }
        for what in ("ack", "event")
    ]


def report_print(result: dict[str, Any]) -> None:
    rows = [row for w, r in result["workers"].items() for row in report_rows(w, r)]
    floor = result["floor"]
    for name, row in floor.items():
        rows.append(
            {
                "workers": "floor",
                "mode": f"{name} x{row['clients']}",
                "per_second": row["operations_per_second"],
                "p50_ms": row["operation_ms"]["p50_ms"],
                "p99_ms": row["operation_ms"]["p99_ms"],
                "check": "ok",
            }
        )
    print(table(rows, ["workers", "mode", "per_second", "p50_ms", "p99_ms", "check"]))
    ratios = [r for w, rs in result["workers"].items() for r in ratio_rows(w, rs, floor)]
    for row in ratios:  # a throughput ratio of 0.1 hides a tenth either way
        row["ratio"] = f"{row['ratio']:.2f}"
    print(table(ratios, ["workers", "measure", "ours", "floor", "ratio"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--racers", type=int, default=8, help="K: half HTTP, half WebSocket")
    parser.add_argument("--races", type=int, default=100)
    parser.add_argument("--clients", type=int, default=8, help="uncontended clients")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--server", default="daphne", choices=("daphne", "uvicorn"))
    parser.add_argument("--py-spy", default="", help="py-spy binary: profile (uncontended WS)")
    args = parser.parse_args()
    options = ClaimsOptions(
        racers=args.racers,
        races=args.races,
        clients=args.clients,
        seconds=args.seconds,
        workers=tuple(int(w) for w in args.workers.split(",")),
        server=args.server,
        py_spy=args.py_spy,
    )
    result = asyncio.run(run(options))
    report_print(result)
    print(f"raw results: {results_write('claims', result)}")


if __name__ == "__main__":
    main()
