"""The notifications pages: the bell, the list, reading them, and the email settings."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from board.services import task_create
from notifications.models import EmailMode, Notification, NotificationKind, NotificationSettings
from notifications.views import PER_PAGE

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(board, alice):
    return task_create(actor=alice, board_id=board.pk, title="Ship the release")


def told(user, *, board, task=None, text="Alice changed “Ship the release”", count=1, age=0):
    moment = timezone.now() - datetime.timedelta(minutes=age)
    return Notification.objects.create(
        recipient=user,
        board=board,
        task=task,
        kind=NotificationKind.CHANGED,
        text=text,
        count=count,
        updated_at=moment,
    )


def test_the_header_bell_shows_the_unread_count(client, board, task, bob):
    told(bob, board=board, task=task)
    told(bob, board=board, task=task)
    client.force_login(bob)
    html = client.get(reverse("board_list")).content.decode()
    assert 'id="notification-bell"' in html
    assert '<span class="bell-count">2</span>' in html
    assert "js/bell.js" in html


def test_no_bell_when_logged_out(client):
    html = client.get(reverse("login")).content.decode()
    assert "notification-bell" not in html and "bell.js" not in html


def test_the_list_is_newest_first_with_its_counts_links_and_unread_marks(client, board, task, bob):
    old = told(bob, board=board, task=task, text="Older one", age=10)
    new = told(bob, board=board, task=task, text="Newer one", count=3)
    old.read_at = timezone.now()
    old.save()
    client.force_login(bob)
    html = client.get(reverse("notification_list")).content.decode()
    assert html.index("Newer one") < html.index("Older one")
    assert "(3 changes)" in html
    assert reverse("notification_open", args=[new.pk]) in html
    assert f'notification notification-unread" id="notification-{new.pk}"' in html
    assert f'class="notification" id="notification-{old.pk}"' in html
    assert board.name in html


def test_the_list_is_paginated_and_a_bad_page_is_the_last(client, board, bob):
    for index in range(PER_PAGE + 2):
        told(bob, board=board, text=f"Number {index:02d}", age=index)
    client.force_login(bob)
    first = client.get(reverse("notification_list")).content.decode()
    assert "Number 00" in first and f"Number {PER_PAGE:02d}" not in first
    assert "Page 1 of 2" in first
    last = client.get(reverse("notification_list") + "?page=999").content.decode()
    assert f"Number {PER_PAGE + 1:02d}" in last
    assert client.get(reverse("notification_list") + "?page=x").status_code == 200


def test_following_the_link_reads_it_and_leads_to_the_task(client, board, task, bob):
    notification = told(bob, board=board, task=task)
    client.force_login(bob)
    response = client.get(reverse("notification_open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("task_detail", args=[task.pk])
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_a_board_notification_leads_to_the_board(client, board, bob):
    notification = told(bob, board=board)
    client.force_login(bob)
    response = client.get(reverse("notification_open", args=[notification.pk]))
    assert response["Location"] == reverse("board_detail", args=[board.pk])


def test_mark_one_read_with_a_plain_form_and_with_htmx(client, board, task, bob):
    plain, live = told(bob, board=board, task=task), told(bob, board=board, task=task)
    client.force_login(bob)
    response = client.post(reverse("notification_read", args=[plain.pk]))
    assert response.status_code == 302
    response = client.post(reverse("notification_read", args=[live.pk]), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'class="notification" id="notification-{live.pk}"' in html
    assert 'id="notification-bell"' in html and 'hx-swap-oob="true"' in html
    assert Notification.objects.filter(recipient=bob, read_at__isnull=True).count() == 0


def test_mark_all_read(client, board, task, bob, alice):
    for _ in range(3):
        told(bob, board=board, task=task)
    theirs = told(alice, board=board, task=task)
    client.force_login(bob)
    response = client.post(reverse("notifications_read_all"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "bell-count" not in response.content.decode()
    assert Notification.objects.filter(recipient=bob, read_at__isnull=True).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.parametrize("name", ["notification_open", "notification_read"])
def test_someone_elses_notification_cannot_be_opened_or_marked(
    client, board, task, alice, bob, name
):
    theirs = told(alice, board=board, task=task)
    client.force_login(bob)
    call = client.get if name == "notification_open" else client.post
    assert call(reverse(name, args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.parametrize("notification_id", ["0", "99999999999999999999999"])
def test_an_id_no_row_can_have_is_not_found(client, bob, notification_id):
    client.force_login(bob)
    assert client.post(f"/notifications/{notification_id}/read/").status_code == 404
    assert client.get(f"/notifications/{notification_id}/").status_code == 404


def test_the_pages_need_a_login(client):
    for url in (reverse("notification_list"), reverse("notification_settings")):
        assert client.get(url).status_code == 302


def test_settings_show_the_defaults_and_save(client, bob):
    client.force_login(bob)
    html = client.get(reverse("notification_settings")).content.decode()
    assert 'value="each" required id="id_email_mode_1" checked' in html
    assert 'name="digest_minutes" value="60"' in html
    response = client.post(
        reverse("notification_settings"), {"email_mode": "digest", "digest_minutes": "30"}
    )
    assert response.status_code == 302
    prefs = NotificationSettings.objects.get(user=bob)
    assert (prefs.email_mode, prefs.digest_minutes) == (EmailMode.DIGEST, 30)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email_mode": "sometimes", "digest_minutes": "30"}, "email_mode"),
        ({"email_mode": "digest", "digest_minutes": "1"}, "digest_minutes"),
        ({"email_mode": "digest", "digest_minutes": "999999999"}, "digest_minutes"),
        ({"email_mode": "digest", "digest_minutes": "soon"}, "digest_minutes"),
        ({"email_mode": "digest"}, "digest_minutes"),
    ],
)
def test_settings_refuse_bad_input_with_field_errors(client, bob, data, field):
    client.force_login(bob)
    response = client.post(reverse("notification_settings"), data)
    assert response.status_code == 422
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not NotificationSettings.objects.filter(user=bob).exists()
