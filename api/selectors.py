"""The API's reads: filtered, cursor-paginated lists, and membership-checked lookups.
Like board/selectors.py, nothing here writes."""

from __future__ import annotations

import base64
import binascii
import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from accounts.models import Organization, WorkspaceMembership, WorkspaceRole
from board.exceptions import BoardArchived, NotFound, ValidationFailed
from board.models import Board, Epic, Event, Invitation, Membership, Role, Sprint, Status, Task
from board.selectors import board_for_member, boards_for_user, task_for_member
from board.workspace_selectors import pending_invitations, workspace_boards, workspace_for_member


@dataclass(frozen=True)
class TaskFilters:
    status: str | None = None
    owner: int | str | None = None  # a user id, "me" or "none"
    epic: int | None = None
    sprint: int | None = None
    due_before: datetime.date | None = None
    due_after: datetime.date | None = None
    q: str | None = None


def member_board(*, user: Any, board_id: int, archived_ok: bool = False) -> tuple[Board, Role]:
    """The board and the user's role on it. An archived board is read by nobody: its
    contents are refused with board_archived, as its socket closes; the board itself
    (`archived_ok`) still shows, so that its admins can restore or delete it."""
    found = board_for_member(user=user, board_id=board_id)
    if found is None:
        raise NotFound("This board does not exist.")
    if found[0].archived_at is not None and not archived_ok:
        raise BoardArchived()
    return found


def member_task(*, user: Any, task_id: int) -> Task:
    found = task_for_member(user=user, task_id=task_id)
    if found is None:
        raise NotFound("This task does not exist.")
    _refuse_if_archived(found[0].board)
    return found[0]


def member_sprint(*, user: Any, sprint_id: int) -> Sprint:
    sprint = Sprint.objects.select_related("board").filter(pk=sprint_id).first()
    if sprint is None or board_for_member(user=user, board_id=sprint.board_id) is None:
        raise NotFound("This sprint does not exist.")
    _refuse_if_archived(sprint.board)
    return sprint


def member_epic(*, user: Any, epic_id: int) -> Epic:
    epic = Epic.objects.select_related("board").filter(pk=epic_id).first()
    if epic is None or board_for_member(user=user, board_id=epic.board_id) is None:
        raise NotFound("This epic does not exist.")
    _refuse_if_archived(epic.board)
    return epic


def _refuse_if_archived(board: Board) -> None:
    if board.archived_at is not None:
        raise BoardArchived()


def boards_with_roles(*, user: Any) -> list[tuple[Board, Role]]:
    return _with_roles(user, boards_for_user(user=user))


def listed_board(*, user: Any, board_id: int) -> tuple[Board, Role]:
    """A board of the user's as the board list shows it (with `open_tasks`)."""
    found = _with_roles(user, boards_for_user(user=user).filter(pk=board_id))
    if not found:
        raise NotFound("This board does not exist.")
    return found[0]


def workspace_boards_with_roles(*, user: Any, workspace: Organization) -> list[tuple[Board, Role]]:
    return _with_roles(
        user, workspace_boards(workspace=workspace, user=user).select_related("organization")
    )


def _with_roles(user: Any, boards: QuerySet[Board]) -> list[tuple[Board, Role]]:
    roles = dict(Membership.objects.filter(user=user).values_list("board_id", "role"))
    return [(board, Role(roles[board.pk])) for board in boards]


def workspaces_with_roles(*, user: Any) -> list[tuple[Organization, WorkspaceRole]]:
    memberships = (
        WorkspaceMembership.objects.filter(user=user)
        .select_related("organization")
        .order_by("organization__name", "organization_id")
    )
    return [(m.organization, WorkspaceRole(m.role)) for m in memberships]


def member_workspace(*, user: Any, slug: str) -> tuple[Organization, WorkspaceRole]:
    found = workspace_for_member(user=user, slug=slug)
    if found is None:
        raise NotFound("This workspace does not exist.")
    return found


