"""Issue 11 in real browsers: a new person signs up, creates a workspace and a board on
the first-run page and copies its invite link; a colleague opens it in another
browser, registers and lands on the board; each sees the other's first task live."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from board.models import Board, Membership
from tests.browser.conftest import PASSWORD, csp_watch

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]


def new_page(browser, server, csp_violations, **options):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **options)
    csp_watch(context, csp_violations)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def fill_registration(page, username: str) -> None:
    page.locator("#id_username").fill(username)
    page.locator("#id_email").fill(f"{username}@example.com")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()


def add_task(page, title: str) -> None:
    page.get_by_label("New task title").fill(title)
    page.get_by_role("button", name="Add", exact=True).click()


@pytest.mark.timeout(90)
def test_two_new_people_reach_one_live_board_through_the_first_run(
    browser, server, csp_violations, tmp_path
):
    nora = new_page(
        browser, server, csp_violations, permissions=["clipboard-read", "clipboard-write"]
    )
    nora.goto(server.url + "/accounts/register/")
    fill_registration(nora, "nora")

    expect(nora).to_have_url(re.compile(r"/welcome/$"))
    expect(nora.get_by_label("Workspace name")).to_be_focused()
    nora.screenshot(path=tmp_path / "first-run.png")
    nora.get_by_label("Workspace name").fill("Nora's Studio")
    nora.get_by_role("button", name="Create workspace").click()
    expect(nora.get_by_label("Board name")).to_be_focused()
    nora.get_by_label("Board name").fill("Launch")
    nora.get_by_role("button", name="Create board").click()

    link_input = nora.get_by_label("Invite link")
    expect(link_input).to_have_value(re.compile(r"/invite/[\w-]+/$"))
    nora.get_by_role("button", name="Copy invite link").click()
    expect(nora.locator("#invite-link_status")).to_have_text("Copied to the clipboard.")
    link = nora.evaluate("navigator.clipboard.readText()")
    assert link == link_input.input_value()
    nora.get_by_role("link", name="Done: go to the board").click()
    expect(nora.locator("#connection-pill")).to_have_text("Live")

    omar = new_page(browser, server, csp_violations)
    omar.goto(link)
    omar.get_by_role("link", name="Create an account").click()
    fill_registration(omar, "omar")
    board = Board.objects.get(name="Launch")
    expect(omar).to_have_url(f"{server.url}/boards/{board.pk}/")
    expect(omar.locator("#connection-pill")).to_have_text("Live")

    add_task(nora, "Nora's first task")
    expect(omar.locator(".card", has_text="Nora's first task")).to_be_visible(timeout=3000)
    add_task(omar, "Omar's first task")
    expect(nora.locator(".card", has_text="Omar's first task")).to_be_visible(timeout=3000)
    assert set(Membership.objects.filter(board=board).values_list("user__username", flat=True)) == {
        "nora",
        "omar",
    }


def test_without_javascript_the_invite_link_is_there_to_select_and_no_dead_copy_button(
    browser, server, csp_violations
):
    # A button styled with `display` used to override its `hidden` attribute: the Copy
    # button showed before (or without) the script that makes it work, and a click on
    # it did nothing.
    nora = new_page(browser, server, csp_violations, java_script_enabled=False)
    nora.goto(server.url + "/accounts/register/")
    fill_registration(nora, "nora")
    nora.get_by_label("Workspace name").fill("Nora's Studio")
    nora.get_by_role("button", name="Create workspace").click()
    nora.get_by_label("Board name").fill("Launch")
    nora.get_by_role("button", name="Create board").click()

    expect(nora.get_by_label("Invite link")).to_have_value(re.compile(r"/invite/[\w-]+/$"))
    expect(nora.get_by_role("button", name="Copy invite link")).to_be_hidden()
    expect(nora.locator("#invite-link_status")).to_have_text("Select the link and copy it.")
