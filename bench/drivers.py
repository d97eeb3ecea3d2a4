"""Clients that act: a JSON-protocol client that sends actions and awaits their
ack/error, a raw client that sends the bare and plain servers a payload to broadcast,
and a minimal keep-alive HTTP/1.1 client for the HTTP API (no extra dependency)."""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect

from bench.clients import MAX_FRAME, event_seq


async def ws_open(url: str, token: str | None = None) -> ClientConnection:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await connect(
        url,
        additional_headers=headers,
        compression=None,
        ping_interval=None,
        max_size=MAX_FRAME,
        open_timeout=30,
        close_timeout=2,
        proxy=None,
    )


class ProtocolClient:
    """A JSON-protocol connection: `await act({...})` returns the ack or error, and
    every event is kept in `events` (seq, kind, arrival time)."""

    def __init__(self, ws: ClientConnection, hello: dict[str, Any]) -> None:
        self.ws = ws
        self.hello = hello
        self.seq: int = hello["seq"]
        self.events: list[tuple[int, str, float]] = []
        self.frames: list[dict[str, Any]] = []
        self.keep_frames = False
        self.snapshots = 0
        self._refs = itertools.count(1)
        self._waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def open(cls, url: str, token: str, *, resume: bool = True) -> ProtocolClient:
        ws = await ws_open(url, token)
        hello = orjson.loads(await asyncio.wait_for(ws.recv(), 30))
        assert hello["type"] == "hello", hello
        if resume:
            await ws.send(orjson.dumps({"type": "resume", "after": hello["seq"]}).decode())
        return cls(ws, hello)

    async def _read(self) -> None:
        async for frame in self.ws:
            arrived = time.monotonic()
            seq = event_seq(frame)
            if seq is not None and not self.keep_frames:
                self.events.append((seq, "", arrived))
                self.seq = max(self.seq, seq)
                continue
            message = orjson.loads(frame)
            if self.keep_frames:
                self.frames.append(message)
            if message["type"] == "event":
                self.events.append((message["seq"], message["kind"], arrived))
                self.seq = max(self.seq, message["seq"])
            elif message["type"] == "snapshot":
                self.seq = message["seq"]
                self.snapshots += 1
            waiter = self._waiting.pop(str(message.get("ref")), None)
            if waiter is not None and not waiter.done():
                waiter.set_result(message)

    async def wait_for(self, predicate: Any, timeout: float = 30) -> None:
        """Wait until `predicate()` is true, polling as frames arrive."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline or self._reader.done():
                raise TimeoutError(f"gave up waiting at seq {self.seq}")
            await asyncio.sleep(0.001)

    async def act(self, message: dict[str, Any], *, timeout: float = 30) -> dict[str, Any]:
        """Send an action (a `ref` is added) and return its ack or error."""
        ref = str(next(self._refs))
        waiter = asyncio.get_running_loop().create_future()
        self._waiting[ref] = waiter
        await self.ws.send(orjson.dumps({**message, "ref": ref}).decode())
        return await asyncio.wait_for(waiter, timeout)

    async def close(self) -> None:
        await self.ws.close()
        self._reader.cancel()
        await asyncio.gather(self._reader, return_exceptions=True)


def raw_payload(seq: int, size: int) -> str:
    """An event-shaped frame of about `size` bytes for the bare and plain servers."""
    head = f'{{"type":"event","seq":{seq},"pad":"'
    return head + "x" * max(0, size - len(head) - 2) + '"}'


class HttpClient:
    """One keep-alive HTTP/1.1 connection with a Bearer token."""

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.token = token
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> HttpClient:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        return self

    async def post(self, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        return await self.request("POST", path, orjson.dumps(body or {}))

    async def get(self, path: str) -> tuple[int, Any]:
        return await self.request("GET", path, b"")

    async def request(self, method: str, path: str, data: bytes) -> tuple[int, Any]:
        assert self.reader is not None and self.writer is not None
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {self.token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n\r\n"
        )
        self.writer.write(head.encode() + data)
        await self.writer.drain()
        status = int((await self.reader.readline()).split()[1])
        headers: dict[str, str] = {}
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding") == "chunked":
            content = b""
            while size := int((await self.reader.readline()).strip(), 16):
                content += await self.reader.readexactly(size)
                await self.reader.readline()
            await self.reader.readline()
        else:
            content = await self.reader.readexactly(int(headers.get("content-length", "0")))
        return status, orjson.loads(content) if content else None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            await asyncio.gather(self.writer.wait_closed(), return_exceptions=True)
