"""Who is editing: a notice to the board's other sockets, gone when the editor's
socket closes; viewers cannot send one, and a bad frame is refused, never fatal."""

from __future__ import annotations

import pytest

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
