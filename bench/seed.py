"""Data for the benchmarks, made through the app's own services (run as a subprocess
against the bench database: `python -m bench.seed <command> '<json args>'`, which
prints one JSON line).

- `board`: an organization, a board, `members` users with an API token each, and
  `tasks` unassigned tasks.
- `events`: `count` changes on the given tasks by one member, cycling each task
  through claim, done, reopen and release.
- `page_board`: bench.board_page's board of `tasks` tasks over three columns, an API
  token for each of its members, a session cookie for one of them, and the ids of the
  unassigned tasks nobody owns (writers cycle those).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import orjson

CYCLE = ("claim", "DONE", "IN_PROGRESS", "release")


def board_seed(*, tag: str, members: int, tasks: int, admin: bool = False) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from accounts.models import Organization
    from accounts.tokens import api_token_create
    from board.models import Board, Membership, Role
    from board.services import task_create

    user_model = get_user_model()
    password = make_password(None)
    with transaction.atomic():
        organization = Organization.objects.create(name=f"Bench {tag}", slug=f"bench-{tag}")
        board = Board.objects.create(organization=organization, name=f"Bench {tag}", slug=tag)
        users = user_model.objects.bulk_create(
            user_model(
                username=f"{tag}-{i}",
                email=f"{tag}-{i}@bench.invalid",
                first_name="Bench",
                last_name=f"User{i}",
                password=password,
            )
            for i in range(members)
        )
        role = Role.ADMIN if admin else Role.MEMBER
        Membership.objects.bulk_create(Membership(board=board, user=u, role=role) for u in users)
        organization.members.add(*users)
        tokens = [api_token_create(user=user, name="bench")[1] for user in users]
    task_ids = [
        task_create(actor=users[0], board_id=board.pk, title=f"Bench task {i}").pk
        for i in range(tasks)
    ]
    board.refresh_from_db()
    return {
        "board": board.pk,
        "tokens": tokens,
        "users": [user.pk for user in users],
        "tasks": task_ids,
        "seq": board.last_seq,
    }


def cycle_step(step: int, task_count: int) -> tuple[int, str]:
    """Which task (index) step `step` changes, and how: all tasks start unassigned."""
    return step % task_count, CYCLE[(step // task_count) % len(CYCLE)]


def events_seed(*, user: int, tasks: list[int], count: int) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from board.models import Board, Task
    from board.services import task_claim, task_release, task_set_status

    actor = get_user_model().objects.get(pk=user)
    actions: dict[str, Callable[..., Any]] = {
        "claim": lambda task_id: task_claim(actor=actor, task_id=task_id),
        "release": lambda task_id: task_release(actor=actor, task_id=task_id),
    }
    for step in range(count):
        index, action = cycle_step(step, len(tasks))
        run = actions.get(action)
        if run is None:
            task_set_status(actor=actor, task_id=tasks[index], status=action)
        else:
            run(tasks[index])
    board_id = Task.objects.get(pk=tasks[0]).board_id
    return {"seq": Board.objects.get(pk=board_id).last_seq}


def page_board_seed(*, tag: str, tasks: int) -> dict[str, Any]:
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )

    from accounts.tokens import api_token_create
    from bench.board_page import board_with_tasks
    from board.models import Status, Task

    board, viewer, _ = board_with_tasks(size=tasks, tag=tag)
    members = get_user_model().objects.filter(memberships__board=board).order_by("pk")
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(viewer.pk)
    # The last backend signs people in; the first (django-axes) only throttles.
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = viewer.get_session_auth_hash()
    session.create()
    free = Task.objects.filter(board=board, status=Status.UNASSIGNED, owner=None)
    return {
        "board": board.pk,
        "tokens": [api_token_create(user=user, name="bench")[1] for user in members],
        "cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}",
        "free_tasks": list(free.order_by("pk").values_list("pk", flat=True)),
    }


COMMANDS = {"board": board_seed, "events": events_seed, "page_board": page_board_seed}


def main(argv: list[str]) -> None:
    import django

    django.setup()
    command, args = argv[0], orjson.loads(argv[1]) if len(argv) > 1 else {}
    print(orjson.dumps(COMMANDS[command](**args)).decode())


if __name__ == "__main__":
    main(sys.argv[1:])
