"""The page fragment of conversation events: out-of-band swaps for the task page (the
comment, the watchers, the history line) and for the card's comment count, rendered
once per event for every page."""

from __future__ import annotations

import re

import pytest

import realtime.fragments
from board.models import Event
from board.services import task_create, task_update
from board.services.comments import comment_create, comment_delete, comment_update, task_watch
from realtime.broadcast import event_pages_message
from realtime.fragments import event_fragment_html

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(board, alice):
    return task_create(actor=alice, board_id=board.pk, title="Ship it")


def last_fragment(board, *, display: bool = False) -> str:
    event = Event.objects.filter(board=board).select_related("actor").latest("seq")
    return event_fragment_html(event=event, display=display)


def count_badge(html: str, task_id: int) -> str:
    found = re.search(rf'<span id="comment-count-{task_id}"[^>]*>(.*?</span>)?</span>', html, re.S)
    assert found, html
    return found.group(0)


def test_a_new_comment_is_appended_with_the_count_and_a_history_line(board, alice, bob, task):
    comment = comment_create(actor=bob, task_id=task.pk, body="Looks **good**")
    html = last_fragment(board)
    assert f'<div hx-swap-oob="beforeend:#comments-{task.pk}">' in html
    assert f'<li id="comment-{comment.pk}" class="comment"' in html
    assert "<strong>good</strong>" in html
    badge = count_badge(html, task.pk)
    assert 'hx-swap-oob="true"' in badge and ">1<" in badge and " hidden" not in badge
    assert f'hx-swap-oob="beforeend:#history-{task.pk}"' in html
    assert f"{bob.display_name} commented" in html


def test_a_fragment_shows_no_ones_edit_controls(board, alice, task):
    comment_create(actor=alice, task_id=task.pk, body="Mine")
    html = last_fragment(board)
    assert re.search(r'class="btn btn-plain comment-edit"[^>]*hidden', html, re.S)
    assert re.search(r'class="inline-form comment-delete"[^>]*hidden', html, re.S)


def test_an_edited_comment_replaces_itself(board, alice, task):
    comment = comment_create(actor=alice, task_id=task.pk, body="Draft")
    comment_update(actor=alice, comment_id=comment.pk, body="Final")
    html = last_fragment(board)
    assert re.search(rf'<li id="comment-{comment.pk}"[^>]*hx-swap-oob="true"', html)
    assert "Final" in html and "· edited" in html
    assert "beforeend:#comments-" not in html


def test_a_deleted_comment_is_removed_and_the_count_hidden_at_zero(board, alice, task):
    comment = comment_create(actor=alice, task_id=task.pk, body="Oops")
    comment_delete(actor=alice, comment_id=comment.pk)
    html = last_fragment(board)
    assert f'<li id="comment-{comment.pk}" hx-swap-oob="delete"></li>' in html
    assert " hidden" in count_badge(html, task.pk)


def test_watchers_changed_swaps_the_watcher_list(board, alice, bob, task):
    task_watch(actor=bob, task_id=task.pk, watching=True)
    html = last_fragment(board)
    watchers = re.search(rf'<ul id="watchers-{task.pk}"[^>]*>(.*?)</ul>', html, re.S)
    assert 'hx-swap-oob="true"' in watchers.group(0)
    assert alice.display_name in watchers.group(1) and bob.display_name in watchers.group(1)
    assert f"{bob.display_name} started watching" in html


def test_a_task_event_swaps_the_task_pages_header_and_description(board, alice, task):
    task_update(actor=alice, task_id=task.pk, title="Ship it today", description="Use *care*")
    html = last_fragment(board)
    assert re.search(rf'<header id="task-head-{task.pk}"[^>]*hx-swap-oob="true"', html)
    assert "Ship it today" in html
    assert re.search(
        rf'id="task-description-{task.pk}"[^>]*hx-swap-oob="true"><p>Use <em>care', html
    )
    assert f"{alice.display_name} edited it" in html
    assert f'id="task-{task.pk}"' in html  # the card, for the board page


def test_the_wall_display_gets_the_count_but_not_the_task_page(board, alice, task):
    comment_create(actor=alice, task_id=task.pk, body="Hi")
    html = last_fragment(board, display=True)
    assert "#comments-" not in html and "#history-" not in html
    assert re.search(rf'id="comment-count-{task.pk}"[^>]*hx-swap-oob="true">1<', html)
    task_update(actor=alice, task_id=task.pk, title="Renamed")
    html = last_fragment(board, display=True)
    assert "task-head-" not in html
    assert f'id="comment-count-{task.pk}"' in html  # on the card


def test_the_card_shows_its_comment_count_when_there_are_comments(board, alice, task):
    task_update(actor=alice, task_id=task.pk, title="No comments yet")
    assert " hidden" in count_badge(last_fragment(board), task.pk)
    comment_create(actor=alice, task_id=task.pk, body="One")
    task_update(actor=alice, task_id=task.pk, title="One comment")
    assert " hidden" not in count_badge(last_fragment(board), task.pk)


def test_each_event_is_rendered_once_per_variant(board, alice, task, monkeypatch):
    comment_create(actor=alice, task_id=task.pk, body="Hi")
    event = Event.objects.filter(board=board).latest("seq")
    renders: list[str] = []
    real = realtime.fragments.render_to_string

    def counting(template: str, context: dict, *args, **kwargs) -> str:
        renders.append(template)
        return real(template, context, *args, **kwargs)

    monkeypatch.setattr(realtime.fragments, "render_to_string", counting)
    message = event_pages_message(event, origin=None)
    assert renders == ["realtime/_event.html", "realtime/_event.html"]
    assert f"#comments-{task.pk}" in message["html"]
