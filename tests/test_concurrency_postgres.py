"""Real concurrency on PostgreSQL: threads with their own connections hit one board at once.

The board row lock serialises writers, so the event sequence stays gap-free and a
task is claimed once however many people click at the same moment.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from typing import Any

import pytest
from django.db import transaction

import realtime.broadcast
from board.exceptions import DomainError, InvitationUnusable, PermissionDenied, TaskAlreadyClaimed
from board.invitation_tokens import invitation_token
from board.models import Board, Event, EventKind, Membership, Role, Status, Task
from board.selectors import board_snapshot
from board.services import (
    invitation_accept,
    invitation_link_create,
    membership_set_role,
    task_claim,
    task_create,
    task_move,
    task_release,
    task_set_status,
    task_update,
)
from board.services.access import board_lock
from tests.factories import UserFactory, member_add
from tests.services.helpers import board_seqs, cards_apply_events, cards_by_id, cards_on_board
from tests.threads import threads_run

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(60),
]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def broadcast_seqs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Seqs handed to the broadcast (after each commit), from every thread."""
    seqs: list[int] = []
    monkeypatch.setattr(
        realtime.broadcast, "event_broadcast", lambda *, event: seqs.append(event.seq)
    )
    return seqs


def test_twenty_simultaneous_claims_give_the_task_to_exactly_one(board, broadcast_seqs):
    users = [member_add(board=board) for _ in range(20)]
    task = task_create(actor=users[0], board_id=board.pk, title="Everyone wants this")

    results = threads_run(20, lambda i: task_claim(actor=users[i], task_id=task.pk))

    winners = [result for result in results if isinstance(result, Task)]
    refusals = [result for result in results if isinstance(result, TaskAlreadyClaimed)]
    assert (len(winners), len(refusals)) == (1, 19)
    assert Task.objects.get(pk=task.pk).owner_id == winners[0].owner_id
    assert Event.objects.filter(task=task, kind=EventKind.TASK_CLAIMED).count() == 1
    assert board_seqs(board) == [1, 2]
    assert sorted(broadcast_seqs) == [1, 2]


THREADS = 10
CHANGES_PER_THREAD = 30


def change_random(rng: random.Random, actor: Any, board: Board, task_ids: list[int]) -> str:
    """One random change on the board, as a user might make it; returns its name."""
    task_id = rng.choice(task_ids)
    current, owner_id = Task.objects.filter(pk=task_id).values_list("version", "owner").get()
    # A version read a moment ago is often stale by the time the change runs.
    expected = rng.choice([None, current])
    name = rng.choice(["create", "update", "claim", "release", "done", "reopen", "move"])
    if name == "create":
        created = task_create(actor=actor, board_id=board.pk, title=f"New {rng.random():.6f}")
        task_ids.append(created.pk)
    elif name == "update":
        task_update(
            actor=actor, task_id=task_id, title=f"T {rng.random():.6f}", expected_version=expected
        )
    elif name == "claim":
        task_claim(actor=actor, task_id=task_id, expected_version=expected)
    elif name == "release":
        # Mostly the owner lets go; sometimes someone else tries to.
        releaser = rng.choice([actor, actor.__class__.objects.filter(pk=owner_id).first()])
        task_release(actor=releaser or actor, task_id=task_id, expected_version=expected)
    elif name in ("done", "reopen"):
        status = Status.DONE if name == "done" else Status.IN_PROGRESS
        task_set_status(actor=actor, task_id=task_id, status=status, expected_version=expected)
    else:
        status = rng.choice([None, *Status.values[:3]])
        task_move(
            actor=actor,
            task_id=task_id,
            index=rng.randrange(4),
            status=status,
            expected_version=expected,
        )
    return name


def test_concurrent_mixed_changes_keep_the_event_log_consistent(board, broadcast_seqs):
    users = [member_add(board=board, role=Role.MEMBER) for _ in range(THREADS - 1)]
    users.append(member_add(board=board, role=Role.ADMIN))
    task_ids = [
        task_create(actor=users[0], board_id=board.pk, title=f"Task {n}").pk for n in range(5)
    ]

    def work(i: int) -> Counter:
        rng = random.Random(i)
        outcomes: Counter = Counter()
        for _ in range(CHANGES_PER_THREAD):
            try:
                outcomes[change_random(rng, users[i], board, task_ids)] += 1
            except DomainError as refusal:  # refusals are part of the mix
                outcomes[refusal.code] += 1
        return outcomes

    results = threads_run(THREADS, work)

    assert all(isinstance(result, Counter) for result in results), results
    assert sum(sum(result.values()) for result in results) == THREADS * CHANGES_PER_THREAD
    count = Event.objects.filter(board=board).count()
    assert board_seqs(board) == list(range(1, count + 1))
    assert Board.objects.get(pk=board.pk).last_seq == count
    assert sorted(broadcast_seqs) == list(range(1, count + 1))
    for task in Task.objects.filter(board=board):
        assert task.version == task.events.count(), task
    cards: dict = {}
    cards_apply_events(cards, list(Event.objects.filter(board=board).order_by("seq")))
    assert cards_on_board(cards) == cards_by_id(board_snapshot(board=board))


def test_ten_people_racing_for_a_link_with_three_uses_get_exactly_three_places(
    board, broadcast_seqs
):
    admin = member_add(board=board, role=Role.ADMIN)
    link = invitation_link_create(actor=admin, board_id=board.pk, role=Role.MEMBER, max_uses=3)
    token = invitation_token(nonce=link.nonce)
    people = [UserFactory() for _ in range(10)]

    results = threads_run(10, lambda i: invitation_accept(actor=people[i], token=token))

    joined = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, InvitationUnusable)]
    assert (len(joined), len(refused)) == (3, 7)
    link.refresh_from_db()
    assert link.uses == 3
    assert Membership.objects.filter(board=board, role=Role.MEMBER).count() == 3
    assert board_seqs(board) == list(range(1, Board.objects.get(pk=board.pk).last_seq + 1))


def test_a_write_waiting_for_the_board_lock_sees_a_role_change_made_meanwhile(
    board, broadcast_seqs
):
    """The role is read with the board lock in one query (board.services.access); a
    demotion committed while the write waited must still refuse the write."""
    admin = member_add(board=board, role=Role.ADMIN)
    bob = member_add(board=board, role=Role.MEMBER)
    task = task_create(actor=admin, board_id=board.pk, title="Contested")
    locked, demoted = threading.Event(), threading.Event()

    def demote() -> None:
        with transaction.atomic():
            board_lock(board_id=board.pk)
            locked.set()
            time.sleep(0.5)  # bob's claim is now waiting for the lock
            membership_set_role(actor=admin, board_id=board.pk, user=bob, role=Role.VIEWER)
        demoted.set()

    def claim() -> Any:
        locked.wait(5)
        return task_claim(actor=bob, task_id=task.pk)

    results = threads_run(2, lambda i: demote() if i == 0 else claim())

    assert demoted.is_set()
    assert isinstance(results[1], PermissionDenied)
    assert Task.objects.get(pk=task.pk).status == Status.UNASSIGNED
