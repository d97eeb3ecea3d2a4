"""Board and membership use cases."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import WorkspaceRole
from board.exceptions import NotFound, ValidationFailed
from board.limits import DESCRIPTION_MAX_LENGTH, NAME_MAX_LENGTH
from board.models import Board, EventKind, Membership, Role
from board.public import user_public_state
from board.services._tasks_common import UNSET, clean_description, clean_id, clean_text
from board.services.access import (
    board_lock,
    role_require,
    workspace_lock,
    workspace_role_require,
)
from board.services.events import event_record
from board.services.notify import notify
from board.services.sample_board import SAMPLE_TASKS, SAMPLE_WIP_LIMIT, BoardStart
from board.workspace_selectors import workspace_may_create_boards
from notifications.models import NotificationKind
from realtime.control import board_closed_broadcast


def board_create(
    *,
    actor: Any,
    organization: Any,
    name: Any,
    description: Any = "",
    start: Any = BoardStart.EMPTY,
) -> Board:
    """Create a board in the workspace with the actor as its admin. Owners and admins
    of the workspace may; members when the workspace allows it. `start="sample"` adds
    a few example tasks and a WIP limit, for a team that wants to see it work first."""
    name = clean_text(
        name, field="name", max_length=NAME_MAX_LENGTH, blank="Give the board a name."
    )
    description = clean_description(description, max_length=DESCRIPTION_MAX_LENGTH)
    if start not in BoardStart.values:
        raise ValidationFailed(fields={"start": "Choose an empty board or the sample."})
    with transaction.atomic():
        workspace = workspace_lock(workspace_id=organization.pk)
        if not workspace_may_create_boards(user=actor, workspace=workspace):
            workspace_role_require(actor=actor, workspace=workspace, role=WorkspaceRole.ADMIN)
        base = slugify(name)[:100] or "board"
        slug, n = base, 1
        while Board.objects.filter(organization=workspace, slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        board = Board.objects.create(
            organization=workspace, name=name, slug=slug, description=description
        )
        Membership.objects.create(board=board, user=actor, role=Role.ADMIN)
        if start == BoardStart.SAMPLE:
            _sample_fill(actor=actor, board=board)
        return board


def _sample_fill(*, actor: Any, board: Board) -> None:
    from board.services.display_keys import board_settings_update
    from board.services.tasks import task_claim, task_create

    board_settings_update(
        actor=actor,
        board_id=board.pk,
        wip_limits={"wip_limit_in_progress": SAMPLE_WIP_LIMIT},
        wip_limits_hard=False,
    )
    for title, description, claim in SAMPLE_TASKS:
        task = task_create(actor=actor, board_id=board.pk, title=title, description=description)
        if claim:
            task_claim(actor=actor, task_id=task.pk)


def board_update(
    *, actor: Any, board_id: int, name: Any = UNSET, description: Any = UNSET
) -> Board:
    """Rename the board or change its description (admins); what is not given stays."""
    if name is not UNSET:
        name = clean_text(
            name, field="name", max_length=NAME_MAX_LENGTH, blank="Give the board a name."
        )
    if description is not UNSET:
        description = clean_description(description, max_length=DESCRIPTION_MAX_LENGTH)
    with transaction.atomic():
        board = board_lock(board_id=board_id)
        role_require(actor=actor, board=board, role=Role.ADMIN)
        if name is not UNSET:
            board.name = name
        if description is not UNSET:
            board.description = description
        board.save(update_fields=["name", "description"])
        event_record(
            board=board,
            kind=EventKind.BOARD_UPDATED,
            actor=actor,
            payload={"name": board.name, "description": board.description},
        )
        return board


def board_archive(*, actor: Any, board_id: int) -> Board:
    """Archive the board: nobody reads or changes it until an admin restores it. Its
    open sockets close (realtime.control) and its pages say it is archived."""
    with transaction.atomic():
        board = board_lock(board_id=board_id)
        role_require(actor=actor, board=board, role=Role.ADMIN, archived_ok=True)
        if board.archived_at is not None:
            return board
        board.archived_at = timezone.now()
        board.save(update_fields=["archived_at"])
        event = event_record(board=board, kind=EventKind.BOARD_ARCHIVED, actor=actor, payload={})
        transaction.on_commit(lambda: board_closed_broadcast(board_id=board.pk, seq=event.seq))
        return board


def board_restore(*, actor: Any, board_id: int) -> Board:
    with transaction.atomic():
        board = board_lock(board_id=board_id)
        role_require(actor=actor, board=board, role=Role.ADMIN, archived_ok=True)
        if board.archived_at is None:
            return board
        board.archived_at = None
        board.save(update_fields=["archived_at"])
        event_record(board=board, kind=EventKind.BOARD_RESTORED, actor=actor, payload={})
        return board


def board_delete(*, actor: Any, board_id: int, confirm_name: Any) -> None:
    """Delete the board with its tasks, sprints, epics and events (admins), once the
    admin has typed its name. Its open sockets close."""
    with transaction.atomic():
        board = board_lock(board_id=board_id)
        role_require(actor=actor, board=board, role=Role.ADMIN, archived_ok=True)
        if not isinstance(confirm_name, str) or confirm_name.strip() != board.name:
            raise ValidationFailed(
                "Type the board's name to confirm that it should be deleted.",
                fields={"confirm_name": f"Type “{board.name}” exactly."},
            )
        board_pk = board.pk
        board.delete()
        transaction.on_commit(lambda: board_closed_broadcast(board_id=board_pk))


# One answer for "no such account", "an account outside this workspace" and "an
# address not verified yet" (accounts.selectors.user_to_add), so that an admin learns
# nothing about people outside it, nor whether someone registered with an address.
NOT_IN_WORKSPACE = (
    "No one in this workspace has that username or verified email address. Only people "
    "in the workspace can be added to a board directly, and by email only once they have "
    "verified their address; invite anyone else."
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
        return membership_grant(board=board, user=user, role=role, actor=actor)


def membership_grant(*, board: Board, user: Any, role: str, actor: Any) -> Membership:
    """Put `user` on the board with `role`, or change their role; the caller holds the
    board lock and has checked the actor's right. Open boards learn it by an event."""
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
        payload={"user": user_public_state(user), "role": role, "joined": created},
    )
    if created:
        notify(
            board=board,
            task=None,
            actor=actor,
            kind=NotificationKind.ADDED_TO_BOARD,
            user_ids=[user.pk],
        )
    return membership


