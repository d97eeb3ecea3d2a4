"""A socket's rights end when the right behind them ends, not at the next handshake:
membership removed, role lowered, token revoked, account deactivated, logout, and a
changed password each reach the open sockets (realtime.signals -> realtime.control)."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth import logout
from django.test import Client, RequestFactory

from accounts.models import ApiToken
from accounts.tokens import api_token_revoke
from board.models import Membership, Role
from board.services import membership_set_role
from realtime.access import access_verdicts
from realtime.auth import user_principal
from tests.realtime.conftest import (
    ALLOWED_ORIGIN,
    communicator,
    receive,
    receive_closed,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(30)]


async def _next_of(comm, kind: str) -> dict:
    """The next message of this type; events (the membership change's own) pass by."""
    while (message := await receive(comm))["type"] != kind:
        assert message["type"] in {"event", "snapshot"}, message
    return message


async def _closes_within(comm, seconds: float) -> bool:
    while not await comm.receive_nothing(timeout=seconds):
        if (await comm.receive_output())["type"] == "websocket.close":
            return True
    return False


@database_sync_to_async
def _delete_membership(user, board) -> None:
    Membership.objects.filter(user=user, board=board).delete()


@database_sync_to_async
def _deactivate(user) -> None:
    user.is_active = False
    user.save()


@database_sync_to_async
def _change_password(user) -> None:
    user.set_password("a whole new password 42")
    user.save()


async def test_removing_the_membership_closes_the_json_socket_with_4403(connect, board, alice):
    comm = await connect(alice)
    await _delete_membership(alice, board)
    assert await receive_closed(comm) == 4403


async def test_removing_the_membership_closes_the_page_socket_with_4403(page_socket, board, alice):
    comm = await page_socket(alice)
    await _delete_membership(alice, board)
    assert await receive_closed(comm) == 4403


async def test_a_demoted_json_socket_is_told_and_its_writes_are_refused(
    connect, board, alice, admin
):
    comm = await connect(alice)
    await database_sync_to_async(membership_set_role)(
        actor=admin, board_id=board.pk, user=alice, role=Role.VIEWER
    )
    assert await _next_of(comm, "access") == {"type": "access", "role": "viewer", "read_only": True}
    await comm.send_json_to({"type": "create", "ref": 1, "title": "Sneaky"})
    reply = await _next_of(comm, "error")
    assert reply["code"] == "forbidden"


async def test_a_demoted_page_closes_with_4409_to_reload(page_socket, board, alice, admin):
    comm = await page_socket(alice)
    await database_sync_to_async(membership_set_role)(
        actor=admin, board_id=board.pk, user=alice, role=Role.VIEWER
    )
    assert await receive_closed(comm) == 4409


async def test_revoking_the_token_closes_its_socket_with_4401(connect, board, alice):
    comm = await connect(alice)
    token_id = await database_sync_to_async(lambda: ApiToken.objects.get(user=alice).pk)()
    await database_sync_to_async(api_token_revoke)(user=alice, token_id=token_id)
    assert await receive_closed(comm) == 4401


async def test_deactivating_the_account_closes_its_sockets_with_4401(
    connect, page_socket, board, alice
):
    json_socket = await connect(alice)
    page = await page_socket(alice)
    await _deactivate(alice)
    assert await receive_closed(json_socket) == 4401
    assert await receive_closed(page) == 4401


async def test_logging_out_closes_the_sockets_of_that_session_only(board, alice, open_sockets):
    sessions = []
    for _ in range(2):
        client = await database_sync_to_async(Client)()
        await database_sync_to_async(client.force_login)(alice)
        sessions.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    sockets = []
    for key in sessions:
        comm = communicator(
            f"/ws/v1/boards/{board.pk}/",
            cookie=f"{settings.SESSION_COOKIE_NAME}={key}",
            origin=ALLOWED_ORIGIN,
        )
        open_sockets.append(comm)
        assert (await comm.connect())[0]
        assert (await receive(comm))["type"] == "hello"
        sockets.append(comm)

    @database_sync_to_async
    def log_out_first() -> None:
        from importlib import import_module

        request = RequestFactory().post("/accounts/logout/")
        request.session = import_module(settings.SESSION_ENGINE).SessionStore(sessions[0])
        request.session.load()
        request.user = alice
        logout(request)

    await log_out_first()
    assert await receive_closed(sockets[0]) == 4401
    assert not await _closes_within(sockets[1], 0.8)


async def test_changing_the_password_closes_the_session_sockets_with_4401(
    page_socket, board, alice
):
    comm = await page_socket(alice)
    await _change_password(alice)
    assert await receive_closed(comm) == 4401


def test_verdicts_check_a_batch_at_once(board, alice, bob, viewer, django_assert_max_num_queries):
    token = ApiToken.objects.create(user=bob, name="t", prefix="tb_x", token_hash="h" * 64)
    client = Client()
    client.force_login(alice)
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    principals = {
        "a": user_principal(alice, kind="session", session_key=session_key),
        "b": user_principal(bob, kind="token", token_id=token.pk),
        "v": user_principal(viewer, kind="session", session_key="gone"),
    }
    with django_assert_max_num_queries(7):
        verdicts = access_verdicts(board_id=board.pk, principals=principals)
    assert (verdicts["a"].role, verdicts["a"].read_only, verdicts["a"].close_code) == (
        Role.MEMBER,
        False,
        None,
    )
    assert verdicts["b"].close_code is None
    assert verdicts["v"].close_code == 4401
    token.revoked_at = token.created_at
    token.save()
    assert access_verdicts(board_id=board.pk, principals=principals)["b"].close_code == 4401


async def test_the_hub_sweep_closes_what_no_message_announced(connect, board, alice, settings):
    settings.REALTIME_ACCESS_RECHECK_SECONDS = 0.3
    comm = await connect(alice)
    # update() sends no signal: only the sweep can notice.
    await database_sync_to_async(
        lambda: Membership.objects.filter(user=alice, board=board).update(role=Role.VIEWER)
    )()
    assert (await _next_of(comm, "access"))["read_only"] is True
    await database_sync_to_async(
        lambda: Membership.objects.filter(user=alice, board=board)._raw_delete("default")
    )()
    assert await receive_closed(comm, timeout=3) == 4403
