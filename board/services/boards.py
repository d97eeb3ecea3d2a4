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


# One answer for "no such account", "an account outside this workspace" and "an
# address not verified yet" (accounts.selectors.user_to_add), so that an admin learns
# nothing about people outside it, nor whether someone registered with an address.
NOT_IN_WORKSPACE = (
    "No one in this workspace has that username or verified email address. Only people "
    "in the workspace can be added to a board directly, and by email only once they have "
    "verified their address; invitations are coming."
)


def membership_set_role(*, actor: Any, board_id: int, user: Any, role: Any) -> Membership:
    """Add a member of the board's workspace to the board with `role`, or change the
    role of someone already on it (admins only). `user` may be None (nobody matched)."""
    if role not in Role.values:
        raise ValidationFailed(fields={"role": "Choose viewer, member or admin."})
    with transaction.atomic():
        board = board_lock(board_id=board_id)
        role_require(actor=actor, board=board, role=Role.ADMIN)
        if user is None or not _in_workspace_or_on_board(board, user):
            raise NotFound(NOT_IN_WORKSPACE, fields={"user": NOT_IN_WORKSPACE})
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
        event_record(
            board=board,
            kind=EventKind.MEMBERSHIP_CHANGED,
            actor=actor,
            payload={"user": user_public_state(user), "role": role},
        )
        return membership


def _in_workspace_or_on_board(board: Board, user: Any) -> bool:
    """Someone already on the board (from before this rule) can still have their role
    changed; anyone else must belong to the board's workspace."""
    return (
        board.organization.members.filter(pk=user.pk).exists()
        or Membership.objects.filter(board=board, user=user).exists()
    )


def _last_admin(board: Board) -> bool:
    return Membership.objects.filter(board=board, role=Role.ADMIN).count() <= 1
