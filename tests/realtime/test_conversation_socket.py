"""Comments reach open task and board pages over the board's page socket, as one
fragment per event, and a page that resumes after a dropped connection gets the
comments it missed."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async

import realtime.broadcast
from board.services.comments import comment_create, comment_delete

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(30)]


async def receive_event(comm: Any, *, timeout: float = 3) -> str:
    """The next event fragment (not presence, not a refresh)."""
    while True:
        frame = await comm.receive_from(timeout=timeout)
        if 'id="board-seq"' in frame and "data-refresh" not in frame:
            return frame


async def test_both_pages_get_the_comment_and_count_from_one_render(
    page_socket, alice, bob, make_task, monkeypatch
):
    task = await database_sync_to_async(make_task)("Discuss")
    renders: list[bool] = []
    real = realtime.broadcast.event_fragment_html

    def counting(*, event: Any, display: bool = False, **kwargs: Any) -> str:
        renders.append(display)
        return real(event=event, display=display, **kwargs)

    pages = []
    for user in (alice, bob):
        # Caught up (the task's own event replayed), so what follows comes live.
        comm = await page_socket(user)
        await comm.send_json_to({"type": "resume", "after": 0})
        assert 'data-seq="1"' in await receive_event(comm)
        pages.append(comm)
    monkeypatch.setattr(realtime.broadcast, "event_fragment_html", counting)

    comment = await database_sync_to_async(comment_create)(
        actor=bob, task_id=task.pk, body="On my way"
    )

    for comm in pages:
        frame = await receive_event(comm)
        assert 'data-seq="2"' in frame
        assert f'hx-swap-oob="beforeend:#comments-{task.pk}"' in frame
        assert f'id="comment-{comment.pk}"' in frame and "On my way" in frame
        assert f'<span id="comment-count-{task.pk}"' in frame
    # One page variant and one wall-display variant, whoever is listening.
    assert sorted(renders) == [False, True]


async def test_a_page_that_resumes_gets_the_comments_it_missed(page_socket, alice, bob, make_task):
    task = await database_sync_to_async(make_task)("Discuss")
    kept = await database_sync_to_async(comment_create)(actor=bob, task_id=task.pk, body="Kept")
    gone = await database_sync_to_async(comment_create)(actor=bob, task_id=task.pk, body="Gone")
    await database_sync_to_async(comment_delete)(actor=bob, comment_id=gone.pk)

    comm = await page_socket(alice)
    await comm.send_json_to({"type": "resume", "after": 1})

    created = await receive_event(comm)
    assert f'id="comment-{kept.pk}"' in created and "Kept" in created
    assert f'id="comment-{gone.pk}"' in await receive_event(comm)
    deleted = await receive_event(comm)
    assert f'<li id="comment-{gone.pk}" hx-swap-oob="delete"></li>' in deleted
    assert 'data-seq="4"' in deleted
