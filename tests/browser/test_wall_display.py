"""The wall display, left alone: it follows the board through server restarts and
shows the revoked screen when its key is revoked."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from board.models import Status
from board.services import display_key_create, task_claim, task_create, task_set_status

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]
RECONNECT_TIMEOUT = 25_000  # jittered backoff: a few attempts, each at most a few seconds
BACK_SOON_AFTER_RESTART = 8_000


@pytest.fixture
def display(open_page, board, team):
    _, _, admin = team
    _, key = display_key_create(actor=admin, board_id=board.pk, name="Team room TV")
    page = open_page(
        None, f"/boards/{board.pk}/display/?key={key}", viewport={"width": 1920, "height": 1080}
    )
    expect(page.locator("#connection-pill")).to_have_text("Live")
    page.evaluate("window.__sameDocument = true")
    return page


def still_same_document(page) -> bool:
    return page.evaluate("window.__sameDocument === true")


def test_the_display_shows_changes_made_in_a_browser(open_page, board, team, display, tmp_path):
    alice, _, _ = team
    alice_page = open_page(alice, f"/boards/{board.pk}/")
    expect(alice_page.locator("#connection-pill")).to_have_text("Live")

    alice_page.get_by_label("New task title").fill("Deploy the release")
    alice_page.get_by_label("New task title").press("Enter")
    wall_card = display.locator("#cards-UNASSIGNED .card", has_text="Deploy the release")
    expect(wall_card).to_be_visible()
    task_id = wall_card.get_attribute("data-task-id")
    alice_page.locator(f"#task-{task_id}").get_by_role("button", name="Claim").click()

    expect(display.locator(f"#cards-IN_PROGRESS #task-{task_id} .owner")).to_contain_text("Alice")
    expect(display.locator("#last-change-time")).not_to_have_text("—")
    # The display itself and alice's page.
    expect(display.locator("#presence .presence-count")).to_have_text("2 viewing")
    assert display.locator("form, button").count() == 0
    assert still_same_document(display)
    display.screenshot(path=tmp_path / "display-live.png")


def test_after_a_server_restart_the_display_shows_what_it_missed_without_reloading(
    server, board, team, display, tmp_path
):
    alice, bob, _ = team
    server.kill()
    expect(display.locator("#connection-pill")).not_to_have_text("Live")
    missed = task_create(actor=alice, board_id=board.pk, title="Made while the server was down")
    task_claim(actor=bob, task_id=missed.pk)
    task_set_status(actor=bob, task_id=missed.pk, status=Status.DONE)

    server.start()

    card = display.locator(f"#cards-DONE #task-{missed.pk}")
    # Back within seconds of the server: the first attempts come within about a
    # second each (static/js/taskboard.js), not after a doubling backoff.
    expect(card).to_be_visible(timeout=BACK_SOON_AFTER_RESTART)
    expect(card.locator(".owner")).to_contain_text("Bob")
    expect(display.locator("#connection-pill")).to_have_text("Live")
    assert still_same_document(display)
    display.screenshot(path=tmp_path / "display-after-restart.png")


def test_a_long_outage_shows_a_stale_banner_that_clears_itself(server, display, tmp_path):
    display.clock.install()
    server.kill()
    expect(display.locator("#connection-pill")).not_to_have_text("Live")
    display.clock.run_for(31_000)
    banner = display.locator("#stale-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Stale since")
    display.screenshot(path=tmp_path / "display-stale.png")

    server.start()
    display.clock.run_for(70_000)  # past any reconnect delay
    expect(display.locator("#connection-pill")).to_have_text("Live", timeout=RECONNECT_TIMEOUT)
    expect(banner).to_be_hidden()
    assert still_same_document(display)


def test_revoking_the_key_shows_the_revoked_screen(open_page, board, team, display, tmp_path):
    _, _, admin = team
    settings_page = open_page(admin, f"/boards/{board.pk}/settings/")
    settings_page.get_by_role("button", name="Revoke Team room TV").click()
    expect(settings_page.get_by_text("revoked; its displays disconnect")).to_be_visible()

    expect(display.locator("#revoked-screen")).to_be_visible()
    expect(display.locator("#revoked-screen")).to_contain_text("Display key revoked")
    display.screenshot(path=tmp_path / "display-revoked.png")


def test_a_display_link_clicked_on_another_site_opens_the_display(open_page, server, board, team):
    """The key is traded for cookies on a redirect; the page's cookie must survive a
    redirect that began on another site (localhost and 127.0.0.1 are two sites)."""
    _, _, admin = team
    _, key = display_key_create(actor=admin, board_id=board.pk, name="Lobby screen")
    page = open_page(None, "/accounts/login/")
    page.goto(server.url.replace("127.0.0.1", "localhost") + "/accounts/login/")
    page.evaluate(
        "url => { const link = document.createElement('a'); link.href = url; link.id = 'go';"
        " link.textContent = 'Open the display'; document.body.appendChild(link); }",
        f"{server.url}/boards/{board.pk}/display/?key={key}",
    )

    page.click("#go")

    expect(page.locator("#connection-pill")).to_have_text("Live")
    assert page.url == f"{server.url}/boards/{board.pk}/display/"


TITLES = [
    "Migrate the billing service to the new payments provider before the renewal",
    "Write the onboarding guide for new support staff",
    "Fix flaky login test",
    "Review the quarterly security audit findings with the platform team",
]


def test_forty_cards_fit_at_1080p_with_titles_on_two_lines(open_page, board, team, tmp_path):
    alice, _, admin = team
    for n in range(40):
        task = task_create(actor=alice, board_id=board.pk, title=f"{TITLES[n % 4]} #{n}")
        if n % 3 == 1:
            task_claim(actor=alice, task_id=task.pk)
        elif n % 3 == 2:
            task_claim(actor=alice, task_id=task.pk)
            task_set_status(actor=alice, task_id=task.pk, status=Status.DONE)
    _, key = display_key_create(actor=admin, board_id=board.pk, name="Team room TV")
    page = open_page(
        None, f"/boards/{board.pk}/display/?key={key}", viewport={"width": 1920, "height": 1080}
    )
    expect(page.locator(".card")).to_have_count(40)
    page.screenshot(path=tmp_path / "display-40-cards.png")

    fit = page.evaluate(
        """() => ({
          oneLine: document.getElementById("board").classList.contains("titles-one-line"),
          overflow: [...document.querySelectorAll(".cards")].some(
            (c) => c.scrollHeight > c.clientHeight + 1),
          lines: [...document.querySelectorAll(".card-title")].map((t) => Math.round(
            t.getBoundingClientRect().height / parseFloat(getComputedStyle(t).lineHeight))),
        })"""
    )
    assert not fit["overflow"]
    assert not fit["oneLine"]
    # The long titles wrap (to two lines, never more); the short ones keep one.
    assert max(fit["lines"]) == 2 and min(fit["lines"]) == 1