def membership_remove(
    *, actor: Any, board_id: int, user_id: Any, by_workspace: bool = False
) -> None:
    """Take someone off the board: an admin removing a member, or anyone leaving
    (`user_id` their own). The board's last admin can do neither: they make someone
    else admin first, or delete the board. `by_workspace`: the caller is removing them
    from the whole workspace and has checked that right."""
    user_id = clean_id(user_id, "user_id")
    with transaction.atomic():
        board = board_lock(board_id=board_id)
        leaving = user_id == actor.pk
        if not by_workspace:
            role_require(
                actor=actor,
                board=board,
                role=Role.VIEWER if leaving else Role.ADMIN,
                archived_ok=True,
            )
        membership = (
            Membership.objects.select_for_update()
            .select_related("user")
            .filter(board=board, user_id=user_id)
            .first()
        )
        if membership is None:
            raise NotFound("That person is not on this board.")
        if membership.role == Role.ADMIN and _last_admin(board):
            raise ValidationFailed(
                f"{membership.user.display_name} is the last admin of “{board.name}”: "
                "make someone else admin first, or delete the board.",
                fields={"user": "This is the board's last admin."},
            )
        membership.delete()
        event_record(
            board=board,
            kind=EventKind.MEMBERSHIP_CHANGED,
            actor=actor,
            payload={"user": user_public_state(membership.user), "role": None, "joined": False},
        )


def _in_workspace_or_on_board(board: Board, user: Any) -> bool:
    """Someone already on the board (from before this rule) can still have their role
    changed; anyone else must belong to the board's workspace."""
    return (
        board.organization.members.filter(pk=user.pk).exists()
        or Membership.objects.filter(board=board, user=user).exists()
    )


def _last_admin(board: Board) -> bool:
    return Membership.objects.filter(board=board, role=Role.ADMIN).count() <= 1