def workspace_members_page(
    *, workspace: Organization, cursor: str | None, limit: int
) -> tuple[list[WorkspaceMembership], str | None]:
    """The workspace's members in the order they joined, a page at a time."""
    members = WorkspaceMembership.objects.filter(organization=workspace).select_related("user")
    if cursor is not None:
        members = members.filter(pk__gt=cursor_decode(cursor, kind="member"))
    page = list(members.order_by("pk")[: limit + 1])
    if len(page) > limit:
        return page[:limit], cursor_encode(page[limit - 1].pk, kind="member")
    return page, None


def invitations_page(
    *, workspace: Organization, board: Board | None, cursor: str | None, limit: int
) -> tuple[list[Invitation], str | None]:
    """The pending invitations (of the board, or of the workspace and its boards),
    newest first, a page at a time."""
    invitations = sorted(
        pending_invitations(workspace=workspace, board=board), key=lambda i: i.pk, reverse=True
    )
    if cursor is not None:
        before = cursor_decode(cursor, kind="invitation")
        invitations = [invitation for invitation in invitations if invitation.pk < before]
    if len(invitations) > limit:
        return invitations[:limit], cursor_encode(invitations[limit - 1].pk, kind="invitation")
    return invitations, None


def invitations_by_id(*, ids: list[int]) -> QuerySet[Invitation]:
    return Invitation.objects.filter(pk__in=ids)


def sprint_task_ids(*, sprint: Sprint) -> list[int]:
    return sorted(sprint.tasks.values_list("pk", flat=True))


def board_sprints_with_tasks(*, board: Board) -> QuerySet[Sprint]:
    return Sprint.objects.filter(board=board).prefetch_related("tasks")


def tasks_page(
    *, board: Board, user: Any, filters: TaskFilters, cursor: str | None, limit: int
) -> tuple[list[Task], str | None]:
    """One page of the board's tasks in id order, and the cursor of the next page.
    Archived tasks are left out unless `status=ARCHIVED` asks for them."""
    tasks = Task.objects.filter(board=board).select_related("owner", "creator", "epic")
    if filters.status is None:
        tasks = tasks.exclude(status=Status.ARCHIVED)
    else:
        tasks = tasks.filter(status=filters.status)
    if filters.owner == "me":
        tasks = tasks.filter(owner=user)
    elif filters.owner == "none":
        tasks = tasks.filter(owner__isnull=True)
    elif filters.owner is not None:
        tasks = tasks.filter(owner_id=filters.owner)
    if filters.epic is not None:
        tasks = tasks.filter(epic_id=filters.epic)
    if filters.sprint is not None:
        tasks = tasks.filter(sprints__id=filters.sprint)
    if filters.due_before is not None:
        tasks = tasks.filter(due_date__lte=filters.due_before)
    if filters.due_after is not None:
        tasks = tasks.filter(due_date__gte=filters.due_after)
    if filters.q:
        tasks = tasks.filter(title__icontains=filters.q)
    if cursor is not None:
        tasks = tasks.filter(pk__gt=cursor_decode(cursor, kind="task"))
    page = list(tasks.order_by("pk")[: limit + 1])
    if len(page) > limit:
        return page[:limit], cursor_encode(page[limit - 1].pk, kind="task")
    return page, None


def cursor_encode(last_id: int, *, kind: str) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{last_id}".encode()).decode().rstrip("=")


def cursor_decode(cursor: str, *, kind: str) -> int:
    """The id a cursor of this kind of list continues from; ValidationFailed for
    anything we did not issue (or issued for another list)."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, last_id = text.partition(":")
        if prefix == kind and last_id.isdigit() and int(last_id) < 2**63:
            return int(last_id)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise ValidationFailed(fields={"cursor": "Use the `next` value of the previous page."})


def events_page(*, board: Board, after: int, limit: int) -> tuple[list[Event], int | None]:
    """The board's events with seq > after, oldest first, and the `after` of the next page."""
    events = list(
        Event.objects.filter(board=board, seq__gt=after)
        .select_related("actor")
        .order_by("seq")[: limit + 1]
    )
    if len(events) > limit:
        return events[:limit], events[limit - 1].seq
    return events, None
