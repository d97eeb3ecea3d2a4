"""The load that runs through the recovery benchmark: writers that keep changing the
board over the JSON protocol (recording every acknowledged change), and a probe that
times `GET /api/v1/boards` on one worker."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field

from bench.drivers import HttpClient, ProtocolClient
from bench.fanout import _action

ACT_TIMEOUT = 5.0


@dataclass
class Ack:
    seq: int
    task: int
    version: int
    phase: str
    at: float
    latency: float


@dataclass
class Writers:
    """`len(tokens)` writers, writer i on worker i % 2 first (the next after a failed
    connection), each cycling its own tasks through claim, done, reopen and release."""

    urls: list[str]
    tokens: list[str]
    tasks: list[list[int]]
    interval: float
    phase: str = "warm-up"
    acks: list[Ack] = field(default_factory=list)
    failures: int = 0
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _running: list[asyncio.Task[None]] = field(default_factory=list)

    def start(self) -> None:
        self._running = [asyncio.create_task(self._write(i)) for i in range(len(self.tokens))]

    async def stop(self) -> None:
        self._stop.set()
        await asyncio.gather(*self._running, return_exceptions=True)

    async def _write(self, index: int) -> None:
        url, client, step = index % len(self.urls), None, 0
        while not self._stop.is_set():
            try:
                if client is None:
                    client = await asyncio.wait_for(
                        ProtocolClient.open(self.urls[url], self.tokens[index]), ACT_TIMEOUT
                    )
                sent = time.monotonic()
                reply = await client.act(_action(step, self.tasks[index]), timeout=ACT_TIMEOUT)
                step += 1
                if reply["type"] == "ack" and reply["seq"] is not None:
                    task = reply["task"]
                    self.acks.append(
                        Ack(reply["seq"], task["id"], task["version"], self.phase, sent,
                            time.monotonic() - sent)
                    )  # fmt: skip
            except Exception:  # a dead worker or connection: count it and reconnect
                self.failures += 1
                step += 1  # the change may have committed; go on with the cycle
                if client is not None:
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(client.close(), 2)
                client, url = None, (url + 1) % len(self.urls)
                await asyncio.sleep(0.2)
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.interval)
        if client is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(client.close(), 2)


@dataclass
class Probe:
    """`GET /api/v1/boards` on one worker every `interval` s: (start, latency or None)."""

    port: int
    token: str
    interval: float = 0.1
    samples: list[tuple[float, float | None]] = field(default_factory=list)
    _task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        client: HttpClient | None = None
        while True:
            started = time.monotonic()
            try:
                if client is None:
                    client = await asyncio.wait_for(HttpClient(self.port, self.token).open(), 5)
                status, _ = await asyncio.wait_for(client.get("/api/v1/boards"), 10)
                ok = status == 200
            except (OSError, TimeoutError, ValueError, IndexError, asyncio.IncompleteReadError):
                ok = False
            if ok:
                self.samples.append((started, time.monotonic() - started))
            else:
                self.samples.append((started, None))
                if client is not None:
                    await client.close()
                client = None
            await asyncio.sleep(max(0.0, self.interval - (time.monotonic() - started)))

    def window(self, start: float, end: float) -> tuple[list[float], int]:
        """Latencies of the successful probes started in [start, end], and the failures."""
        inside = [latency for at, latency in self.samples if start <= at <= end]
        return [x for x in inside if x is not None], sum(1 for x in inside if x is None)
