"""The header's bell in a real browser: live over its own socket, under the CSP."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from board.services import task_create
from board.services.comments import task_watch

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis, pytest.mark.timeout(60)]


def test_a_claim_by_someone_else_lights_the_watchers_bell_without_a_reload(
    open_page, board, team, csp_violations
):
    alice, bob, _ = team
    task = task_create(actor=bob, board_id=board.pk, title="Watched by Alice")
    task_watch(actor=alice, task_id=task.pk, watching=True)
    watcher = open_page(alice, "/notifications/")
    bell = watcher.locator("#notification-bell")
    expect(bell).to_have_text("Notifications")

    claimer = open_page(bob, f"/boards/{board.pk}/")
    claimer.locator(f"#task-{task.pk}").get_by_role("button", name="Claim").click()

    expect(bell.locator(".bell-count")).to_have_text("1")
    bell.click()
    expect(watcher.locator(".notification-unread")).to_contain_text("Watched by Alice")
