"""channels_redis's per-event "over capacity" line is logged once a minute."""

from __future__ import annotations

import logging

from realtime.log_filters import OncePerInterval


def _record(text: str) -> logging.LogRecord:
    return logging.LogRecord("channels_redis.core", logging.INFO, __file__, 1, text, (), None)


def test_a_repeated_over_capacity_line_passes_once_per_interval():
    once = OncePerInterval(seconds=60, contains="over capacity")
    line = "1 of 2 channels over capacity in group board.7"
    assert [once.filter(_record(line)) for _ in range(5)] == [True, False, False, False, False]
    assert once.filter(_record("1 of 2 channels over capacity in group board.8"))
    assert all(once.filter(_record("something else")) for _ in range(3))
