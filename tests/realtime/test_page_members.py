"""Open board pages learn who joined (the member count, out of band, and a sentence
for screen readers) from the one fragment rendered per event, and close with 4410
when the board is archived."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async

from board.invitation_tokens import invitation_token
from board.models import Board, Role
from board.services import board_archive, invitation_accept, invitation_link_create
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(30)]


async def _frame_with(comm: Any, marker: str, *, timeout: float = 3) -> str:
    """The next frame that contains `marker` (presence and catch-up frames pass by)."""
    while True:
        frame = await comm.receive_from(timeout=timeout)
        if marker in frame:
            return frame


async def _caught_up(comm: Any, board: Board) -> None:
    seq = await database_sync_to_async(lambda: Board.objects.get(pk=board.pk).last_seq)()
    await comm.send_json_to({"type": "resume", "after": seq})


@database_sync_to_async
def _join_by_link(board: Board, admin: Any) -> Any:
    link = invitation_link_create(actor=admin, board_id=board.pk, role=Role.MEMBER)
    newcomer = UserFactory(first_name="Nora", last_name="")
    invitation_accept(actor=newcomer, token=invitation_token(nonce=link.nonce))
    return newcomer


async def test_open_pages_get_the_member_count_when_someone_joins_by_invitation(
    page_socket, board, admin, alice
):
    pages = [await page_socket(alice), await page_socket(admin)]
    for comm in pages:
        await _caught_up(comm, board)

    newcomer = await _join_by_link(board, admin)

    frames = [await _frame_with(comm, 'id="member-count"') for comm in pages]
    assert frames[0] == frames[1]  # one rendering, forwarded to every page
    assert ">3 members</a>" in frames[0]
    assert 'hx-swap-oob="true"' in frames[0]
    assert f"{newcomer.display_name} joined the board." in frames[0]


async def test_archiving_closes_an_open_page_socket_with_4410(page_socket, board, admin, alice):
    comm = await page_socket(alice)
    await _caught_up(comm, board)

    await database_sync_to_async(board_archive)(actor=admin, board_id=board.pk)

    # The board.archived event's fragment goes first, then the close.
    while (output := await comm.receive_output(timeout=3))["type"] == "websocket.send":
        pass
    assert (output["type"], output.get("code")) == ("websocket.close", 4410)
