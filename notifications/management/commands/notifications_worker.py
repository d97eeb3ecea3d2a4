"""`python manage.py notifications_worker`: sends notification emails, as its own process.

It polls every NOTIFICATION_WORKER_POLL_SECONDS (or --poll) for what is due
(notifications.email_worker). SIGTERM or SIGINT stops it after the email in hand:
each one is committed on its own, so nothing is lost or sent twice by a stop. While
the database is away it logs, waits a poll and tries again. `--once` sends what is
due now and exits (for tests and cron).
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, close_old_connections, connections

from notifications.email_worker import worker_pass

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Send notification emails (each, digest) until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Send what is due, then exit.")
        parser.add_argument(
            "--poll",
            type=float,
            default=None,
            help="Seconds between looks for due notifications "
            "(default: NOTIFICATION_WORKER_POLL_SECONDS).",
        )

    def handle(self, *args: Any, once: bool = False, poll: float | None = None, **_: Any) -> None:
        interval = poll if poll is not None else settings.NOTIFICATION_WORKER_POLL_SECONDS
        stopping = threading.Event()
        previous = {
            signum: signal.signal(signum, lambda *_: stopping.set())
            for signum in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            self._loop(stopping, interval=interval, once=once)
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def _loop(self, stopping: threading.Event, *, interval: float, once: bool) -> None:
        logger.info("Notifications worker started (poll %.1fs)", interval)
        while not stopping.is_set():
            try:
                sent = worker_pass(should_stop=stopping.is_set)
            except DatabaseError:
                logger.warning("Notifications worker: the database failed", exc_info=True)
                connections.close_all()
                sent = 0
                if once:
                    raise
            if once and not sent:
                break
            if not sent:
                stopping.wait(interval)
                close_old_connections()
        logger.info("Notifications worker stopped")
