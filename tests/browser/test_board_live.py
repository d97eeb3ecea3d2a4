"""Two people on one board, in real browsers."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from board.models import Board, Status, Task
from board.services import task_create

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]


def board_page(open_page, user, board):
    page = open_page(user, f"/boards/{board.pk}/")
    expect(page.locator("#connection-pill")).to_have_text("Live")
    return page


def card(page, task):
    return page.locator(f"#task-{task.pk}")


def test_a_claim_shows_on_the_other_page_within_a_second(open_page, board, team, tmp_path):
    alice, bob, _ = team
    task = task_create(actor=alice, board_id=board.pk, title="Write the changelog")
    alice_page, bob_page = board_page(open_page, alice, board), board_page(open_page, bob, board)

    started = time.monotonic()
    card(alice_page, task).get_by_role("button", name="Claim").click()
    expect(bob_page.locator(f"#cards-IN_PROGRESS #task-{task.pk}")).to_be_visible(timeout=1000)
    elapsed = time.monotonic() - started

    expect(card(bob_page, task).locator(".owner")).to_contain_text("Alice")
    expect(bob_page.locator("#column-head-IN_PROGRESS .count")).to_contain_text("1")
    bob_page.screenshot(path=tmp_path / "bob-sees-claim.png")
    assert elapsed < 1.0
    assert bob_page.evaluate("performance.getEntriesByType('navigation').length") == 1


def test_one_page_acts_again_and_again_on_one_card(open_page, board, team):
    """Every card's buttons submit the page's one form; each request gets a key of its
    own, so claiming, releasing and claiming again from one page all count."""
    alice, _, _ = team
    task = task_create(actor=alice, board_id=board.pk, title="Back and forth")
    page = board_page(open_page, alice, board)
    for button, status in (("Claim", "IN_PROGRESS"), ("Release", "UNASSIGNED")) * 2:
        card(page, task).get_by_role("button", name=button).click()
        expect(card(page, task)).to_have_attribute("data-status", status)
    assert Task.objects.get(pk=task.pk).version == 5
    expect(page.locator(".card-error")).to_have_count(0)


def test_a_claim_on_a_stale_page_is_refused_with_a_clear_message(open_page, board, team, tmp_path):
    alice, bob, _ = team
    task = task_create(actor=alice, board_id=board.pk, title="Only one owner")
    bob_page = open_page(bob, f"/boards/{board.pk}/", live=False)
    alice_page = board_page(open_page, alice, board)
    card(alice_page, task).get_by_role("button", name="Claim").click()
    expect(card(alice_page, task)).to_have_attribute("data-status", "IN_PROGRESS")

    card(bob_page, task).get_by_role("button", name="Claim").click()

    expect(card(bob_page, task).locator(".card-error")).to_have_text("Already claimed by Alice.")
    expect(bob_page.locator(f"#cards-IN_PROGRESS #task-{task.pk}")).to_be_visible()
    bob_page.screenshot(path=tmp_path / "bob-refused.png")
    assert Task.objects.get(pk=task.pk).owner == alice


def test_a_drag_and_drop_appears_on_the_other_page(open_page, board, team, tmp_path):
    alice, bob, _ = team
    first = task_create(actor=alice, board_id=board.pk, title="First")
    second = task_create(actor=alice, board_id=board.pk, title="Second")
    alice_page, bob_page = board_page(open_page, alice, board), board_page(open_page, bob, board)

    card(bob_page, second).locator(".card-title").drag_to(
        card(bob_page, first).locator(".card-title")
    )

    expect(alice_page.locator("#cards-UNASSIGNED .card").first).to_have_attribute(
        "data-task-id", str(second.pk)
    )
    card(bob_page, first).locator(".card-title").drag_to(bob_page.locator("#cards-IN_PROGRESS"))
    expect(alice_page.locator(f"#cards-IN_PROGRESS #task-{first.pk}")).to_be_visible()
    alice_page.screenshot(path=tmp_path / "alice-sees-drag.png")
    assert Task.objects.get(pk=first.pk).status == Status.IN_PROGRESS


def test_a_drop_refused_by_the_wip_limit_springs_back(open_page, board, team, tmp_path):
    alice, bob, _ = team
    Board.objects.filter(pk=board.pk).update(wip_limit_in_progress=0)
    task = task_create(actor=alice, board_id=board.pk, title="Too much at once")
    bob_page = board_page(open_page, bob, board)

    card(bob_page, task).locator(".card-title").drag_to(bob_page.locator("#cards-IN_PROGRESS"))

    expect(bob_page.locator(f"#cards-UNASSIGNED #task-{task.pk}")).to_be_visible()
    expect(card(bob_page, task).locator(".card-error")).to_contain_text("limit of 0")
    bob_page.screenshot(path=tmp_path / "wip-spring-back.png")
    assert Task.objects.get(pk=task.pk).status == Status.UNASSIGNED


def test_keyboard_reaches_every_action_and_announces_remote_changes(
    open_page, board, team, tmp_path
):
    alice, bob, _ = team
    task = task_create(actor=alice, board_id=board.pk, title="By keyboard")
    alice_page, bob_page = board_page(open_page, alice, board), board_page(open_page, bob, board)
    # A card's buttons are named by their action, in a card labelled by its title.
    the_card = alice_page.get_by_role("article", name="By keyboard")
    claim = the_card.get_by_role("button", name="Claim")
    claim.focus()
    alice_page.keyboard.press("Enter")
    expect(card(alice_page, task)).to_have_attribute("data-status", "IN_PROGRESS")
    alice_page.keyboard.press("Alt+ArrowRight")
    expect(card(alice_page, task)).to_have_attribute("data-status", "DONE")
    expect(bob_page.locator("#board-status")).to_contain_text("Alice moved “By keyboard”")
    bob_page.screenshot(path=tmp_path / "keyboard.png")
