"""Fan-out: N JSON-protocol clients on one board; a driver makes claims and status
changes through the protocol; each client's receipt of each event is timed from the
moment the driver sent the action. The same client harness then measures the bare
floor (bench.bare_server) and a plain Channels consumer (bench.plain_channels).

    python -m bench.fanout --clients 1000 --workers 1
"""

from __future__ import annotations

import argparse
import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from bench.clients import ListenerPool
from bench.common import (
    cpu_seconds,
    free_port,
    latency_summary,
    nofile_limit_raise,
    results_write,
    rss_kib,
    run_tag,
    table,
)
from bench.drivers import ProtocolClient, raw_payload, ws_open
from bench.profiling import profilers_start, profilers_stop
from bench.seed import CYCLE, cycle_step
from bench.stack import PYTHON, Stack, database_prepare, django_env, seed

SYSTEMS = ("taskboard", "bare", "plain")
DEFAULT_PAYLOAD_BYTES = 600
TASKS = 4


@dataclass
class FanoutOptions:
    clients: int = 100
    workers: int = 1
    events: int = 20
    interval: float = 1.0
    warmup: int = 2  # actions before the measured ones: first-use costs are not fan-out
    client_processes: int = 0  # 0: one per 1,250 clients, at least 2
    systems: tuple[str, ...] = SYSTEMS
    payload_bytes: int = 0  # 0: the app's mean event size (or 600 without the app)
    settle: float = 2.0
    drain_timeout: float = 15.0
    database_url: str = ""  # "": re-create taskboard_bench
    server: str = "daphne"  # or "uvicorn" (the app's workers only)
    py_spy: str = ""  # a py-spy binary: profile the servers while the events go out

    @property
    def processes(self) -> int:
        return self.client_processes or max(2, math.ceil(self.clients / 1250))


@dataclass
class Target:
    """What a phase measures: where clients connect, how the driver acts, what to watch."""

    urls: list[str]
    tokens: list[str | None]
    protocol: str
    act: Callable[[int], Awaitable[tuple[int, float]]]
    pids: list[int]
    redis_pid: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _action(step: int, tasks: list[int]) -> dict[str, Any]:
    index, action = cycle_step(step, len(tasks))
    if action in ("claim", "release"):
        return {"type": action, "task": tasks[index]}
    return {"type": "set_status", "task": tasks[index], "status": action}


async def measure(options: FanoutOptions, target: Target) -> dict[str, Any]:
    rss_before = sum(rss_kib(pid) for pid in target.pids)
    pool = ListenerPool(
        urls=target.urls,
        tokens=target.tokens,
        protocol=target.protocol,
        processes=options.processes,
    )
    try:
        started = time.monotonic()
        connected, failures = await pool.connected(timeout=60 + options.clients / 20)
        connect_seconds = time.monotonic() - started
        await asyncio.sleep(options.settle)
        rss_idle = sum(rss_kib(pid) for pid in target.pids)
        for step in range(options.warmup):
            await target.act(step)
            await asyncio.sleep(options.interval)
        watched = [*target.pids, *([target.redis_pid] if target.redis_pid else [])]
        cpu_before = {pid: cpu_seconds(pid) for pid in watched}
        profilers = profilers_start(options.py_spy, target.pids, target.extra["system"])
        send_times: dict[int, float] = {}
        start = time.monotonic()
        for step in range(options.events):
            await asyncio.sleep(max(0.0, start + step * options.interval - time.monotonic()))
            seq, sent = await target.act(options.warmup + step)
            send_times[seq] = sent
        report = await pool.collect(send_times, options.drain_timeout)
        profiles = profilers_stop(profilers)
        cpu = {pid: cpu_seconds(pid) - cpu_before[pid] for pid in watched}
        rss_after = sum(rss_kib(pid) for pid in target.pids)
    finally:
        await pool.close()
    latencies = report.pop("latencies")
    spans = report.pop("spans")
    # Per event: the first copy out measures the write path (action, database, layer);
    # the last copy, the whole fan-out.
    first = [spans[seq][0] - sent for seq, sent in send_times.items() if seq in spans]
    everyone = [spans[seq][1] - sent for seq, sent in send_times.items() if seq in spans]
    server_cpu = sum(cpu[pid] for pid in target.pids)
    return {
        **report,
        **latency_summary(latencies),
        "first_received_ms": _without_samples(latency_summary(first)),
        "all_received_ms": _without_samples(latency_summary(everyone)),
        "clients": len(target.tokens),
        "connect_seconds": connect_seconds,
        "connect_failures": failures,
        "held": report["connected"] - report["dropped"],
        "rss_before_kib": rss_before,
        "rss_idle_kib": rss_idle,
        "rss_after_kib": rss_after,
        "kib_per_idle_connection": (rss_idle - rss_before) / max(1, connected),
        "server_cpu_seconds": server_cpu,
        "redis_cpu_seconds": cpu.get(target.redis_pid, 0.0) if target.redis_pid else None,
        "server_cpu_us_per_delivery": server_cpu / max(1, report["delivered"]) * 1e6,
        "mean_event_bytes": report["event_bytes"] / max(1, report["event_frames"]),
        **target.extra,
        "profiles": profiles,
    }


def _without_samples(summary: dict[str, float]) -> dict[str, float]:
    return {key: value for key, value in summary.items() if key != "samples"}


