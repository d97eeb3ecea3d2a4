"""Catch-up: how long a client that missed N events (1,000 by default) takes to be
consistent again: reconnect, `resume` from its last seq, apply the replayed events.
Each replay is checked: every seq once, in order, and the state it builds equals a
fresh snapshot. For comparison, the time the server takes to send a whole snapshot.

    python -m bench.catchup --missed 1000
"""

from __future__ import annotations

import argparse
import asyncio
import time
from dataclasses import asdict, dataclass
from typing import Any

import orjson

from bench.common import latency_summary, results_write, run_tag, table
from bench.drivers import ProtocolClient
from bench.stack import Stack, database_prepare, seed

COMPARED = ("status", "version", "owner", "position", "title")


@dataclass
class CatchupOptions:
    missed: int = 1000
    tasks: int = 20
    repeat: int = 5
    database_url: str = ""


def board_state(snapshot: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {task["id"]: task for task in snapshot["tasks"]}


def events_apply(state: dict[int, dict[str, Any]], events: list[dict[str, Any]]) -> None:
    """Apply task events as a client does: the higher version wins; archived leave."""
    for event in events:
        task = event.get("task")
        if task is None:
            continue
        current = state.get(task["id"])
        if current is None or task["version"] > current["version"]:
            state[task["id"]] = task
        if task["status"] == "ARCHIVED":
            state.pop(task["id"], None)


def comparable(state: dict[int, dict[str, Any]]) -> dict[int, tuple]:
    return {tid: tuple(str(task[k]) for k in COMPARED) for tid, task in state.items()}


async def snapshot_get(url: str, token: str) -> tuple[dict, float]:
    """The snapshot a client gets when it sends no `resume`, and how long the server
    took to send it once the resume window (announced in the hello) had passed."""
    client = await ProtocolClient.open(url, token, resume=False)
    client.keep_frames = True
    hello_at = time.monotonic()
    await client.wait_for(lambda: client.snapshots > 0)
    elapsed = time.monotonic() - hello_at - client.hello["limits"]["resume_window_ms"] / 1000
    await client.close()
    return next(f for f in client.frames if f["type"] == "snapshot"), elapsed


async def resume_once(url: str, token: str, after: int, last: int) -> dict[str, Any]:
    started = time.monotonic()
    client = await ProtocolClient.open(url, token, resume=False)
    client.keep_frames = True
    hello_at = time.monotonic()
    await client.ws.send(orjson.dumps({"type": "resume", "after": after}).decode())
    # The hello already names the board's seq: consistent means the last event applied.
    await client.wait_for(lambda: bool(client.events) and client.events[-1][0] >= last)
    done_at = time.monotonic()
    await client.close()
    events = [f for f in client.frames if f["type"] == "event"]
    return {
        "events": events,
        "snapshots": client.snapshots,
        "connect_s": hello_at - started,
        "replay_s": done_at - hello_at,
        "total_s": done_at - started,
    }


async def run(options: CatchupOptions) -> dict[str, Any]:
    database_url = options.database_url or database_prepare()
    with Stack() as stack:
        redis_url, _ = stack.redis()
        data = await asyncio.to_thread(
            seed,
            "board",
            database_url=database_url,
            tag=run_tag(),
            members=2,
            tasks=options.tasks,
        )
        [(port, _)] = stack.workers(1, database_url=database_url, redis_url=redis_url)
        url = f"ws://127.0.0.1:{port}/ws/v1/boards/{data['board']}/"
        token = data["tokens"][0]
        before, _ = await snapshot_get(url, token)
        after = before["seq"]
        await asyncio.to_thread(
            seed,
            "events",
            database_url=database_url,
            user=data["users"][1],
            tasks=data["tasks"],
            count=options.missed,
        )
        reference, snapshot_s = await snapshot_get(url, token)
        last = after + options.missed
        runs, problems = [], []
        for _ in range(options.repeat):
            run_ = await resume_once(url, token, after, last)
            seqs = [event["seq"] for event in run_["events"]]
            state = board_state(before)
            events_apply(state, run_.pop("events"))
            if seqs != list(range(after + 1, last + 1)):
                problems.append(
                    f"replayed seqs {seqs[:3]}...{seqs[-3:]} (want {after + 1}..{last})"
                )
            if run_["snapshots"]:
                problems.append("got a snapshot instead of the events")
            if comparable(state) != comparable(board_state(reference)):
                problems.append("the replayed state differs from a fresh snapshot")
            runs.append(run_)
    return {
        "options": asdict(options),
        "missed": options.missed,
        "reference_seq": reference["seq"],
        "total_ms": latency_summary(r["total_s"] for r in runs),
        "replay_ms": latency_summary(r["replay_s"] for r in runs),
        "connect_ms": latency_summary(r["connect_s"] for r in runs),
        "snapshot_ms": snapshot_s * 1000,
        "problems": problems,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--missed", type=int, default=1000)
    parser.add_argument("--tasks", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    result = asyncio.run(
        run(CatchupOptions(missed=args.missed, tasks=args.tasks, repeat=args.repeat))
    )
    rows = [
        {"measure": name, **{k: v for k, v in result[name].items() if k != "samples"}}
        for name in ("connect_ms", "replay_ms", "total_ms")
    ]
    print(f"missed {result['missed']} events, {args.repeat} reconnects:")
    print(table(rows, ["measure", "p50_ms", "p95_ms", "max_ms"]))
    print(f"a whole snapshot instead (after the resume window): {result['snapshot_ms']:.1f} ms")
    print("consistent every time" if not result["problems"] else f"PROBLEMS: {result['problems']}")
    print(f"raw results: {results_write('catchup', result)}")


if __name__ == "__main__":
    main()
