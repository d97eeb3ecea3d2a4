"""Board and membership use cases."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.text import slugify

from board.exceptions import NotFound, ValidationFailed
from board.limits import DESCRIPTION_MAX_LENGTH, NAME_MAX_LENGTH
from board.models import Board, EventKind, Membership, Role
from board.public import user_public_state
from board.services._tasks_common import clean_description, clean_text
from board.services.access import board_lock, role_require
from board.services.events import event_record


def board_create(*, actor: Any, organization: Any, name: Any, description: Any = "") -> Board:
    """Create a board with the actor as its admin."""
    name = clean_text(
        name, field="name", max_length=NAME_MAX_LENGTH, blank="Give the board a name."
    )
    description = clean_description(description, max_length=DESCRIPTION_MAX_LENGTH)
    with transaction.atomic():
        base = slugify(name)[:100] or "board"
        slug, n = base, 1
        while Board.objects.filter(organization=organization, slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        board = Board.objects.create(
            organization=organization, name=name, slug=slug, description=description
        )
        Membership.objects.create(board=board, user=actor, role=Role.ADMIN)
        organization.members.add(actor)
        return board


def membership_set_role(*, actor: Any, board_id: int, user: Any, role: Any) -> Membership:
    """Add the user to the board with `role`, or change their role (admins only)."""
    if role not in Role.values:
        raise ValidationFailed(fields={"role": "Choose viewer, member or admin."})
    with transaction.atomic():
        board = board_lock(board_id=board_id)
        role_require(actor=actor, board=board, role=Role.ADMIN)
        if user is None:
            raise NotFound("That user does not exist.")
        membership, created = Membership.objects.select_for_update().get_or_create(
            board=board, user=user, defaults={"role": role}
        )
        if not created and membership.role == role:
            return membership
        if membership.role == Role.ADMIN and role != Role.ADMIN and _last_admin(board):
            raise ValidationFailed(
                "A board needs at least one admin: make someone else admin first.",
                fields={"role": "This is the board's last admin."},
            )
        if not created:
            membership.role = role
            membership.save(update_fields=["role"])
        board.organization.members.add(user)
        event_record(
            board=board,
            kind=EventKind.MEMBERSHIP_CHANGED,
            actor=actor,
            payload={"user": user_public_state(user), "role": role},
        )
        return membership


def _last_admin(board: Board) -> bool:
    return Membership.objects.filter(board=board, role=Role.ADMIN).count() <= 1
