"""Followers: JSON-protocol clients that reconnect exactly as docs/protocol.md
("Reconnecting") tells a client to, and keep the board's tasks as a client would
(a snapshot replaces the state, an event's task wins when its version is higher).

They run in spawned client processes (no Django), driven from the parent over a pipe:
`status` returns each follower's seq, whether it is connected, and its attempt
counts; `state` returns the tasks each holds, to compare with a fresh snapshot.
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
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from bench.clients import MAX_FRAME
from bench.common import nofile_limit_raise

FATAL_CODES = {4401, 4403, 4404, 4410, 4429}


def reconnect_delay(attempt: int) -> float:
    """The documented wait before reconnect attempt `attempt` (1-based)."""
    if attempt <= 3:
        return random.uniform(0.2, 1.2)
    return 0.5 + random.uniform(0, min(30, 2 ** (attempt - 3)))


@dataclass
class Follower:
    """One client: its URLs (the first is its own worker; after a refused connection it
    tries the next, as a load balancer would), its token, and what it has applied."""

    urls: list[str]
    token: str
    seq: int | None = None
    tasks: dict[int, int] = field(default_factory=dict)  # task id -> version
    connected: bool = False
    attempts: int = 0  # connection attempts after the first one, all told
    out_of_order: int = 0
    fatal: int | None = None
    _url: int = 0
    _attempt: int = 0  # attempts since the server last answered (the hello)
    _parts: dict[int, int] = field(default_factory=dict)

    async def follow(self) -> None:
        while True:
            try:
                await self._session()
            except ConnectionClosed as closed:
                code = closed.rcvd.code if closed.rcvd else 1006
                if code in FATAL_CODES:
                    self.fatal = code
                    return
            except (OSError, InvalidHandshake, TimeoutError):
                self._url = (self._url + 1) % len(self.urls)
            self.connected = False
            self._attempt += 1
            self.attempts += 1
            await asyncio.sleep(reconnect_delay(self._attempt))

    async def _session(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        async with connect(
            self.urls[self._url],
            additional_headers=headers,
            compression=None,
            max_size=MAX_FRAME,
            open_timeout=10,
            close_timeout=2,
            proxy=None,
        ) as ws:
            hello = orjson.loads(await asyncio.wait_for(ws.recv(), 10))
            assert hello["type"] == "hello", hello
            self._attempt = 0
            if self.seq is not None:
                await ws.send(orjson.dumps({"type": "resume", "after": self.seq}).decode())
            self.connected = True
            async for frame in ws:
                message = orjson.loads(frame)
                kind = message["type"]
                if kind == "event":
                    self._event(message)
                elif kind in ("snapshot", "snapshot_more"):
                    self._snapshot_part(message)
                elif kind == "heartbeat" and self.seq is not None and message["seq"] > self.seq:
                    await ws.send(orjson.dumps({"type": "resume", "after": self.seq}).decode())

    def _event(self, message: dict[str, Any]) -> None:
        if self.seq is not None and message["seq"] <= self.seq:
            return  # already applied
        if self.seq is not None and message["seq"] != self.seq + 1:
            self.out_of_order += 1
        task = message.get("task")
        if task is not None and task["version"] > self.tasks.get(task["id"], -1):
            self.tasks[task["id"]] = task["version"]
        self.seq = message["seq"]

    def _snapshot_part(self, message: dict[str, Any]) -> None:
        if message["type"] == "snapshot":
            self._parts = {}
        self._parts.update((task["id"], task["version"]) for task in message["tasks"])
        if not message["more"]:
            self.tasks, self.seq = self._parts, message["seq"]


async def _serve(pipe: Connection, urls: list[list[str]], tokens: list[str]) -> None:
    followers = [Follower(list(u), t) for u, t in zip(urls, tokens, strict=True)]
    tasks = [asyncio.create_task(f.follow()) for f in followers]
    while True:
        command = await asyncio.to_thread(pipe.recv)
        if command == "status":
            rows = [
                (f.seq, f.connected, f.attempts, f.out_of_order, f.fatal, f.urls[f._url])
                for f in followers
            ]
            pipe.send(rows)
        elif command == "state":
            pipe.send([f.tasks for f in followers])
        elif command == "close":
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            pipe.send(None)
            return


def _process_main(pipe: Connection, urls: list[list[str]], tokens: list[str]) -> None:
    nofile_limit_raise()
    asyncio.run(_serve(pipe, urls, tokens))


def laggards(rows: list, target: int) -> dict[str, Any]:
    """Who is not consistent: not connected, behind `target`, or closed for good."""
    return {
        "disconnected": sum(1 for _, ok, *_ in rows if not ok),
        "behind": sum(1 for seq, ok, *_ in rows if ok and (seq is None or seq < target)),
        "fatal": sorted({row[4] for row in rows if row[4] is not None}),
    }


def attempts_summary(before: list, after: list) -> dict[str, float]:
    deltas = [b[2] - a[2] for a, b in zip(before, after, strict=True)]
    return {"attempts_mean": sum(deltas) / len(deltas), "attempts_max": max(deltas)}


class FollowerPool:
    """Followers spread over client processes; follower i's own worker is urls[i % n]."""

    def __init__(self, *, urls: list[str], tokens: list[str], processes: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.pipes: list[Connection] = []
        self.processes: list[multiprocessing.process.BaseProcess] = []
        plans = [urls[i % len(urls) :] + urls[: i % len(urls)] for i in range(len(tokens))]
        processes = max(1, min(processes, len(tokens)))
        for index in range(processes):
            parent, child = context.Pipe()
            args = (child, plans[index::processes], tokens[index::processes])
            process = context.Process(target=_process_main, args=args, daemon=True)
            process.start()
            self.pipes.append(parent)
            self.processes.append(process)

    def _ask(self, command: str, timeout: float = 30) -> list[Any]:
        for pipe in self.pipes:
            pipe.send(command)
        answers = []
        for pipe in self.pipes:
            if not pipe.poll(timeout):
                raise TimeoutError("a follower process did not answer in time")
            answers.extend(pipe.recv() or [])
        return answers

    async def status(self) -> list[tuple[int | None, bool, int, int, int | None, str]]:
        """Per follower: seq, connected, attempts, out of order, fatal code, its URL now."""
        return await asyncio.to_thread(self._ask, "status")

    async def states(self) -> list[dict[int, int]]:
        return await asyncio.to_thread(self._ask, "state")

    async def wait(self, done: Any, timeout: float) -> float | None:
        """Seconds until `done(status rows)` is true, polled every 50 ms; None on timeout."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if done(await self.status()):
                return time.monotonic() - started
            await asyncio.sleep(0.05)
        return None

    async def close(self) -> None:
        try:
            await asyncio.to_thread(self._ask, "close")
        except (OSError, EOFError, TimeoutError):
            pass  # killed below
        finally:
            for process in self.processes:
                process.join(timeout=5)
                if process.is_alive():
                    process.kill()
                    process.join(timeout=5)
