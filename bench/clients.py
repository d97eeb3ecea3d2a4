"""The listening clients: N WebSocket connections spread over separate processes, each
an asyncio loop with the `websockets` library, recording when each event arrives.

The same harness listens to every system measured (the app, the bare floor, the plain
Channels consumer), so their numbers differ only by the server. Events are frames that
start with `{"type":"event","seq":<n>`; arrival times are `time.monotonic()`, which on
Linux is one clock for every process, so they compare with the driver's send times.

This module imports no Django: the processes are spawned, not forked.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import random
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from bench.common import nofile_limit_raise

EVENT_PREFIX = '{"type":"event","seq":'
# A worker refuses handshakes with 1013 while too many wait for its database threads
# (realtime/db_threads.py): the clients come back as docs/protocol.md says.
CONNECT_ATTEMPTS = 10
MAX_FRAME = 16 * 2**20


def reconnect_wait(attempt: int) -> float:
    """docs/protocol.md, "Reconnecting": three quick tries with jitter, then longer."""
    if attempt < 3:
        return random.uniform(0.2, 1.2)
    return 0.5 + random.uniform(0, min(30, 2 ** (attempt - 3)))


def event_seq(frame: str | bytes) -> int | None:
    """The seq of an event frame, read without parsing the rest of it."""
    if isinstance(frame, bytes):
        frame = frame.decode()
    if not frame.startswith(EVENT_PREFIX):
        return None
    start = len(EVENT_PREFIX)
    end = start
    while frame[end].isdigit():
        end += 1
    return int(frame[start:end])


@dataclass
class Listener:
    """One connection and what it received."""

    ws: ClientConnection
    seqs: list[int] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    event_bytes: int = 0
    other_frames: int = 0
    other_bytes: int = 0
    closed_code: int | None = None

    async def listen(self) -> None:
        try:
            async for frame in self.ws:
                arrived = time.monotonic()
                seq = event_seq(frame)
                if seq is None:
                    self.other_frames += 1
                    self.other_bytes += len(frame)
                    continue
                self.seqs.append(seq)
                self.times.append(arrived)
                self.event_bytes += len(frame)
        except ConnectionClosed as closed:
            self.closed_code = closed.rcvd.code if closed.rcvd else 1006
        else:
            self.closed_code = self.ws.close_code or 1000


@dataclass
class ListenerGroup:
    urls: list[str]
    tokens: list[str | None]
    protocol: str  # "taskboard": hello, then resume from its seq; "raw": nothing
    concurrency: int = 64
    open_timeout: float = 60.0
    listeners: list[Listener] = field(default_factory=list)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    stopping: bool = False

    async def connect_all(self) -> None:
        gate = asyncio.Semaphore(self.concurrency)
        await asyncio.gather(*(self._connect(i, gate) for i in range(len(self.tokens))))

    async def _connect(self, index: int, gate: asyncio.Semaphore) -> None:
        url, token = self.urls[index % len(self.urls)], self.tokens[index]
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        error = ""
        for attempt in range(CONNECT_ATTEMPTS):
            try:
                async with gate:
                    ws = await asyncio.wait_for(self._open(url, headers), self.open_timeout)
                listener = Listener(ws)
                self.listeners.append(listener)
                self.tasks.append(asyncio.create_task(listener.listen()))
                return
            except (OSError, TimeoutError, ConnectionClosed, Exception) as failure:
                error = f"{type(failure).__name__}: {failure}"
                await asyncio.sleep(reconnect_wait(attempt))
        self.failures.append(error)

    async def _open(self, url: str, headers: dict[str, str]) -> ClientConnection:
        ws = await connect(
            url,
            additional_headers=headers,
            compression=None,
            ping_interval=None,
            max_size=MAX_FRAME,
            open_timeout=None,
            close_timeout=2,
            proxy=None,
        )
        if self.protocol == "taskboard":
            hello = orjson.loads(await ws.recv())
            if hello.get("type") != "hello":
                await ws.close()
                raise RuntimeError(f"expected hello, got {hello.get('type')}")
            await ws.send(orjson.dumps({"type": "resume", "after": hello["seq"]}).decode())
        return ws

    def caught_up(self, last: int) -> bool:
        return all(
            listener.closed_code is not None or (listener.seqs and listener.seqs[-1] >= last)
            for listener in self.listeners
        )

    async def collect(self, send_times: dict[int, float], timeout: float) -> dict[str, Any]:
        """Wait (up to `timeout`) for every expected event, then summarise."""
        last = max(send_times, default=0)
        deadline = time.monotonic() + timeout
        while not self.caught_up(last) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        return self.report(send_times)

    def report(self, send_times: dict[int, float]) -> dict[str, Any]:
        latencies: list[float] = []
        # Per event: when its first and its last copy arrived in this process.
        spans: dict[int, list[float]] = {}
        delivered = duplicates = out_of_order = event_frames = event_bytes = 0
        for listener in self.listeners:
            seen: set[int] = set()
            previous = None
            for seq, arrived in zip(listener.seqs, listener.times, strict=True):
                if previous is not None and seq != previous + 1:
                    out_of_order += 1
                previous = seq
                if seq not in send_times:
                    continue
                if seq in seen:
                    duplicates += 1
                    continue
                seen.add(seq)
                latencies.append(arrived - send_times[seq])
                span = spans.setdefault(seq, [arrived, arrived])
                span[0], span[1] = min(span[0], arrived), max(span[1], arrived)
            delivered += len(seen)
            event_frames += len(listener.seqs)
            event_bytes += listener.event_bytes
        return {
            "connected": len(self.listeners),
            "failed": len(self.failures),
            "failures": self.failures[:3],
            "dropped": sum(1 for li in self.listeners if li.closed_code is not None),
            "close_codes": sorted({li.closed_code for li in self.listeners if li.closed_code}),
            "expected": len(send_times) * len(self.listeners),
            "delivered": delivered,
            "duplicates": duplicates,
            "out_of_order": out_of_order,
            "event_frames": event_frames,
            "event_bytes": event_bytes,
            "other_frames": sum(li.other_frames for li in self.listeners),
            "other_bytes": sum(li.other_bytes for li in self.listeners),
            "latencies": latencies,
            "spans": spans,
        }

    async def close_all(self) -> None:
        self.stopping = True
        await asyncio.gather(*(li.ws.close() for li in self.listeners), return_exceptions=True)
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


async def _serve(pipe: Connection, group: ListenerGroup) -> None:
    await group.connect_all()
    pipe.send(("connected", len(group.listeners), group.failures[:3]))
    while True:
        command, args = await asyncio.to_thread(pipe.recv)
        if command == "collect":
            pipe.send(("report", await group.collect(*args)))
        elif command == "close":
            await group.close_all()
            pipe.send(("closed", None))
            return


def _process_main(pipe: Connection, spec: dict[str, Any]) -> None:
    nofile_limit_raise()
    asyncio.run(_serve(pipe, ListenerGroup(**spec)))


class ListenerPool:
    """Client processes holding the listening connections, driven from the parent."""

    def __init__(self, *, urls: list[str], tokens: list[str | None], protocol: str, processes: int):
        context = multiprocessing.get_context("spawn")
        self.pipes: list[Connection] = []
        self.processes: list[multiprocessing.process.BaseProcess] = []
        processes = max(1, min(processes, len(tokens)))
        for index in range(processes):
            mine = tokens[index::processes]
            # Alternate servers by global client number, so the workers share evenly.
            my_urls = [urls[(index + k * processes) % len(urls)] for k in range(len(urls))]
            parent, child = context.Pipe()
            spec = {"urls": my_urls, "tokens": mine, "protocol": protocol}
            process = context.Process(target=_process_main, args=(child, spec), daemon=True)
            process.start()
            self.pipes.append(parent)
            self.processes.append(process)

    async def _ask_all(self, message: tuple[str, Any] | None, timeout: float) -> list[Any]:
        def ask(pipe: Connection) -> Any:
            if message is not None:
                pipe.send(message)
            if not pipe.poll(timeout):
                raise TimeoutError("a client process did not answer in time")
            return pipe.recv()[1:]

        return await asyncio.gather(*(asyncio.to_thread(ask, pipe) for pipe in self.pipes))

    async def connected(self, timeout: float) -> tuple[int, list[str]]:
        answers = await self._ask_all(None, timeout)
        return sum(n for n, _ in answers), [f for _, failures in answers for f in failures]

    async def collect(self, send_times: dict[int, float], timeout: float) -> dict[str, Any]:
        reports = [
            a[0] for a in await self._ask_all(("collect", (send_times, timeout)), timeout + 30)
        ]
        merged: dict[str, Any] = {"spans": {}}
        for report in reports:
            for seq, (first, last) in report.pop("spans").items():
                span = merged["spans"].setdefault(seq, [first, last])
                span[0], span[1] = min(span[0], first), max(span[1], last)
            for key, value in report.items():
                if isinstance(value, list):
                    merged.setdefault(key, []).extend(value)
                else:
                    merged[key] = merged.get(key, 0) + value
        merged["close_codes"] = sorted(set(merged.get("close_codes", [])))
        return merged

    async def close(self) -> None:
        try:
            await self._ask_all(("close", None), 30)
        except (OSError, EOFError, TimeoutError):
            pass  # a process that died or hangs is killed below
        finally:
            for process in self.processes:
                process.join(timeout=5)
                if process.is_alive():
                    process.kill()
                    process.join(timeout=5)
