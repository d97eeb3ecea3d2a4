from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from board.management.commands.seed_demo import DEMO_PASSWORD
from board.models import Board, Epic, Event, Role, Sprint, Status, Task

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Each seed hashes three passwords; the default hasher would make that seconds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def log_in(username: str, password: str):
    """authenticate() as the login page calls it: the sign-in throttle needs the request."""
    return authenticate(
        RequestFactory().post("/accounts/login/"), username=username, password=password
    )


def seed() -> str:
    # pytest-django runs with DEBUG off, where the command refuses unless forced.
    out = StringIO()
    call_command("seed_demo", force=True, stdout=out)
    return out.getvalue()


def board_contents() -> dict[str, object]:
    board = Board.objects.get(organization__slug="demo-co", name="Team board")
    return {
        "boards": Board.objects.count(),
        "tasks": sorted(Task.objects.values_list("title", "status", "owner__username")),
        "members": sorted(board.memberships.values_list("user__username", "role")),
        "epics": Epic.objects.count(),
        "sprints": Sprint.objects.count(),
        "sprint_tasks": Sprint.tasks.through.objects.count(),
        "events": Event.objects.count(),
    }


def test_seed_demo_fills_every_column_of_the_team_board():
    seed()

    board = Board.objects.get(organization__name="Demo Co", name="Team board")
    assert board.tasks.filter(status=Status.UNASSIGNED).count() >= 10
    assert board.tasks.filter(status=Status.IN_PROGRESS).exists()
    assert board.tasks.filter(status=Status.DONE).exists()
    assert 25 <= board.tasks.count() <= 35


def test_seed_demo_keeps_in_progress_under_its_wip_limit():
    seed()

    board = Board.objects.get(name="Team board")
    assert board.wip_limit_in_progress is not None
    assert board.tasks.filter(status=Status.IN_PROGRESS).count() <= board.wip_limit_in_progress


def test_seed_demo_makes_alice_admin_and_bob_and_carol_members():
    seed()

    board = Board.objects.get(name="Team board")
    assert sorted(board.memberships.values_list("user__username", "role")) == [
        ("alice", Role.ADMIN),
        ("bob", Role.MEMBER),
        ("carol", Role.MEMBER),
    ]


def test_seed_demo_plans_two_epics_and_one_sprint():
    seed()

    board = Board.objects.get(name="Team board")
    assert board.epics.count() == 2
    assert board.sprints.count() == 1
    assert board.sprints.get().tasks.exists()


def test_seed_demo_records_a_gap_free_event_history():
    seed()

    board = Board.objects.get(name="Team board")
    seqs = list(board.events.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, board.last_seq + 1))
    assert board.events.filter(kind="task.created").count() == board.tasks.count()


def test_seed_demo_run_twice_duplicates_nothing():
    seed()
    first = board_contents()

    output = seed()

    assert board_contents() == first
    assert "Already there" in output


def test_seed_demo_users_log_in_with_the_demo_password():
    seed()

    for username in ("alice", "bob", "carol"):
        assert log_in(username, DEMO_PASSWORD) is not None


def test_seed_demo_keeps_the_password_of_an_existing_user(django_user_model):
    django_user_model.objects.create_user(
        username="alice", email="alice@example.com", password="alice-own-secret"
    )

    seed()

    assert log_in("alice", "alice-own-secret") is not None


def test_seed_demo_refuses_with_debug_off_unless_forced(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo", stdout=StringIO())
    assert not Board.objects.exists()
