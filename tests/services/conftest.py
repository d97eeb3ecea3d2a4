"""Fixtures for the service tests: tasks in each status, and a broadcast recorder."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import realtime.broadcast
from board.models import Event, Status, Task
from board.services import task_archive, task_claim, task_create, task_set_status


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """Every fixture user gets a password; the default hasher makes each one cost ~0.5 s."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_task(board, alice, admin) -> Callable[..., Task]:
    """Create a task through the services and walk it to `status`."""

    def make(status: str = Status.UNASSIGNED, *, title: str = "Task", owner=None) -> Task:
        owner = owner or alice
        task = task_create(actor=alice, board_id=board.pk, title=title)
        if status in (Status.IN_PROGRESS, Status.DONE):
            task = task_claim(actor=owner, task_id=task.pk)
        if status == Status.DONE:
            task = task_set_status(actor=owner, task_id=task.pk, status=Status.DONE)
        if status == Status.ARCHIVED:
            task = task_archive(actor=admin, task_id=task.pk)
        return Task.objects.get(pk=task.pk)

    return make


@pytest.fixture
def task(make_task) -> Task:
    return make_task(Status.UNASSIGNED)


@pytest.fixture
def claimed_task(make_task) -> Task:
    """In progress, owned by alice."""
    return make_task(Status.IN_PROGRESS)


@pytest.fixture
def done_task(make_task) -> Task:
    """Done, owned by alice."""
    return make_task(Status.DONE)


@pytest.fixture
def archived_task(make_task) -> Task:
    return make_task(Status.ARCHIVED)


@pytest.fixture
def broadcasts(monkeypatch: pytest.MonkeyPatch) -> list[Event]:
    """Record the events that would be broadcast. `event_record` imports
    `event_broadcast` at call time, so patching the module attribute is enough."""
    sent: list[Event] = []
    monkeypatch.setattr(realtime.broadcast, "event_broadcast", lambda *, event: sent.append(event))
    return sent
