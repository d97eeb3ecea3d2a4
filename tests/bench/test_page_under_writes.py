from __future__ import annotations

import pytest

from bench.page_under_writes import run

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.timeout(90)]


async def test_the_page_renders_while_writers_write_and_no_write_fails(bench_database):
    result = await run(writers=2, pages=3, server="daphne", tasks=30, database_url=bench_database)

    assert result["idle"]["pages"] == result["loaded"]["pages"] == 3
    assert result["writes"]["operations"] > 0
    assert result["writes"]["errors"] == {}
