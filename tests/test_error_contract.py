"""The same refusal through every door: the page (htmx), the HTTP API and the JSON
socket answer it with the same code, the same message, the same fields and, where
HTTP applies, the same status (docs/api.md, docs/protocol.md)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.db import OperationalError
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from board.models import Board, Status, Task
from board.services import _tasks_common, task_claim, task_create, task_update
from tests.realtime.conftest import (  # noqa: F401 (the socket tests' autouse fixtures)
    _channel_layer_per_test,
    _close_thread_connections,
    communicator,
    receive,
    token_for,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]

MISSING_TASK_ID = 2**40


@dataclass(frozen=True)
class Request:
    """One intent as each door spells it."""

    page_url: str
    page_data: dict[str, str]
    api_path: str
    api_body: dict[str, Any]
    socket: dict[str, Any]


@dataclass(frozen=True)
class Answer:
    code: str
    status: int | None  # None on the socket, which has no HTTP status
    message: str
    fields: dict[str, str]


def claim(task_id: int, **version: int) -> Request:
    return Request(
        page_url=reverse("task_action", args=[task_id, "claim"]),
        page_data={name: str(value) for name, value in version.items()},
        api_path=f"/tasks/{task_id}/claim",
        api_body=version,
        socket={"type": "claim", "task": task_id, **version},
    )


def move(task_id: int, index: int) -> Request:
    return Request(
        page_url=reverse("task_move", args=[task_id]),
        page_data={"index": str(index)},
        api_path=f"/tasks/{task_id}/move",
        api_body={"index": index},
        socket={"type": "move", "task": task_id, "index": index},
    )


def create(board: Board, title: str) -> Request:
    return Request(
        page_url=reverse("task_create", args=[board.pk]),
        page_data={"title": title},
        api_path=f"/boards/{board.pk}/tasks",
        api_body={"title": title},
        socket={"type": "create", "title": title},
    )


# Each case sets the board up and returns who asks what; the refusal changes nothing,
# so all three doors ask the same board in turn.
def already_claimed(board, alice, bob, viewer) -> tuple[Any, Request]:
    task = task_create(actor=alice, board_id=board.pk, title="Taken")
    task_claim(actor=alice, task_id=task.pk)
    return bob, claim(task.pk)


def stale_version(board, alice, bob, viewer) -> tuple[Any, Request]:
    task = task_create(actor=alice, board_id=board.pk, title="Renamed")
    task_update(actor=alice, task_id=task.pk, title="Renamed again")
    return bob, claim(task.pk, expected_version=task.version)


def wip_limit(board, alice, bob, viewer) -> tuple[Any, Request]:
    Board.objects.filter(pk=board.pk).update(wip_limit_unassigned=0, wip_limits_hard=True)
    return alice, create(board, "No room")


def forbidden(board, alice, bob, viewer) -> tuple[Any, Request]:
    task = task_create(actor=alice, board_id=board.pk, title="Look, don't touch")
    return viewer, move(task.pk, 0)


def not_found(board, alice, bob, viewer) -> tuple[Any, Request]:
    return bob, claim(MISSING_TASK_ID)


def invalid_field(board, alice, bob, viewer) -> tuple[Any, Request]:
    task = task_create(actor=alice, board_id=board.pk, title="Nowhere to go")
    return alice, move(task.pk, -1)


CASES: dict[str, tuple[Callable[..., tuple[Any, Request]], str, int]] = {
    "already claimed": (already_claimed, "already_claimed", 409),
    "stale version": (stale_version, "version_conflict", 409),
    "WIP limit": (wip_limit, "wip_limit", 409),
    "forbidden": (forbidden, "forbidden", 403),
    "not found": (not_found, "not_found", 404),
    "invalid field": (invalid_field, "invalid", 422),
}


def page_answer(user: Any, request: Request) -> Answer:
    client = Client()
    client.force_login(user)
    response = client.post(request.page_url, request.page_data, HTTP_HX_REQUEST="true")
    refused = json.loads(response["HX-Trigger"])["taskboard:refused"]
    # The page shows the message it reports.
    assert escape(refused["message"]) in response.content.decode()
    return Answer(refused["code"], response.status_code, refused["message"], refused["fields"])


def api_answer(user: Any, request: Request) -> Answer:
    response = Client().post(
        f"/api/v1{request.api_path}",
        json.dumps(request.api_body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token_for(user)}"},
    )
    error = response.json()["error"]
    return Answer(error["code"], response.status_code, error["message"], error["fields"])


async def socket_answer(user: Any, board: Board, request: Request) -> Answer:
    token = await database_sync_to_async(token_for)(user)
    comm = communicator(f"/ws/v1/boards/{board.pk}/", token=token)
    connected, _ = await comm.connect()
    try:
        assert connected
        await comm.send_json_to({"ref": "contract", **request.socket})
        while (reply := await receive(comm))["type"] not in ("ack", "error"):
            pass
    finally:
        await comm.disconnect()
    assert reply["type"] == "error", reply
    return Answer(reply["code"], None, reply["message"], reply.get("fields", {}))


@pytest.mark.parametrize("case", list(CASES))
async def test_a_refusal_reads_the_same_through_every_door(case, board, alice, bob, viewer):
    arrange, code, status = CASES[case]
    user, request = await database_sync_to_async(arrange)(board, alice, bob, viewer)

    page = await database_sync_to_async(page_answer)(user, request)
    api = await database_sync_to_async(api_answer)(user, request)
    socket = await socket_answer(user, board, request)

    assert (page.code, page.status) == (code, status)
    assert api == page
    assert (socket.code, socket.message, socket.fields) == (page.code, page.message, page.fields)


async def test_a_database_that_does_not_answer_reads_unavailable_through_every_door(
    board, alice, monkeypatch
):
    """A lock or statement timeout, a database that is down, or a pool with no free
    connection: 503 `unavailable` with Retry-After, never a 500, and nothing written."""
    task = await database_sync_to_async(task_create)(actor=alice, board_id=board.pk, title="T")

    def lock_timeout(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("canceling statement due to lock timeout")

    monkeypatch.setattr(_tasks_common, "task_lock", lock_timeout)
    request = claim(task.pk)

    page = await database_sync_to_async(page_answer)(alice, request)
    api = await database_sync_to_async(api_answer)(alice, request)
    socket = await socket_answer(alice, board, request)

    assert (page.code, page.status) == ("unavailable", 503)
    assert api == page
    assert (socket.code, socket.message) == (page.code, page.message)
    retry_after = await database_sync_to_async(_api_retry_after)(alice, request)
    assert retry_after == "5"
    assert await database_sync_to_async(lambda: Task.objects.get(pk=task.pk).status)() == (
        Status.UNASSIGNED
    )


def _api_retry_after(user: Any, request: Request) -> str:
    response = Client().post(
        f"/api/v1{request.api_path}",
        "{}",
        content_type="application/json",
        headers={"Authorization": f"Bearer {token_for(user)}"},
    )
    return response["Retry-After"]
