from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from rate_limits.counters import WINDOW_SECONDS, rate_limit_take, seconds_to_next_window
from tests.api.conftest import BASE, error_of

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def three_a_minute(settings):
    settings.API_WRITE_RATE_PER_MINUTE = 3


def test_writes_over_the_limit_are_429_rate_limited_with_retry_after(
    board, alice_api, three_a_minute
):
    answers = [alice_api.post(f"/boards/{board.pk}/tasks", {"title": f"T{n}"}) for n in range(4)]

    assert [a.status_code for a in answers] == [201, 201, 201, 429]
    assert error_of(answers[-1])["code"] == "rate_limited"
    assert 1 <= int(answers[-1]["Retry-After"]) <= WINDOW_SECONDS


def test_refused_writes_count_too(board, alice_api, three_a_minute):
    for _ in range(3):
        alice_api.post(f"/boards/{board.pk}/tasks", {"title": ""})

    assert alice_api.post(f"/boards/{board.pk}/tasks", {"title": "T"}).status_code == 429


def test_reads_are_not_limited(board, alice_api, three_a_minute):
    answers = [alice_api.get(f"/boards/{board.pk}/tasks") for _ in range(5)]

    assert {a.status_code for a in answers} == {200}


def test_each_token_has_its_own_budget(board, alice_api, bob_api, three_a_minute):
    for n in range(3):
        alice_api.post(f"/boards/{board.pk}/tasks", {"title": f"A{n}"})

    assert bob_api.post(f"/boards/{board.pk}/tasks", {"title": "B"}).status_code == 201


def test_two_tokens_of_one_user_have_separate_budgets(board, alice, make_api, three_a_minute):
    first, second = make_api(alice), make_api(alice)
    for n in range(3):
        first.post(f"/boards/{board.pk}/tasks", {"title": f"A{n}"})

    assert second.post(f"/boards/{board.pk}/tasks", {"title": "B"}).status_code == 201


def test_a_session_is_limited_per_user(board, alice, three_a_minute):
    client = Client()
    client.force_login(alice)
    url = f"{BASE}/boards/{board.pk}/tasks"
    answers = [
        client.post(url, {"title": f"T{n}"}, content_type="application/json") for n in range(4)
    ]

    assert answers[-1].status_code == 429


def test_zero_turns_the_limit_off(board, alice_api, settings):
    settings.API_WRITE_RATE_PER_MINUTE = 0

    answers = [alice_api.post(f"/boards/{board.pk}/tasks", {"title": f"T{n}"}) for n in range(5)]

    assert {a.status_code for a in answers} == {201}


def test_the_window_turns_over_each_minute():
    ident = f"test:{uuid.uuid4()}"
    minute = 1_000_000 * WINDOW_SECONDS

    assert rate_limit_take(ident=ident, limit=1, now=minute + 1)
    assert not rate_limit_take(ident=ident, limit=1, now=minute + 59)
    assert rate_limit_take(ident=ident, limit=1, now=minute + WINDOW_SECONDS)
    assert seconds_to_next_window(minute + 45) == 15


@pytest.mark.redis
def test_processes_share_the_count_through_redis():
    ident = f"test:{uuid.uuid4()}"
    other_process = (
        "import django; django.setup();"
        "from rate_limits.counters import rate_limit_take;"
        f"print([rate_limit_take(ident={ident!r}, limit=3) for _ in range(3)])"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    output = subprocess.run(
        [sys.executable, "-c", other_process],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout

    assert "RedisCache" in django_settings.CACHES["default"]["BACKEND"]
    assert output.strip() == "[True, True, True]"
    assert not rate_limit_take(ident=ident, limit=3)


class UnreachableCache:
    """The cache while Redis is down: every call fails."""

    def add(self, *args, **kwargs):
        raise ConnectionError("Error 111 connecting to redis. Connection refused.")

    incr = add


def test_without_the_cache_writes_still_commit_and_are_counted_in_process(
    board, alice_api, three_a_minute, monkeypatch, caplog
):
    monkeypatch.setattr("rate_limits.counters.cache", UnreachableCache())
    answers = [alice_api.post(f"/boards/{board.pk}/tasks", {"title": f"T{n}"}) for n in range(4)]

    assert [a.status_code for a in answers] == [201, 201, 201, 429]
    warnings = [r for r in caplog.records if "rate-limit cache is unreachable" in r.getMessage()]
    assert len(warnings) == 1
