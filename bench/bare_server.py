"""The bare floor: a minimal `websockets` server that broadcasts every frame it gets
to every connection. `python -m bench.bare_server --port 8765`."""

from __future__ import annotations

import argparse
import asyncio

from websockets.asyncio.server import ServerConnection, broadcast, serve

from bench.clients import MAX_FRAME
from bench.common import nofile_limit_raise

CONNECTIONS: set[ServerConnection] = set()


async def relay(ws: ServerConnection) -> None:
    CONNECTIONS.add(ws)
    try:
        async for message in ws:
            broadcast(CONNECTIONS, message)
    finally:
        CONNECTIONS.discard(ws)


async def main(port: int) -> None:
    async with serve(
        relay, "127.0.0.1", port, compression=None, max_size=MAX_FRAME, backlog=1024
    ) as server:
        await server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    nofile_limit_raise()
    asyncio.run(main(parser.parse_args().port))
