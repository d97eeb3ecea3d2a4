from __future__ import annotations

import pytest

from bench.followers import reconnect_delay
from bench.recovery import FAULTS, RecoveryOptions, run

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.timeout(120)]


async def test_every_client_recovers_from_each_fault_and_no_ack_is_lost(bench_database):
    options = RecoveryOptions(
        servers=("daphne",),
        clients=4,
        storm_clients=6,
        redis_short=0.5,
        redis_long=1.0,
        freeze=1.0,
        heartbeat=1.0,
        processes=2,
        recover_timeout=20,
        database_url=bench_database,
    )

    result = await run(options)

    outcome = result["servers"]["daphne"]
    assert [row["fault"] for row in outcome["rows"]] == ["storm", *FAULTS]
    for row in outcome["rows"]:
        assert row["recover_s"] is not None, row
        assert row["lost"] == 0, row
    assert sum(row["acked"] for row in outcome["rows"]) > 0
    final = outcome["final"]
    assert final["settle_s"] is not None
    assert final["behind"] == final["state_differs"] == 0
    assert final["fatal_closes"] == []


def test_reconnect_delay_follows_the_documented_policy():
    assert all(0.2 <= reconnect_delay(attempt) <= 1.2 for attempt in (1, 2, 3))
    assert all(0.5 <= reconnect_delay(5) <= 4.5 for _ in range(50))
    assert all(reconnect_delay(40) <= 30.5 for _ in range(50))
