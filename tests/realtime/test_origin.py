"""The origin of a change travels with its broadcast, from a socket or an HTTP request."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from board.services import task_create
from realtime.middleware import RealtimeOriginMiddleware
from realtime.origin import origin_clean, origin_get, origin_scope

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
    assert orjson.loads(group_messages[0]["json"])["origin"] == "c_abc"


@pytest.mark.django_db(transaction=True)
def test_broadcast_without_a_scope_has_no_origin(board, alice, group_messages):
    task_create(actor=alice, board_id=board.pk, title="T")
    assert group_messages[0]["origin"] is None


def test_middleware_takes_the_origin_from_the_header():
    seen = []

    def view(request: Any) -> HttpResponse:
        seen.append(origin_get())
        return HttpResponse()

    middleware = RealtimeOriginMiddleware(view)
    middleware(RequestFactory().post("/", HTTP_X_REALTIME_ORIGIN="tab-1234"))
    middleware(RequestFactory().post("/", HTTP_X_REALTIME_ORIGIN="<script>"))
    middleware(RequestFactory().post("/"))
    assert seen == ["tab-1234", None, None]
    assert origin_get() is None


async def test_async_middleware_takes_the_origin_from_the_header():
    seen = []

    async def view(request: Any) -> HttpResponse:
        seen.append(origin_get())
        return HttpResponse()

    await RealtimeOriginMiddleware(view)(RequestFactory().post("/", HTTP_X_REALTIME_ORIGIN="tab-9"))
    assert seen == ["tab-9"]


@pytest.mark.parametrize(
    "value, expected",
    [("c_Ab-1.2:3", "c_Ab-1.2:3"), ("", None), ("x" * 65, None), (5, None), ("a b", None)],
)
def test_origin_clean(value, expected):
    assert origin_clean(value) == expected


@pytest.mark.django_db(transaction=True)
def test_a_fragment_that_fails_to_render_does_not_stop_the_json_event(
    board, alice, group_messages, monkeypatch
):
    def broken(*, event: Any, **_: Any) -> str:
        raise ValueError("template bug")

    monkeypatch.setattr("realtime.broadcast.event_fragment_html", broken)
    task_create(actor=alice, board_id=board.pk, title="T")
    json_message, page_message = group_messages
    assert orjson.loads(json_message["json"])["seq"] == 1
    assert (page_message["seq"], page_message["html"], page_message["display_html"]) == (
        1,
        None,
        None,
    )


@pytest.mark.django_db(transaction=True)
def test_the_json_goes_out_before_the_fragments_are_rendered(board, alice, group_messages):
    task_create(actor=alice, board_id=board.pk, title="T")
    assert [sorted(set(m) - {"type", "seq", "origin"}) for m in group_messages] == [
        ["json"],
        ["display_html", "html"],
    ]
