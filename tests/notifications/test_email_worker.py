"""One pass of the notifications worker: each, digest and off, and what is never sent."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from board.services import task_create
from board.services.notify import notify
from notifications.email_worker import worker_pass
from notifications.models import EmailMode, Notification, NotificationKind, NotificationSettings

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(30)]


@pytest.fixture
def task(board, alice):
    return task_create(actor=alice, board_id=board.pk, title="Ship the release")


def told(user, *, task, age_seconds: float = 120, text: str = "Alice changed it"):
    return Notification.objects.create(
        recipient=user,
        board=task.board,
        task=task,
        kind=NotificationKind.CHANGED,
        text=text,
        updated_at=timezone.now() - datetime.timedelta(seconds=age_seconds),
    )


def mode(user, email_mode: str, **fields) -> NotificationSettings:
    return NotificationSettings.objects.create(user=user, email_mode=email_mode, **fields)


def age(*rows, seconds: float = 120) -> None:
    when = timezone.now() - datetime.timedelta(seconds=seconds)
    Notification.objects.filter(pk__in=[row.pk for row in rows]).update(updated_at=when)


def test_each_waits_for_the_coalescing_window_then_sends_once(task, bob):
    fresh = told(bob, task=task, age_seconds=1)
    assert worker_pass() == 0
    age(fresh)
    assert worker_pass() == 1
    assert worker_pass() == 0
    [sent] = mail.outbox
    assert sent.to == [bob.email]
    assert sent.subject == "[Taskboard] Alice changed it"
    assert f"/tasks/{task.pk}/" in sent.body
    assert sent.extra_headers["Message-ID"] == f"<taskboard.notification.{fresh.pk}@localhost>"
    fresh.refresh_from_db()
    assert fresh.emailed_at is not None


def test_ten_quick_changes_are_one_email(task, alice, bob):
    for _ in range(10):
        with transaction.atomic():
            notify(
                board=task.board,
                task=task,
                actor=alice,
                kind=NotificationKind.CHANGED,
                user_ids=[bob.pk],
            )
    [row] = Notification.objects.filter(recipient=bob)
    age(row)
    assert worker_pass() == 1
    assert "(10 changes)" in mail.outbox[0].body


def test_a_digest_sends_everything_due_in_one_email_then_waits_its_minutes(task, bob):
    mode(bob, EmailMode.DIGEST, digest_minutes=30)
    first = told(bob, task=task, text="First thing")
    told(bob, task=task, text="Second thing")
    assert worker_pass() == 1
    [digest] = mail.outbox
    assert digest.subject == "[Taskboard] 2 new notifications"
    assert "First thing" in digest.body and "Second thing" in digest.body

    later = told(bob, task=task, text="Third thing")
    assert worker_pass() == 0  # the last digest is only just out
    NotificationSettings.objects.filter(user=bob).update(
        last_digest_at=timezone.now() - datetime.timedelta(minutes=31)
    )
    assert worker_pass() == 1
    assert "Third thing" in mail.outbox[1].body and "First thing" not in mail.outbox[1].body
    assert not Notification.objects.filter(pk__in=[first.pk, later.pk], emailed_at=None).exists()


def test_off_read_inactive_and_unverified_are_marked_without_an_email(task, bob, admin, viewer):
    mode(bob, EmailMode.OFF)
    rows = [told(bob, task=task, age_seconds=0)]
    read = told(admin, task=task)
    read.read_at = timezone.now()
    read.save()
    viewer.email_verified_at = None
    viewer.save()
    rows += [read, told(viewer, task=task)]

    assert worker_pass() == 0
    assert mail.outbox == []
    ids = [row.pk for row in rows]
    assert not Notification.objects.filter(pk__in=ids, emailed_at=None).exists()


def test_a_failing_send_is_kept_for_the_next_pass_and_blocks_no_one(task, bob, admin, monkeypatch):
    from django.core.mail import EmailMessage

    real_send = EmailMessage.send

    def send(message, *args, **kwargs):
        if message.to == [bob.email]:
            raise OSError("the mail server said no")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", send)
    theirs, ours = told(bob, task=task), told(admin, task=task)
    assert worker_pass() == 1
    assert [m.to for m in mail.outbox] == [[admin.email]]
    theirs.refresh_from_db()
    assert theirs.emailed_at is None
    monkeypatch.setattr(EmailMessage, "send", real_send)
    assert worker_pass() == 1
    assert ours.pk != theirs.pk


def test_the_command_once_sends_what_is_due_and_exits(task, bob):
    for _ in range(3):
        told(bob, task=task)
    call_command("notifications_worker", "--once")
    assert len(mail.outbox) == 3
