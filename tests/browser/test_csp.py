"""Every page works under the Content-Security-Policy, in a real browser: nothing is
blocked (the `csp_violations` fixture records what the browser reports) and the
page's scripts, live updates and forms still do their work."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from board.services import display_key_create, task_create
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]


def assert_under_policy(page) -> None:
    """The page was served with the enforced policy (not report-only, not none)."""
    policy = page.request.get(page.url).headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy, policy


def test_the_board_page_claims_edits_and_goes_live_under_the_policy(
    open_page, board, team, csp_violations, tmp_path
):
    alice, _, admin = team
    task = task_create(actor=alice, board_id=board.pk, title="Under the policy")
    _, key = display_key_create(actor=admin, board_id=board.pk, name="Hall TV")
    wall = open_page(None, f"/boards/{board.pk}/display/?key={key}")
    page = open_page(alice, f"/boards/{board.pk}/")
    expect(page.locator("#connection-pill")).to_have_text("Live")
    expect(wall.locator("#connection-pill")).to_have_text("Live")
    assert_under_policy(page)
    assert_under_policy(wall)

    page.locator(f"#task-{task.pk}").get_by_role("button", name="Claim").click()
    expect(page.locator(f"#cards-IN_PROGRESS #task-{task.pk} .owner")).to_contain_text("Alice")
    expect(wall.locator(f"#cards-IN_PROGRESS #task-{task.pk} .owner")).to_contain_text("Alice")

    page.get_by_label("New task title").fill("Added under the policy")
    page.get_by_label("New task title").press("Enter")
    expect(
        wall.locator("#cards-UNASSIGNED .card", has_text="Added under the policy")
    ).to_be_visible()

    page.locator(f"#task-{task.pk}").get_by_role("link", name="Edit").click()
    dialog = page.locator("#task-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("link", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(wall.locator("#clock")).not_to_be_empty()  # display.js runs
    page.screenshot(path=tmp_path / "board-under-csp.png")
    assert csp_violations == []


def test_the_admin_login_and_index_work_under_the_policy(open_page, csp_violations, tmp_path):
    staff = UserFactory(username="root", is_staff=True, is_superuser=True)
    login = open_page(None, "/admin/login/")
    login.get_by_label("Username").fill("root")
    login.get_by_label("Password").fill("not the password")
    login.get_by_role("button", name="Log in").click()  # a real form POST: form-action
    expect(login.locator(".errornote")).to_contain_text("correct username and password")
    assert_under_policy(login)

    index = open_page(staff, "/admin/")
    expect(index.get_by_role("heading", name="Site administration")).to_be_visible()
    index.get_by_role("link", name="Boards").first.click()
    expect(index.get_by_role("heading", name="Select board to change")).to_be_visible()
    assert_under_policy(index)
    index.screenshot(path=tmp_path / "admin-under-csp.png")
    assert csp_violations == []


def test_the_api_docs_render_and_fetch_the_schema_under_the_policy(
    open_page, csp_violations, tmp_path
):
    docs = open_page(None, "/api/v1/docs")

    expect(docs.get_by_role("heading", name="Taskboard API")).to_be_visible()
    expect(docs.locator(".opblock").first).to_be_visible()  # the schema was fetched
    assert_under_policy(docs)
    docs.screenshot(path=tmp_path / "docs-under-csp.png")
    assert csp_violations == []
