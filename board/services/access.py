"""Role checks and board locking shared by every service."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import connection

from accounts.models import WORKSPACE_ROLE_RANK, Organization, WorkspaceMembership, WorkspaceRole
from board.exceptions import BoardArchived, NotFound, PermissionDenied
from board.models import ROLE_RANK, Board, Membership, Role, Task
from board.selectors import id_or_none

# The one board that writes may change in this context, when one is set (board_scope).
_scope_board_id: ContextVar[int | None] = ContextVar("scope_board_id", default=None)


@contextmanager
def board_scope(*, board_id: int) -> Iterator[None]:
    """Writes in this block change board `board_id` only: another board's task or
    comment is not found, as if it did not exist. A socket acts on its own board only,
    even when its user belongs to others; the check costs no query, as it is made on
    the board row every write locks (`board_lock_with_role`)."""
    token = _scope_board_id.set(board_id)
    try:
        yield
    finally:
        _scope_board_id.reset(token)


def board_lock(*, board_id: int) -> Board:
    """Lock the board row. Every write on a board takes this lock first, so the
    per-board event sequence stays gap-free and writers never deadlock."""
    board = Board.objects.select_for_update().filter(pk=board_id).first()
    if board is None:
        raise NotFound("This board does not exist.")
    return board


def role_require(*, actor: Any, board: Board, role: Role, archived_ok: bool = False) -> Role:
    """Return the actor's role on the board, or raise. Non-members get NotFound so that
    the existence of a board is not revealed to them. An archived board takes no
    change but those that name `archived_ok` (restore, delete, leave)."""
    if actor is None or not actor.is_authenticated:
        raise NotFound("This board does not exist.")
    actual = (
        Membership.objects.filter(board=board, user=actor).values_list("role", flat=True).first()
    )
    return role_check(actual, role, board=board, archived_ok=archived_ok)


def board_lock_with_role(
    *, actor: Any, role: Role | None, board_id: int | None = None, task_id: int | None = None
) -> tuple[Board, Role | None]:
    """`board_lock` and `role_require` in one query: lock the board (given, or the
    task's), and read the actor's role with it. `role=None` skips the check (system
    actions). A task that does not exist raises NotFound, as an unknown board does.

    The role is read in the statement's snapshot, taken before the lock was granted.
    A role change holds the board lock and records an event, so if the board's seq
    moved while this query waited (the locked row is newer than the snapshot), the
    role is read again, under the lock.

    Every write of every door starts here, so the statement is written out once
    (`_board_lock_sql`) rather than built by the ORM on each call: that cost about
    1.8 ms a write, three times the query's own time."""
    checked = role is not None and actor is not None and actor.is_authenticated
    by_task = task_id is not None
    unknown = NotFound(f"This {'task' if by_task else 'board'} does not exist.")
    target = id_or_none(task_id if by_task else board_id)
    if target is None:
        raise unknown
    params = [actor.pk if checked else None, target]
    board = next(iter(Board.objects.raw(_board_lock_sql(by_task=by_task), params)), None)
    if board is None or _scope_board_id.get() not in (None, board.pk):
        raise unknown
    if role is None:
        return board, None
    if checked and board.snapshot_seq != board.last_seq:
        return board, role_require(actor=actor, board=board, role=role)
    return board, role_check(board.actor_role if checked else None, role, board=board)


@functools.cache
def _board_lock_sql(*, by_task: bool) -> str:
    """The board row (found by its id or a task's), locked where the database can,
    with the actor's role (params: user id or NULL, then the board or task id) and the
    board's seq as the statement's snapshot saw it."""
    boards, memberships, tasks = (m._meta.db_table for m in (Board, Membership, Task))
    which = f"(SELECT t.board_id FROM {tasks} t WHERE t.id = %s)" if by_task else "%s"
    # SQLite has no row locks: its IMMEDIATE transactions hold the database's write lock.
    lock = " FOR UPDATE OF b" if connection.features.has_select_for_update_of else ""
    return (
        f"SELECT b.*,"
        f" (SELECT m.role FROM {memberships} m WHERE m.board_id = b.id AND m.user_id = %s"
        f" LIMIT 1) AS actor_role,"
        f" (SELECT s.last_seq FROM {boards} s WHERE s.id = b.id) AS snapshot_seq"
        f" FROM {boards} b WHERE b.id = {which}{lock}"
    )


def role_check(actual: str | None, role: Role, *, board: Board, archived_ok: bool = False) -> Role:
    """The role, if it is at least `role` and the board takes changes; else raise."""
    if actual is None:
        raise NotFound("This board does not exist.")
    actual_role = Role(actual)
    if ROLE_RANK[actual_role] < ROLE_RANK[role]:
        raise PermissionDenied(_refusal_for(role))
    if board.archived_at is not None and not archived_ok:
        raise BoardArchived()
    return actual_role


def workspace_lock(*, workspace_id: Any) -> Organization:
    """Lock the workspace row: changes to its members and invitations take it first."""
    workspace = Organization.objects.select_for_update().filter(pk=workspace_id).first()
    if workspace is None:
        raise NotFound("This workspace does not exist.")
    return workspace


def workspace_role_require(
    *, actor: Any, workspace: Organization, role: WorkspaceRole
) -> WorkspaceRole:
    """The actor's role in the workspace, or raise (NotFound to outsiders)."""
    if actor is None or not actor.is_authenticated:
        raise NotFound("This workspace does not exist.")
    actual = (
        WorkspaceMembership.objects.filter(organization=workspace, user=actor)
        .values_list("role", flat=True)
        .first()
    )
    if actual is None:
        raise NotFound("This workspace does not exist.")
    actual = WorkspaceRole(actual)
    if WORKSPACE_ROLE_RANK[actual] < WORKSPACE_ROLE_RANK[role]:
        raise PermissionDenied(
            "Only the workspace's owners can do that."
            if role == WorkspaceRole.OWNER
            else "Only the workspace's owners and admins can do that."
        )
    return actual


def _refusal_for(role: Role) -> str:
    if role == Role.ADMIN:
        return "Only a board admin can do that."
    return "Viewers can only look at this board; ask an admin to make you a member."
