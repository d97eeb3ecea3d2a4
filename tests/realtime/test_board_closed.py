"""An archived or deleted board closes its open sockets with 4410, in every kind of
socket, and an archived board takes no new one until it is restored."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from board.models import Board
from board.services import board_archive, board_delete, board_restore
from realtime.access import access_verdicts
from realtime.auth import user_principal
from tests.realtime.conftest import communicator, receive, receive_closed, token_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(30)]


async def test_archiving_closes_the_json_socket_after_the_archived_event(
    connect, board, admin, alice
):
    comm = await connect(alice)
    assert (await receive(comm))["type"] == "snapshot"

    await database_sync_to_async(board_archive)(actor=admin, board_id=board.pk)

    message = await receive(comm)
    assert (message["type"], message["kind"]) == ("event", "board.archived")
    assert await receive_closed(comm) == 4410


async def test_deleting_closes_the_page_socket(page_socket, board, admin, alice):
    comm = await page_socket(alice)

    await database_sync_to_async(board_delete)(
        actor=admin, board_id=board.pk, confirm_name=board.name
    )

    assert await receive_closed(comm) == 4410


async def test_an_archived_board_refuses_a_new_socket_until_restored(
    connect, board, admin, alice, open_sockets
):
    await database_sync_to_async(board_archive)(actor=admin, board_id=board.pk)
    token = await database_sync_to_async(token_for)(alice)
    refused = communicator(f"/ws/v1/boards/{board.pk}/", token=token)
    open_sockets.append(refused)
    await refused.connect()

    assert await receive_closed(refused) == 4410

    await database_sync_to_async(board_restore)(actor=admin, board_id=board.pk)
    assert (await connect(alice)).hello["type"] == "hello"


def test_the_access_sweep_closes_sockets_of_a_board_archived_behind_the_signals_back(board, alice):
    Board.objects.filter(pk=board.pk).update(archived_at=timezone.now())
    principal = user_principal(alice, kind="session", session_key="k")

    verdicts = access_verdicts(board_id=board.pk, principals={"c1": principal})

    assert verdicts["c1"].close_code == 4410
