"""Wall-display keys on the sockets: read-only access to one board, display fragments,
and revocation that closes the display's sockets."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from board.models import Role, Status, Task
from board.services import display_key_create, display_key_revoke, task_create
from tests.factories import BoardFactory, member_add
from tests.realtime.conftest import (
    ALLOWED_ORIGIN,
    communicator,
    receive,
    receive_closed,
    receive_none,
    session_cookie,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def admin(board):
    return member_add(board=board, role=Role.ADMIN)


@pytest.fixture
def display_key(board, admin):
    return display_key_create(actor=admin, board_id=board.pk, name="Team room TV")


async def opened(path: str, open_sockets, **headers) -> object:
    comm = communicator(path, **headers)
    open_sockets.append(comm)
    connected, _ = await comm.connect()
    assert connected
    return comm


async def test_a_display_key_opens_its_board_read_only(board, alice, display_key, open_sockets):
    task = await database_sync_to_async(task_create)(actor=alice, board_id=board.pk, title="T")
    comm = await opened(f"/ws/v1/boards/{board.pk}/?key={display_key[1]}", open_sockets)
    hello = await receive(comm)
    assert (hello["you"]["auth"], hello["you"]["read_only"]) == ("display", True)
    assert (await receive(comm))["type"] == "snapshot"
    await comm.send_json_to({"type": "claim", "ref": "x", "task": task.pk})
    error = await receive(comm)
    assert (error["type"], error["code"]) == ("error", "forbidden")
    status = await database_sync_to_async(lambda: Task.objects.get(pk=task.pk).status)()
    assert status == Status.UNASSIGNED


async def test_a_display_key_also_works_as_a_bearer_token(board, display_key, open_sockets):
    comm = await opened(f"/ws/v1/boards/{board.pk}/", open_sockets, token=display_key[1])
    assert (await receive(comm))["you"]["auth"] == "display"


async def test_a_display_key_does_not_open_another_board(board, display_key, open_sockets):
    other = await database_sync_to_async(BoardFactory)()
    comm = await opened(f"/ws/v1/boards/{other.pk}/?key={display_key[1]}", open_sockets)
    assert await receive_closed(comm) == 4404


async def test_an_unknown_key_is_not_authenticated(board, open_sockets):
    comm = await opened(f"/ws/boards/{board.pk}/?key=dk_nonsense", open_sockets)
    assert await receive_closed(comm) == 4401


async def test_the_display_page_socket_gets_fragments_without_buttons(
    board, alice, display_key, open_sockets
):
    comm = await opened(f"/ws/boards/{board.pk}/?key={display_key[1]}", open_sockets)
    await comm.send_to(text_data='{"type": "resume", "after": 0}')
    await database_sync_to_async(task_create)(actor=alice, board_id=board.pk, title="On the wall")
    frame = ""
    while "On the wall" not in frame:
        frame = await comm.receive_from(timeout=3)
    assert "<form" not in frame and "<button" not in frame


async def test_the_display_shows_how_many_people_are_viewing(
    board, alice, display_key, open_sockets, page_socket
):
    display = await opened(f"/ws/boards/{board.pk}/?key={display_key[1]}", open_sockets)
    await page_socket(alice)
    frame = ""
    while 'id="presence"' not in frame or "2 viewing" not in frame:
        frame = await display.receive_from(timeout=4)
    assert alice.initials in frame


async def test_revoking_a_key_closes_its_sockets_with_4403(board, admin, display_key, open_sockets):
    other_key, _ = await database_sync_to_async(display_key_create)(
        actor=admin, board_id=board.pk, name="Lobby"
    )
    comm = await opened(f"/ws/v1/boards/{board.pk}/?key={display_key[1]}", open_sockets)
    assert (await receive(comm))["type"] == "hello"
    assert (await receive(comm))["type"] == "snapshot"
    await database_sync_to_async(display_key_revoke)(actor=admin, key_id=other_key.pk)
    await receive_none(comm, timeout=0.5)
    await database_sync_to_async(display_key_revoke)(actor=admin, key_id=display_key[0].pk)
    while True:
        output = await comm.receive_output(timeout=3)
        if output["type"] == "websocket.close":
            break
    assert output["code"] == 4403


def display_cookie(plaintext: str) -> str:
    return f"taskboard_display_socket_key={plaintext}"


async def test_the_display_cookie_opens_the_display_socket_from_our_origin(
    board, alice, display_key, open_sockets
):
    comm = await opened(
        f"/ws/boards/{board.pk}/display/",
        open_sockets,
        cookie=display_cookie(display_key[1]),
        origin=ALLOWED_ORIGIN,
    )
    await comm.send_to(text_data='{"type": "resume", "after": 0}')
    await database_sync_to_async(task_create)(actor=alice, board_id=board.pk, title="On the wall")
    frame = ""
    while "On the wall" not in frame:
        frame = await comm.receive_from(timeout=3)
    assert "<form" not in frame and "<button" not in frame


async def test_the_display_cookie_beats_a_session_on_the_display_socket(
    board, alice, display_key, open_sockets
):
    session = await database_sync_to_async(session_cookie)(alice)
    comm = await opened(
        f"/ws/v1/boards/{board.pk}/",
        open_sockets,
        cookie=f"{session}; {display_cookie(display_key[1])}",
        origin=ALLOWED_ORIGIN,
    )
    assert (await receive(comm))["you"]["auth"] == "display"


async def test_the_display_cookie_from_a_foreign_origin_is_refused(board, display_key):
    comm = communicator(
        f"/ws/boards/{board.pk}/display/",
        cookie=display_cookie(display_key[1]),
        origin="https://evil.example",
    )
    connected, _ = await comm.connect()
    assert not connected
    await comm.disconnect()


async def test_the_display_cookie_without_an_origin_is_not_authenticated(
    board, display_key, open_sockets
):
    comm = await opened(
        f"/ws/boards/{board.pk}/display/", open_sockets, cookie=display_cookie(display_key[1])
    )
    assert await receive_closed(comm) == 4401


async def test_a_revoked_key_in_the_cookie_is_not_authenticated(
    board, admin, display_key, open_sockets
):
    await database_sync_to_async(display_key_revoke)(actor=admin, key_id=display_key[0].pk)
    comm = await opened(
        f"/ws/boards/{board.pk}/display/",
        open_sockets,
        cookie=display_cookie(display_key[1]),
        origin=ALLOWED_ORIGIN,
    )
    assert await receive_closed(comm) == 4401