async def taskboard_phase(options: FanoutOptions, stack: Stack) -> dict[str, Any]:
    database_url = options.database_url or database_prepare()
    redis_url, redis_pid = stack.redis()
    data = await asyncio.to_thread(
        seed,
        "board",
        database_url=database_url,
        tag=run_tag(),
        members=options.clients + 1,
        tasks=TASKS,
    )
    workers = stack.workers(
        options.workers, database_url=database_url, redis_url=redis_url, server=options.server
    )
    urls = [f"ws://127.0.0.1:{port}/ws/v1/boards/{data['board']}/" for port, _ in workers]
    driver = await ProtocolClient.open(urls[0], data["tokens"][0])

    async def act(step: int) -> tuple[int, float]:
        sent = time.monotonic()
        reply = await driver.act(_action(step, data["tasks"]))
        if reply["type"] != "ack" or reply["seq"] is None:
            raise RuntimeError(f"action {step} ({CYCLE[step % len(CYCLE)]}) failed: {reply}")
        return reply["seq"], sent

    pids = [pid for _, pid in workers]
    target = Target(urls, data["tokens"][1:], "taskboard", act, pids, redis_pid)
    target.extra.update(system="taskboard", server=options.server)
    try:
        return await measure(options, target)
    finally:
        await driver.close()


async def raw_phase(options: FanoutOptions, target_urls: list[str], target: Target) -> dict:
    driver = await ws_open(target_urls[0])
    drain = asyncio.create_task(_discard(driver))
    size = options.payload_bytes or DEFAULT_PAYLOAD_BYTES

    async def act(step: int) -> tuple[int, float]:
        frame = raw_payload(step + 1, size)
        sent = time.monotonic()
        await driver.send(frame)
        return step + 1, sent

    target.act = act
    try:
        return await measure(options, target)
    finally:
        drain.cancel()
        await driver.close()


async def _discard(ws: Any) -> None:
    async for _ in ws:
        pass


async def bare_phase(options: FanoutOptions, stack: Stack) -> dict[str, Any]:
    port = free_port()
    pid = stack.start("bare", [PYTHON, "-m", "bench.bare_server", "--port", str(port)], port=port)
    urls = [f"ws://127.0.0.1:{port}/"]
    extra = {"workers": 1, "system": "bare"}
    target = Target(urls, [None] * options.clients, "raw", _unset, [pid], extra=extra)
    return await raw_phase(options, urls, target)


async def plain_phase(options: FanoutOptions, stack: Stack) -> dict[str, Any]:
    redis_url, redis_pid = stack.redis()
    env = django_env(database_url="", redis_url=redis_url)
    env["DJANGO_SETTINGS_MODULE"] = "bench.plain_channels.settings"
    workers = stack.daphne("bench.plain_channels.asgi:application", env=env, count=options.workers)
    urls = [f"ws://127.0.0.1:{port}/ws/" for port, _ in workers]
    pids = [pid for _, pid in workers]
    target = Target(urls, [None] * options.clients, "raw", _unset, pids, redis_pid)
    target.extra["system"] = "plain"
    return await raw_phase(options, urls, target)


async def _unset(step: int) -> tuple[int, float]:
    raise NotImplementedError


PHASES = {"taskboard": taskboard_phase, "bare": bare_phase, "plain": plain_phase}


async def run(options: FanoutOptions) -> dict[str, Any]:
    nofile_limit_raise()
    results: dict[str, Any] = {}
    for system in options.systems:
        with Stack() as stack:
            results[system] = await PHASES[system](options, stack)
            results[system].setdefault("workers", options.workers)
        if system == "taskboard" and not options.payload_bytes:
            options.payload_bytes = round(results[system]["mean_event_bytes"])
    ratios = {}
    if "taskboard" in results:
        ours = results["taskboard"]["p99_ms"]
        if "bare" in results:
            ratios["p99_vs_bare"] = ours / results["bare"]["p99_ms"]
        if "plain" in results:
            ratios["plain_p99_over_ours"] = results["plain"]["p99_ms"] / ours
    return {"options": asdict(options), "systems": results, "ratios": ratios}


COLUMNS = [
    "system", "workers", "clients", "held", "dropped", "delivered", "expected",
    "first_p50_ms", "p50_ms", "p95_ms", "p99_ms", "max_ms", "kib_per_idle_connection",
    "server_cpu_us_per_delivery",
]  # fmt: skip


def report_print(result: dict[str, Any]) -> None:
    rows = [
        {"system": name, "first_p50_ms": values["first_received_ms"]["p50_ms"], **values}
        for name, values in result["systems"].items()
    ]
    print(table(rows, COLUMNS))
    ratios = result["ratios"]
    if "p99_vs_bare" in ratios:
        print(f"our p99 / bare floor p99: {ratios['p99_vs_bare']:.2f}x (target <= 1.25x, issue 13)")
    if "plain_p99_over_ours" in ratios:
        print(f"plain Channels p99 / our p99: {ratios['plain_p99_over_ours']:.2f}x (target >= 4x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--workers", type=int, default=1, choices=(1, 2))
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between actions")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured actions first")
    parser.add_argument("--settle", type=float, default=2.0, help="idle seconds after connecting")
    parser.add_argument("--client-processes", type=int, default=0)
    parser.add_argument("--systems", default=",".join(SYSTEMS))
    parser.add_argument("--payload-bytes", type=int, default=0)
    parser.add_argument("--server", default="daphne", choices=("daphne", "uvicorn"))
    parser.add_argument("--py-spy", default="", help="path to py-spy: profile the servers")
    args = parser.parse_args()
    options = FanoutOptions(
        clients=args.clients,
        workers=args.workers,
        events=args.events,
        interval=args.interval,
        warmup=args.warmup,
        settle=args.settle,
        client_processes=args.client_processes,
        systems=tuple(s for s in args.systems.split(",") if s),
        payload_bytes=args.payload_bytes,
        server=args.server,
        py_spy=args.py_spy,
    )
    result = asyncio.run(run(options))
    report_print(result)
    print(f"raw results: {results_write('fanout', result)}")


if __name__ == "__main__":
    main()
