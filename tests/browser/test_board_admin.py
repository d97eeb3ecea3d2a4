"""A board's admin pages in a real browser, under the Content-Security-Policy: an
invite link copied with the Copy button brings a newcomer in, open boards count
them live, and archiving turns an open board into the page that says so."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis, pytest.mark.timeout(90)]


def test_a_copied_invite_link_brings_someone_in_live_and_archiving_closes_the_board(
    open_page, board, team, server
):
    alice, _, admin = team
    watching = open_page(alice, f"/boards/{board.pk}/")
    expect(watching.locator("#connection-pill")).to_have_text("Live")
    expect(watching.locator("#member-count")).to_have_text("3 members")

    members = open_page(admin, f"/boards/{board.pk}/members/")
    members.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    members.get_by_role("button", name="Create invite link").click()
    expect(members.get_by_text("Invite link created")).to_be_visible()
    link = members.get_by_label("Invite link for a member")
    members.get_by_role("button", name="Copy invite link for a member").click()
    expect(members.get_by_text("Copied to the clipboard.")).to_be_visible()
    copied = members.evaluate("navigator.clipboard.readText()")
    assert copied == link.input_value() and "/invite/" in copied

    newcomer = UserFactory(username="nora", first_name="Nora")
    joined = open_page(newcomer, copied.removeprefix(server.url))
    expect(joined.get_by_text(f"Welcome to {board.name}.")).to_be_visible()
    expect(watching.locator("#member-count")).to_have_text("4 members")
    expect(watching.locator("#board-status")).to_have_text("Nora joined the board.")

    settings = open_page(admin, f"/boards/{board.pk}/settings/")
    settings.get_by_role("button", name="Archive this board").click()
    expect(settings.get_by_role("heading", name="This board is archived")).to_be_visible()
    expect(watching.get_by_role("heading", name="This board is archived")).to_be_visible()
    expect(watching.get_by_text("Ask an admin of the board to restore it.")).to_be_visible()
