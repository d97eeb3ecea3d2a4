from __future__ import annotations

import pytest

from bench.claims import ClaimsOptions, run

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.timeout(90)]


async def test_every_race_has_exactly_one_winner_across_two_workers(bench_database):
    options = ClaimsOptions(
        racers=4, races=6, clients=2, seconds=0.5, workers=(2,), database_url=bench_database
    )

    result = await run(options)

    race = result["workers"]["2"]["contended"]
    assert race["single_winner_races"] == race["races"] == 6
    assert race["unexpected_errors"] == {}
    assert race["claimed_events_per_race"] == [1]
    assert race["observer_seq"] == race["expected_seq"]


async def test_uncontended_changes_all_succeed_over_both_transports(bench_database):
    options = ClaimsOptions(
        racers=2, races=1, clients=2, seconds=0.5, workers=(1,), database_url=bench_database
    )

    result = await run(options)

    for transport in ("ws", "http"):
        row = result["workers"]["1"][f"uncontended_{transport}"]
        assert row["errors"] == {}
        assert row["operations"] >= 4 and row["operations"] % 4 == 0
    # The floor ran in the same run, and the single write got its ack and its event.
    assert result["floor"]["uncontended"]["operations"] % 4 == 0
    assert result["floor"]["uncontended"]["operations"] >= 4
    single = result["workers"]["1"]["single"]
    assert single["ack_ms"]["samples"] == single["event_ms"]["samples"] >= 4
