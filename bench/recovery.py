"""Recovery: how fast clients that reconnect as docs/protocol.md says are consistent
again after a reconnect storm and after faults, while writers keep changing the board,
and whether any acknowledged change is lost.

- storm: S clients (1,000 by default) on ONE worker; that worker is restarted
  (SIGTERM, then started again on its port) and they all come back at once;
- faults, with N clients spread over two workers: Redis down 5 s and 30 s (stopped
  and started again on its port), a worker killed (SIGKILL) or terminated (SIGTERM)
  and started again, a worker frozen 10 s (SIGSTOP, SIGCONT).

A fault's recovery time runs from its end (Redis or the worker listening again, the
SIGCONT) until every client is connected and has applied every change committed up
to that end. At the close the writers stop and every client must hold exactly the
board's seq and the same task versions as a fresh snapshot.

    python -m bench.recovery --server daphne,uvicorn --clients 100 --storm-clients 1000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import time
from dataclasses import asdict, dataclass
from typing import Any

import psycopg

from bench.catchup import snapshot_get
from bench.common import latency_summary, nofile_limit_raise, results_write, run_tag, table
from bench.followers import FollowerPool, attempts_summary, laggards
from bench.recovery_load import Probe, Writers
from bench.stack import DEFAULT_DATABASE, Stack, database_prepare, seed

FAULTS = ("redis_short", "redis_long", "worker_kill", "worker_term", "worker_freeze")
TARGET_SECONDS = 5.0
# A worker that has not exited this long after SIGTERM is killed (and counted).
EXIT_TIMEOUT = 10.0


@dataclass
class RecoveryOptions:
    servers: tuple[str, ...] = ("daphne", "uvicorn")
    clients: int = 100
    storm_clients: int = 1000
    faults: tuple[str, ...] = FAULTS
    redis_short: float = 5.0
    redis_long: float = 30.0
    freeze: float = 10.0
    heartbeat: float = 2.0
    writers: int = 2
    write_interval: float = 0.25
    processes: int = 4
    recover_timeout: float = 60.0
    database_url: str = ""


class Run:
    """One server kind's stack: two workers, Redis, the board, writers and the log."""

    def __init__(self, options: RecoveryOptions, stack: Stack, server: str, data: dict) -> None:
        self.options, self.stack, self.data = options, stack, data
        env = {"REALTIME_HEARTBEAT_SECONDS": str(options.heartbeat)}
        self.redis_url, self.redis_pid = stack.redis()
        workers = stack.workers(
            2, database_url=options.database_url, redis_url=self.redis_url, server=server, **env
        )
        self.ports = [port for port, _ in workers]
        self.pids = [pid for _, pid in workers]
        self.urls = [f"ws://127.0.0.1:{p}/ws/v1/boards/{data['board']}/" for p in self.ports]
        self.database = psycopg.connect(options.database_url, autocommit=True)
        self.exit_hung = 0
        self.hit = 0  # clients on the faulted worker (all of them for Redis)
        # (seconds, connected, consistent) at each poll of the last `recovered`.
        self.timeline: list[tuple[float, int, int]] = []

    def board_seq(self) -> int:
        row = self.database.execute(
            "SELECT last_seq FROM board_board WHERE id = %s", [self.data["board"]]
        ).fetchone()
        return row[0]

    def logged(self, seqs: list[int]) -> set[int]:
        rows = self.database.execute(
            "SELECT seq FROM board_event WHERE board_id = %s AND seq = ANY(%s)",
            [self.data["board"], seqs],
        ).fetchall()
        return {seq for (seq,) in rows}

    async def recovered(self, pool: FollowerPool, target: int) -> float | None:
        """Seconds until every follower is connected and at `target` or beyond."""

        started, self.timeline = time.monotonic(), []

        def done(rows: list) -> bool:
            ready = sum(1 for seq, ok, *_ in rows if ok and seq is not None and seq >= target)
            connected = sum(1 for _, ok, *_ in rows if ok)
            self.timeline.append((round(time.monotonic() - started, 2), connected, ready))
            return ready == len(rows)

        return await pool.wait(done, self.options.recover_timeout)

    async def restart_worker(self, index: int, sig: signal.Signals) -> None:
        """Send `sig`, wait for the exit (SIGKILL after EXIT_TIMEOUT s, counted in
        `exit_hung`), and start the worker again on its port."""
        process = self.stack.process(self.pids[index])
        process.send_signal(sig)
        try:
            await asyncio.to_thread(process.wait, EXIT_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.exit_hung += 1
            process.kill()
        self.pids[index] = await asyncio.to_thread(self.stack.restart, self.pids[index])

    async def fault(self, name: str, rows: list) -> None:
        """Cause fault `name` and return when it has ended. A worker fault hits the
        worker that holds the most clients (`rows`: the followers' status)."""
        on = [sum(1 for row in rows if row[1] and row[5] == url) for url in self.urls]
        busiest = on.index(max(on))
        if name in ("redis_short", "redis_long"):
            os.kill(self.redis_pid, signal.SIGTERM)
            await asyncio.sleep(getattr(self.options, name))
            self.redis_pid = await asyncio.to_thread(self.stack.restart, self.redis_pid)
        elif name == "worker_kill":
            await self.restart_worker(busiest, signal.SIGKILL)
        elif name == "worker_term":
            await self.restart_worker(busiest, signal.SIGTERM)
        elif name == "worker_freeze":
            os.kill(self.pids[busiest], signal.SIGSTOP)
            await asyncio.sleep(self.options.freeze)
            os.kill(self.pids[busiest], signal.SIGCONT)
        self.hit = on[busiest] if name.startswith("worker") else len(rows)


async def storm(run: Run, writers: Writers) -> dict[str, Any]:
    options = run.options
    tokens = run.data["tokens"][options.writers : options.writers + options.storm_clients]
    pool = FollowerPool(urls=run.urls[:1], tokens=tokens, processes=options.processes)
    probe = Probe(run.ports[0], run.data["tokens"][0])
    try:
        connect_s = await run.recovered(pool, 0)
        connect_timeline = run.timeline[::10]
        before = await pool.status()
        probe.start()
        writers.phase = "storm"
        stopped = time.monotonic()
        await run.restart_worker(0, signal.SIGTERM)
        ended, hung = time.monotonic(), run.exit_hung
        target = run.board_seq()
        recover_s = await run.recovered(pool, target)
        after = await pool.status()
        latencies, failures = probe.window(ended, time.monotonic())
        acks = [a.latency for a in writers.acks if a.at >= ended]
        return {
            "fault": "storm",
            "clients": len(tokens),
            "exit_hung": hung,
            "first_connect_s": connect_s,
            "connect_timeline": connect_timeline,
            "fault_s": ended - stopped,
            "recover_s": recover_s,
            "get_p99_ms": latency_summary(latencies)["p99_ms"],
            "get_failed": failures,
            "ack_p99_ms": latency_summary(acks)["p99_ms"],
            "out_of_order": sum(row[3] for row in after),
            "laggards": laggards(after, target),
            "timeline": run.timeline[::10],
            **attempts_summary(before, after),
        }
    finally:
        await probe.stop()
        await pool.close()


async def faults(run: Run, writers: Writers) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    options = run.options
    tokens = run.data["tokens"][options.writers : options.writers + options.clients]
    pool = FollowerPool(urls=run.urls, tokens=tokens, processes=options.processes)
    rows = []
    try:
        await run.recovered(pool, 0)
        for name in options.faults:
            await run.recovered(pool, run.board_seq())  # steady before the next fault
            before = await pool.status()
            writers.phase = name
            started, hung = time.monotonic(), run.exit_hung
            await run.fault(name, before)
            ended = time.monotonic()
            target = run.board_seq()
            recover_s = await run.recovered(pool, target)
            after = await pool.status()
            rows.append(
                {
                    "fault": name,
                    "clients": len(tokens),
                    "hit": run.hit,
                    "fault_s": ended - started,
                    "exit_hung": run.exit_hung - hung,
                    "recover_s": recover_s,
                    "out_of_order": sum(r[3] for r in after) - sum(r[3] for r in before),
                    "laggards": laggards(after, target),
                    **attempts_summary(before, after),
                }
            )
        writers.phase = "end"
        await writers.stop()
        return rows, await final_check(run, pool)
    finally:
        await pool.close()


async def final_check(run: Run, pool: FollowerPool) -> dict[str, Any]:
    """With the writers stopped: every follower at the board's seq, with a fresh
    snapshot's task versions."""
    last = run.board_seq()
    settle_s = await pool.wait(
        lambda rows: all(seq == last for seq, *_ in rows), run.options.recover_timeout
    )
    snapshot, _ = await snapshot_get(run.urls[1], run.data["tokens"][0])
    reference = {task["id"]: task["version"] for task in snapshot["tasks"]}
    rows, states = await pool.status(), await pool.states()
    return {
        "board_seq": last,
        "settle_s": settle_s,
        "behind": sum(1 for seq, *_ in rows if seq != last),
        "state_differs": sum(1 for state in states if state != reference),
        "fatal_closes": sorted({row[4] for row in rows if row[4] is not None}),
    }


def losses(run: Run, writers: Writers) -> dict[str, int]:
    """Acknowledged changes missing from the event log, by phase (must all be 0)."""
    logged = run.logged([ack.seq for ack in writers.acks])
    lost: dict[str, int] = {}
    for ack in writers.acks:
        lost[ack.phase] = lost.get(ack.phase, 0) + (ack.seq not in logged)
    return lost


async def run_server(options: RecoveryOptions, server: str) -> dict[str, Any]:
    members = options.writers + max(options.clients, options.storm_clients)
    tasks_each = 2
    data = await asyncio.to_thread(
        seed,
        "board",
        database_url=options.database_url,
        tag=run_tag(),
        members=members,
        tasks=options.writers * tasks_each,
    )
    with Stack() as stack:
        run = Run(options, stack, server, data)
        writer_tasks = [data["tasks"][i :: options.writers] for i in range(options.writers)]
        writers = Writers(
            run.urls, data["tokens"][: options.writers], writer_tasks, options.write_interval
        )
        writers.start()
        try:
            rows = [await storm(run, writers)] if options.storm_clients else []
            fault_rows, final = await faults(run, writers)
            lost = losses(run, writers)
        finally:
            await writers.stop()
            run.database.close()
    for row in rows + fault_rows:
        row["server"] = server
        row["acked"] = sum(1 for a in writers.acks if a.phase == row["fault"])
        row["lost"] = lost.get(row["fault"], 0)
    return {"rows": rows + fault_rows, "final": final, "writer_failures": writers.failures}


async def run(options: RecoveryOptions) -> dict[str, Any]:
    nofile_limit_raise()
    options.database_url = options.database_url or database_prepare()
    results = {server: await run_server(options, server) for server in options.servers}
    return {"options": asdict(options), "target_s": TARGET_SECONDS, "servers": results}


COLUMNS = ["server", "fault", "clients", "hit", "recover_s", "acked", "lost", "attempts_mean"]
COLUMNS += ["attempts_max", "out_of_order", "fault_s", "exit_hung", "get_p99_ms", "get_failed"]
COLUMNS += ["ack_p99_ms"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", default="daphne,uvicorn")
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--storm-clients", type=int, default=1000)
    parser.add_argument("--faults", default=",".join(FAULTS))
    parser.add_argument("--redis-down", default="5,30", help="seconds: short,long")
    parser.add_argument("--freeze", type=float, default=10.0)
    parser.add_argument("--heartbeat", type=float, default=2.0)
    parser.add_argument("--writers", type=int, default=2)
    parser.add_argument("--write-interval", type=float, default=0.25)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--recover-timeout", type=float, default=60.0)
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    args = parser.parse_args()
    redis_short, redis_long = (float(s) for s in args.redis_down.split(","))
    options = RecoveryOptions(
        servers=tuple(args.server.split(",")),
        clients=args.clients,
        storm_clients=args.storm_clients,
        faults=tuple(f for f in args.faults.split(",") if f),
        redis_short=redis_short,
        redis_long=redis_long,
        freeze=args.freeze,
        heartbeat=args.heartbeat,
        writers=args.writers,
        write_interval=args.write_interval,
        processes=args.processes,
        recover_timeout=args.recover_timeout,
        database_url=database_prepare(args.database),
    )
    result = asyncio.run(run(options))
    rows = [row for server in result["servers"].values() for row in server["rows"]]
    print(f"REALTIME_HEARTBEAT_SECONDS={options.heartbeat}; target {TARGET_SECONDS} s")
    print(table(rows, COLUMNS))
    for row in rows:
        if row["recover_s"] is None:
            print(f"{row['server']} {row['fault']}: not consistent: {row['laggards']}")
    for server, outcome in result["servers"].items():
        print(f"{server}: final {outcome['final']}, writer failures {outcome['writer_failures']}")
    print(f"raw results: {results_write('recovery', result)}")


if __name__ == "__main__":
    main()
