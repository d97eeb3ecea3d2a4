"""End to end: when a right ends, the sockets holding it end in every worker process.

Two daphne processes share PostgreSQL and a private Redis; each case opens a socket of
the same person on each, ends the right in this process (its channel layer points at
the same Redis), and expects both sockets closed with the right code within seconds."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from typing import Any

import orjson
import pytest
from channels.db import database_sync_to_async
from django.conf import settings as django_settings
from django.test import Client as HttpClient
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from accounts.models import ApiToken
from accounts.tokens import api_token_create, api_token_revoke
from board.models import Membership, Role
from board.services import membership_set_role
from tests.realtime.servers import Server

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(60),
]


def _session_cookie(user: Any) -> str:
    http = HttpClient()
    http.force_login(user)
    return http.cookies[django_settings.SESSION_COOKIE_NAME].value


async def _open(server: Server, board_id: int, headers: dict[str, str]) -> Any:
    ws = await connect(
        server.ws_url(f"/ws/v1/boards/{board_id}/"),
        additional_headers=headers,
        proxy=None,
        open_timeout=10,
        close_timeout=2,
    )
    assert orjson.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "hello"
    return ws


async def _close_code(ws: Any, *, within: float = 5) -> int | None:
    """The close code the server sent within `within` seconds (None if still open)."""
    try:
        async with asyncio.timeout(within):
            while True:
                message = orjson.loads(await ws.recv())
                if message["type"] == "access":
                    return 0  # told of a new role, and still open
    except ConnectionClosed:
        return ws.close_code
    except TimeoutError:
        return None


def _end_membership(user: Any, board: Any, admin: Any, server: Server, cookie: str) -> None:
    Membership.objects.filter(user=user, board=board).delete()


def _demote(user: Any, board: Any, admin: Any, server: Server, cookie: str) -> None:
    membership_set_role(actor=admin, board_id=board.pk, user=user, role=Role.VIEWER)


def _revoke_token(user: Any, board: Any, admin: Any, server: Server, cookie: str) -> None:
    for token in ApiToken.objects.filter(user=user):
        api_token_revoke(user=user, token_id=token.pk)


def _deactivate(user: Any, board: Any, admin: Any, server: Server, cookie: str) -> None:
    user.is_active = False
    user.save()


def _log_out(user: Any, board: Any, admin: Any, server: Server, cookie: str) -> None:
    name = django_settings.SESSION_COOKIE_NAME
    status = server.post("/accounts/logout/", cookie=f"{name}={cookie}", csrf=secrets.token_hex(16))
    assert status in (200, 302), status


def _change_password(user: Any, board: Any, admin: Any, server: Server, cookie: str) -> None:
    user.set_password("another long passphrase 7")
    user.save()


CASES: dict[str, tuple[Callable[..., None], str, int]] = {
    # name: (how the right ends, credential of the sockets, expected code)
    "membership removed": (_end_membership, "token", 4403),
    "demoted to viewer": (_demote, "token", 0),
    "token revoked": (_revoke_token, "token", 4401),
    "account deactivated": (_deactivate, "token", 4401),
    "logged out": (_log_out, "session", 4401),
    "password changed": (_change_password, "session", 4401),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_a_right_that_ends_closes_its_sockets_on_both_workers(
    case, start_servers, shared_layer, board, alice, admin
):
    end_right, credential, expected = CASES[case]
    servers = start_servers(2)
    token = (await database_sync_to_async(api_token_create)(user=alice, name="e2e"))[1]
    cookie = await database_sync_to_async(_session_cookie)(alice)
    sockets = []
    for server in servers:
        if credential == "token":
            headers = {"Authorization": f"Bearer {token}"}
        else:
            headers = {
                "Cookie": f"{django_settings.SESSION_COOKIE_NAME}={cookie}",
                "Origin": f"http://127.0.0.1:{server.port}",
            }
        sockets.append(await _open(server, board.pk, headers))
    try:
        await asyncio.sleep(0.5)  # both hubs have joined the board's group
        await database_sync_to_async(end_right)(alice, board, admin, servers[0], cookie)
        codes = await asyncio.gather(*(_close_code(ws) for ws in sockets))
        assert codes == [expected, expected]
    finally:
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
