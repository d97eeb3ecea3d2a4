from __future__ import annotations

import re

import pytest
from django.urls import reverse

from board.models import DisplayKey, Role
from board.services import display_key_create, display_key_revoke, task_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def display_key(board, admin):
    _, plaintext = display_key_create(actor=admin, board_id=board.pk, name="Team room TV")
    return plaintext


def test_display_opens_without_login_and_has_no_buttons_or_forms(client, board, alice, display_key):
    task_create(actor=alice, board_id=board.pk, title="Shown on the wall")
    response = client.get(
        reverse("board_display", args=[board.pk]), {"key": display_key}, follow=True
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Shown on the wall" in html
    assert "<form" not in html and "<button" not in html
    assert 'id="clock"' in html and 'id="presence"' in html


def test_display_refuses_a_wrong_or_missing_key(client, board, display_key):
    url = reverse("board_display", args=[board.pk])
    assert client.get(url, {"key": "dk_wrong"}).status_code == 403
    assert client.get(url).status_code == 403


def test_display_key_of_another_board_is_refused(client, board, display_key):
    other = board.__class__.objects.create(organization=board.organization, name="B", slug="b")
    assert (
        client.get(reverse("board_display", args=[other.pk]), {"key": display_key}).status_code
        == 403
    )


def test_revoked_key_is_refused(client, board, admin, display_key):
    key = DisplayKey.objects.get(board=board)
    display_key_revoke(actor=admin, key_id=key.pk)
    response = client.get(reverse("board_display", args=[board.pk]), {"key": display_key})
    assert response.status_code == 403


def test_light_theme_is_available(client, board, display_key):
    html = client.get(
        reverse("board_display", args=[board.pk]),
        {"key": display_key, "theme": "light"},
        follow=True,
    ).content.decode()
    assert "display-light" in html


def test_the_key_is_traded_for_a_cookie_and_a_url_without_it(client, board, display_key):
    url = reverse("board_display", args=[board.pk])

    response = client.get(url, {"key": display_key, "theme": "light"})

    assert response.status_code == 302
    assert response["Location"] == f"{url}?theme=light"
    cookie = response.cookies["taskboard_display_key"]
    assert cookie.value == display_key
    assert (cookie["httponly"], cookie["samesite"]) == (True, "Lax")
    assert cookie["max-age"] > 0


def test_the_cookie_covers_the_display_page_and_its_socket_only(client, board, display_key):
    response = client.get(reverse("board_display", args=[board.pk]), {"key": display_key})

    cookies = response.cookies
    assert cookies["taskboard_display_key"]["path"] == f"/boards/{board.pk}/display/"
    assert cookies["taskboard_display_socket_key"]["path"] == f"/ws/boards/{board.pk}/display/"
    assert cookies["taskboard_display_socket_key"].value == display_key
    assert cookies["taskboard_display_socket_key"]["httponly"] is True
    assert cookies["taskboard_display_socket_key"]["samesite"] == "Strict"


def test_the_display_page_opens_with_the_cookie_and_its_socket_url_has_no_key(
    client, board, display_key
):
    url = reverse("board_display", args=[board.pk])
    client.get(url, {"key": display_key})

    response = client.get(url)

    html = response.content.decode()
    assert response.status_code == 200
    assert display_key not in html
    assert f'ws-connect="/ws/boards/{board.pk}/display/"' in html


def test_the_daily_safety_reload_check_gets_an_answer(client, board, display_key):
    url = reverse("board_display", args=[board.pk])
    client.get(url, {"key": display_key})

    assert client.head(url).status_code == 200


def test_a_wrong_key_sets_no_cookie(client, board, display_key):
    response = client.get(reverse("board_display", args=[board.pk]), {"key": "dk_wrong"})

    assert response.status_code == 403
    assert "taskboard_display_key" not in response.cookies


def test_a_revoked_key_in_the_cookie_is_refused(client, board, admin, display_key):
    url = reverse("board_display", args=[board.pk])
    client.get(url, {"key": display_key})
    display_key_revoke(actor=admin, key_id=DisplayKey.objects.get(board=board).pk)

    assert client.get(url).status_code == 403


def test_admin_creates_a_key_shown_once_then_masked(client, board, admin):
    client.force_login(admin)
    html = client.post(
        reverse("display_key_create", args=[board.pk]), {"name": "Lobby screen"}
    ).content.decode()
    url = re.search(r'id="new-display-url">([^<]+)<', html).group(1)
    key = url.split("key=")[1]
    stored = DisplayKey.objects.get(board=board)
    assert stored.key_hash != key and key not in stored.key_hash
    again = client.get(reverse("board_settings", args=[board.pk])).content.decode()
    assert key not in again and stored.prefix in again
    assert client.get(url.split("testserver")[1], follow=True).status_code == 200


def test_admin_revokes_a_key(client, board, admin, display_key):
    key = DisplayKey.objects.get(board=board)
    client.force_login(admin)
    client.post(reverse("display_key_revoke", args=[board.pk, key.pk]))
    key.refresh_from_db()
    assert key.revoked_at is not None


@pytest.mark.parametrize("role", [Role.MEMBER, Role.VIEWER])
def test_non_admins_cannot_reach_settings_or_keys(client, board, role):
    from tests.factories import member_add

    user = member_add(board=board, role=role)
    client.force_login(user)
    assert client.get(reverse("board_settings", args=[board.pk])).status_code == 404
    client.post(reverse("display_key_create", args=[board.pk]), {"name": "Mine"})
    assert not DisplayKey.objects.exists()


def test_admin_sets_a_soft_wip_limit(client, board, admin, alice):
    client.force_login(admin)
    response = client.post(
        reverse("board_settings", args=[board.pk]),
        {"wip_limit_unassigned": "1", "wip_limit_in_progress": "", "wip_limit_done": ""},
    )
    assert response.status_code == 302
    board.refresh_from_db()
    assert board.wip_limit_unassigned == 1 and board.wip_limits_hard is False
    task_create(actor=alice, board_id=board.pk, title="One")
    task_create(actor=alice, board_id=board.pk, title="Two, over a soft limit")
    page = client.get(reverse("board_detail", args=[board.pk])).content.decode()
    assert "over-limit" in page


def test_negative_wip_limit_is_a_field_error(client, board, admin):
    client.force_login(admin)
    response = client.post(
        reverse("board_settings", args=[board.pk]), {"wip_limit_in_progress": "-3"}
    )
    assert response.status_code == 422
    assert "greater than or equal to 0" in response.content.decode()
