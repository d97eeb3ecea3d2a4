"""Issue 12 end to end in Chromium: alice and bob on one task. Bob sees alice editing,
her comment with @bob appears on his page live and lights his bell, and a conflicting
edit shows her both values."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from board.services import task_create, task_update

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis, pytest.mark.timeout(90)]


def test_editing_a_mention_and_a_conflict_between_two_people_on_one_task(open_page, board, team):
    alice, bob, _ = team
    task = task_create(actor=alice, board_id=board.pk, title="Plan the launch")
    bob_page = open_page(bob, f"/tasks/{task.pk}/")
    expect(bob_page.locator("#connection-pill")).to_have_text("Live")
    bell = bob_page.locator("#notification-bell")
    expect(bell).to_have_text("Notifications")

    alice_edit = open_page(alice, f"/tasks/{task.pk}/edit/")
    badge = bob_page.locator(f"[data-editing-for='{task.pk}']")
    expect(badge).to_have_text("Alice is editing", timeout=10_000)

    alice_task = open_page(alice, f"/tasks/{task.pk}/")
    expect(alice_task.locator("#connection-pill")).to_have_text("Live")
    alice_task.get_by_role("textbox", name="Comment").fill("@bob can you check the date?")
    alice_task.get_by_role("button", name="Comment").click()
    comment = bob_page.locator(f"#comments-{task.pk} .comment")
    expect(comment).to_contain_text("can you check the date?")
    expect(comment.locator("a.mention")).to_have_text("@bob")
    expect(bell.locator(".bell-count")).to_have_text("1")

    task_update(actor=bob, task_id=task.pk, title="Plan the launch party")
    alice_edit.get_by_label("Title").fill("Plan the launch date")
    alice_edit.get_by_role("button", name="Save").click()
    expect(alice_edit.get_by_label("Title")).to_have_value("Plan the launch date")
    expect(alice_edit.locator(".field-error")).to_contain_text("“Plan the launch party”")

    alice_edit.close()
    expect(badge).to_be_hidden(timeout=10_000)
