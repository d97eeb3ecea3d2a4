"""The task page in real browsers: a comment appears live on the other pages, @
suggests the board's members, and cards drag by their titles (one server each)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from board.models import Status, Task
from board.services import task_create

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis, pytest.mark.timeout(90)]


def live_page(open_page, user, path):
    page = open_page(user, path)
    expect(page.locator("#connection-pill")).to_have_text("Live")
    return page


def check_mention_suggestions(page) -> None:
    """@ lists the board's members (ada, alice, bob); the keyboard picks or closes."""
    field = page.get_by_role("textbox", name="Comment")

    field.press_sequentially("Thanks @")
    listbox = page.get_by_role("listbox")
    expect(listbox).to_be_visible()
    expect(listbox.get_by_role("option")).to_have_count(3)  # ada, alice, bob
    field.press("ArrowDown")
    expect(listbox.get_by_role("option").nth(1)).to_have_attribute("aria-selected", "true")
    field.press("ArrowUp")
    expect(listbox.get_by_role("option").nth(0)).to_have_attribute("aria-selected", "true")
    field.press_sequentially("b")
    expect(listbox.get_by_role("option")).to_have_count(1)
    option = listbox.get_by_role("option").first
    expect(option).to_have_attribute("aria-selected", "true")
    expect(field).to_have_attribute("aria-activedescendant", option.get_attribute("id"))
    field.press("Enter")

    expect(field).to_have_value("Thanks @bob ")
    expect(listbox).to_be_hidden()
    expect(field).to_have_attribute("aria-expanded", "false")
    field.press_sequentially("and @")
    expect(page.get_by_role("listbox")).to_be_visible()
    field.press("Escape")
    expect(page.get_by_role("listbox")).to_be_hidden()
    expect(field).to_have_value("Thanks @bob and @")


def test_a_comment_appears_live_on_the_task_page_and_the_cards_count(
    open_page, board, team, tmp_path
):
    alice, bob, _ = team
    task = task_create(actor=alice, board_id=board.pk, title="Plan the offsite")
    bob_task = live_page(open_page, bob, f"/tasks/{task.pk}/")
    bob_board = live_page(open_page, bob, f"/boards/{board.pk}/")
    alice_task = live_page(open_page, alice, f"/tasks/{task.pk}/")
    expect(bob_board.locator(f"#comment-count-{task.pk}")).to_be_hidden()

    alice_task.get_by_role("textbox", name="Comment").fill("Booked the **venue**")
    alice_task.get_by_role("button", name="Comment").click()

    comment = bob_task.locator(f"#comments-{task.pk} .comment")
    expect(comment).to_have_count(1)
    expect(comment.locator("strong", has_text="venue")).to_be_visible()
    expect(comment).to_contain_text("Alice")
    # Not bob's comment: no edit or delete for him.
    expect(comment.get_by_role("button", name="Delete")).to_be_hidden()
    expect(bob_task.locator(f"#history-{task.pk}")).to_contain_text("Alice commented")
    expect(bob_board.locator(f"#comment-count-{task.pk}")).to_contain_text("1")
    expect(bob_board.locator(f"#comment-count-{task.pk}")).to_be_visible()
    # Her own page shows it once (the response and its echo), with her controls.
    own = alice_task.locator(f"#comments-{task.pk} .comment")
    expect(own).to_have_count(1)
    expect(own.get_by_role("link", name="Edit your comment")).to_be_visible()
    bob_task.screenshot(path=tmp_path / "bob-sees-comment.png")
    assert bob_task.evaluate("performance.getEntriesByType('navigation').length") == 1
    check_mention_suggestions(alice_task)


def test_a_card_drags_by_its_title_and_a_click_on_the_title_opens_it(
    open_page, server, board, team
):
    alice, _, _ = team
    task = task_create(actor=alice, board_id=board.pk, title="Drag me by the title")
    page = live_page(open_page, alice, f"/boards/{board.pk}/")
    title = page.locator(f"#task-{task.pk} .card-title a")

    with page.expect_response(lambda response: "/move/" in response.url) as moved:
        title.drag_to(page.locator("#cards-IN_PROGRESS"))

    assert moved.value.status == 200
    expect(page.locator(f"#cards-IN_PROGRESS #task-{task.pk}")).to_be_visible()
    expect(page).to_have_url(f"{server.url}/boards/{board.pk}/")
    assert Task.objects.get(pk=task.pk).status == Status.IN_PROGRESS
    page.locator(f"#task-{task.pk} .card-title a").click()
    expect(page).to_have_url(f"{server.url}/tasks/{task.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Drag me by the title")
