"""The origin of a change travels with its broadcast, from a socket or an HTTP request."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import orjson
import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from board.services import task_create
from realtime.middleware import RealtimeOriginMiddleware
from realtime.origin import origin_clean, origin_get, origin_scope, tab_origin
from tests.realtime.conftest import ALLOWED_ORIGIN, communicator

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def group_messages(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    class Layer:
        async def group_send(self, group: str, message: dict[str, Any]) -> None:
            sent.append(message)

    monkeypatch.setattr("realtime.broadcast.get_channel_layer", lambda: Layer())
    monkeypatch.setattr("realtime.broadcast.event_fragment_html", lambda *, event, **_: "<x>")
    return sent


@pytest.mark.django_db(transaction=True)
def test_broadcast_carries_the_origin_and_the_scope_collects_seqs(board, alice, group_messages):
    with origin_scope("c_abc") as scope:
        task_create(actor=alice, board_id=board.pk, title="T")
    assert scope.seqs == [1]
    assert group_messages[0]["origin"] == "c_abc"
    # Clients never see it: the JSON says only whether it is the receiver's own.
    assert orjson.loads(group_messages[0]["json"])["own"] is False
    assert "c_abc" not in group_messages[0]["json"]


@pytest.mark.django_db(transaction=True)
def test_broadcast_without_a_scope_has_no_origin(board, alice, group_messages):
    task_create(actor=alice, board_id=board.pk, title="T")
    assert group_messages[0]["origin"] is None


def _request(session_key: str | None, **headers: str) -> Any:
    request = RequestFactory().post("/", **headers)
    request.session = SimpleNamespace(session_key=session_key)
    return request


def test_middleware_binds_the_tab_from_the_header_to_the_session():
    seen = []

    def view(request: Any) -> HttpResponse:
        seen.append(origin_get())
        return HttpResponse()

    middleware = RealtimeOriginMiddleware(view)
    middleware(_request("s1", HTTP_X_REALTIME_ORIGIN="tab-1234"))
    middleware(_request("s2", HTTP_X_REALTIME_ORIGIN="tab-1234"))
    middleware(_request("s1", HTTP_X_REALTIME_ORIGIN="<script>"))
    middleware(_request(None, HTTP_X_REALTIME_ORIGIN="tab-1234"))
    middleware(_request("s1"))
    assert seen[0] == tab_origin(session_key="s1", tab="tab-1234")
    # The same tab id from another session is another origin: it cannot pose as the
    # first session's tab.
    assert seen[1] not in (None, seen[0])
    assert seen[2:] == [None, None, None]
    assert origin_get() is None


def test_a_request_cannot_claim_a_sockets_connection_id():
    assert not tab_origin(session_key="s1", tab="c_abc").startswith("c_")


async def test_async_middleware_takes_the_origin_from_the_header():
    seen = []

    async def view(request: Any) -> HttpResponse:
        seen.append(origin_get())
        return HttpResponse()

    await RealtimeOriginMiddleware(view)(_request("s9", HTTP_X_REALTIME_ORIGIN="tab-9"))
    assert seen == [tab_origin(session_key="s9", tab="tab-9")]


@pytest.mark.parametrize(
    "value, expected",
    [("c_Ab-1.2:3", "c_Ab-1.2:3"), ("", None), ("x" * 65, None), (5, None), ("a b", None)],
)
def test_origin_clean(value, expected):
    assert origin_clean(value) == expected


@pytest.mark.django_db(transaction=True)
def test_an_event_goes_out_as_one_message_with_its_json(board, alice, group_messages):
    task_create(actor=alice, board_id=board.pk, title="T")
    assert [sorted(set(m) - {"type", "seq", "origin", "committed_at"}) for m in group_messages] == [
        ["json"]
    ]


async def _next_event_fragment(comm: Any) -> str:
    while 'id="board-seq"' not in (frame := await comm.receive_from(timeout=3)):
        pass
    return frame


@pytest.mark.django_db(transaction=True)
async def test_only_the_tab_that_made_a_change_gets_its_fragment_marked_own(
    board, alice, open_sockets
):
    task = await database_sync_to_async(task_create)(actor=alice, board_id=board.pk, title="T")
    http = Client()
    await database_sync_to_async(http.force_login)(alice)
    cookie = f"{settings.SESSION_COOKIE_NAME}={http.cookies[settings.SESSION_COOKIE_NAME].value}"
    sockets = {}
    for tab in ("tab-own", "tab-other"):
        comm = communicator(
            f"/ws/boards/{board.pk}/?tab={tab}", cookie=cookie, origin=ALLOWED_ORIGIN
        )
        open_sockets.append(comm)
        assert (await comm.connect())[0]
        await comm.send_json_to({"type": "resume", "after": 1})
        sockets[tab] = comm
    await asyncio.sleep(0.3)
    response = await database_sync_to_async(http.post)(
        reverse("task_action", args=[task.pk, "claim"]),
        HTTP_X_REALTIME_ORIGIN="tab-own",
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    own, other = [await _next_event_fragment(sockets[tab]) for tab in ("tab-own", "tab-other")]
    assert 'data-seq="2" data-origin="own"' in own
    assert 'data-seq="2" data-origin=""' in other
