"""Who may open a board socket: tokens from anywhere, session cookies only from our
own origins; 4401 without credentials, 4404 for other people's boards."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from accounts.models import ApiToken
from accounts.tokens import api_token_revoke
from tests.realtime.conftest import (
    ALLOWED_ORIGIN,
    communicator,
    receive,
    receive_closed,
    session_cookie,
    token_for,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(30)]


async def test_no_credentials_closes_with_4401(board):
    comm = communicator(f"/ws/v1/boards/{board.pk}/")
    connected, _ = await comm.connect()
    assert connected
    assert await receive_closed(comm) == 4401
    await comm.disconnect()


async def test_unknown_token_closes_with_4401(board):
    comm = communicator(f"/ws/v1/boards/{board.pk}/", token="tb_not-a-real-token")
    await comm.connect()
    assert await receive_closed(comm) == 4401
    await comm.disconnect()


async def test_revoked_token_closes_with_4401(board, alice):
    token = await database_sync_to_async(token_for)(alice)
    token_id = await database_sync_to_async(lambda: ApiToken.objects.get(user=alice).pk)()
    await database_sync_to_async(api_token_revoke)(user=alice, token_id=token_id)
    comm = communicator(f"/ws/v1/boards/{board.pk}/", token=token)
    await comm.connect()
    assert await receive_closed(comm) == 4401
    await comm.disconnect()


async def test_token_opens_the_socket_with_a_hello(board, alice):
    token = await database_sync_to_async(token_for)(alice)
    comm = communicator(f"/ws/v1/boards/{board.pk}/", token=token)
    connected, _ = await comm.connect()
    assert connected
    hello = await receive(comm)
    assert hello["type"] == "hello"
    assert hello["you"]["id"] == alice.pk
    assert hello["you"]["auth"] == "token"
    await comm.disconnect()


async def test_token_works_from_any_origin(board, alice):
    token = await database_sync_to_async(token_for)(alice)
    comm = communicator(f"/ws/v1/boards/{board.pk}/", token=token, origin="https://evil.example")
    await comm.connect()
    assert (await receive(comm))["type"] == "hello"
    await comm.disconnect()


async def test_non_member_closes_with_4404(board, outsider):
    token = await database_sync_to_async(token_for)(outsider)
    comm = communicator(f"/ws/v1/boards/{board.pk}/", token=token)
    await comm.connect()
    assert await receive_closed(comm) == 4404
    await comm.disconnect()


async def test_unknown_board_closes_with_4404(alice):
    token = await database_sync_to_async(token_for)(alice)
    comm = communicator("/ws/v1/boards/999999999/", token=token)
    await comm.connect()
    assert await receive_closed(comm) == 4404
    await comm.disconnect()


async def test_board_id_beyond_bigint_closes_with_4404(alice):
    token = await database_sync_to_async(token_for)(alice)
    comm = communicator("/ws/v1/boards/99999999999999999999999/", token=token)
    await comm.connect()
    assert await receive_closed(comm) == 4404
    await comm.disconnect()


async def test_unknown_path_closes_with_4404(alice):
    token = await database_sync_to_async(token_for)(alice)
    comm = communicator("/ws/v1/nothing-here/", token=token)
    await comm.connect()
    assert await receive_closed(comm) == 4404
    await comm.disconnect()


async def test_session_cookie_from_allowed_origin_opens_the_socket(board, alice):
    cookie = await database_sync_to_async(session_cookie)(alice)
    comm = communicator(f"/ws/v1/boards/{board.pk}/", cookie=cookie, origin=ALLOWED_ORIGIN)
    connected, _ = await comm.connect()
    assert connected
    hello = await receive(comm)
    assert (hello["you"]["id"], hello["you"]["auth"]) == (alice.pk, "session")
    await comm.disconnect()


async def test_session_cookie_from_foreign_origin_is_refused_at_handshake(board, alice):
    cookie = await database_sync_to_async(session_cookie)(alice)
    comm = communicator(f"/ws/v1/boards/{board.pk}/", cookie=cookie, origin="https://evil.example")
    connected, _ = await comm.connect()
    assert not connected
    await comm.disconnect()


async def test_session_cookie_without_origin_is_not_enough(board, alice):
    cookie = await database_sync_to_async(session_cookie)(alice)
    comm = communicator(f"/ws/v1/boards/{board.pk}/", cookie=cookie)
    await comm.connect()
    assert await receive_closed(comm) == 4401
    await comm.disconnect()


async def test_page_socket_refuses_foreign_origin(board, alice):
    cookie = await database_sync_to_async(session_cookie)(alice)
    comm = communicator(f"/ws/boards/{board.pk}/", cookie=cookie, origin="http://evil.example")
    connected, _ = await comm.connect()
    assert not connected
    await comm.disconnect()


async def test_page_socket_without_session_closes_with_4401(board):
    comm = communicator(f"/ws/boards/{board.pk}/", origin=ALLOWED_ORIGIN)
    await comm.connect()
    assert await receive_closed(comm) == 4401
    await comm.disconnect()


async def test_page_socket_for_non_member_closes_with_4404(board, outsider):
    cookie = await database_sync_to_async(session_cookie)(outsider)
    comm = communicator(f"/ws/boards/{board.pk}/", cookie=cookie, origin=ALLOWED_ORIGIN)
    await comm.connect()
    assert await receive_closed(comm) == 4404
    await comm.disconnect()


@pytest.mark.parametrize(
    "origin, host, allowed",
    [
        # The page's own origin, or one of CSRF_TRUSTED_ORIGINS.
        ("http://localhost:8000", "localhost:8000", True),
        ("http://127.0.0.1", "127.0.0.1", True),
        ("https://board.example.com", "internal:8000", True),
        ("https://example.com:8443", "internal:8000", True),
        # Same host, another port: another site (another app on the same machine).
        ("http://localhost:9999", "localhost:8000", False),
        ("http://127.0.0.1:8001", "127.0.0.1:8000", False),
        # Another scheme than the page's.
        ("https://localhost:8000", "localhost:8000", False),
        # A trusted origin's host with another port or scheme.
        ("https://example.com", "internal:8000", False),
        ("http://board.example.com", "internal:8000", False),
        # The page's own origin, but its host is not one of ours.
        ("http://evil.example", "evil.example", False),
    ],
)
async def test_origins_must_match_scheme_host_and_port_exactly(
    board, alice, settings, origin, host, allowed
):
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "internal"]
    settings.CSRF_TRUSTED_ORIGINS = ["https://*.example.com", "https://example.com:8443"]
    cookie = await database_sync_to_async(session_cookie)(alice)
    comm = communicator(f"/ws/v1/boards/{board.pk}/", cookie=cookie, origin=origin, host=host)
    connected, _ = await comm.connect()
    assert connected is allowed
    if allowed:
        assert (await receive(comm))["type"] == "hello"
    await comm.disconnect()
