"""No frame the server sends can be too big for a client: a big board's JSON snapshot
comes in parts, and a page's whole-board refresh shows the page's card limit."""

from __future__ import annotations

import orjson
import pytest
from channels.db import database_sync_to_async

from board.models import Status, Task
from board.selectors import board_snapshot
from realtime.consumers import snapshot_json_frames
from realtime.fragments import board_refresh_html
from realtime.protocol import SNAPSHOT_FRAME_BYTES
from tests.realtime.conftest import receive

pytestmark = pytest.mark.timeout(60)


def _fill(board, creator, count: int, *, description: str = "") -> None:
    Task.objects.bulk_create(
        Task(
            board=board,
            title=f"Task {n}",
            description=description,
            status=Status.UNASSIGNED,
            creator=creator,
            position=n * 1024,
        )
        for n in range(count)
    )


@pytest.mark.django_db
def test_a_big_snapshot_comes_in_parts_under_the_frame_limit(board, alice):
    _fill(board, alice, 400, description="x" * 5000)
    frames = snapshot_json_frames(board_snapshot(board=board))
    messages = [orjson.loads(frame) for frame in frames]
    assert len(frames) > 1
    assert all(len(frame.encode()) <= SNAPSHOT_FRAME_BYTES for frame in frames)
    assert messages[0]["type"] == "snapshot"
    assert {m["type"] for m in messages[1:]} == {"snapshot_more"}
    assert [m["more"] for m in messages] == [True] * (len(frames) - 1) + [False]
    ids = [task["id"] for m in messages for task in m["tasks"]]
    assert sorted(ids) == sorted(Task.objects.filter(board=board).values_list("pk", flat=True))
    assert messages[0]["columns"][0]["tasks"] == ids


@pytest.mark.django_db
def test_a_small_snapshot_is_one_frame(board, alice):
    _fill(board, alice, 3)
    [frame] = snapshot_json_frames(board_snapshot(board=board))
    message = orjson.loads(frame)
    assert (message["type"], message["more"], len(message["tasks"])) == ("snapshot", False, 3)


@pytest.mark.django_db
def test_a_page_refresh_of_a_big_board_shows_the_card_limit(board, alice, settings):
    settings.BOARD_PAGE_CARDS_PER_COLUMN = 100
    _fill(board, alice, 750)
    html = board_refresh_html(board=board)
    assert html.count("<article ") == 100
    assert "650 more cards: show all 750" in html
    assert len(html.encode()) < 512 * 1024


@pytest.mark.django_db(transaction=True)
async def test_the_json_socket_sends_a_big_board_in_parts(connect, board, alice):
    await database_sync_to_async(_fill)(board, alice, 300, description="y" * 5000)
    comm = await connect(alice)
    parts = [await receive(comm, timeout=10)]
    while parts[-1]["more"]:
        parts.append(await receive(comm, timeout=10))
    assert sum(len(part["tasks"]) for part in parts) == 300
