"""Email from notification rows: what `manage.py notifications_worker` does each pass.

A row waits (`emailed_at` IS NULL) until it is due, then is locked
(`select_for_update(skip_locked=True)`, so several workers never take the same one),
sent, and marked in the same transaction, one email per transaction:

- `each` (the default): once it is older than the coalescing window
  (NOTIFICATION_COALESCE_SECONDS), so that ten quick changes to a task are one email;
- `digest`: everything due in one email, when the last digest is `digest_minutes` old;
- `off`, a read notification, an inactive account, or an address missing or not yet
  verified (nobody gets mail they did not confirm): marked without an email.
  `emailed_at` therefore says "done with by email", sent or not.

Exactly once, with one window: a mail server that accepted a message just before the
worker died (SIGKILL, power) without committing gets it again after the restart. The
Message-ID is the same each time (`<taskboard.notification.<id>@<host>>`), so
receivers that deduplicate drop the second copy; a digest's is made of its rows' ids.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import DatabaseError, transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from board.services.notify import coalesce_seconds
from notifications.models import EmailMode, Notification, NotificationSettings

logger = logging.getLogger(__name__)

BATCH = 100


def site_url(path: str = "") -> str:
    return settings.SITE_URL.rstrip("/") + path


def message_id(name: str) -> str:
    host = urlparse(settings.SITE_URL).hostname or "taskboard.invalid"
    return f"<taskboard.{name}@{host}>"


def _link(notification: Notification) -> str:
    if notification.task_id is not None:
        return site_url(reverse("task_detail", args=[notification.task_id]))
    return site_url(reverse("board_detail", args=[notification.board_id]))


def _send(
    connection: Any, *, to: str, subject: str, template: str, context: dict, msgid: str
) -> None:
    context = context | {"settings_url": site_url(reverse("notification_settings"))}
    EmailMessage(
        subject=" ".join(subject.split())[:200],
        body=render_to_string(template, context),
        to=[to],
        headers={"Message-ID": msgid, "Auto-Submitted": "auto-generated"},
        connection=connection,
    ).send()


def skip_unwanted() -> int:
    """Mark, without an email, what nobody should be emailed."""
    users = get_user_model().objects
    unwanted = Notification.objects.filter(emailed_at__isnull=True).filter(
        Q(read_at__isnull=False)
        | Q(recipient__notification_settings__email_mode=EmailMode.OFF)
        | Q(
            recipient__in=users.filter(
                Q(is_active=False) | Q(email="") | Q(email_verified_at__isnull=True)
            )
        )
    )
    return unwanted.update(emailed_at=timezone.now())


def _due_each(cutoff: datetime.datetime) -> QuerySet[Notification]:
    return Notification.objects.filter(
        Q(recipient__notification_settings__isnull=True)
        | Q(recipient__notification_settings__email_mode=EmailMode.EACH),
        emailed_at__isnull=True,
        read_at__isnull=True,
        updated_at__lt=cutoff,
    )


def send_one(connection: Any, notification_id: int, cutoff: datetime.datetime) -> bool:
    """Email one notification if it is still due and no other worker holds it."""
    with transaction.atomic():
        row = (
            _due_each(cutoff)
            .filter(pk=notification_id)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient", "board")
            .first()
        )
        if row is None:
            return False
        _send(
            connection,
            to=row.recipient.email,
            subject=f"[Taskboard] {row.text}",
            template="email/notification.txt",
            context={"notification": row, "link": _link(row)},
            msgid=message_id(f"notification.{row.pk}"),
        )
        row.emailed_at = timezone.now()
        row.save(update_fields=["emailed_at"])
    return True


def _digest_due(prefs: NotificationSettings, now: datetime.datetime) -> bool:
    last = prefs.last_digest_at
    return last is None or last <= now - datetime.timedelta(minutes=prefs.digest_minutes)


def send_digest(connection: Any, user_id: int, cutoff: datetime.datetime) -> bool:
    """One email with everything due for the user, if their digest is due."""
    now = timezone.now()
    with transaction.atomic():
        prefs = (
            NotificationSettings.objects.filter(user_id=user_id, email_mode=EmailMode.DIGEST)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("user")
            .first()
        )
        if prefs is None or not _digest_due(prefs, now):
            return False
        rows = list(
            Notification.objects.filter(
                recipient_id=user_id,
                emailed_at__isnull=True,
                read_at__isnull=True,
                updated_at__lt=cutoff,
            )
            .select_for_update(of=("self",))
            .select_related("board")
            .order_by("-updated_at", "-id")
        )
        if not rows:
            return False
        ids = ",".join(str(row.pk) for row in sorted(rows, key=lambda r: r.pk))
        _send(
            connection,
            to=prefs.user.email,
            subject=f"[Taskboard] {len(rows)} new notification{'s' if len(rows) > 1 else ''}",
            template="email/notification_digest.txt",
            context={"items": [(row, _link(row)) for row in rows]},
            msgid=message_id(f"digest.{hashlib.sha256(ids.encode()).hexdigest()[:24]}"),
        )
        Notification.objects.filter(pk__in=[row.pk for row in rows]).update(emailed_at=now)
        prefs.last_digest_at = now
        prefs.save(update_fields=["last_digest_at"])
    return True


def worker_pass(*, should_stop: Callable[[], bool] = lambda: False) -> int:
    """One pass over what is due; the number of emails sent. Stops between emails
    when `should_stop()` says so: each one is committed on its own."""
    skip_unwanted()
    cutoff = timezone.now() - datetime.timedelta(seconds=coalesce_seconds())
    sent = 0
    each_ids = _due_each(cutoff).order_by("updated_at", "id").values_list("pk", flat=True)
    digest_users = (
        Notification.objects.filter(
            recipient__notification_settings__email_mode=EmailMode.DIGEST,
            emailed_at__isnull=True,
            updated_at__lt=cutoff,
        )
        .order_by()
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    jobs: list[tuple[Callable[[Any, int, datetime.datetime], bool], int]]
    jobs = [(send_one, pk) for pk in each_ids[:BATCH]]
    jobs += [(send_digest, uid) for uid in digest_users[:BATCH]]
    if not jobs:
        return 0
    # One connection to the mail server for the pass, opened on the first send.
    with get_connection() as connection:
        for job, key in jobs:
            if should_stop():
                break
            try:
                sent += job(connection, key, cutoff)
            except DatabaseError:
                raise  # the database is away: the worker's loop waits for it
            except Exception:
                # Left as it was (rolled back): the next pass tries it again.
                logger.exception("Notification email %s(%s) failed", job.__name__, key)
    return sent
