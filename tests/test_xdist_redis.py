import pytest

from tests.xdist_redis import worker_redis_url


@pytest.mark.parametrize(
    ("url", "worker", "expected"),
    [
        ("redis://127.0.0.1:6379/0", "gw0", "redis://127.0.0.1:6379/1"),
        ("redis://127.0.0.1:6379", "gw2", "redis://127.0.0.1:6379/3"),
        ("redis://:pw@host:1/7?socket_timeout=3", "gw1", "redis://:pw@host:1/2?socket_timeout=3"),
    ],
)
def test_each_worker_gets_a_database_of_its_own(url: str, worker: str, expected: str) -> None:
    assert worker_redis_url(url, worker) == expected


def test_more_workers_than_databases_is_refused() -> None:
    with pytest.raises(RuntimeError, match="at most 15"):
        worker_redis_url("redis://h/0", "gw15")
