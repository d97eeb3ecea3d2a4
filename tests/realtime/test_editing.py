"""Who is editing: a notice to the board's other sockets, gone when the editor's
socket closes; viewers cannot send one, and a bad frame is refused, never fatal."""

from __future__ import annotations

import asyncio

import orjson
import pytest
from channels.db import database_sync_to_async
from websockets.asyncio.client import connect

from accounts.tokens import api_token_create
from tests.realtime.conftest import receive

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(30)]


async def _next_editing(comm) -> dict:
    while (message := await receive(comm))["type"] != "editing":
        assert message["type"] in {"snapshot", "presence", "event"}, message
    return message


async def test_others_hear_who_edits_and_that_it_stopped_when_the_socket_closed(
    connect, board, alice, bob
):
    bob_socket = await connect(bob)
    alice_socket = await connect(alice)

    await alice_socket.send_json_to({"type": "editing", "task": 7, "editing": True})

    notice = await _next_editing(bob_socket)
    assert (notice["task"], notice["editing"], notice["user"]["id"]) == (7, True, alice.pk)
    assert notice["ttl"] > 0
    await alice_socket.disconnect()
    assert (await _next_editing(bob_socket))["editing"] is False


async def test_the_editor_is_not_told_of_their_own_edit(connect, board, alice):
    alice_socket = await connect(alice)

    await alice_socket.send_json_to({"type": "editing", "task": 7, "editing": True})

    while not await alice_socket.receive_nothing(timeout=0.5):
        assert (await receive(alice_socket))["type"] != "editing"


async def test_a_viewer_cannot_announce_an_edit(connect, board, viewer, bob):
    bob_socket = await connect(bob)
    viewer_socket = await connect(viewer)

    await viewer_socket.send_json_to({"type": "editing", "task": 7, "editing": True})

    while (message := await receive(viewer_socket))["type"] != "error":
        pass
    assert message["code"] == "forbidden"
    while not await bob_socket.receive_nothing(timeout=0.5):
        assert (await receive(bob_socket))["type"] != "editing"


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "editing", "task": "x", "editing": True},
        {"type": "editing", "task": 7, "editing": "yes"},
        {"type": "editing", "task": 7},
    ],
)
async def test_a_bad_editing_frame_is_a_protocol_error_and_the_socket_stays(
    connect, board, alice, frame
):
    comm = await connect(alice)

    await comm.send_json_to(frame)

    while (message := await receive(comm))["type"] != "error":
        pass
    assert message["code"] == "invalid"
    await comm.send_json_to(frame)  # still open: answered again
    while (message := await receive(comm))["type"] != "error":
        pass
    assert message["code"] == "invalid"


async def test_a_page_socket_gets_the_notice_as_a_fragment(page_socket, connect, board, alice, bob):
    page = await page_socket(bob)
    alice_socket = await connect(alice)

    await alice_socket.send_json_to({"type": "editing", "task": 7, "editing": True})

    while 'id="editing-notices"' not in (frame := await page.receive_from(timeout=5)):
        pass
    assert 'data-task="7"' in frame and 'data-editing="1"' in frame


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.timeout(60)
async def test_an_edit_on_one_worker_shows_on_the_other_and_ends_with_the_socket(
    start_servers, shared_layer, board, alice, bob
):
    first, second = start_servers(2)
    alice_ws = await _server_socket(first, board, alice)
    bob_ws = await _server_socket(second, board, bob)
    try:
        await asyncio.sleep(0.5)  # both hubs have joined the board's group
        await alice_ws.send(orjson.dumps({"type": "editing", "task": 3, "editing": True}).decode())
        assert (await _server_editing(bob_ws))["editing"] is True
        await alice_ws.close()
        assert (await _server_editing(bob_ws))["editing"] is False
    finally:
        await asyncio.gather(alice_ws.close(), bob_ws.close(), return_exceptions=True)


async def _server_socket(server, board, user):
    token = (await database_sync_to_async(api_token_create)(user=user, name="editing"))[1]
    ws = await connect(
        server.ws_url(f"/ws/v1/boards/{board.pk}/"),
        additional_headers={"Authorization": f"Bearer {token}"},
        proxy=None,
        open_timeout=10,
    )
    assert orjson.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "hello"
    return ws


async def _server_editing(ws) -> dict:
    async with asyncio.timeout(10):
        while (message := orjson.loads(await ws.recv()))["type"] != "editing":
            pass
    return message
