from __future__ import annotations

import pytest

from bench.catchup import CatchupOptions, events_apply, run

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.timeout(90)]


async def test_a_client_that_missed_events_is_consistent_after_resume(bench_database):
    result = await run(CatchupOptions(missed=40, tasks=4, repeat=2, database_url=bench_database))

    assert result["problems"] == []
    assert result["total_ms"]["samples"] == 2


def test_events_apply_keeps_the_higher_version():
    state = {1: {"id": 1, "version": 3, "status": "DONE"}}

    events_apply(state, [{"task": {"id": 1, "version": 2, "status": "UNASSIGNED"}}])

    assert state[1]["status"] == "DONE"
