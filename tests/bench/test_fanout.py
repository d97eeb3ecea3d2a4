from __future__ import annotations

import pytest

from bench.fanout import FanoutOptions, run

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.timeout(90)]


def tiny(database_url: str, **overrides) -> FanoutOptions:
    options = dict(
        clients=12,
        events=4,
        interval=0.2,
        warmup=1,
        settle=0.5,
        client_processes=2,
        drain_timeout=10,
        database_url=database_url,
    )
    return FanoutOptions(**{**options, **overrides})


def assert_complete(system: dict) -> None:
    assert system["held"] == system["clients"]
    assert system["failed"] == system["dropped"] == 0
    assert system["delivered"] == system["expected"] == system["clients"] * 4
    assert system["duplicates"] == system["out_of_order"] == 0
    assert system["samples"] == system["delivered"]


async def test_every_system_delivers_every_event_to_every_client(bench_database):
    result = await run(tiny(bench_database))

    assert set(result["systems"]) == {"taskboard", "bare", "plain"}
    for system in result["systems"].values():
        assert_complete(system)
    assert set(result["ratios"]) == {"p99_vs_bare", "plain_p99_over_ours"}


async def test_two_workers_deliver_every_event_to_every_client(bench_database):
    result = await run(tiny(bench_database, workers=2, systems=("taskboard",)))

    assert_complete(result["systems"]["taskboard"])


async def test_the_bare_floor_sends_payloads_of_the_requested_size(bench_database):
    result = await run(tiny(bench_database, systems=("bare",), payload_bytes=900))

    assert abs(result["systems"]["bare"]["mean_event_bytes"] - 900) <= 2
