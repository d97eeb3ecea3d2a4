"""Fixtures for the HTTP API tests: a JSON client per user, speaking with a bearer token."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from accounts.tokens import api_token_create
from board.models import Task
from board.services import task_create

BASE = "/api/v1"


class ApiClient:
    """django.test.Client with a bearer token, JSON bodies and paths under /api/v1."""

    def __init__(self, token: str | None = None, client: Client | None = None) -> None:
        self.token = token
        self.client = client or Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        return {**self.headers, **(headers or {})}

    def get(self, path: str, params: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        headers = self._headers(kwargs.pop("headers", None))
        return self.client.get(BASE + path, params or {}, headers=headers, **kwargs)

    def _send(self, method: str, path: str, body: Any, headers: dict[str, str] | None) -> Any:
        data = "" if body is None else json.dumps(body)
        send = getattr(self.client, method)
        return send(
            BASE + path, data, content_type="application/json", headers=self._headers(headers)
        )

    def post(self, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        return self._send("post", path, body, headers)

    def patch(self, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        return self._send("patch", path, body, headers)

    def put(self, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        return self._send("put", path, body, headers)

    def delete(self, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        return self._send("delete", path, body, headers)


def error_of(response: Any) -> dict[str, Any]:
    """The `error` object of a refusal, checking the shape every refusal shares."""
    body = response.json()
    assert set(body) == {"error"}
    assert {"code", "message", "fields"} <= set(body["error"])
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Rate-limit counters live in the cache. The in-process cache is cleared between
    tests (SQLite reuses user ids); Redis keys name tokens, which are never reused."""
    if "LocMemCache" in settings.CACHES["default"]["BACKEND"]:
        cache.clear()


@pytest.fixture
def make_api(db) -> Callable[..., ApiClient]:
    def make(user: Any) -> ApiClient:
        _, plaintext = api_token_create(user=user, name="tests")
        return ApiClient(plaintext)

    return make


@pytest.fixture
def alice_api(alice, make_api) -> ApiClient:
    return make_api(alice)


@pytest.fixture
def bob_api(bob, make_api) -> ApiClient:
    return make_api(bob)


@pytest.fixture
def admin_api(admin, make_api) -> ApiClient:
    return make_api(admin)


@pytest.fixture
def viewer_api(viewer, make_api) -> ApiClient:
    return make_api(viewer)


@pytest.fixture
def outsider_api(outsider, make_api) -> ApiClient:
    return make_api(outsider)


@pytest.fixture
def task(board, alice) -> Task:
    return task_create(actor=alice, board_id=board.pk, title="Fix the login bug")
