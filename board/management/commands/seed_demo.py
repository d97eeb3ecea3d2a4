"""Demo data for `make run`: Demo Co's "Team board" with three people and ~30 tasks.

Everything on the board is made through the services, so the board has a real event
history. Running the command again changes nothing.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import Organization, WorkspaceMembership, WorkspaceRole
from board.models import Board, Role, Status
from board.services import (
    board_create,
    board_settings_update,
    epic_create,
    membership_set_role,
    sprint_add_task,
    sprint_create,
    task_claim,
    task_create,
    task_set_status,
)

DEMO_PASSWORD = "taskboard-demo"
ORGANIZATION_NAME = "Demo Co"
ORGANIZATION_SLUG = "demo-co"
BOARD_NAME = "Team board"
WIP_LIMIT_IN_PROGRESS = 8

# username, full name, role on the board. The first one creates the board.
PEOPLE = [
    ("alice", "Alice Anders", Role.ADMIN),
    ("bob", "Bob Baker", Role.MEMBER),
    ("carol", "Carol Chen", Role.MEMBER),
]

EPICS = {
    "onboarding": ("Onboarding", "Get a new team from sign-up to first board in minutes."),
    "mobile": ("Mobile web", "Make the board comfortable on a phone."),
}

# title, epic key, who ends up with it (None: unassigned), final status,
# due in N days (None: no due date), in the sprint.
TASKS: list[tuple[str, str | None, str | None, Status, int | None, bool]] = [
    ("Write the welcome email", "onboarding", None, Status.UNASSIGNED, 5, True),
    ("Invite teammates from the empty board", "onboarding", None, Status.UNASSIGNED, 8, True),
    ("Sample tasks for a brand-new board", "onboarding", None, Status.UNASSIGNED, None, False),
    ("Explain WIP limits in a tooltip", "onboarding", None, Status.UNASSIGNED, None, False),
    ("Keyboard shortcuts cheat sheet", None, None, Status.UNASSIGNED, None, False),
    ("Collapse columns on narrow screens", "mobile", None, Status.UNASSIGNED, 10, True),
    ("Bigger touch targets on cards", "mobile", None, Status.UNASSIGNED, None, False),
    ("Swipe a card to claim it", "mobile", None, Status.UNASSIGNED, None, False),
    ("Test on a slow 3G connection", "mobile", None, Status.UNASSIGNED, 12, False),
    ("Export a board as CSV", None, None, Status.UNASSIGNED, None, False),
    ("Dark mode colours", None, None, Status.UNASSIGNED, None, False),
    ("Due-date reminders by email", None, None, Status.UNASSIGNED, 20, False),
    ("Archive done tasks after 30 days", None, None, Status.UNASSIGNED, None, False),
    ("Show who is viewing the board", None, None, Status.UNASSIGNED, None, False),
    ("Sign-up form validation messages", "onboarding", "alice", Status.IN_PROGRESS, 3, True),
    ("First-board checklist", "onboarding", "bob", Status.IN_PROGRESS, 4, True),
    ("Responsive board header", "mobile", "carol", Status.IN_PROGRESS, 6, True),
    ("Offline banner when the socket drops", "mobile", "bob", Status.IN_PROGRESS, None, True),
    ("Card detail page layout", None, "carol", Status.IN_PROGRESS, None, False),
    ("Fix the flaky login redirect", None, "alice", Status.IN_PROGRESS, 1, True),
    ("Set up the staging server", None, "alice", Status.DONE, None, False),
    ("Choose the colour palette", None, "carol", Status.DONE, None, False),
    ("Board list page", None, "bob", Status.DONE, None, True),
    ("Password reset flow", "onboarding", "alice", Status.DONE, None, True),
    ("Organization sign-up page", "onboarding", "bob", Status.DONE, None, False),
    ("Viewport meta tag and base font size", "mobile", "carol", Status.DONE, None, False),
    ("Claim button on every card", None, "bob", Status.DONE, None, True),
    ("Live updates over WebSockets", None, "alice", Status.DONE, None, True),
    ("Column counts in the header", None, "carol", Status.DONE, None, False),
    ("Favicon and page titles", None, "bob", Status.DONE, None, False),
]


class Command(BaseCommand):
    help = "Create Demo Co's 'Team board' with demo users and tasks (safe to run again)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even with DEBUG off. The demo users share a published password.",
        )

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: the demo users' password is public, so seed_demo refuses to "
                "run. Pass --force if this really is a demo deployment."
            )
        with transaction.atomic():
            users = _users_get_or_create()
            organization, _ = Organization.objects.get_or_create(
                slug=ORGANIZATION_SLUG, defaults={"name": ORGANIZATION_NAME}
            )
            board = Board.objects.filter(organization=organization, name=BOARD_NAME).first()
            if board is None:
                board = _board_seed(organization=organization, users=users)
                self.stdout.write(self.style.SUCCESS(_summary(board, "Created")))
            else:
                self.stdout.write(_summary(board, "Already there, left as it was:"))
        names = ", ".join(username for username, _, _ in PEOPLE)
        self.stdout.write(f"Log in as {names} with the password {DEMO_PASSWORD!r}.")


def _users_get_or_create() -> dict[str, Any]:
    """Existing users keep their password: the command never overwrites an account."""
    User = get_user_model()
    users = {}
    for username, full_name, _ in PEOPLE:
        first_name, last_name = full_name.split(" ", 1)
        user, created = User.objects.get_or_create(
            username__iexact=username,
            defaults={
                "username": username,
                "email": f"{username}@example.com",
                "first_name": first_name,
                "last_name": last_name,
                # example.com mail goes nowhere: the demo people count as verified.
                "email_verified_at": timezone.now(),
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        users[username] = user
    return users


def _board_seed(*, organization: Organization, users: dict[str, Any]) -> Board:
    (creator, _, _), *others = PEOPLE
    admin = users[creator]
    # Only people in the workspace can be put on its boards; the first one owns it.
    for username, user in users.items():
        role = WorkspaceRole.OWNER if username == creator else WorkspaceRole.MEMBER
        WorkspaceMembership.objects.get_or_create(
            organization=organization, user=user, defaults={"role": role}
        )
    board = board_create(
        actor=admin,
        organization=organization,
        name=BOARD_NAME,
        description="Demo board: claim a card, finish it, and watch the others update live.",
    )
    board_settings_update(
        actor=admin,
        board_id=board.pk,
        wip_limits={"wip_limit_in_progress": WIP_LIMIT_IN_PROGRESS},
        wip_limits_hard=True,
    )
    for username, _, role in others:
        membership_set_role(actor=admin, board_id=board.pk, user=users[username], role=role)

    epics = {
        key: epic_create(actor=admin, board_id=board.pk, name=name, description=description)
        for key, (name, description) in EPICS.items()
    }
    today = timezone.localdate()
    sprint = sprint_create(
        actor=admin,
        board_id=board.pk,
        name="Sprint 1",
        description="Onboarding polish and a usable phone layout.",
        start_date=today - datetime.timedelta(days=3),
        end_date=today + datetime.timedelta(days=11),
    )
    for title, epic_key, owner, status, due_in_days, in_sprint in TASKS:
        task = task_create(
            actor=admin,
            board_id=board.pk,
            title=title,
            due_date=today + datetime.timedelta(days=due_in_days) if due_in_days else None,
            epic_id=epics[epic_key].pk if epic_key else None,
        )
        if owner is not None:
            task = task_claim(actor=users[owner], task_id=task.pk)
        if status == Status.DONE:
            task = task_set_status(actor=users[owner], task_id=task.pk, status=Status.DONE)
        if in_sprint:
            sprint_add_task(actor=admin, sprint_id=sprint.pk, task_id=task.pk)
    board.refresh_from_db()
    return board


def _summary(board: Board, prefix: str) -> str:
    counts = {status: board.tasks.filter(status=status).count() for status in Status}
    return (
        f"{prefix} {board.organization.name} / {board.name}: "
        f"{counts[Status.UNASSIGNED]} unassigned, {counts[Status.IN_PROGRESS]} in progress, "
        f"{counts[Status.DONE]} done; {board.memberships.count()} members, "
        f"{board.epics.count()} epics, {board.sprints.count()} sprint(s), "
        f"{board.last_seq} events."
    )
