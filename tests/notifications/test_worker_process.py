"""The notifications worker as a real process (`manage.py notifications_worker`),
stopped mid-run and started again: every notification is emailed, once.

Mails go to files (Django's file-based backend), each with its Message-ID, which
names its notification."""

from __future__ import annotations

import datetime
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.utils import timezone

from board.services import task_create
from notifications.models import Notification, NotificationKind
from tests.realtime.servers import BASE_DIR, server_env, servers_database_url, stop

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(60),
]

ROWS = 200
MESSAGE_ID = re.compile(rb"^Message-ID: <taskboard\.notification\.(\d+)@", re.MULTILINE)


def sent(mail_dir: Path) -> Counter[int]:
    """How many times each notification was emailed so far."""
    ids: Counter[int] = Counter()
    for path in mail_dir.glob("*.log"):
        ids.update(int(found) for found in MESSAGE_ID.findall(path.read_bytes()))
    return ids


def wait_for(condition, *, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.fixture
def due(board, alice, bob) -> set[int]:
    task = task_create(actor=alice, board_id=board.pk, title="Busy task")
    long_ago = timezone.now() - datetime.timedelta(minutes=5)
    rows = Notification.objects.bulk_create(
        Notification(
            recipient=bob,
            board=board,
            task=task,
            kind=NotificationKind.CHANGED,
            text=f"Change {n}",
            updated_at=long_ago,
        )
        for n in range(ROWS)
    )
    return {row.pk for row in rows}


@pytest.fixture
def start_worker(tmp_path):
    started: list[subprocess.Popen] = []
    mail_dir = tmp_path / "mail"
    env = server_env(
        database_url=servers_database_url(),
        redis_url="",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail_dir),
    )

    def start(*args: str) -> subprocess.Popen:
        command = [sys.executable, "manage.py", "notifications_worker", "--poll", "0.05", *args]
        log = (tmp_path / "worker.log").open("a")
        process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=log, stderr=log)
        started.append(process)
        return process

    start.mail_dir = mail_dir
    yield start
    for process in started:
        stop(process, sig=signal.SIGKILL)
    print((tmp_path / "worker.log").read_text()[-3000:])


def pending() -> int:
    return Notification.objects.filter(emailed_at__isnull=True).count()


def test_stopped_mid_run_by_sigterm_then_sigkill_every_notification_is_emailed_once(
    due, start_worker
):
    mails = start_worker.mail_dir
    worker = start_worker()
    wait_for(lambda: sum(sent(mails).values()) >= 10)
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=10) == 0
    # A graceful stop, mid-run: nothing sent that is not marked, or marked and not sent.
    assert 0 < pending() < ROWS
    assert sum(sent(mails).values()) == ROWS - pending()

    worker = start_worker()
    before = sum(sent(mails).values())
    wait_for(lambda: sum(sent(mails).values()) >= before + 10)
    worker.kill()
    worker.wait(timeout=10)
    assert pending() > 0

    assert start_worker("--once").wait(timeout=30) == 0
    assert pending() == 0
    counts = sent(mails)
    assert set(counts) == due
    # The documented window: a mail written just before the SIGKILL, whose transaction
    # had not committed, is written again after the restart, with the same Message-ID.
    assert sum(counts.values()) - len(due) <= 1
