from __future__ import annotations

import pytest

from bench.board_page import measure, summary

pytestmark = pytest.mark.timeout(60)


@pytest.mark.django_db
def test_query_count_does_not_grow_with_the_board():
    results = measure(sizes=[3, 15], repeat=1)

    for render, check in summary(results).items():
        assert check["queries_constant"], (render, results)
    assert results["15"]["html_page"]["bytes"] > results["3"]["html_page"]["bytes"]
